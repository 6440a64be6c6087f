// The built-in mailer: a message with From (the server profile), To, Cc, Bcc, Subject, a formatted
// body and attachments, sent through the outbox or saved as a draft. Mount it afresh (a new key)
// for each message.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  makeStaticStyles,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { Dismiss24Regular, Send20Regular } from '@fluentui/react-icons';
import {
  COMPOSE_LABELS,
  SEND_LABELS,
  type Advice,
  type Draft,
  type FieldError,
  type MailSendResult,
  type OutboxEntry,
  type OutgoingMessage,
  type SavedDraft,
  type SmtpProfile,
} from '../../../preload/contract';
import { getBridge } from '../bridge';
import { useLeaveGuard } from '../hooks/useLeaveGuard';
import { AdviceBox } from '../components/AdviceBox';
import { AddressField } from './AddressField';
import { AttachmentList, MAX_ATTACHMENTS, encodeAttachments, fromFile, fromSaved, type PendingAttachment } from './AttachmentList';
import { formatLimit, formatSize, htmlToText, invalidAddresses, isBlankHtml, limitBytes, splitAddresses } from './compose-format';
import { RichTextEditor, type RichTextEditorHandle } from './RichTextEditor';
import { sendsThroughOutbox, useSenders } from '../hooks/useSenders';

const LABEL_COLUMN = '72px';

// While a message is being written the settings page is out of sight, for people and for
// assistive technology alike: the window stands on a plain background of its own.
const COVERED = 'data-behind-compose';
const usePageStyles = makeStaticStyles({
  [`#root[${COVERED}]`]: { visibility: 'hidden' },
});

function useCoverPage(): void {
  usePageStyles();
  useEffect(() => {
    const root = document.getElementById('root');
    root?.setAttribute(COVERED, '');
    return () => root?.removeAttribute(COVERED);
  }, []);
}

const useStyles = makeStyles({
  backdrop: {
    backgroundColor: tokens.colorNeutralBackground3,
  },
  surface: {
    width: 'min(1040px, calc(100vw - 48px))',
    maxWidth: 'none',
    height: 'calc(100vh - 48px)',
    paddingBottom: tokens.spacingVerticalL,
  },
  body: {
    height: '100%',
    maxHeight: 'none',
    gridTemplateRows: 'auto 1fr auto',
  },
  content: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    minHeight: 0,
    overflowY: 'auto',
    // Room for the fields' focus outlines at the scroll edges.
    paddingInline: tokens.spacingHorizontalXXS,
    paddingBlock: tokens.spacingVerticalXXS,
  },
  fields: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    flexShrink: 0,
  },
  field: {
    gridTemplateColumns: `${LABEL_COLUMN} 1fr`,
  },
  required: {
    borderLeftWidth: '3px',
    borderLeftStyle: 'solid',
    borderLeftColor: tokens.colorPaletteRedBorder2,
    ':hover': { borderLeftColor: tokens.colorPaletteRedBorder2 },
    ':active,:focus-within': { borderLeftColor: tokens.colorPaletteRedBorder2 },
  },
  control: {
    width: '100%',
    minWidth: 0,
  },
  option: {
    display: 'flex',
    flexDirection: 'column',
  },
  optionDetail: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
  },
  outcome: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    flexShrink: 0,
  },
  note: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
  footerText: {
    ...typographyStyles.body1,
    display: 'flex',
    flexDirection: 'column',
    justifyContent: 'center',
    rowGap: tokens.spacingVerticalXXS,
    minWidth: 0,
    color: tokens.colorNeutralForeground2,
  },
  // Blocks, not inline text: each is one box however many lines it wraps to.
  reason: {
    display: 'block',
    color: tokens.colorNeutralForeground1,
  },
  status: {
    display: 'block',
  },
  footerActions: {
    flexWrap: 'wrap',
  },
  confirmSurface: {
    maxWidth: '480px',
    width: 'calc(100vw - 48px)',
  },
  confirmText: {
    ...typographyStyles.body1,
    margin: 0,
  },
});

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

