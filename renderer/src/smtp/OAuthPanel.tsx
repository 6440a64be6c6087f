// Signing a profile in with Microsoft: who is signed in and until when, the two ways to sign in
// (the system browser, or a code typed on any device), the wait while the user does it, and what
// went wrong when it did not work.
import { useId, useRef } from 'react';
import {
  Button,
  Link,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
  typographyStyles,
  useRestoreFocusTarget,
} from '@fluentui/react-components';
import { Keyboard20Regular, PersonCircle20Regular, PersonKey20Regular, SignOut20Regular } from '@fluentui/react-icons';
import { SmtpProfile, type FieldError, type OAuthStatus, type SignInMethod } from '../../../preload/contract';
import { FIELD_MAX_WIDTH } from '../components/fields';
import { CopyButton } from '../components/CopyButton';
import { DeviceCodeDialog, formatTime } from './DeviceCodeDialog';
import { AdviceBox } from '../components/AdviceBox';
import { useSignIn } from '../hooks/useSignIn';

const useStyles = makeStyles({
  panel: {
    boxSizing: 'border-box',
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    maxWidth: FIELD_MAX_WIDTH,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusLarge,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  heading: {
    ...typographyStyles.body1Strong,
    margin: 0,
    ':focus-visible': {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: tokens.strokeWidthThick,
    },
  },
  status: {
    display: 'flex',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalS,
  },
  statusIcon: {
    flexShrink: 0,
    marginTop: '1px',
    color: tokens.colorNeutralForeground2,
  },
  signedInIcon: {
    flexShrink: 0,
    marginTop: '1px',
    color: tokens.colorPaletteGreenForeground1,
  },
  statusText: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    minWidth: 0,
  },
  line: {
    ...typographyStyles.body1,
    margin: 0,
    overflowWrap: 'anywhere',
  },
  secondary: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  scopes: {
    ...typographyStyles.caption1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalS,
  },
  reason: {
    ...typographyStyles.caption1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
  waiting: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    minWidth: 0,
  },
  fallback: {
    ...typographyStyles.caption1,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
    minWidth: 0,
    color: tokens.colorNeutralForeground2,
  },
  // A sign-in address runs to hundreds of characters: one line, cut with an ellipsis, whole on hover and when copied.
  address: {
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
    maxWidth: '100%',
  },
  spinner: {
    justifyContent: 'flex-start',
  },
  live: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    // Always there, so what appears in it is announced; empty, it takes no room.
    ':empty': { marginTop: `calc(-1 * ${tokens.spacingVerticalM})` },
  },
});

export interface OAuthPanelProps {
  profile: SmtpProfile;
  /** The profile as main needs it, or null after showing under the fields what is wrong. */
  prepare(): SmtpProfile | null;
  /** Field errors main reported when the sign-in could not start, to show under their fields. */
  onFieldErrors(fields: readonly FieldError[]): void;
  onSignedIn(status: OAuthStatus): void;
  /** Only an administrator may sign a profile in or out. */
  readOnly?: boolean;
}

