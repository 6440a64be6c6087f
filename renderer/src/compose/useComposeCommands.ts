// What the compose window's buttons do: send, hand over to another mail client, save a draft, and
// close (asking first when something would be lost).
import { useRef, type RefObject } from 'react';
import { COMPOSE_LABELS, SEND_LABELS, type Draft, type FieldError, type MailSendResult, type OutgoingMessage } from '../../../preload/contract';
import { useMailActions } from '../hooks/useMailActions';
import { encodeAttachments } from './AttachmentList';
import { htmlToText, isBlankHtml } from './compose-format';
import type { RichTextEditorHandle } from './RichTextEditor';
import type { ComposePhase, ComposeModel, Recipients } from './useComposeState';

export interface SentNotice {
  kind: 'sent';
  messageId: string;
  accepted: string[];
  subject: string;
}

export type ComposeDone =
  | SentNotice
  /** Sent or opened by another mail client. */
  | { kind: 'handed-off'; title: string; detail: string };

export interface ComposeWiring {
  editor: RefObject<RichTextEditorHandle | null>;
  /** The outcome area, scrolled into view when something shows in it. */
  outcome: RefObject<HTMLDivElement | null>;
  /** Where the keyboard goes back to when the user keeps editing and nothing else had focus. */
  toInput: RefObject<HTMLInputElement | null>;
  onDone(done: ComposeDone): void;
  onClose(): void;
  onDraftsChanged(): void;
}

export interface ComposeCommands {
  send(): Promise<void>;
  handOff(): Promise<void>;
  saveDraft(): Promise<void>;
  requestClose(): void;
  keepEditing(): void;
  discard(): void;
  dismissError(): void;
}

/** Field errors from main, keyed by the compose field they belong to (to, cc, bcc, subject, profileId, attachments). */
function errorsByField(fields: readonly FieldError[], recipients: Recipients): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const parts = f.path.split('.');
    if (parts[0] === 'message' || parts[0] === 'draft') parts.shift();
    const [field, index] = parts;
    if (!field) continue;
    const token = (field === 'to' || field === 'cc' || field === 'bcc') && index !== undefined ? recipients[field][Number(index)] : undefined;
    const message = token !== undefined && !f.message.includes(token) ? `“${token}”: ${f.message}` : f.message;
    out[field] ??= message;
  }
  return out;
}

