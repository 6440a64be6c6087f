// The one line under the header that tells someone who is not an administrator why the settings
// cannot be changed here and who Mailroom thinks they are, on every tab. One line even in an
// 800×600 window: a long account name is cut short on screen (whole in the tooltip, and for a
// screen reader, which hears the whole bar when it appears).
import { useEffect, useState } from 'react';
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles } from '@fluentui/react-components';
import type { Identity } from '../hooks/useWhoAmI';
import { VISUALLY_HIDDEN } from '../components/visually-hidden';

/** How long the words stay in the live region: long enough to be read out, then gone so that reading the page does not meet them twice. */
const SAID_FOR_MS = 5000;

const useStyles = makeStyles({
  // Fluent's single-line bar lets its body grow past the window; this cuts it short instead.
  body: {
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  action: {
    whiteSpace: 'nowrap',
  },
  said: VISUALLY_HIDDEN,
});

/**
 * The text put into a live region a moment after the region is there (an empty region first, so
 * the words are heard as news, also when the bar is drawn with the page), and taken out again.
 */
function useSaidOnce(text: string | null): string {
  const [said, setSaid] = useState('');
  useEffect(() => {
    if (!text) return;
    const show = setTimeout(() => setSaid(text), 100);
    const hide = setTimeout(() => setSaid(''), 100 + SAID_FOR_MS);
    return () => {
      clearTimeout(show);
      clearTimeout(hide);
      setSaid('');
    };
  }, [text]);
  return said;
}

export interface ViewOnlyBannerProps {
  identity: Identity;
  /** The account is one of the system users, with choices of its own on the Users tab. */
  hasOwnRow: boolean;
  className: string;
  /** Office mode: the account is a database role, not this computer's. */
  office: boolean;
  /** Shows the Users tab, where this user's own sign-in and choices are. */
  onShowOwn(): void;
}

export function ViewOnlyBanner(props: ViewOnlyBannerProps) {
  const styles = useStyles();
  const text = bannerText(props);
  // Fluent's bars announce themselves only under an announcer, which the dialog does not have.
  const said = useSaidOnce(text && `View only. ${text}`);
  return (
    <>
      {text !== null && <Banner {...props} text={text} />}
      <div role="status" className={styles.said}>
        {said}
      </div>
    </>
  );
}

/** What the bar says, or null when there is no bar (still loading, or an administrator). */
function bannerText({ identity, office }: ViewOnlyBannerProps): string | null {
  const { state } = identity;
  if (state.status === 'loading' || (state.status === 'ready' && state.value.admin)) return null;
  if (state.status === 'failed') return `Mailroom could not tell who is signed in (${state.message}), so the settings are shown read-only.`;
  const { account, user } = state.value;
  const who = `${office ? 'Signed in to the office database as' : 'Signed in as'} ${account}${user ? '' : ', not a system user'}.`;
  return `Only an administrator can change these settings. ${who}`;
}

function Banner({ identity, hasOwnRow, className, onShowOwn, text }: ViewOnlyBannerProps & { text: string }) {
  const styles = useStyles();
  if (identity.state.status === 'failed') {
    // Rare, and the reason matters more than the room it takes.
    return (
      <MessageBar intent="warning" layout="multiline" className={className}>
        <MessageBarBody>
          <MessageBarTitle>View only</MessageBarTitle>
          {text}
        </MessageBarBody>
      </MessageBar>
    );
  }
  return (
    <MessageBar intent="info" layout="singleline" className={className}>
      <MessageBarBody className={styles.body} title={text}>
        <MessageBarTitle>View only</MessageBarTitle>
        {text}
      </MessageBarBody>
      {hasOwnRow && (
        <MessageBarActions>
          <Button size="small" className={styles.action} title="Your own SMTP sign-in, and how you compose and send where allowed" onClick={onShowOwn}>
            Your settings
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