type Phase =
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

type AddressKey = 'to' | 'cc' | 'bcc';
const ADDRESS_FIELDS: readonly { key: AddressKey; label: string }[] = [
  { key: 'to', label: 'To' },
  { key: 'cc', label: 'Cc' },
  { key: 'bcc', label: 'Bcc' },
];

function timeOf(iso: string | null | undefined): string {
  const when = iso ? new Date(iso) : null;
  return when && !Number.isNaN(when.getTime()) ? when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

function profileFrom(profile: SmtpProfile | undefined): string {
  if (!profile) return '';
  const address = profile.fromAddress.trim();
  if (!address) return `The profile “${profile.name}” has no From address yet (SMTP tab).`;
  return `Sent as ${profile.fromName.trim() ? `${profile.fromName.trim()} <${address}>` : address}`;
}

/** Field errors from main, keyed by the compose field they belong to (to, cc, bcc, subject, profileId, attachments). */
function errorsByField(fields: readonly FieldError[], tokens: Record<AddressKey, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fields) {
    const parts = f.path.split('.');
    if (parts[0] === 'message' || parts[0] === 'draft') parts.shift();
    const [field, index] = parts;
    if (!field) continue;
    const token = (field === 'to' || field === 'cc' || field === 'bcc') && index !== undefined ? tokens[field][Number(index)] : undefined;
    const message = token !== undefined && !f.message.includes(token) ? `“${token}”: ${f.message}` : f.message;
    out[field] ??= message;
  }
  return out;
}

