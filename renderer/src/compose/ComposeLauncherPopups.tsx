// What the compose launcher opens or shows later: the Drafts menu, the question before a draft is
// deleted, and the notes (a message went, a draft was not deleted). A script of its own, loaded
// just after the dialog's first paint: none of it is on screen before then.
import { useEffect, useId, useRef, useState, type RefObject } from 'react';
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
import { Delete20Regular, Drafts20Regular } from '@fluentui/react-icons';
import type { DraftSummary } from '../../../preload/contract';
import type { ComposeDone } from './ComposeWindow';
import { formatSize } from './compose-format';
import { CopyButton } from '../components/CopyButton';
import { useDialogStyles } from '../components/ConfirmDialog';
import type { DraftsState } from '../hooks/useDrafts';

const useStyles = makeStyles({
  // The window's size, over everything but dialogs; only the notes in it take the pointer.
  notes: {
    position: 'fixed',
    inset: 0,
    zIndex: 1000,
    pointerEvents: 'none',
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
  // The body runs under the title's action too: Fluent keeps it out of that column, which left the
  // recipient and the Message-ID half the note's width.
  toastWide: {
    gridColumnEnd: -1,
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

export interface DraftsMenuProps {
  open: boolean;
  drafts: DraftsState;
  /** Why the draft picked last could not be opened. */
  openError: string | null;
  onOpenChange(open: boolean): void;
  onOpenDraft(draft: DraftSummary): void;
  onDeleteDraft(draft: DraftSummary): void;
  /** Told the menu's button once it is drawn, in place of the one shown before this script loaded. */
  onTriggerShown(trigger: HTMLButtonElement): void;
}

/** The Drafts button and the menu it opens: each saved draft to open or delete. */
export function DraftsMenu({ open, drafts, openError, onOpenChange, onOpenDraft, onDeleteDraft, onTriggerShown }: DraftsMenuProps) {
  const styles = useStyles();
  const headingId = useId();
  const trigger = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // Once, when this button takes the place of the first one: later calls would move focus unasked.
    if (trigger.current) onTriggerShown(trigger.current);
  }, []);
  const list = drafts.status === 'loaded' ? drafts.drafts : [];
  return (
    <Popover open={open} positioning="below-end" trapFocus onOpenChange={(_, data) => onOpenChange(data.open)}>
      <PopoverTrigger disableButtonEnhancement>
        <Button ref={trigger} icon={<Drafts20Regular />} aria-expanded={open}>
          Drafts
        </Button>
      </PopoverTrigger>
      <PopoverSurface aria-labelledby={headingId} className={styles.surface} tabIndex={-1}>
        <h2 id={headingId} className={styles.heading}>
          Drafts
        </h2>
        {drafts.status === 'loading' && <Spinner size="tiny" label="Loading drafts…" labelPosition="after" />}
        {drafts.status === 'failed' && <p className={styles.error}>The drafts could not be read: {drafts.message}</p>}
        {drafts.status === 'loaded' && list.length === 0 && (
          <p className={styles.empty}>No saved drafts. Drafts you save in a new email are kept here until they are sent.</p>
        )}
        {list.length > 0 && (
          <ul className={styles.list} aria-labelledby={headingId}>
            {list.map((d) => (
              <li key={d.id} className={styles.item}>
                <Button appearance="subtle" className={styles.open} onClick={() => onOpenDraft(d)}>
                  <span className={styles.openText}>
                    <span className={styles.subject}>{draftTitle(d)}</span>
                    <span className={styles.detail}>{draftDetail(d)}</span>
                  </span>
                </Button>
                <Button appearance="subtle" icon={<Delete20Regular />} aria-label={`Delete draft “${draftTitle(d)}”`} onClick={() => onDeleteDraft(d)} />
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
  );
}

export interface DeleteDraftDialogProps {
  open: boolean;
  /** Kept while the question closes, so its title does not change as it fades. */
  draft: DraftSummary | null;
  onDelete(): void;
  onClose(): void;
}

/** Asks before a draft and its attachments are removed for good. */
export function DeleteDraftDialog({ open, draft, onDelete, onClose }: DeleteDraftDialogProps) {
  const styles = useDialogStyles();
  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>Delete draft “{draft ? draftTitle(draft) : ''}”?</DialogTitle>
          <DialogContent>
            <p className={styles.text}>The draft and its attachments are removed for good.</p>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onDelete}>
              Delete
            </Button>
            <Button onClick={onClose}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/** A note for the launcher to show: what a compose window ended with, or a draft that was not deleted. */
export type ComposeNoteContent = { kind: 'done'; done: ComposeDone } | { kind: 'not-deleted'; message: string };
export type ComposeNote = ComposeNoteContent & { id: number };

/** The gap between a note and what it stands above. */
const NOTE_GAP = 12;

/**
 * The height of what notes stand above, 0 while it is not shown, followed as it changes (a banner
 * in the footer, a narrower window). Measured after the paint, in an effect: the element's ref is
 * set by then, wherever it stands in the page.
 */
function useHeightOf(ref: RefObject<HTMLElement | null> | undefined): number {
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

export interface ComposeNotesProps {
  /** Notes waiting to be shown, in order; told back with onShown once they are. */
  notes: readonly ComposeNote[];
  onShown(ids: readonly number[]): void;
  /** What notes stand above (the footer with its buttons), at the window's bottom edge. */
  notesAbove?: RefObject<HTMLElement | null>;
  onShowActivity(): void;
}

/**
 * The notes, at the bottom right above the footer. Notes asked for before this script loaded waited
 * in the launcher's list and show now: none is lost.
 */
export function ComposeNotes({ notes, onShown, notesAbove, onShowActivity }: ComposeNotesProps) {
  const styles = useStyles();
  const toasterId = useFluentId('compose-toaster');
  const { dispatchToast } = useToastController(toasterId);
  const below = useHeightOf(notesAbove);
  // A note is shown once, even if this effect runs again before the launcher has dropped it.
  const shown = useRef(new Set<number>());

  // The Toaster below listens from its own effect, which runs before this one.
  useEffect(() => {
    const fresh = notes.filter((n) => !shown.current.has(n.id));
    if (fresh.length === 0) return;
    for (const note of fresh) {
      shown.current.add(note.id);
      if (note.kind === 'not-deleted') {
        dispatchToast(
          <Toast>
            <ToastTitle>The draft was not deleted</ToastTitle>
            <ToastBody>{note.message}</ToastBody>
          </Toast>,
          { intent: 'error', timeout: 10_000 },
        );
        continue;
      }
      const { done } = note;
      if (done.kind === 'sent') {
        dispatchToast(
          <Toast>
            <ToastTitle
              action={
                <ToastTrigger>
                  <Link as="button" className={styles.toastAction} onClick={onShowActivity}>
                    Show in Activity
                  </Link>
                </ToastTrigger>
              }
            >
              Sent
            </ToastTitle>
            <ToastBody
              className={mergeClasses(styles.toastFit, styles.toastWide)}
              subtitle={{
                className: mergeClasses(styles.toastFit, styles.toastWide),
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
    }
    onShown(fresh.map((n) => n.id));
  }, [notes, onShown, dispatchToast, onShowActivity, styles]);

  // In a region of its own, so no note on the page is outside a landmark: drawn in place (inline)
  // rather than at the end of the page, in a layer over the window that lets clicks through.
  return (
    <section aria-label="Notifications" className={styles.notes}>
      <Toaster toasterId={toasterId} position="bottom-end" offset={{ vertical: below + NOTE_GAP }} pauseOnHover pauseOnWindowBlur inline />
    </section>
  );
}
