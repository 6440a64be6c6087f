// The built-in mailer: a message with From (the server profile), To, Cc, Bcc, Subject, a formatted
// body and attachments, sent through the outbox or saved as a draft. Mount it afresh (a new key)
// for each message. Its state is in useComposeState, its buttons' work in useComposeCommands.
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { Button, Dialog, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import { Dismiss24Regular } from '@fluentui/react-icons';
import type { SavedDraft } from '../../../preload/contract';
import { useLeaveGuard } from '../hooks/useLeaveGuard';
import { useSenders } from '../hooks/useSenders';
import { AttachmentList } from './AttachmentList';
import { ComposeFooter } from './ComposeFooter';
import { ComposeHeaderFields } from './ComposeHeaderFields';
import { ComposeOutcome } from './ComposeOutcome';
import { useComposeStyles } from './ComposeWindow.styles';
import { DiscardEmailDialog } from './DiscardEmailDialog';
import { RichTextEditor, type RichTextEditorHandle } from './RichTextEditor';
import { useComposeCommands, type ComposeDone } from './useComposeCommands';
import { useComposeState } from './useComposeState';
import { useCoverPage } from './useCoverPage';

export type { ComposeDone, SentNotice } from './useComposeCommands';

export interface ComposeWindowProps {
  /** A saved draft to carry on with; a new, empty message without one. */
  draft?: SavedDraft;
  /** The message has gone (sent, or handed to another client); the window is closing. */
  onDone(done: ComposeDone): void;
  onClose(): void;
  /** Drafts were saved or deleted (sending deletes the message's draft). */
  onDraftsChanged(): void;
  /** Shows the Activity tab, where the outbox's messages are followed. */
  onShowActivity(): void;
}

export function ComposeWindow({ draft, onDone, onClose, onDraftsChanged, onShowActivity }: ComposeWindowProps) {
  const styles = useComposeStyles();
  const senders = useSenders();
  const model = useComposeState(draft, senders);
  const { state, facts, edits } = model;
  const editor = useRef<RichTextEditorHandle>(null);
  const toInput = useRef<HTMLInputElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  const commands = useComposeCommands(model, { editor, outcome: outcomeRef, toInput, onDone, onClose, onDraftsChanged });

  useLeaveGuard(state.dirty);
  useCoverPage();

  // Focus starts in To (Fluent's dialog first focuses its first control; this runs after it).
  useEffect(() => {
    const timer = setTimeout(() => toInput.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 's') {
      // The settings dialog behind saves on Ctrl+S too: this one is the draft's.
      event.preventDefault();
      event.stopPropagation();
      if (state.dirty) void commands.saveDraft();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void commands.send();
    }
  };

  return (
    <Dialog
      open
      modalType="modal"
      onOpenChange={(_, data) => {
        if (!data.open) commands.requestClose();
      }}
    >
      <DialogSurface className={styles.surface} backdrop={{ className: styles.backdrop }} onKeyDown={onKeyDown}>
        <DialogBody className={styles.body}>
          <DialogTitle
            action={
              <Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} disabledFocusable={facts.busy} onClick={commands.requestClose} />
            }
          >
            New email
          </DialogTitle>
          <DialogContent className={styles.content}>
            <ComposeHeaderFields state={state} facts={facts} edits={edits} loading={senders.status === 'loading'} toInput={toInput} />

            <RichTextEditor ref={editor} label="Message" initialHtml={draft?.html ?? ''} onChange={edits.bodyEdited} onDropFiles={edits.addFiles} />

            <AttachmentList
              attachments={state.attachments}
              limitMb={facts.chosen?.maxAttachmentsMb}
              problem={facts.attachmentProblem}
              onAdd={edits.addFiles}
              onRemove={edits.removeFile}
            />

            <ComposeOutcome phase={state.phase} senders={senders} onDismiss={commands.dismissError} outcomeRef={outcomeRef} />
          </DialogContent>

          <ComposeFooter state={state} facts={facts} commands={commands} onShowActivity={onShowActivity} onClose={onClose} />
        </DialogBody>

        <DiscardEmailDialog open={state.confirmClose} savedAt={state.savedAt} onDiscard={commands.discard} onKeepEditing={commands.keepEditing} />
      </DialogSurface>
    </Dialog>
  );
}
