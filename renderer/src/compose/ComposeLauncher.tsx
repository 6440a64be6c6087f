// The way into the built-in mailer: "New email", the saved drafts (open one, delete one), the
// compose window itself, and the note that says a message went.
import { Suspense, lazy, useCallback, useEffect, useId, useState, type RefObject } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Spinner,
  Toast,
  ToastBody,
  ToastTitle,
  ToastTrigger,
  Toaster,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
  useId as useFluentId,
  useToastController,
} from '@fluentui/react-components';
import { Delete20Regular, Drafts20Regular, MailAdd20Regular } from '@fluentui/react-icons';
import type { DraftSummary, SavedDraft } from '../../../preload/contract';
import type { ComposeDone } from './ComposeWindow';
import { formatSize } from './compose-format';
import { CopyButton } from '../components/CopyButton';
import { useDrafts } from '../hooks/useDrafts';

/** The compose window (the rich-text editor and everything it brings) is a script of its own. */
export const loadComposeWindow = () => import('./ComposeWindow').then((m) => ({ default: m.ComposeWindow }));
const ComposeWindow = lazy(loadComposeWindow);

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    marginLeft: 'auto',
    alignSelf: 'center',
  },
  surface: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    width: '420px',
    maxWidth: 'calc(100vw - 32px)',
    padding: tokens.spacingHorizontalM,
  },
  heading: {
    ...typographyStyles.subtitle2,
    margin: 0,
  },
  empty: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
  list: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
    padding: 0,
    listStyleType: 'none',
    maxHeight: '360px',
    overflowY: 'auto',
  },
  item: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
  },
  open: {
    flexGrow: 1,
    minWidth: 0,
    justifyContent: 'flex-start',
    textAlign: 'left',
    paddingBlock: tokens.spacingVerticalS,
    fontWeight: tokens.fontWeightRegular,
  },
  openText: {
    display: 'flex',
    flexDirection: 'column',
    minWidth: 0,
  },
  subject: {
    ...typographyStyles.body1Strong,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  detail: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  error: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorPaletteRedForeground1,
  },
  toastText: {
    overflowWrap: 'anywhere',
  },
  // One line each: the toast stays small; the whole text is the line's tooltip and in Activity.
  toastLine: {
    display: 'block',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  toastId: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXXS,
    minWidth: 0,
  },
  // The toast lays its parts out in a grid: without this, a long line widens its column past the toast.
  toastFit: {
    minWidth: 0,
  },
  // The toast's action keeps to one line beside the title, however long the body below.
  toastAction: {
    whiteSpace: 'nowrap',
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    userSelect: 'text',
  },
  confirmSurface: {
    maxWidth: '480px',
    width: 'calc(100vw - 48px)',
  },
  confirmText: {
    ...typographyStyles.body1,
    margin: 0,
    overflowWrap: 'anywhere',
  },
});

export function draftTitle(d: { subject: string }): string {
  return d.subject.trim() || '(no subject)';
}

/** “Subject” to whom it went. */
function sentTo(done: { subject: string; accepted: readonly string[] }): string {
  return `“${draftTitle(done)}”${done.accepted.length > 0 ? ` to ${done.accepted.join(', ')}` : ''}`;
}

