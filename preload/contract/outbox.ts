// The outbox as the dialog and the CLI see it: every message's state, attempts and last reply.
import { z } from 'zod';
import { Advice } from './smtp';

export const OUTBOX_STATES = ['queued', 'sending', 'sent', 'failed', 'unknown', 'cancelled'] as const;
export const OutboxState = z.enum(OUTBOX_STATES);
export type OutboxState = z.infer<typeof OutboxState>;

export const RecipientState = z.enum(['pending', 'accepted', 'rejected']);
export type RecipientState = z.infer<typeof RecipientState>;

export const OutboxRecipient = z.object({
  address: z.string(),
  state: RecipientState,
  /** The server's reply to this recipient, escaped. */
  reply: z.string().optional(),
  at: z.string().optional(),
});
export type OutboxRecipient = z.infer<typeof OutboxRecipient>;

export const OutboxEntry = z.object({
  id: z.string(),
  messageId: z.string(),
  batchId: z.string(),
  profileId: z.string(),
  profileName: z.string(),
  subject: z.string(),
  /** The header recipients (To and Cc), for display; the envelope is in recipients. */
  to: z.array(z.string()),
  size: z.number(),
  attachmentBytes: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  state: OutboxState,
  /** Why a failed message failed, when it is one of the known reasons. */
  reason: z.enum(['too-large', 'permanent', 'expired', 'config']).optional(),
  attempts: z.number(),
  nextAttemptAt: z.string().nullable(),
  lastReply: z.string(),
  advice: Advice.optional(),
  /** Sent again after a crash while it was in flight: the recipient may have two copies. */
  possibleDuplicate: z.boolean(),
  recipients: z.array(OutboxRecipient),
  /** Internal messages (alerts) are not alerted about again. */
  kind: z.enum(['message', 'test', 'alert']),
});
export type OutboxEntry = z.infer<typeof OutboxEntry>;

export const BatchProgress = z.object({
  batchId: z.string(),
  profileName: z.string(),
  total: z.number(),
  queued: z.number(),
  sending: z.number(),
  sent: z.number(),
  failed: z.number(),
  unknown: z.number(),
  cancelled: z.number(),
  startedAt: z.string(),
  /** Messages sent in the last 60 seconds. */
  perMinute: z.number(),
  /** The profile's limit, 0 for none. */
  limitPerMinute: z.number(),
});
export type BatchProgress = z.infer<typeof BatchProgress>;

export const OutboxView = z.object({
  entries: z.array(OutboxEntry),
  batches: z.array(BatchProgress),
  counts: z.record(OutboxState, z.number()),
});
export type OutboxView = z.infer<typeof OutboxView>;
