// The right side of the SMTP tab: one profile's fields in sections (server, security, sign-in with
// the Microsoft sign-in for OAuth2 profiles, sender, sending limits), its test buttons in a toolbar
// that stays at the top while the fields scroll, and the last connection test's report.
import { useId, useRef, useState } from 'react';
import {
  Button,
  Checkbox,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
  useRestoreFocusTarget,
} from '@fluentui/react-components';
import { MailArrowUp20Regular, PlugConnected20Regular } from '@fluentui/react-icons';
import {
  DEFAULT_PORTS,
  INSECURE_TLS_VERSIONS,
  SmtpProfile,
  TENANT_HINT,
  fieldErrors,
  isMicrosoft365Host,
  type FieldError,
  type OAuthStatus,
  type Settings,
} from '../../../preload/contract';
import { DropdownField, FIELD_MAX_WIDTH, NumberField, SwitchField, TextField, type FormBinding } from '../components/fields';
import { FormSection } from '../components/FormSection';
import { BasicRetirementNotice } from './BasicRetirementNotice';
import { DiagnosisPanel, type TestRun } from './DiagnosisView';
import { OAuthPanel } from './OAuthPanel';
import { PasswordField } from '../components/PasswordField';
import {
  AUTH_MODEL_OPTIONS,
  AUTH_OPTIONS,
  CREDENTIAL_OPTIONS,
  OAUTH_PROVIDER_OPTIONS,
  SECURITY_OPTIONS,
  SEND_METHOD_OPTIONS,
  TLS_OPTIONS,
  displayName,
  hostAndPort,
  profileBinding,
  profilePath,
  type TestFieldErrors,
} from './profile-form';
import type { ProfilePasswords } from '../hooks/usePasswords';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    minWidth: 0,
  },
  // The profile's name and its tests stay in reach at the top while its fields scroll under them.
  toolbar: {
    position: 'sticky',
    top: 0,
    zIndex: 2,
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    justifyContent: 'space-between',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    paddingBlock: tokens.spacingVerticalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  titles: {
    display: 'flex',
    flexDirection: 'column',
    minWidth: 0,
    flexShrink: 1,
  },
  title: {
    ...typographyStyles.subtitle1,
    margin: 0,
    overflowWrap: 'anywhere',
  },
  subtitle: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    rowGap: tokens.spacingVerticalXS,
  },
  // Two fields side by side where the editor is wide enough, one above the other where it is not.
  pair: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalL,
    maxWidth: '720px',
  },
  half: {
    flexGrow: 1,
    flexBasis: '260px',
    width: 'auto',
  },
  hostPair: {
    maxWidth: FIELD_MAX_WIDTH,
  },
  host: {
    flexGrow: 1,
    flexBasis: '240px',
    width: 'auto',
  },
  port: {
    flexGrow: 0,
    flexBasis: '120px',
    width: 'auto',
  },
  warning: {
    maxWidth: FIELD_MAX_WIDTH,
    marginTop: `calc(-1 * ${tokens.spacingVerticalS})`,
  },
  note: {
    ...typographyStyles.body1,
    margin: 0,
    maxWidth: FIELD_MAX_WIDTH,
    color: tokens.colorNeutralForeground2,
  },
});

export interface ProfileEditorProps {
  form: FormBinding<Settings>;
  index: number;
  profile: SmtpProfile;
  passwords: ProfilePasswords;
  testErrors: TestFieldErrors;
  onFieldEdited(field: string): void;
  /** Field errors main reported for this profile (when a sign-in could not start, say). */
  onFieldErrors(fields: readonly FieldError[]): void;
  run: TestRun | undefined;
  /** The id given to the test report's heading, so focus can move there when a test ends. */
  reportHeadingId: string;
  onTest(ping: boolean): void;
  onCloseReport(): void;
  onSendTest(): void;
}