function savedWhen(iso: string): string {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return iso;
  const today = new Date().toDateString() === when.toDateString();
  return today
    ? `today ${when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
    : when.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

function draftDetail(d: DraftSummary): string {
  const to = d.to.length === 0 ? 'No recipient' : d.to.length <= 2 ? `To ${d.to.join(', ')}` : `To ${d.to[0]} and ${d.to.length - 1} more`;
  const attached = d.attachmentBytes > 0 ? ` · ${formatSize(d.attachmentBytes)} attached` : '';
  return `${to} · saved ${savedWhen(d.savedAt)}${attached}`;
}

type Open = { key: number; draft?: SavedDraft } | null;

export interface ComposeLauncherProps {
  /** Shows the Activity tab, where sent and queued messages are followed. */
  onShowActivity(): void;
  /** What notes stand above (the footer with its buttons), at the window's bottom edge. */
  notesAbove?: RefObject<HTMLElement | null>;
}

/** The gap between a note and what it stands above. */
const NOTE_GAP = 12;

/**
 * The height of what notes stand above, 0 while it is not shown. Only a note needs it, and none
 * shows at first: the observer measures it after the first paint, so the dialog is neither laid
 * out nor drawn a second time before it (and the element, drawn after this one, has its ref by then).
 */
function useHeightAfterPaint(ref: RefObject<HTMLElement | null> | undefined): number {
  const [height, setHeight] = useState(0);
  useEffect(() => {
    const element = ref?.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setHeight(Math.round(entry.borderBoxSize[0]?.blockSize ?? element.offsetHeight));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return height;
}

export function ComposeLauncher({ onShowActivity, notesAbove }: ComposeLauncherProps) {
  const styles = useStyles();
  const below = useHeightAfterPaint(notesAbove);
  const drafts = useDrafts();
  const [open, setOpen] = useState<Open>(null);
  const [draftsOpen, setDraftsOpen] = useState(false);
  const [openError, setOpenError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<DraftSummary | null>(null);
  // Kept while the question closes, so its title does not change as it fades.
  const [deleteOpen, setDeleteOpen] = useState(false);
  const toasterId = useFluentId('compose-toaster');
  const headingId = useId();
  const { dispatchToast } = useToastController(toasterId);
  const { refresh } = drafts;
  // The list is there before the menu opens: a menu that opens on a spinner has nowhere to put
  // focus, and a screen reader would meet an empty popup.
  useEffect(() => void refresh(), [refresh]);

  const compose = useCallback((draft?: SavedDraft) => setOpen((o) => ({ key: (o?.key ?? 0) + 1, ...(draft ? { draft } : {}) })), []);

  const openDraft = async (summary: DraftSummary) => {
    const result = await drafts.open(summary.id);
    if (!result.ok) {
      setOpenError(`“${draftTitle(summary)}” could not be opened: ${result.message}`);
      void refresh();
      return;
    }
    setDraftsOpen(false);
    setOpenError(null);
    compose(result.value);
  };

  const notify = (done: ComposeDone) => {
    const showActivity = (
      <Link as="button" className={styles.toastAction} onClick={onShowActivity}>
        Show in Activity
      </Link>
    );
    if (done.kind === 'sent') {
      dispatchToast(
        <Toast>
          <ToastTitle
            action={<ToastTrigger>{showActivity}</ToastTrigger>}
          >
            Sent
          </ToastTitle>
          <ToastBody
            className={styles.toastFit}
            subtitle={{
              className: styles.toastFit,
              children: (
                <span className={styles.toastId}>
                  <span className={mergeClasses(styles.mono, styles.toastLine)} title={`Message-ID ${done.messageId}`}>
                    Message-ID {done.messageId}
                  </span>
                  <CopyButton text={done.messageId} label="Copy Message-ID" copiedMessage="Message-ID copied" appearance="subtle" size="small" iconOnly />
                </span>
              ),
            }}
          >
            <span className={styles.toastLine} title={sentTo(done)}>
              {sentTo(done)}
            </span>
          </ToastBody>
        </Toast>,
        { intent: 'success', timeout: 10_000, pauseOnHover: true, pauseOnWindowBlur: true },
      );
    } else {
      dispatchToast(
        <Toast>
          <ToastTitle>{done.title}</ToastTitle>
          <ToastBody>
            <span className={styles.toastText}>{done.detail}</span>
          </ToastBody>
        </Toast>,
        { intent: 'info', timeout: 10_000, pauseOnHover: true, pauseOnWindowBlur: true },
      );
    }
  };

  const list = drafts.state.status === 'loaded' ? drafts.state.drafts : [];

  return (
    <div className={styles.root}>
      {/* Save is the dialog's one primary action: this is a way in, not the thing to do here. */}
      <Button icon={<MailAdd20Regular />} onClick={() => compose()}>
        New email
      </Button>
      <Popover
        open={draftsOpen}
        positioning="below-end"
        trapFocus
        onOpenChange={(_, data) => {
          setDraftsOpen(data.open);
          setOpenError(null);
          if (data.open) void refresh();
        }}
      >
        <PopoverTrigger disableButtonEnhancement>
          <Button icon={<Drafts20Regular />} aria-expanded={draftsOpen}>
            Drafts
          </Button>
        </PopoverTrigger>
        <PopoverSurface aria-labelledby={headingId} className={styles.surface} tabIndex={-1}>
          <h2 id={headingId} className={styles.heading}>
            Drafts
          </h2>
          {drafts.state.status === 'loading' && <Spinner size="tiny" label="Loading drafts…" labelPosition="after" />}
          {drafts.state.status === 'failed' && <p className={styles.error}>The drafts could not be read: {drafts.state.message}</p>}
          {drafts.state.status === 'loaded' && list.length === 0 && (
            <p className={styles.empty}>No saved drafts. Drafts you save in a new email are kept here until they are sent.</p>
          )}
          {list.length > 0 && (
            <ul className={styles.list} aria-labelledby={headingId}>
              {list.map((d) => (
                <li key={d.id} className={styles.item}>
                  <Button appearance="subtle" className={styles.open} onClick={() => void openDraft(d)}>
                    <span className={styles.openText}>
                      <span className={styles.subject}>{draftTitle(d)}</span>
                      <span className={styles.detail}>{draftDetail(d)}</span>
                    </span>
                  </Button>
                  <Button
                    appearance="subtle"
                    icon={<Delete20Regular />}
                    aria-label={`Delete draft “${draftTitle(d)}”`}
                    onClick={() => {
                      setDraftsOpen(false);
                      setDeleting(d);
                      setDeleteOpen(true);
                    }}
                  />
                </li>
              ))}
            </ul>
          )}
          {openError && (
            <p role="alert" className={styles.error}>
              {openError}
            </p>
          )}
        </PopoverSurface>
      </Popover>

      {open && (
        <Suspense fallback={<Spinner size="tiny" label="Opening the new email…" />}>
          <ComposeWindow
            key={open.key}
            {...(open.draft ? { draft: open.draft } : {})}
            onClose={() => setOpen(null)}
            onDone={(done) => {
              setOpen(null);
              notify(done);
            }}
            onDraftsChanged={() => void refresh()}
            onShowActivity={() => {
              setOpen(null);
              onShowActivity();
            }}
          />
        </Suspense>
      )}

      <Dialog open={deleteOpen} modalType="alert" onOpenChange={(_, data) => !data.open && setDeleteOpen(false)}>
        <DialogSurface className={styles.confirmSurface}>
          <DialogBody>
            <DialogTitle>Delete draft “{deleting ? draftTitle(deleting) : ''}”?</DialogTitle>
            <DialogContent>
              <p className={styles.confirmText}>The draft and its attachments are removed for good.</p>
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                onClick={() => {
                  const target = deleting;
                  setDeleteOpen(false);
                  if (!target) return;
                  void drafts.remove(target.id).then((result) => {
                    if (!result.ok) {
                      dispatchToast(
                        <Toast>
                          <ToastTitle>The draft was not deleted</ToastTitle>
                          <ToastBody>{result.message}</ToastBody>
                        </Toast>,
                        { intent: 'error', timeout: 10_000 },
                      );
                    }
                  });
                }}
              >
                Delete
              </Button>
              <Button onClick={() => setDeleteOpen(false)}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>

      <Toaster toasterId={toasterId} position="bottom-end" offset={{ vertical: below + NOTE_GAP }} pauseOnHover pauseOnWindowBlur />
    </div>
  );
}