export function OAuthPanel(props: OAuthPanelProps) {
  const { profile } = props;
  const styles = useStyles();
  // The code's dialog gives the focus back to the button that opened it.
  const returnFocusHere = useRestoreFocusTarget();
  const headingId = useId();
  const reasonId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const { state, phase, signingOut, busy, signIn: startSignIn, cancel, signOut } = useSignIn(profile, {
    prepare: () => props.prepare(),
    onFieldErrors: (fields) => props.onFieldErrors(fields),
    onSignedIn: (status) => props.onSignedIn(status),
    // Once the code's dialog is gone: a modal dialog keeps the focus while it is there, and its
    // closing would then leave the focus nowhere.
    onSettled: () => setTimeout(() => headingRef.current?.focus(), 0),
  });

  const blocker = props.readOnly ? 'Only an administrator can sign this profile in or out.' : signInBlocker(profile);

  const signIn = async (method: SignInMethod) => {
    if (blocker || busy) return;
    await startSignIn(method);
  };

  const status = state.status === 'ready' ? state.value : undefined;
  const waiting = phase.status === 'waiting' ? phase.flow : undefined;

  return (
    <section aria-labelledby={headingId} className={styles.panel}>
      <h3 id={headingId} ref={headingRef} tabIndex={-1} className={styles.heading}>
        Microsoft 365 sign-in
      </h3>

      {state.status === 'loading' && (
        <Spinner size="extra-tiny" labelPosition="after" label="Checking who is signed in…" className={styles.spinner} />
      )}
      {state.status === 'failed' && (
        <p className={styles.secondary}>Who is signed in could not be read: {state.message}</p>
      )}
      {status && <StatusLines status={status} mailbox={profile.username.trim()} />}

      {status?.problem && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>The sign-in no longer works</MessageBarTitle>
            {status.problem}
          </MessageBarBody>
          <MessageBarActions>
            <Button
              disabledFocusable={busy || blocker !== undefined}
              aria-describedby={blocker ? reasonId : undefined}
              onClick={() => void signIn('browser')}
            >
              Sign in again
            </Button>
          </MessageBarActions>
        </MessageBar>
      )}

      {waiting?.method === 'browser' ? (
        <div className={styles.waiting}>
          <div role="status">
            <Spinner size="tiny" labelPosition="after" label="Finish signing in in your browser…" className={styles.spinner} />
          </div>
          {waiting.authUrl && (
            <p className={styles.fallback}>
              <span>If no browser window opened, open this address:</span>
              <Link href={waiting.authUrl} target="_blank" rel="noreferrer" title={waiting.authUrl} className={styles.address}>
                {waiting.authUrl}
              </Link>
            </p>
          )}
          <div className={styles.actions}>
            {waiting.authUrl && <CopyButton text={waiting.authUrl} label="Copy address" copiedMessage="Address copied" />}
            <Button onClick={cancel}>Cancel</Button>
          </div>
        </div>
      ) : status?.signedIn ? (
        <div className={styles.actions}>
          <Button
            icon={<SignOut20Regular />}
            disabledFocusable={busy || props.readOnly}
            aria-describedby={props.readOnly ? reasonId : undefined}
            onClick={() => void signOut()}
          >
            {signingOut ? 'Signing out…' : 'Sign out'}
          </Button>
          {props.readOnly && (
            <p id={reasonId} className={styles.reason}>
              {blocker}
            </p>
          )}
        </div>
      ) : (
        <>
          <div className={styles.actions}>
            <Button
              icon={<PersonKey20Regular />}
              disabledFocusable={busy || blocker !== undefined}
              aria-describedby={blocker ? reasonId : undefined}
              onClick={() => void signIn('browser')}
            >
              {phase.status === 'starting' && phase.method === 'browser' ? 'Opening the browser…' : 'Sign in with Microsoft'}
            </Button>
            <Button
              {...returnFocusHere}
              icon={<Keyboard20Regular />}
              disabledFocusable={busy || blocker !== undefined}
              aria-describedby={blocker ? reasonId : undefined}
              onClick={() => void signIn('device-code')}
            >
              {phase.status === 'starting' && phase.method === 'device-code' ? 'Getting a code…' : 'Sign in with a code'}
            </Button>
          </div>
          {blocker ? (
            <p id={reasonId} className={styles.reason}>
              {blocker}
            </p>
          ) : (
            <p className={styles.reason}>
              With a code, you sign in on any other device: useful where this computer has no browser.
            </p>
          )}
        </>
      )}

      <div aria-live="polite" className={styles.live}>
        {phase.status === 'cancelled' && <p className={styles.secondary}>Sign-in cancelled.</p>}
        {phase.status === 'failed' && <AdviceBox advice={phase.advice} headingLevel={4} context="Not signed in" />}
        {phase.status === 'error' && (
          <MessageBar intent="error" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>{phase.title}</MessageBarTitle>
              {phase.message}
            </MessageBarBody>
          </MessageBar>
        )}
      </div>

      {waiting?.method === 'device-code' && waiting.deviceCode && <DeviceCodeDialog prompt={waiting.deviceCode} onCancel={cancel} />}
    </section>
  );
}

function StatusLines({ status, mailbox }: { status: OAuthStatus; mailbox: string }) {
  const styles = useStyles();
  if (!status.signedIn) {
    return (
      <div className={styles.status}>
        <PersonCircle20Regular aria-hidden className={styles.statusIcon} />
        <p className={styles.line}>Not signed in. Sign in with the account that sends the mail.</p>
      </div>
    );
  }
  const until = status.expiresAt ? formatTime(status.expiresAt) : undefined;
  return (
    <div className={styles.status}>
      <PersonCircle20Regular aria-hidden className={styles.signedInIcon} />
      <div className={styles.statusText}>
        <p className={styles.line}>
          Signed in as <strong>{status.account ?? 'an unnamed account'}</strong>
          {status.displayName ? ` (${status.displayName})` : ''}
        </p>
        <p className={styles.secondary}>
          {until ? `Access token valid until ${until}` : 'A new access token is fetched before sending'}
        </p>
        {status.scopes.length > 0 && <p className={styles.scopes}>Permissions: {status.scopes.join(', ')}</p>}
        {mailbox !== '' && status.account && mailbox.toLowerCase() !== status.account.toLowerCase() && (
          <p className={styles.scopes}>
            Mail goes out from the mailbox {mailbox}: this account needs permission to send from it.
          </p>
        )}
      </div>
    </div>
  );
}

/** Why signing in cannot start with the profile as it stands, or undefined when it can. */
export function signInBlocker(profile: SmtpProfile): string | undefined {
  if (profile.clientId.trim() === '') return 'Enter the Client (application) ID of your app registration to sign in.';
  if (!SmtpProfile.shape.clientId.safeParse(profile.clientId).success) return 'Correct the Client (application) ID to sign in.';
  if (!SmtpProfile.shape.tenant.safeParse(profile.tenant).success) return 'Correct the tenant to sign in.';
  return undefined;
}
