// The compose window's state in one reducer (the message, its draft, what is under way and what
// came of it), and what follows from it: the profile in use, the recipients, and why Send is off.
import { useCallback, useMemo, useReducer } from 'react';
import type { Advice, OutboxEntry, SavedDraft, SmtpProfile, WhoAmI } from '../../../preload/contract';
import { sendsThroughOutbox, type Senders } from '../hooks/useSenders';
import { MAX_ATTACHMENTS, fromFile, fromSaved, type PendingAttachment } from './AttachmentList';
import { formatLimit, formatSize, invalidAddresses, limitBytes, splitAddresses } from './compose-format';

export type ComposePhase =
  | { status: 'idle' }
  | { status: 'sending' }
  | { status: 'saving' }
  | { status: 'handing-off' }
  /** The first attempt failed for good: the message is Failed in the outbox; it can be corrected and sent again. */
  | { status: 'failed'; advice: Advice }
  /** The first attempt failed for now: the outbox tries again by itself. */
  | { status: 'queued'; entry: OutboxEntry; advice: Advice }
  | { status: 'error'; title: string; message: string }
  | { status: 'note'; message: string };

export type AddressKey = 'to' | 'cc' | 'bcc';
export const ADDRESS_FIELDS: readonly { key: AddressKey; label: string }[] = [
  { key: 'to', label: 'To' },
  { key: 'cc', label: 'Cc' },
  { key: 'bcc', label: 'Bcc' },
];

export type Recipients = Record<AddressKey, string[]>;

export interface ComposeState {
  /** The profile picked in From; '' (or one that is gone) means the default. */
  profileId: string;
  addresses: Record<AddressKey, string>;
  subject: string;
  attachments: PendingAttachment[];
  /** More files were dropped than can be attached. */
  tooMany: boolean;
  /** The draft this message is saved as, if it is. */
  draftId: string | undefined;
  savedAt: string | undefined;
  /** Changed since it was opened or saved. */
  dirty: boolean;
  phase: ComposePhase;
  /** Field errors main reported, by compose field (to, cc, bcc, subject, profileId, attachments). */
  serverErrors: Record<string, string>;
  /** The discard question is open. */
  confirmClose: boolean;
}

type Action =
  | { type: 'choose-profile'; id: string }
  | { type: 'set-address'; key: AddressKey; value: string }
  | { type: 'set-subject'; value: string }
  | { type: 'body-edited' }
  | { type: 'add-files'; files: File[] }
  | { type: 'remove-file'; key: string }
  | { type: 'phase'; phase: ComposePhase }
  | { type: 'refused'; errors: Record<string, string>; phase: ComposePhase }
  | { type: 'draft-saved'; id: string; savedAt: string }
  /** Main deleted the draft: the message went out. */
  | { type: 'draft-gone' }
  /** Nothing here is unsaved any more: sent, handed over, or safe in the outbox. */
  | { type: 'settled' }
  | { type: 'ask-discard'; open: boolean }
  | { type: 'discarded' };

function initialState(draft: SavedDraft | undefined): ComposeState {
  return {
    profileId: draft?.profileId ?? '',
    addresses: { to: draft?.to.join(', ') ?? '', cc: draft?.cc.join(', ') ?? '', bcc: draft?.bcc.join(', ') ?? '' },
    subject: draft?.subject ?? '',
    attachments: draft?.attachments.map(fromSaved) ?? [],
    tooMany: false,
    draftId: draft?.id,
    savedAt: draft?.savedAt,
    dirty: false,
    phase: { status: 'idle' },
    serverErrors: {},
    confirmClose: false,
  };
}

/** Any edit: the message is dirty, and a note or error about the previous attempt goes away. */
function edited(state: ComposeState): ComposeState {
  const phase = state.phase.status === 'note' || state.phase.status === 'error' ? { status: 'idle' as const } : state.phase;
  return { ...state, dirty: true, phase };
}

function without(errors: Record<string, string>, field: string): Record<string, string> {
  if (!(field in errors)) return errors;
  const { [field]: _dropped, ...rest } = errors;
  return rest;
}

function reducer(state: ComposeState, action: Action): ComposeState {
  switch (action.type) {
    case 'choose-profile':
      return edited({ ...state, profileId: action.id, serverErrors: without(state.serverErrors, 'profileId') });
    case 'set-address':
      return edited({ ...state, addresses: { ...state.addresses, [action.key]: action.value }, serverErrors: without(state.serverErrors, action.key) });
    case 'set-subject':
      return edited({ ...state, subject: action.value, serverErrors: without(state.serverErrors, 'subject') });
    case 'body-edited':
      return edited(state);
    case 'add-files': {
      const room = MAX_ATTACHMENTS - state.attachments.length;
      return edited({
        ...state,
        attachments: [...state.attachments, ...action.files.slice(0, Math.max(0, room)).map(fromFile)],
        tooMany: action.files.length > room,
        serverErrors: without(state.serverErrors, 'attachments'),
      });
    }
    case 'remove-file':
      return edited({ ...state, attachments: state.attachments.filter((a) => a.key !== action.key), tooMany: false });
    case 'phase':
      return { ...state, phase: action.phase };
    case 'refused':
      return { ...state, serverErrors: action.errors, phase: action.phase };
    case 'draft-saved':
      return { ...state, draftId: action.id, savedAt: action.savedAt, dirty: false, phase: { status: 'idle' } };
    case 'draft-gone':
      return { ...state, draftId: undefined, savedAt: undefined };
    case 'settled':
      return { ...state, dirty: false };
    case 'ask-discard':
      return { ...state, confirmClose: action.open };
    case 'discarded':
      return { ...state, confirmClose: false, dirty: false };
  }
}