export function ProfileEditor(props: ProfileEditorProps) {
  const { form, index, profile, passwords, testErrors, onFieldEdited, run } = props;
  const styles = useStyles();
  const [ping, setPing] = useState(false);
  const pasted = useRef(false);
  const edited = useRef(new Set<string>());
  const headingId = useId();
  // The Send test dialog gives the focus back to its button.
  const returnFocusHere = useRestoreFocusTarget();

  const bound = profileBinding({
    form,
    index,
    testErrors,
    onFieldEdited,
    edited: edited.current,
    takePaste: () => {
      const was = pasted.current;
      pasted.current = false;
      return was;
    },
  });
  const path = <K extends keyof SmtpProfile & string>(key: K) => profilePath(index, key);

  const noTls = profile.security === 'none';
  const signsIn = profile.auth !== 'none';
  const perUser = profile.credentials === 'per-user';
  const perUserHint = "Each user enters their own on the Users tab.";
  const oauth = profile.authModel === 'oauth2';
  // A non-administrator sees the profile but changes nothing; tests still run. (A field machine
  // policy sets is read-only on its own, for everyone.)
  const readOnly = form.isReadOnly('smtp.profiles');

  // The same edit path as the dropdown: the draft turns dirty and the Microsoft 365 server is filled in.
  const switchToOAuth = () => {
    bound.onChange(path('authModel'), 'oauth2');
    bound.onBlur(path('authModel'));
  };

  const prepareSignIn = (): SmtpProfile | null => {
    const parsed = SmtpProfile.safeParse(profile);
    if (parsed.success) return parsed.data;
    for (const { path: at } of fieldErrors(parsed.error, ['smtp', 'profiles', index])) form.onBlur(at);
    return null;
  };

  const signedIn = (status: OAuthStatus) => {
    const current = form.draft.smtp.profiles[index];
    if (current?.id === profile.id && current.username.trim() === '' && status.account) {
      bound.onChange(path('username'), status.account);
    }
  };
  const where = hostAndPort(profile);
  const securityLabel = SECURITY_OPTIONS.find((o) => o.value === profile.security)?.label ?? profile.security;

  return (
    <section aria-labelledby={headingId} className={styles.root}>
      <div className={styles.toolbar}>
        <div className={styles.titles}>
          <h2 id={headingId} className={styles.title}>
            {displayName(profile)}
          </h2>
          <span className={styles.subtitle}>{where ? `${where} · ${securityLabel}` : 'No server yet'}</span>
        </div>
        <div className={styles.actions}>
          <Button icon={<PlugConnected20Regular />} disabledFocusable={run?.status === 'running'} onClick={() => props.onTest(ping)}>
            {run?.status === 'running' ? 'Testing…' : 'Test connection'}
          </Button>
          {/* Short, so the toolbar keeps to one row in a small window; what it is for is its tooltip. */}
          <Checkbox
            label="Include ping"
            title="Informational only: many networks block ping, and the test does not depend on it."
            checked={ping}
            onChange={(_, data) => setPing(data.checked === true)}
          />
          <Button {...returnFocusHere} icon={<MailArrowUp20Regular />} onClick={props.onSendTest}>
            Send test email
          </Button>
        </div>
      </div>

      {run && <DiagnosisPanel run={run} headingId={props.reportHeadingId} onClose={props.onCloseReport} />}

      <FormSection title="Server">
        <TextField form={bound} path={path('name')} label="Name" autoComplete="off" hint="A unique name, like “Office relay”." />
        <div className={mergeClasses(styles.pair, styles.hostPair)} onPaste={() => (pasted.current = true)}>
          <TextField
            form={bound}
            path={path('host')}
            label="Server host"
            className={styles.host}
            autoComplete="off"
            spellCheck={false}
            hint="Like smtp.example.com or an IP address. “host,port” is split for you."
          />
          <NumberField
            form={bound}
            path={path('port')}
            label="Port"
            min={1}
            max={65535}
            width="full"
            className={styles.port}
            hint={`Usually ${DEFAULT_PORTS[profile.security]}`}
          />
        </div>
        <NumberField
          form={bound}
          path={path('timeoutSeconds')}
          label="Connection timeout (seconds)"
          min={1}
          max={600}
          hint="How long to wait for the server, from 1 to 600."
        />
      </FormSection>

      <FormSection title="Security">
        <div className={styles.pair}>
          <DropdownField form={bound} path={path('security')} label="Transport security" options={SECURITY_OPTIONS} className={styles.half} />
          <DropdownField
            form={bound}
            path={path('minTls')}
            label="Minimum TLS version"
            options={TLS_OPTIONS}
            disabled={noTls}
            className={styles.half}
            hint={noTls ? 'Not used without transport security.' : 'The oldest version Mailroom accepts from the server.'}
          />
        </div>
        {!noTls && INSECURE_TLS_VERSIONS.includes(profile.minTls) && (
          <MessageBar intent="warning" layout="multiline" className={styles.warning}>
            <MessageBarBody>
              <MessageBarTitle>TLS {profile.minTls} is insecure</MessageBarTitle>
              Its weaknesses are known and public. Allow it only for an old server that speaks nothing newer, and plan to
              replace that server.
            </MessageBarBody>
          </MessageBar>
        )}
        <SwitchField
          form={bound}
          path={path('verifyCert')}
          label="Verify server certificate"
          disabled={noTls}
          hint={
            noTls
              ? 'Not used without transport security.'
              : profile.verifyCert
                ? 'Recommended. The server must prove it is the host named above.'
                : 'Off: anyone between here and the server could read the mail and the password.'
          }
        />
        <TextField
          form={bound}
          path={path('caFile')}
          label="CA certificate file"
          autoComplete="off"
          spellCheck={false}
          disabled={noTls}
          placeholder="Optional"
          hint="PEM file of your organisation's certificate authority, if the server's certificate comes from it. Optional."
        />
      </FormSection>

      <FormSection title="Sign-in">
        <div className={styles.pair}>
          <DropdownField
            form={bound}
            path={path('auth')}
            label="Authorisation"
            options={AUTH_OPTIONS}
            className={styles.half}
            hint={
              profile.auth === 'optional'
                ? 'A username is needed; the password may be left empty.'
                : profile.auth === 'none'
                  ? 'The server takes mail without signing in (a relay on your own network, say).'
                  : undefined
            }
          />
          {signsIn && (
            <DropdownField
              form={bound}
              path={path('authModel')}
              label="Authentication model"
              options={AUTH_MODEL_OPTIONS}
              className={styles.half}
              hint={oauth ? 'A token from the provider; no password is stored.' : undefined}
            />
          )}
        </div>
        {signsIn ? (
          <>
            {!oauth && isMicrosoft365Host(profile.host) && <BasicRetirementNotice onSwitch={readOnly || form.isReadOnly(path('authModel')) ? undefined : switchToOAuth} />}
            {oauth ? (
              <>
                <DropdownField
                  form={bound}
                  path={path('oauthProvider')}
                  label="OAuth2 provider"
                  options={OAUTH_PROVIDER_OPTIONS}
                  hint="Choosing it fills in Microsoft 365's server, port and security above."
                />
                <TextField
                  form={bound}
                  path={path('tenant')}
                  label="Tenant"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="organizations"
                  hint={`${TENANT_HINT}.`}
                />
                <TextField
                  form={bound}
                  path={path('clientId')}
                  label="Client (application) ID"
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="00000000-0000-0000-0000-000000000000"
                  hint="From your organisation's own app registration in Microsoft Entra ID."
                />
                <DropdownField
                  form={bound}
                  path={path('sendMethod')}
                  label="Send through"
                  options={SEND_METHOD_OPTIONS}
                  hint={
                    profile.sendMethod === 'graph'
                      ? 'Messages go to Microsoft Graph over HTTPS; the server above is not used for sending.'
                      : 'Messages go to the server above, signed in with the access token.'
                  }
                />
                <TextField
                  form={bound}
                  path={path('username')}
                  label="Mailbox"
                  inputMode="email"
                  autoComplete="off"
                  spellCheck={false}
                  hint="The account that sends, like accounts@contoso.com. Left empty, it becomes the account you sign in with."
                />
                <OAuthPanel
                  profile={profile}
                  prepare={prepareSignIn}
                  onFieldErrors={props.onFieldErrors}
                  onSignedIn={signedIn}
                  readOnly={readOnly}
                />
              </>
            ) : (
              <>
                <DropdownField form={bound} path={path('credentials')} label="Credentials" options={CREDENTIAL_OPTIONS} />
                <TextField
                  form={bound}
                  path={path('username')}
                  label="Username"
                  autoComplete="off"
                  spellCheck={false}
                  disabled={perUser}
                  hint={perUser ? perUserHint : 'Often the mailbox address itself.'}
                />
                <PasswordField
                  profileId={profile.id}
                  name={`smtp.profiles.${index}.password`}
                  passwords={passwords}
                  error={testErrors.password}
                  disabled={perUser}
                  disabledHint={perUserHint}
                  readOnly={readOnly && !perUser}
                  onEdited={() => onFieldEdited('password')}
                />
              </>
            )}
          </>
        ) : (
          <p className={styles.note}>No username or password is sent. Choose Required or Optional to sign in.</p>
        )}
      </FormSection>

      <FormSection title="Sender">
        <div className={styles.pair}>
          <TextField
            form={bound}
            path={path('fromName')}
            label="From name"
            autoComplete="off"
            className={styles.half}
            hint="The name recipients see, like “Harbour Accounts”."
          />
          <TextField
            form={bound}
            path={path('fromAddress')}
            label="From address"
            inputMode="email"
            autoComplete="off"
            spellCheck={false}
            className={styles.half}
            hint="The address messages come from."
          />
        </div>
        <TextField
          form={bound}
          path={path('bcc')}
          label="BCC every message to"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          hint="Optional. A hidden copy of every message goes here, for the records."
        />
      </FormSection>

      <FormSection title="Sending limits">
        <div className={styles.pair}>
          <NumberField form={bound} path={path('perMinute')} label="Batch emails per minute" min={0} max={100000} width="full" className={styles.half} hint="0 = no limit." />
          <NumberField
            form={bound}
            path={path('maxConnections')}
            label="Connections at once"
            min={1}
            max={20}
            width="full"
            className={styles.half}
            hint="How many connections a batch may open to the server together, from 1 to 20."
          />
        </div>
        <div className={styles.pair}>
          <NumberField
            form={bound}
            path={path('maxAttachmentsMb')}
            label="Maximum total attachment size (MB)"
            min={0}
            max={1024}
            step={0.1}
            width="full"
            className={styles.half}
            hint="All attachments of one message together. 0 = no limit. Keep it at or under the server's own limit."
          />
          <TextField
            form={bound}
            path={path('notifyUser')}
            label="Notify user"
            inputMode="email"
            autoComplete="off"
            spellCheck={false}
            className={styles.half}
            hint="An email address told when a message is held back for exceeding the maximum."
          />
        </div>
      </FormSection>
    </section>
  );
}