export function ComposeWindow({ draft, onDone, onClose, onDraftsChanged, onShowActivity }: ComposeWindowProps) {
  const styles = useStyles();
  const senders = useSenders();
  const [profileId, setProfileId] = useState(draft?.profileId ?? '');
  const [addresses, setAddresses] = useState<Record<AddressKey, string>>({
    to: draft?.to.join(', ') ?? '',
    cc: draft?.cc.join(', ') ?? '',
    bcc: draft?.bcc.join(', ') ?? '',
  });
  const [subject, setSubject] = useState(draft?.subject ?? '');
  const [attachments, setAttachments] = useState<PendingAttachment[]>(() => draft?.attachments.map(fromSaved) ?? []);
  const [tooMany, setTooMany] = useState(false);
  const [draftId, setDraftId] = useState(draft?.id);
  const [savedAt, setSavedAt] = useState(draft?.savedAt);
  const [dirty, setDirty] = useState(false);
  const [phase, setPhase] = useState<Phase>({ status: 'idle' });
  const [serverErrors, setServerErrors] = useState<Record<string, string>>({});
  const [confirmClose, setConfirmClose] = useState(false);
  /** Where the keyboard was when the discard question opened; it goes back there if the user keeps editing. */
  const focusBeforeConfirm = useRef<HTMLElement | null>(null);
  const editor = useRef<RichTextEditorHandle>(null);
  const toInput = useRef<HTMLInputElement>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);
  const reasonId = useId();

  useLeaveGuard(dirty);
  useCoverPage();

  // Focus starts in To (Fluent's dialog first focuses its first control; this runs after it).
  useEffect(() => {
    const timer = setTimeout(() => toInput.current?.focus(), 0);
    return () => clearTimeout(timer);
  }, []);

  const loaded = senders.status === 'loaded' ? senders : null;
  const profiles = loaded?.profiles ?? [];
  // The draft's profile while it exists, else the default, else the first.
  const chosen =
    profiles.find((p) => p.id === profileId) ?? profiles.find((p) => p.id === loaded?.defaultProfile) ?? (profiles.length > 0 ? profiles[0] : undefined);
  const modes = loaded?.modes ?? null;
  const viaOutbox = sendsThroughOutbox(modes);

  const tokens = useMemo(
    () => ({ to: splitAddresses(addresses.to), cc: splitAddresses(addresses.cc), bcc: splitAddresses(addresses.bcc) }),
    [addresses],
  );
  const recipientCount = tokens.to.length + tokens.cc.length + tokens.bcc.length;
  const badField = ADDRESS_FIELDS.find((f) => invalidAddresses(tokens[f.key]).length > 0);

  const totalBytes = attachments.reduce((n, a) => n + a.size, 0);
  const limitMb = chosen ? chosen.maxAttachmentsMb : undefined;
  const overLimit = chosen !== undefined && totalBytes > limitBytes(chosen.maxAttachmentsMb);
  const attachmentProblem = overLimit
    ? `The attachments total ${formatSize(totalBytes)}; the profile “${chosen.name}” allows ${formatLimit(chosen.maxAttachmentsMb)}. Remove files${profiles.length > 1 ? ' or choose another profile' : ''} to send.`
    : tooMany
      ? `At most ${MAX_ATTACHMENTS} files can be attached; the rest were not added.`
      : serverErrors.attachments;

  const busy = phase.status === 'sending' || phase.status === 'saving' || phase.status === 'handing-off';
  const queued = phase.status === 'queued';

  /** Why Send cannot be pressed now, in words; undefined when it can. */
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

  const changed = useCallback(() => {
    setDirty(true);
    if (phase.status === 'note' || phase.status === 'error') setPhase({ status: 'idle' });
  }, [phase.status]);

  const setAddress = (key: AddressKey, value: string) => {
    setAddresses((a) => ({ ...a, [key]: value }));
    setServerErrors(({ [key]: _dropped, ...rest }) => rest);
    changed();
  };

  const addFiles = (files: File[]) => {
    setAttachments((list) => {
      const room = MAX_ATTACHMENTS - list.length;
      setTooMany(files.length > room);
      return [...list, ...files.slice(0, Math.max(0, room)).map(fromFile)];
    });
    setServerErrors(({ attachments: _dropped, ...rest }) => rest);
    changed();
  };

  const removeFile = (key: string) => {
    setAttachments((list) => list.filter((a) => a.key !== key));
    setTooMany(false);
    changed();
  };

  const showOutcome = (next: Phase) => {
    setPhase(next);
    // The outcome sits above the buttons; make sure it is in view.
    requestAnimationFrame(() => outcomeRef.current?.scrollIntoView({ block: 'nearest' }));
  };

  /** The message as it stands, ready for main; null (with the reason shown) when a file cannot be read. */
  const buildMessage = async (): Promise<OutgoingMessage | null> => {
    const encoded = await encodeAttachments(attachments);
    if (!encoded.ok) {
      showOutcome({ status: 'error', title: 'A file could not be read', message: encoded.message });
      return null;
    }
    const html = editor.current?.getHtml() ?? '';
    const blank = isBlankHtml(html);
    return {
      to: tokens.to,
      cc: tokens.cc,
      bcc: tokens.bcc,
      subject,
      text: blank ? '' : htmlToText(html),
      ...(blank ? {} : { html }),
      attachments: encoded.attachments,
    };
  };

  const send = async () => {
    if (sendBlocked || busy || queued) return;
    setPhase({ status: 'sending' });
    const message = await buildMessage();
    if (!message) return;
    const result = await getBridge().invoke('mail:send', {
      ...(chosen ? { profileId: chosen.id } : {}),
      message,
      ...(draftId ? { draftId } : {}),
    });
    if (!result.ok) {
      setServerErrors(errorsByField(result.error.fields ?? [], tokens));
      showOutcome({ status: 'error', title: 'Not sent', message: result.error.message });
      return;
    }
    // Main deletes the draft once the message is safe in the outbox or with the mail client.
    if (draftId) {
      setDraftId(undefined);
      setSavedAt(undefined);
      onDraftsChanged();
    }
    finishSend(result.value, message.subject);
  };

  const finishSend = (value: MailSendResult, sentSubject: string) => {
    if (value.via === 'client') {
      setDirty(false);
      onDone({ kind: 'handed-off', title: `Handed to ${SEND_LABELS[value.mode]}`, detail: value.detail });
      return;
    }
    const { entry, outcome } = value;
    if (outcome.ok) {
      setDirty(false);
      onDone({ kind: 'sent', messageId: outcome.receipt.messageId, accepted: outcome.receipt.accepted, subject: sentSubject });
      return;
    }
    if (entry.state === 'queued' || entry.state === 'sending') {
      // Safe in the outbox and tried again by itself: nothing here is unsaved any more.
      setDirty(false);
      showOutcome({ status: 'queued', entry, advice: outcome.advice });
      return;
    }
    showOutcome({ status: 'failed', advice: outcome.advice });
  };

  const saveDraft = async () => {
    if (busy || queued) return;
    setPhase({ status: 'saving' });
    const encoded = await encodeAttachments(attachments);
    if (!encoded.ok) {
      showOutcome({ status: 'error', title: 'A file could not be read', message: encoded.message });
      return;
    }
    const body: Draft = {
      ...(draftId ? { id: draftId } : {}),
      profileId: chosen?.id ?? '',
      to: tokens.to,
      cc: tokens.cc,
      bcc: tokens.bcc,
      subject,
      html: editor.current?.getHtml() ?? '',
      attachments: encoded.attachments,
    };
    const result = await getBridge().invoke('drafts:save', { draft: body });
    if (!result.ok) {
      setServerErrors(errorsByField(result.error.fields ?? [], tokens));
      showOutcome({ status: 'error', title: 'The draft was not saved', message: result.error.message });
      return;
    }
    setDraftId(result.value.id);
    setSavedAt(result.value.savedAt);
    setDirty(false);
    setPhase({ status: 'idle' });
    onDraftsChanged();
  };

  /** Hands the message to the mail client the user composes with (Outlook, Microsoft 365 on the web…). */
  const handOff = async () => {
    if (sendBlocked || busy || queued) return;
    setPhase({ status: 'handing-off' });
    const message = await buildMessage();
    if (!message) return;
    const result = await getBridge().invoke('mail:compose', { message, ...(chosen ? { profileId: chosen.id } : {}) });
    if (!result.ok) {
      setServerErrors(errorsByField(result.error.fields ?? [], tokens));
      showOutcome({ status: 'error', title: 'Not opened', message: result.error.message });
    } else if (result.value.kind === 'handed-off') {
      setDirty(false);
      onDone({ kind: 'handed-off', title: `Opened in ${COMPOSE_LABELS[result.value.mode]}`, detail: result.value.detail });
    } else {
      showOutcome({ status: 'note', message: `${result.value.reason}: carry on here.` });
    }
  };

  const requestClose = () => {
    if (busy) return;
    if (dirty) {
      focusBeforeConfirm.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setConfirmClose(true);
    }
    else onClose();
  };

  const keepEditing = () => {
    setConfirmClose(false);
    // Back into the message, rather than wherever focus was before the window opened.
    const target = focusBeforeConfirm.current?.isConnected ? focusBeforeConfirm.current : toInput.current;
    requestAnimationFrame(() => target?.focus());
  };

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    if (key === 's') {
      // The settings dialog behind saves on Ctrl+S too: this one is the draft's.
      event.preventDefault();
      event.stopPropagation();
      if (dirty) void saveDraft();
    } else if (event.key === 'Enter') {
      event.preventDefault();
      void send();
    }
  };

  const handOffMode = modes && modes.compose !== 'builtin' ? modes.compose : null;
  const saveLabel = phase.status === 'saving' ? 'Saving…' : 'Save draft';
  const savedText = savedAt ? `Draft saved at ${timeOf(savedAt)}` : '';

  return (
    <Dialog
      open
      modalType="modal"
      onOpenChange={(_, data) => {
        if (!data.open) requestClose();
      }}
    >
      <DialogSurface className={styles.surface} backdrop={{ className: styles.backdrop }} onKeyDown={onKeyDown}>
        <DialogBody className={styles.body}>
          <DialogTitle
            action={<Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} disabledFocusable={busy} onClick={requestClose} />}
          >
            New email
          </DialogTitle>
          <DialogContent className={styles.content}>
            <div className={styles.fields}>
              <Field
                label="From"
                orientation="horizontal"
                className={styles.field}
                hint={profileFrom(chosen)}
                {...(serverErrors.profileId ? { validationState: 'error' as const, validationMessage: serverErrors.profileId } : {})}
              >
                {senders.status === 'loading' ? (
                  <Spinner size="tiny" label="Loading server profiles…" labelPosition="after" />
                ) : (
                  <Dropdown
                    className={mergeClasses(styles.control, styles.required)}
                    value={chosen?.name ?? ''}
                    selectedOptions={chosen ? [chosen.id] : []}
                    placeholder={profiles.length === 0 ? 'No server profile' : 'Choose a server profile'}
                    disabled={profiles.length === 0}
                    onOptionSelect={(_, data) => {
                      if (data.optionValue && data.optionValue !== chosen?.id) {
                        setProfileId(data.optionValue);
                        setServerErrors(({ profileId: _dropped, ...rest }) => rest);
                        changed();
                      }
                    }}
                  >
                    {profiles.map((p) => (
                      <Option key={p.id} value={p.id} text={p.name}>
                        <span className={styles.option}>
                          {p.name}
                          <span className={styles.optionDetail}>
                            {p.fromAddress || 'No From address'}
                            {p.id === loaded?.defaultProfile ? ' · default' : ''}
                          </span>
                        </span>
                      </Option>
                    ))}
                  </Dropdown>
                )}
              </Field>
              {ADDRESS_FIELDS.map((f) => (
                <AddressField
                  key={f.key}
                  ref={f.key === 'to' ? toInput : undefined}
                  label={f.label}
                  name={f.key}
                  value={addresses[f.key]}
                  className={styles.field}
                  {...(serverErrors[f.key] ? { serverError: serverErrors[f.key] } : {})}
                  onChange={(value) => setAddress(f.key, value)}
                />
              ))}
              <Field
                label="Subject"
                orientation="horizontal"
                className={styles.field}
                {...(serverErrors.subject ? { validationState: 'error' as const, validationMessage: serverErrors.subject } : {})}
              >
                <Input
                  name="subject"
                  className={styles.control}
                  value={subject}
                  maxLength={998}
                  onChange={(_, data) => {
                    setSubject(data.value);
                    setServerErrors(({ subject: _dropped, ...rest }) => rest);
                    changed();
                  }}
                />
              </Field>
            </div>

            <RichTextEditor
              ref={editor}
              label="Message"
              initialHtml={draft?.html ?? ''}
              onChange={changed}
              onDropFiles={addFiles}
            />

            <AttachmentList attachments={attachments} limitMb={limitMb} problem={attachmentProblem} onAdd={addFiles} onRemove={removeFile} />

            <div ref={outcomeRef} className={styles.outcome} aria-live="polite">
              {senders.status === 'failed' && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>
                    <MessageBarTitle>The server profiles could not be read</MessageBarTitle>
                    {senders.message}
                  </MessageBarBody>
                </MessageBar>
              )}
              {phase.status === 'failed' && (
                <>
                  <AdviceBox advice={phase.advice} headingLevel={3} context="Not sent" />
                  <p className={styles.note}>
                    The message is on the Activity tab as Failed. Correct it here and send it again, or retry it from there.
                  </p>
                </>
              )}
              {phase.status === 'queued' && (
                <>
                  <MessageBar intent="warning" layout="multiline">
                    <MessageBarBody>
                      <MessageBarTitle>Not sent yet: Mailroom will try again</MessageBarTitle>
                      The message is safe in the outbox and is tried again
                      {phase.entry.nextAttemptAt ? ` at ${timeOf(phase.entry.nextAttemptAt)}` : ' shortly'}, by itself. Follow it on the
                      Activity tab.
                    </MessageBarBody>
                  </MessageBar>
                  <AdviceBox advice={{ ...phase.advice, title: phase.advice.title.replace(/\s*\(queued:.*\)$/, '') }} headingLevel={3} context="First attempt" />
                </>
              )}
              {phase.status === 'error' && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>
                    <MessageBarTitle>{phase.title}</MessageBarTitle>
                    {phase.message}
                  </MessageBarBody>
                  <MessageBarActions>
                    <Button appearance="transparent" onClick={() => setPhase({ status: 'idle' })}>
                      Dismiss
                    </Button>
                  </MessageBarActions>
                </MessageBar>
              )}
              {phase.status === 'note' && (
                <MessageBar intent="info" layout="multiline">
                  <MessageBarBody>{phase.message}</MessageBarBody>
                </MessageBar>
              )}
            </div>
          </DialogContent>

          <DialogActions position="start" className={styles.footerText}>
            {!queued && sendBlocked && (
              <span id={reasonId} className={styles.reason}>
                {sendBlocked}
              </span>
            )}
            <span role="status" className={styles.status}>{phase.status === 'sending' ? 'Sending…' : savedText}</span>
          </DialogActions>
          <DialogActions position="end" className={styles.footerActions}>
            {queued ? (
              <>
                <Button appearance="primary" onClick={onShowActivity}>
                  Show in Activity
                </Button>
                <Button onClick={onClose}>Close</Button>
              </>
            ) : (
              <>
                <Button
                  appearance="primary"
                  icon={phase.status === 'sending' ? <Spinner size="tiny" /> : <Send20Regular />}
                  disabledFocusable={!!sendBlocked || busy}
                  aria-describedby={sendBlocked ? reasonId : undefined}
                  onClick={() => void send()}
                >
                  {phase.status === 'sending' ? 'Sending…' : 'Send'}
                </Button>
                {handOffMode && (
                  <Button disabledFocusable={!!sendBlocked || busy} onClick={() => void handOff()}>
                    {handOffMode === 'autodetect' ? 'Open in my mail program' : `Open in ${COMPOSE_LABELS[handOffMode]}`}
                  </Button>
                )}
                <Button disabledFocusable={busy || (!dirty && draftId !== undefined)} onClick={() => void saveDraft()}>
                  {saveLabel}
                </Button>
                <Button disabledFocusable={busy} onClick={requestClose}>
                  Discard
                </Button>
              </>
            )}
          </DialogActions>
        </DialogBody>

        <Dialog open={confirmClose} modalType="alert" onOpenChange={(_, data) => !data.open && keepEditing()}>
          <DialogSurface className={styles.confirmSurface}>
            <DialogBody>
              <DialogTitle>{savedAt ? 'Discard your changes?' : 'Discard this email?'}</DialogTitle>
              <DialogContent>
                <p className={styles.confirmText}>
                  {savedAt
                    ? `The changes since the draft was saved at ${timeOf(savedAt)} will be lost. The draft keeps what was saved then.`
                    : 'It has not been sent or saved as a draft, and will be lost.'}
                </p>
              </DialogContent>
              <DialogActions>
                <Button
                  appearance="primary"
                  onClick={() => {
                    setConfirmClose(false);
                    setDirty(false);
                    onClose();
                  }}
                >
                  Discard
                </Button>
                <Button onClick={keepEditing}>Keep editing</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      </DialogSurface>
    </Dialog>
  );
}