export interface ComposeFacts {
  /** The profiles the message can go out with, once loaded. */
  profiles: SmtpProfile[];
  defaultProfile: string | undefined;
  /** The draft's profile while it exists, else the default, else the first. */
  chosen: SmtpProfile | undefined;
  modes: WhoAmI['modes'] | null;
  recipients: Recipients;
  totalBytes: number;
  /** What is wrong with the attachments, in words. */
  attachmentProblem: string | undefined;
  /** Sending, saving or handing over is under way. */
  busy: boolean;
  /** Safe in the outbox after a failed first attempt: only Show in Activity and Close are left. */
  queued: boolean;
  /** Why Send cannot be pressed now, in words; undefined when it can. */
  sendBlocked: string | undefined;
}

function factsOf(state: ComposeState, senders: Senders): ComposeFacts {
  const loaded = senders.status === 'loaded' ? senders : null;
  const profiles = loaded?.profiles ?? [];
  const chosen =
    profiles.find((p) => p.id === state.profileId) ?? profiles.find((p) => p.id === loaded?.defaultProfile) ?? (profiles.length > 0 ? profiles[0] : undefined);
  const modes = loaded?.modes ?? null;
  const viaOutbox = sendsThroughOutbox(modes);

  const recipients = { to: splitAddresses(state.addresses.to), cc: splitAddresses(state.addresses.cc), bcc: splitAddresses(state.addresses.bcc) };
  const recipientCount = recipients.to.length + recipients.cc.length + recipients.bcc.length;
  const badField = ADDRESS_FIELDS.find((f) => invalidAddresses(recipients[f.key]).length > 0);

  const totalBytes = state.attachments.reduce((n, a) => n + a.size, 0);
  const overLimit = chosen !== undefined && totalBytes > limitBytes(chosen.maxAttachmentsMb);
  const attachmentProblem = overLimit
    ? `The attachments total ${formatSize(totalBytes)}; the profile “${chosen.name}” allows ${formatLimit(chosen.maxAttachmentsMb)}. Remove files${profiles.length > 1 ? ' or choose another profile' : ''} to send.`
    : state.tooMany
      ? `At most ${MAX_ATTACHMENTS} files can be attached; the rest were not added.`
      : state.serverErrors.attachments;

  const { phase } = state;
  const busy = phase.status === 'sending' || phase.status === 'saving' || phase.status === 'handing-off';
  const queued = phase.status === 'queued';

  const sendBlocked: string | undefined =
    senders.status === 'loading'
      ? 'Loading the server profiles…'
      : senders.status === 'failed'
        ? 'The server profiles could not be read.'
        : viaOutbox && !chosen
          ? 'No server profile is set up to send with. An administrator adds one on the SMTP tab.'
          : badField
            ? `Correct the address in ${badField.label} to send.`
            : recipientCount === 0
              ? 'Add a recipient in To, Cc or Bcc to send.'
              : overLimit
                ? `The attachments are over the ${formatLimit(chosen.maxAttachmentsMb)} limit of this profile.`
                : undefined;

  return { profiles, defaultProfile: loaded?.defaultProfile, chosen, modes, recipients, totalBytes, attachmentProblem, busy, queued, sendBlocked };
}

export interface ComposeEdits {
  chooseProfile(id: string): void;
  setAddress(key: AddressKey, value: string): void;
  setSubject(value: string): void;
  bodyEdited(): void;
  addFiles(files: File[]): void;
  removeFile(key: string): void;
}

export interface ComposeModel {
  state: ComposeState;
  facts: ComposeFacts;
  edits: ComposeEdits;
  dispatch(action: Action): void;
}

/** Mount the window afresh for each message: the state starts from the draft, if there is one. */
export function useComposeState(draft: SavedDraft | undefined, senders: Senders): ComposeModel {
  const [state, dispatch] = useReducer(reducer, draft, initialState);
  const facts = useMemo(() => factsOf(state, senders), [state, senders]);
  const bodyEdited = useCallback(() => dispatch({ type: 'body-edited' }), []);
  const edits = useMemo<ComposeEdits>(
    () => ({
      chooseProfile: (id) => dispatch({ type: 'choose-profile', id }),
      setAddress: (key, value) => dispatch({ type: 'set-address', key, value }),
      setSubject: (value) => dispatch({ type: 'set-subject', value }),
      bodyEdited,
      addFiles: (files) => dispatch({ type: 'add-files', files }),
      removeFile: (key) => dispatch({ type: 'remove-file', key }),
    }),
    [bodyEdited],
  );
  return { state, facts, edits, dispatch };
}
