// The way into the built-in mailer: "New email", the saved drafts (open one, delete one), the
// compose window itself, and the note that says a message went. The first paint has the two buttons
// only; the menu, the question and the notes (ComposeLauncherPopups) load just after it, and the
// compose window (the rich-text editor and everything it brings) when the browser is next idle.
import { Suspense, lazy, useCallback, useEffect, useRef, useState, type RefObject } from 'react';
import { Button, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import { Drafts20Regular, MailAdd20Regular } from '@fluentui/react-icons';
import type { DraftSummary, SavedDraft } from '../../../preload/contract';
import type { ComposeDone } from './ComposeWindow';
import type { ComposeNote, ComposeNoteContent } from './ComposeLauncherPopups';
import { useDrafts } from '../hooks/useDrafts';

/** The compose window (the rich-text editor and everything it brings) is a script of its own. */
export const loadComposeWindow = () => import('./ComposeWindow').then((m) => ({ default: m.ComposeWindow }));
const ComposeWindow = lazy(loadComposeWindow);

const loadPopups = () => import('./ComposeLauncherPopups');
type Popups = Awaited<ReturnType<typeof loadPopups>>;

const useStyles = makeStyles({
  root: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    marginLeft: 'auto',
    alignSelf: 'center',
  },
});

function draftTitle(d: { subject: string }): string {
  return d.subject.trim() || '(no subject)';
}

type Open = { key: number; draft?: SavedDraft } | null;

export interface ComposeLauncherProps {
  /** Shows the Activity tab, where sent and queued messages are followed. */
  onShowActivity(): void;
  /** What notes stand above (the footer with its buttons), at the window's bottom edge. */
  notesAbove?: RefObject<HTMLElement | null>;
}

export function ComposeLauncher({ onShowActivity, notesAbove }: ComposeLauncherProps) {
  const styles = useStyles();
  const drafts = useDrafts();
  const [open, setOpen] = useState<Open>(null);
  const [draftsOpen, setDraftsOpen] = useState(false);
  const [openError, setOpenError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<DraftSummary | null>(null);
  // Kept while the question closes, so its title does not change as it fades.
  const [deleteOpen, setDeleteOpen] = useState(false);
  // Notes wait here until ComposeNotes has shown them: one asked for before it loaded is not lost.
  const [notes, setNotes] = useState<readonly ComposeNote[]>([]);
  const noteIds = useRef(0);
  // The popups' script, fetched once the dialog has been painted (effects run after the paint).
  const [popups, setPopups] = useState<Popups | null>(null);
  // Whether the Drafts button drawn before the menu's script loaded has the keyboard focus, and was
  // pressed: the menu's own button, which takes its place, then takes the focus, and opens the menu
  // from there (so that closing it brings the focus back to it).
  const firstDraftsButtonFocused = useRef(false);
  const firstDraftsButtonPressed = useRef(false);
  const { refresh } = drafts;
  // The list is there before the menu opens: a menu that opens on a spinner has nowhere to put
  // focus, and a screen reader would meet an empty popup.
  useEffect(() => void refresh(), [refresh]);
  const fetchPopups = useCallback(() => void loadPopups().then(setPopups, () => undefined), []);
  useEffect(fetchPopups, [fetchPopups]);

  const compose = useCallback((draft?: SavedDraft) => setOpen((o) => ({ key: (o?.key ?? 0) + 1, ...(draft ? { draft } : {}) })), []);

  const note = useCallback((content: ComposeNoteContent) => {
    noteIds.current += 1;
    const next: ComposeNote = { ...content, id: noteIds.current };
    setNotes((list) => [...list, next]);
  }, []);
  const onNotesShown = useCallback((ids: readonly number[]) => setNotes((list) => list.filter((n) => !ids.includes(n.id))), []);

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

  const onDraftsOpenChange = (next: boolean) => {
    setDraftsOpen(next);
    setOpenError(null);
    if (next) void refresh();
  };

  const firstDraftsButton = (
    <Button
      icon={<Drafts20Regular />}
      aria-expanded={draftsOpen}
      onFocus={() => {
        firstDraftsButtonFocused.current = true;
      }}
      onBlur={() => {
        firstDraftsButtonFocused.current = false;
      }}
      // The menu opens as soon as its script is here (asked for again, should the first try have failed).
      onClick={() => {
        firstDraftsButtonPressed.current = true;
        fetchPopups();
      }}
    >
      Drafts
    </Button>
  );

  return (
    <div className={styles.root}>
      {/* Save is the dialog's one primary action: this is a way in, not the thing to do here. */}
      <Button icon={<MailAdd20Regular />} onClick={() => compose()}>
        New email
      </Button>
      {popups ? (
        <popups.DraftsMenu
          open={draftsOpen}
          drafts={drafts.state}
          openError={openError}
          onOpenChange={onDraftsOpenChange}
          onOpenDraft={(d) => void openDraft(d)}
          onDeleteDraft={(d) => {
            setDraftsOpen(false);
            setDeleting(d);
            setDeleteOpen(true);
          }}
          onTriggerShown={(trigger) => {
            // The first button's focus went with it, unless the user has moved on meanwhile.
            if (firstDraftsButtonFocused.current && (document.activeElement === null || document.activeElement === document.body)) {
              trigger.focus();
              if (firstDraftsButtonPressed.current) onDraftsOpenChange(true);
            }
            firstDraftsButtonFocused.current = false;
            firstDraftsButtonPressed.current = false;
          }}
        />
      ) : (
        firstDraftsButton
      )}

      {open && (
        <Suspense fallback={<Spinner size="tiny" label="Opening the new email…" />}>
          <ComposeWindow
            key={open.key}
            {...(open.draft ? { draft: open.draft } : {})}
            onClose={() => setOpen(null)}
            onDone={(done: ComposeDone) => {
              setOpen(null);
              note({ kind: 'done', done });
            }}
            onDraftsChanged={() => void refresh()}
            onShowActivity={() => {
              setOpen(null);
              onShowActivity();
            }}
          />
        </Suspense>
      )}

      {popups && (
        <>
          <popups.DeleteDraftDialog
            open={deleteOpen}
            draft={deleting}
            onClose={() => setDeleteOpen(false)}
            onDelete={() => {
              const target = deleting;
              setDeleteOpen(false);
              if (!target) return;
              void drafts.remove(target.id).then((result) => {
                if (!result.ok) note({ kind: 'not-deleted', message: result.message });
              });
            }}
          />
          <popups.ComposeNotes notes={notes} onShown={onNotesShown} notesAbove={notesAbove} onShowActivity={onShowActivity} />
        </>
      )}
    </div>
  );
}
