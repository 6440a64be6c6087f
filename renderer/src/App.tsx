// The email settings dialog: header, tabs over one settings draft, and a footer with Save/Revert.
import { Suspense, lazy, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import {
  Button,
  FluentProvider,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Tab,
  TabList,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import './page.css';
import { ComposeLauncher, loadComposeWindow } from './compose/ComposeLauncher';
import { useAppInfo } from './hooks/useAppInfo';
import { useBridgeAccess } from './hooks/useBridgeAccess';
import { OpenFromItsWindow } from './OpenFromItsWindow';
import { useLeaveGuard } from './hooks/useLeaveGuard';
import { loadValidators } from './load-validators';
import { useOsTheme } from './hooks/useOsTheme';
import { useWhoAmI, type Identity } from './hooks/useWhoAmI';
import { GeneralTab } from './general/GeneralTab';
import { NoticeList } from './notices/NoticeList';
import { useNotices } from './hooks/useNotices';
import { useSettingsDraft, type SettingsDraft } from './hooks/useSettingsDraft';
import { ChangedElsewhereBar } from './settings/ChangedElsewhereBar';
import { ViewOnlyBanner } from './settings/ViewOnlyBanner';
import { usePasswords, type ProfilePasswords } from './hooks/usePasswords';
import { useOwnSettings } from './hooks/useOwnSettings';
import { useUserPasswords, type UserPasswords } from './hooks/useUserPasswords';
import type { FormBinding } from './components/fields';
import type { Settings } from '../../preload/contract';

// The first paint needs the General tab only: every other tab, and the compose window (see
// ComposeLauncher), is its own script, fetched when the browser is idle after the first paint (or at once when asked for).
const loadSmtpTab = () => import('./smtp/SmtpTab').then((m) => ({ default: m.SmtpTab }));
const loadEmailTab = () => import('./email/EmailTab').then((m) => ({ default: m.EmailTab }));
const loadUsersTab = () => import('./users/UsersTab').then((m) => ({ default: m.UsersTab }));
const loadActivityTab = () => import('./activity/ActivityTab').then((m) => ({ default: m.ActivityTab }));
const SmtpTab = lazy(loadSmtpTab);
const EmailTab = lazy(loadEmailTab);
const UsersTab = lazy(loadUsersTab);
const ActivityTab = lazy(loadActivityTab);

/**
 * Once the dialog is drawn (its settings shown, or said not to load) and the browser is idle,
 * fetches the schemas (see load-validators.ts) and the scripts of the other tabs: nothing competes
 * with the first paint, and switching tabs never waits.
 */
function usePreloadTabs(drawn: boolean): void {
  useEffect(() => {
    if (!drawn) return;
    const preload = () => {
      void loadValidators().catch(() => undefined);
      for (const load of [loadSmtpTab, loadActivityTab, loadComposeWindow, loadEmailTab, loadUsersTab]) void load().catch(() => undefined);
    };
    const idle = (window as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number }).requestIdleCallback;
    if (idle) {
      const id = idle(preload, { timeout: 1500 });
      return () => (window as unknown as { cancelIdleCallback(id: number): void }).cancelIdleCallback(id);
    }
    const timer = setTimeout(preload, 200);
    return () => clearTimeout(timer);
  }, [drawn]);
}

const TABS = [
  { value: 'general', label: 'General' },
  { value: 'smtp', label: 'SMTP' },
  { value: 'email', label: 'Email' },
  { value: 'users', label: 'Users' },
  { value: 'activity', label: 'Activity' },
] as const;
type TabValue = (typeof TABS)[number]['value'];

function isTabValue(value: unknown): value is TabValue {
  return TABS.some((t) => t.value === value);
}

/** The tab that shows the field at a dot path: the first segment names it ("smtp.profiles.0.host"). */
function tabOfPath(path: string): TabValue {
  const first = path.split('.')[0];
  // The Email tab's options live under "mail".
  if (first === 'mail') return 'email';
  return isTabValue(first) ? first : 'general';
}

const PAGE_PADDING = tokens.spacingHorizontalXXL;
/** A short window (a laptop at 800×600, say): the header and banner give the fields more room. */
const COMPACT = '@media (max-height: 700px)';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    // The viewport, not the provider: the provider's classes are copied onto popup layers too.
    height: '100vh',
    minHeight: 0,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
  },
  viewOnly: {
    marginInline: PAGE_PADDING,
    marginBottom: tokens.spacingVerticalS,
    flexShrink: 0,
    [COMPACT]: { marginBottom: tokens.spacingVerticalXS },
  },
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'baseline',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
    paddingTop: tokens.spacingVerticalXL,
    paddingBottom: tokens.spacingVerticalS,
    paddingInline: PAGE_PADDING,
    [COMPACT]: { paddingTop: tokens.spacingVerticalS, paddingBottom: tokens.spacingVerticalXS },
  },
  title: {
    ...typographyStyles.title3,
    margin: 0,
    [COMPACT]: { ...typographyStyles.subtitle1 },
  },
  organisation: {
    ...typographyStyles.body1,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  main: {
    display: 'flex',
    flexDirection: 'column',
    flexGrow: 1,
    minHeight: 0,
  },
  tabs: {
    // Tabs carry their own inner padding; this lines their text up with the header and fields.
    paddingInline: `calc(${PAGE_PADDING} - ${tokens.spacingHorizontalMNudge})`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    flexShrink: 0,
  },
  scroller: {
    flexGrow: 1,
    minHeight: 0,
    overflowY: 'auto',
  },
  content: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    paddingInline: PAGE_PADDING,
    paddingTop: tokens.spacingVerticalM,
    paddingBottom: tokens.spacingVerticalXXL,
    maxWidth: '720px',
  },
  // The SMTP tab sets a list beside its editor.
  wide: {
    maxWidth: '1120px',
  },
  // The Activity table takes the window's width.
  full: {
    maxWidth: 'none',
  },
  panel: {
    ':focus-visible': {
      outline: `${tokens.strokeWidthThick} solid ${tokens.colorStrokeFocus2}`,
      outlineOffset: tokens.strokeWidthThick,
    },
  },
  loading: {
    paddingBlock: tokens.spacingVerticalXXL,
    justifyContent: 'flex-start',
  },
  footer: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    flexShrink: 0,
    paddingBlock: tokens.spacingVerticalM,
    [COMPACT]: { paddingBlock: tokens.spacingVerticalS },
    paddingInline: PAGE_PADDING,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  hidden: {
    display: 'none',
  },
  actions: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'flex-end',
    columnGap: tokens.spacingHorizontalM,
  },
  status: {
    ...typographyStyles.body1,
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    marginRight: 'auto',
    color: tokens.colorNeutralForeground1,
  },
  dot: {
    width: '8px',
    height: '8px',
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorPaletteMarigoldBackground3,
    flexShrink: 0,
  },
});

