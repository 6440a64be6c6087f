// The built-in mailer's drafts and the compose hand-off, as both sides of the bridge see them.
import { z } from 'zod';
import { AttachmentInput, OutgoingMessage, PROFILE_ID_RE, SendOutcome } from './smtp';
import { OutboxEntry } from './outbox';
import { ComposeMode, SendMode } from './mail-options';
import { RECIPIENT_MAX_CHARS } from './mailbox';

export const DRAFT_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A message being written in the built-in mailer; addresses may still be incomplete. */
export const Draft = z.strictObject({
  id: z.string().regex(DRAFT_ID_RE, 'Invalid draft id').optional(),
  /** The server profile it goes out with; '' for the default profile. */
  profileId: z.union([z.literal(''), z.string().regex(PROFILE_ID_RE)]),
  to: z.array(z.string().max(RECIPIENT_MAX_CHARS)).max(500, 'At most 500 recipients per field'),
  cc: z.array(z.string().max(RECIPIENT_MAX_CHARS)).max(500, 'At most 500 recipients per field'),
  bcc: z.array(z.string().max(RECIPIENT_MAX_CHARS)).max(500, 'At most 500 recipients per field'),
  subject: z.string().max(998, 'Use a subject of at most 998 characters'),
  html: z.string().max(10 * 1024 * 1024, 'The text is too long'),
  attachments: z.array(AttachmentInput).max(100, 'At most 100 attachments'),
});
export type Draft = z.infer<typeof Draft>;

export const DraftSummary = z.object({
  id: z.string(),
  subject: z.string(),
  to: z.array(z.string()),
  savedAt: z.string(),
  attachmentBytes: z.number(),
});
export type DraftSummary = z.infer<typeof DraftSummary>;

export const SavedDraft = Draft.extend({ id: z.string(), savedAt: z.string() });
export type SavedDraft = z.infer<typeof SavedDraft>;

/** What happened to a message handed to the user's compose mode. */
export const ComposeResult = z.discriminatedUnion('kind', [
  /** Open the built-in mailer with the message. */
  z.object({ kind: z.literal('builtin'), mode: ComposeMode, reason: z.string() }),
  /** Handed to another mail client (Outlook, MAPI, Microsoft 365 on the web, the OS default client). */
  z.object({ kind: z.literal('handed-off'), mode: ComposeMode, detail: z.string() }),
]);
export type ComposeResult = z.infer<typeof ComposeResult>;

export const MailSendInput = z.strictObject({
  /** '' or absent: the default profile. */
  profileId: z.union([z.literal(''), z.string().regex(PROFILE_ID_RE)]).optional(),
  message: OutgoingMessage,
  /** The draft this message was written in; deleted once the message is safely in the outbox. */
  draftId: z.string().regex(DRAFT_ID_RE).optional(),
});

export const MailSendResult = z.discriminatedUnion('via', [
  /** Through Mailroom's outbox (SMTP or Microsoft Graph): the entry and its first outcome. */
  z.object({ via: z.literal('outbox'), entry: OutboxEntry, outcome: SendOutcome }),
  /** Handed to a mail client that sends it itself (Outlook, MAPI). */
  z.object({ via: z.literal('client'), mode: SendMode, detail: z.string() }),
]);
export type MailSendResult = z.infer<typeof MailSendResult>;