export function useComposeCommands({ state, facts, dispatch }: ComposeModel, wiring: ComposeWiring): ComposeCommands {
  const mail = useMailActions();
  /** Where the keyboard was when the discard question opened; it goes back there if the user keeps editing. */
  const focusBeforeConfirm = useRef<HTMLElement | null>(null);
  const { chosen, recipients, sendBlocked, busy, queued } = facts;
  const { draftId } = state;

  const showOutcome = (phase: ComposePhase) => {
    dispatch({ type: 'phase', phase });
    // The outcome sits above the buttons; make sure it is in view.
    requestAnimationFrame(() => wiring.outcome.current?.scrollIntoView({ block: 'nearest' }));
  };

  const refused = (fields: readonly FieldError[] | undefined, title: string, message: string) => {
    dispatch({ type: 'refused', errors: errorsByField(fields ?? [], recipients), phase: { status: 'error', title, message } });
    requestAnimationFrame(() => wiring.outcome.current?.scrollIntoView({ block: 'nearest' }));
  };

  /** The message as it stands, ready for main; null (with the reason shown) when a file cannot be read. */
  const buildMessage = async (): Promise<OutgoingMessage | null> => {
    const encoded = await encodeAttachments(state.attachments);
    if (!encoded.ok) {
      showOutcome({ status: 'error', title: 'A file could not be read', message: encoded.message });
      return null;
    }
    const html = wiring.editor.current?.getHtml() ?? '';
    const blank = isBlankHtml(html);
    return {
      to: recipients.to,
      cc: recipients.cc,
      bcc: recipients.bcc,
      subject: state.subject,
      text: blank ? '' : htmlToText(html),
      ...(blank ? {} : { html }),
      attachments: encoded.attachments,
    };
  };

  const finishSend = (value: MailSendResult, sentSubject: string) => {
    if (value.via === 'client') {
      dispatch({ type: 'settled' });
      wiring.onDone({ kind: 'handed-off', title: `Handed to ${SEND_LABELS[value.mode]}`, detail: value.detail });
      return;
    }
    const { entry, outcome } = value;
    if (outcome.ok) {
      dispatch({ type: 'settled' });
      wiring.onDone({ kind: 'sent', messageId: outcome.receipt.messageId, accepted: outcome.receipt.accepted, subject: sentSubject });
      return;
    }
    if (entry.state === 'queued' || entry.state === 'sending') {
      // Safe in the outbox and tried again by itself: nothing here is unsaved any more.
      dispatch({ type: 'settled' });
      showOutcome({ status: 'queued', entry, advice: outcome.advice });
      return;
    }
    showOutcome({ status: 'failed', advice: outcome.advice });
  };

  const send = async () => {
    if (sendBlocked || busy || queued) return;
    dispatch({ type: 'phase', phase: { status: 'sending' } });
    const message = await buildMessage();
    if (!message) return;
    const result = await mail.send({ ...(chosen ? { profileId: chosen.id } : {}), message, ...(draftId ? { draftId } : {}) });
    if (!result.ok) {
      refused(result.error.fields, 'Not sent', result.error.message);
      return;
    }
    // Main deletes the draft once the message is safe in the outbox or with the mail client.
    if (draftId) {
      dispatch({ type: 'draft-gone' });
      wiring.onDraftsChanged();
    }
    finishSend(result.value, message.subject);
  };

  const saveDraft = async () => {
    if (busy || queued) return;
    dispatch({ type: 'phase', phase: { status: 'saving' } });
    const encoded = await encodeAttachments(state.attachments);
    if (!encoded.ok) {
      showOutcome({ status: 'error', title: 'A file could not be read', message: encoded.message });
      return;
    }
    const body: Draft = {
      ...(draftId ? { id: draftId } : {}),
      profileId: chosen?.id ?? '',
      to: recipients.to,
      cc: recipients.cc,
      bcc: recipients.bcc,
      subject: state.subject,
      html: wiring.editor.current?.getHtml() ?? '',
      attachments: encoded.attachments,
    };
    const result = await mail.saveDraft(body);
    if (!result.ok) {
      refused(result.error.fields, 'The draft was not saved', result.error.message);
      return;
    }
    dispatch({ type: 'draft-saved', id: result.value.id, savedAt: result.value.savedAt });
    wiring.onDraftsChanged();
  };

  /** Hands the message to the mail client the user composes with (Outlook, Microsoft 365 on the web…). */
  const handOff = async () => {
    if (sendBlocked || busy || queued) return;
    dispatch({ type: 'phase', phase: { status: 'handing-off' } });
    const message = await buildMessage();
    if (!message) return;
    const result = await mail.handOff({ message, ...(chosen ? { profileId: chosen.id } : {}) });
    if (!result.ok) {
      refused(result.error.fields, 'Not opened', result.error.message);
    } else if (result.value.kind === 'handed-off') {
      dispatch({ type: 'settled' });
      wiring.onDone({ kind: 'handed-off', title: `Opened in ${COMPOSE_LABELS[result.value.mode]}`, detail: result.value.detail });
    } else {
      showOutcome({ status: 'note', message: `${result.value.reason}: carry on here.` });
    }
  };

  const requestClose = () => {
    if (busy) return;
    if (state.dirty) {
      focusBeforeConfirm.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dispatch({ type: 'ask-discard', open: true });
    } else wiring.onClose();
  };

  const keepEditing = () => {
    dispatch({ type: 'ask-discard', open: false });
    // Back into the message, rather than wherever focus was before the window opened.
    const target = focusBeforeConfirm.current?.isConnected ? focusBeforeConfirm.current : wiring.toInput.current;
    requestAnimationFrame(() => target?.focus());
  };

  const discard = () => {
    dispatch({ type: 'discarded' });
    wiring.onClose();
  };

  const dismissError = () => dispatch({ type: 'phase', phase: { status: 'idle' } });

  return { send, handOff, saveDraft, requestClose, keepEditing, discard, dismissError };
}