export function App() {
  const theme = useOsTheme();
  // A browser-mode page without this start's token can do nothing: one page says how to open it.
  const access = useBridgeAccess();
  return <FluentProvider theme={theme}>{access === 'no-token' ? <OpenFromItsWindow /> : <SettingsDialog />}</FluentProvider>;
}

function SettingsDialog() {
  const styles = useStyles();
  const settings = useSettingsDraft();
  usePreloadTabs(settings.load.status !== 'loading');
  const notices = useNotices();
  const info = useAppInfo();
  const [tab, setTab] = useState<TabValue>('general');
  const [focusPath, setFocusPath] = useState<string | null>(null);
  const passwords = usePasswords();
  const userPasswords = useUserPasswords();
  const identity = useWhoAmI();
  const own = useOwnSettings(settings.form, settings.saved, identity.who);
  // Only an administrator changes the settings; anyone else sees them read-only, apart from
  // their own choices (useOwnSettings). Main refuses the rest whatever the page does.
  const admin = identity.who?.admin === true;
  const form = admin ? settings.form : own.form;
  const { saving, save, showBanner } = settings;
  // A typed or cleared password is an unsaved change too.
  const dirty = admin ? settings.dirty || passwords.dirty || userPasswords.dirty : own.dirty || userPasswords.dirty;
  const { apply: applyPasswords } = passwords;
  const { apply: applyUserPasswords } = userPasswords;
  const { refresh: refreshIdentity } = identity;
  const [ownSaving, setOwnSaving] = useState(false);

  useLeaveGuard(dirty);

  const saveAsAdmin = useCallback(async (rebased?: Settings) => {
    const outcome = await save(rebased);
    if (!outcome.ok && outcome.firstErrorPath) {
      setTab(tabOfPath(outcome.firstErrorPath));
      setFocusPath(outcome.firstErrorPath);
    }
    if (!outcome.ok) return;
    void refreshIdentity();
    // Main keeps passwords only for saved profiles and users, so they follow the settings.
    const stored = await applyPasswords(outcome.saved);
    const [failedId] = Object.keys(stored.failed);
    if (failedId !== undefined) {
      const index = outcome.saved.smtp.profiles.findIndex((p) => p.id === failedId);
      showBanner({ intent: 'error', title: 'Password not saved', message: 'The settings were saved, but a password was not. The reason is under the Password field.' });
      setTab('smtp');
      setFocusPath(`smtp.profiles.${index}.password`);
      return;
    }
    const storedUsers = await applyUserPasswords(outcome.saved);
    const [failedUser] = Object.keys(storedUsers.failed);
    if (failedUser !== undefined) {
      const index = outcome.saved.users.findIndex((u) => u.id === failedUser);
      showBanner({ intent: 'error', title: 'Password not saved', message: 'The settings were saved, but a user’s SMTP password was not. The reason is under the SMTP password field.' });
      setTab('users');
      setFocusPath(`users.${index}.password`);
    }
  }, [save, applyPasswords, applyUserPasswords, showBanner, refreshIdentity]);

  // A user who is not an administrator saves only their own choices and SMTP sign-in.
  const saveOwn = useCallback(async () => {
    const saved = settings.saved;
    if (!saved) return;
    setOwnSaving(true);
    try {
      const outcome = await own.save();
      if (!outcome.ok) {
        showBanner({ intent: 'error', title: 'Not saved', message: outcome.message });
        if (outcome.firstErrorPath) {
          setTab('users');
          setFocusPath(outcome.firstErrorPath);
        }
        return;
      }
      if (outcome.changed) void refreshIdentity();
      const stored = await applyUserPasswords(saved);
      if (!stored.ok) {
        showBanner({ intent: 'error', title: 'Password not saved', message: 'Your SMTP password was not saved. The reason is under the SMTP password field.' });
        setTab('users');
        setFocusPath(`users.${own.index}.password`);
        return;
      }
      showBanner({ intent: 'success', message: 'Your settings were saved' });
    } finally {
      setOwnSaving(false);
    }
  }, [settings.saved, own, applyUserPasswords, showBanner, refreshIdentity]);

  const saveDraft = useCallback(() => saveAsAdmin(), [saveAsAdmin]);
  const onSave = admin ? saveDraft : saveOwn;
  const busy = saving || ownSaving;

  // Move to the first field in error once its tab is showing; a tab shown for the first time may
  // still be fetching its script, so the field is focused as soon as it is drawn.
  useEffect(() => {
    if (focusPath === null) return;
    const selector = `[name="${CSS.escape(focusPath)}"]`;
    const tryFocus = () => {
      const field = document.querySelector<HTMLElement>(selector);
      if (!field) return false;
      field.focus();
      setFocusPath(null);
      return true;
    };
    if (tryFocus()) return;
    const observer = new MutationObserver(() => {
      if (tryFocus()) observer.disconnect();
    });
    observer.observe(document.body, { childList: true, subtree: true });
    const giveUp = setTimeout(() => {
      observer.disconnect();
      setFocusPath(null);
    }, 5000);
    return () => {
      observer.disconnect();
      clearTimeout(giveUp);
    };
  }, [focusPath, tab]);

  // Ctrl+S / Cmd+S saves, as in most editors.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 's') {
        event.preventDefault();
        if (dirty && !busy) void onSave();
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [dirty, busy, onSave]);

  const organisation = settings.saved?.general.organisationName.trim();
  // Save and Revert show where there is something this user could save: not on Activity (not a
  // settings page), nor on the tabs a user who is not an administrator can only look at; a change
  // made elsewhere or a message about a save shows them anywhere.
  const viewOnly = !admin && identity.state.status !== 'loading';
  const nothingToSave = !dirty && !settings.banner && !settings.elsewhere && (tab === 'activity' || (viewOnly && (tab === 'general' || tab === 'smtp')));
  // Notes such as "Sent" stand above the footer, never over its buttons.
  const footer = useRef<HTMLElement>(null);

  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <h1 className={styles.title}>Email settings</h1>
        {organisation && <span className={styles.organisation}>{organisation}</span>}
        <ComposeLauncher onShowActivity={() => setTab('activity')} notesAbove={footer} />
      </header>

      <main className={styles.main}>
        <ViewOnlyBanner identity={identity} hasOwnRow={own.index >= 0} className={styles.viewOnly} office={info?.office !== undefined} onShowOwn={() => setTab('users')} />
        <TabList
          className={styles.tabs}
          selectedValue={tab}
          onTabSelect={(_, data) => {
            if (isTabValue(data.value)) setTab(data.value);
          }}
        >
          {TABS.map((t) => (
            <Tab key={t.value} value={t.value} id={`tab-${t.value}`} aria-controls={`panel-${t.value}`}>
              {t.label}
            </Tab>
          ))}
        </TabList>

        <div className={styles.scroller}>
          <div className={mergeClasses(styles.content, (tab === 'smtp' || tab === 'users') && styles.wide, tab === 'activity' && styles.full)}>
            <NoticeList {...notices} />
            <SettingsBody
              settings={settings}
              form={form}
              identity={identity}
              passwords={passwords}
              userPasswords={userPasswords}
              tab={tab}
              info={info}
              revealPath={focusPath}
              onShowSetting={(path) => {
                setTab(tabOfPath(path));
                setFocusPath(path);
              }}
            />
          </div>
        </div>
      </main>

      <footer ref={footer} className={mergeClasses(styles.footer, nothingToSave && styles.hidden)}>
        {admin && settings.elsewhere && (
          <ChangedElsewhereBar
            elsewhere={settings.elsewhere}
            busy={busy}
            onReload={() => {
              settings.reloadLatest();
              passwords.revert();
              userPasswords.revert();
              own.revert();
            }}
            onKeepMine={() => {
              const rebased = settings.keepMine();
              if (rebased) void saveAsAdmin(rebased);
            }}
          />
        )}
        {settings.banner && (
          <MessageBar intent={settings.banner.intent}>
            <MessageBarBody>
              {settings.banner.title && <MessageBarTitle>{settings.banner.title}</MessageBarTitle>}
              {settings.banner.message}
            </MessageBarBody>
            <MessageBarActions>
              <Button appearance="transparent" onClick={settings.dismissBanner}>
                Dismiss
              </Button>
            </MessageBarActions>
          </MessageBar>
        )}
        <div className={styles.actions}>
          <div role="status" className={styles.status}>
            {dirty && (
              <>
                <span className={styles.dot} aria-hidden="true" />
                Unsaved changes
              </>
            )}
          </div>
          <Button
            disabled={!dirty || busy}
            onClick={() => {
              settings.revert();
              passwords.revert();
              userPasswords.revert();
              own.revert();
            }}
          >
            Revert
          </Button>
          <Button appearance="primary" disabled={!dirty || busy} onClick={() => void onSave()}>
            {busy ? 'Saving…' : 'Save'}
          </Button>
        </div>
      </footer>
    </div>
  );
}

interface SettingsBodyProps {
  settings: SettingsDraft;
  /** The draft as this user may edit it: all of it for an administrator, their own choices otherwise. */
  form: FormBinding<Settings>;
  identity: Identity;
  passwords: ProfilePasswords;
  userPasswords: UserPasswords;
  tab: TabValue;
  info: ReturnType<typeof useAppInfo>;
  /** The field a refused save moves to, for tabs that must first show it. */
  revealPath: string | null;
  onShowSetting(path: string): void;
}

function SettingsBody({ settings, form, identity, passwords, userPasswords, tab, info, revealPath, onShowSetting }: SettingsBodyProps) {
  const styles = useStyles();
  const { load } = settings;
  // Until main says who is at the keyboard, nothing is shown editable that might not be.
  const status =
    load.status === 'loading' || identity.state.status === 'loading' ? (
      <Spinner className={styles.loading} size="small" label="Loading settings…" />
    ) : load.status === 'failed' ? (
      <MessageBar intent="error" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Settings could not be loaded</MessageBarTitle>
          {load.message}
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={settings.reload}>Try again</Button>
        </MessageBarActions>
      </MessageBar>
    ) : null;
  // A tab is first drawn when it is first shown (its script may still be on the way); from then on
  // every panel stays mounted (hidden when not selected) so what the user typed survives a tab switch.
  const [visited, setVisited] = useState<ReadonlySet<TabValue>>(() => new Set([tab]));
  if (!visited.has(tab)) setVisited(new Set([...visited, tab]));
  const panel = (value: TabValue, children: ReactNode, focusable = false, needsSettings = true) => (
    <div
      role="tabpanel"
      id={`panel-${value}`}
      aria-labelledby={`tab-${value}`}
      hidden={tab !== value}
      // A panel with nothing focusable in it is a tab stop itself, so its text can be reached.
      tabIndex={focusable ? 0 : undefined}
      className={styles.panel}
    >
      {visited.has(value) && (
        <Suspense fallback={<Spinner className={styles.loading} size="small" label="Loading…" />}>{needsSettings ? (status ?? children) : children}</Suspense>
      )}
    </div>
  );
  return (
    <>
      {panel('general', <GeneralTab form={form} info={info} />)}
      {panel('smtp', <SmtpTab form={form} passwords={passwords} revealPath={revealPath} />)}
      {panel('email', <EmailTab form={form} info={info} who={identity.who} onShowSetting={onShowSetting} />)}
      {panel(
        'users',
        <UsersTab form={form} who={identity.who} passwords={userPasswords} platform={info?.platform} office={info?.office !== undefined} revealPath={revealPath} />,
      )}
      {panel('activity', <ActivityTab active={tab === 'activity'} onShowSetting={onShowSetting} office={info?.office !== undefined} />, false, false)}
    </>
  );
}
