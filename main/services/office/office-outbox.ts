// The shared outbox in the office database. Two sides:
//  - OfficeOutbox, for the app and the CLI: queue messages as the signed-in role (the MIME built
//    here, exactly as file mode builds it), list and view them for the Activity tab (the database
//    shows staff only their own), cancel and retry;
//  - SenderQueue, for the sender service: claim due messages under a lease, take a slot of the
//    profile's per-minute window, and record each attempt's outcome while the lease is held.
// What happens to a message after an attempt (sent, retried with backoff, failed, unknown) follows
// file mode's outbox rule for rule: see outcomeOfAttempt below and ../outbox/outbox.ts.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  fail,
  ok,
  type Advice,
  type BatchProgress,
  type OutboxEntry,
  type OutboxRecipient,
  type OutboxState,
  type OutboxView,
  type OutgoingMessage,
  type Result,
  type SmtpProfile,
} from '../../../preload/contract';
import { composeMessage } from '../mail/compose';
import type { DeliveryOutcome } from '../mail/smtp-delivery';
import { backoffMs } from '../outbox/retry-policy';
import { openPool, type OfficeConnection } from './connection';
import { officeError } from './office-store';

/** The channel the database notifies on every change to the outbox ("queued" when something may be due). */
export const OUTBOX_CHANNEL = 'mailroom_outbox';

/** A message as the Activity tab shows it, with whose it is (administrators see everyone's). */
export type OfficeOutboxEntry = OutboxEntry & { owner: string };

export interface QueueOptions {
  /** The envelope sender (General tab, Bounced Alerts) when bounces should not go to the From address. */
  bounceAddress?: string;
  /** Several messages queued together are one batch; a new id by default. */
  batchId?: string;
}

const MB = 1024 * 1024;
const ROWS_PER_INSERT = 200;
const ENTRY_COLUMNS = `id, batch_id, owner::text AS owner, kind, profile_id, profile ->> 'name' AS profile_name, message_id, subject, header_to, size,
  attachment_bytes, state, reason, attempts, next_attempt_at, lease_owner, possible_duplicate, recipients, advice, last_reply, created_at, updated_at`;

interface EntryRow {
  id: string;
  batch_id: string;
  owner: string;
  kind: 'message' | 'alert';
  profile_id: string;
  profile_name: string | null;
  message_id: string;
  subject: string;
  header_to: string[];
  size: number;
  attachment_bytes: string | number;
  state: OutboxState;
  reason: OutboxEntry['reason'] | null;
  attempts: number;
  next_attempt_at: Date;
  possible_duplicate: boolean;
  recipients: OutboxRecipient[];
  advice: Advice | null;
  last_reply: string;
  created_at: Date;
  updated_at: Date;
}

function toEntry(r: EntryRow): OfficeOutboxEntry {
  return {
    id: r.id,
    owner: r.owner,
    messageId: r.message_id,
    batchId: r.batch_id,
    profileId: r.profile_id,
    profileName: r.profile_name ?? '',
    subject: r.subject,
    to: r.header_to,
    size: Number(r.size),
    attachmentBytes: Number(r.attachment_bytes),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    state: r.state,
    ...(r.reason ? { reason: r.reason } : {}),
    attempts: r.attempts,
    nextAttemptAt: r.state === 'queued' ? r.next_attempt_at.toISOString() : null,
    lastReply: r.last_reply,
    ...(r.advice ? { advice: r.advice } : {}),
    possibleDuplicate: r.possible_duplicate,
    recipients: r.recipients,
    kind: r.kind,
  };
}

/** The app's and the CLI's side of the shared outbox, as the role the connection signed in as. */
export class OfficeOutbox {
  private readonly pool: pg.Pool;
  private readonly ownPool: boolean;

  constructor(
    readonly connection: OfficeConnection,
    options: { pool?: pg.Pool; max?: number } = {},
  ) {
    this.ownPool = !options.pool;
    this.pool = options.pool ?? openPool(connection, { max: options.max ?? 2 });
    this.pool.on('error', () => undefined);
  }

  async close(): Promise<void> {
    if (this.ownPool) await this.pool.end();
  }

  /**
   * Builds each message's MIME (its Message-ID fixed for life) and queues them all in one
   * transaction, as the signed-in role: all or none. The database copies the saved profile into
   * each row and refuses a profile that is not saved; attachments over the profile's limit are held
   * at once as failed (too large).
   */
  async queue(profile: SmtpProfile, messages: OutgoingMessage[], options: QueueOptions = {}): Promise<Result<OfficeOutboxEntry[]>> {
    if (messages.length === 0) return ok([]);
    const composeOptions = options.bounceAddress ? { bounceAddress: options.bounceAddress } : {};
    const built: Awaited<ReturnType<typeof composeMessage>>[] = [];
    // MIME building is stream-based: a few dozen at a time rather than one after another.
    for (let i = 0; i < messages.length; i += 64) {
      built.push(...(await Promise.all(messages.slice(i, i + 64).map((m) => composeMessage(profile, m, composeOptions)))));
    }
    const batchId = options.batchId ?? randomUUID();
    return this.run('Queueing messages', async (db) => {
      const entries: OfficeOutboxEntry[] = [];
      await db.query('BEGIN');
      try {
        for (let start = 0; start < messages.length; start += ROWS_PER_INSERT) {
          const params: unknown[] = [];
          const rows: string[] = [];
          for (let i = start; i < Math.min(messages.length, start + ROWS_PER_INSERT); i++) {
            const m = messages[i] as OutgoingMessage;
            const c = built[i] as (typeof built)[number];
            const at = params.length;
            params.push(batchId, profile.id, c.messageId, m.subject, [...m.to, ...m.cc], JSON.stringify(c.envelope), c.raw, c.attachmentBytes);
            rows.push(`($${at + 1}::uuid, $${at + 2}, $${at + 3}, $${at + 4}, $${at + 5}::text[], $${at + 6}::jsonb, $${at + 7}::bytea, $${at + 8}::bigint)`);
          }
          const inserted = await db.query<EntryRow>(
            `INSERT INTO mailroom.outbox (batch_id, profile_id, message_id, subject, header_to, envelope, raw, attachment_bytes)
             VALUES ${rows.join(', ')} RETURNING ${ENTRY_COLUMNS}`,
            params,
          );
          entries.push(...inserted.rows.map(toEntry));
        }
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return ok(entries);
    });
  }

  /** One message, when the signed-in role may see it. */
  async get(id: string): Promise<Result<OfficeOutboxEntry>> {
    if (!UUID_RE.test(id)) return fail('invalid-input', `id: "${id}" is not a message id`, [{ path: 'id', message: 'Not a message id' }]);
    return this.run('Reading a message', async (db) => {
      const found = await db.query<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM mailroom.outbox WHERE id = $1`, [id]);
      const row = found.rows[0];
      return row ? ok(toEntry(row)) : fail('not-found', `No message ${id} in the outbox`, [{ path: 'id', message: 'No such message' }]);
    });
  }

  /** The newest messages the role may see (only those in `states` when given), the counts of all of them, and their batches. */
  async view(limit = 500, states?: readonly OutboxState[]): Promise<Result<Omit<OutboxView, 'entries'> & { entries: OfficeOutboxEntry[] }>> {
    return this.run('Reading the outbox', async (db) => {
      const shown = await db.query<EntryRow>(
        `SELECT ${ENTRY_COLUMNS} FROM mailroom.outbox WHERE ($1::text[] IS NULL OR state = ANY ($1)) ORDER BY updated_at DESC LIMIT $2`,
        [states ? [...states] : null, limit],
      );
      const counted = await db.query<{ state: OutboxState; n: string }>('SELECT state, count(*) AS n FROM mailroom.outbox GROUP BY state');
      const counts = { queued: 0, sending: 0, sent: 0, failed: 0, unknown: 0, cancelled: 0 } as Record<OutboxState, number>;
      for (const r of counted.rows) counts[r.state] = Number(r.n);
      const batches = await db.query<{
        batch_id: string;
        profile_name: string | null;
        limit_per_minute: number | null;
        total: string;
        queued: string;
        sending: string;
        sent: string;
        failed: string;
        unknown: string;
        cancelled: string;
        started_at: Date;
        recent: string;
      }>(
        `SELECT batch_id, min(profile ->> 'name') AS profile_name, max((profile ->> 'perMinute')::integer) AS limit_per_minute, count(*) AS total,
                count(*) FILTER (WHERE state = 'queued') AS queued, count(*) FILTER (WHERE state = 'sending') AS sending,
                count(*) FILTER (WHERE state = 'sent') AS sent, count(*) FILTER (WHERE state = 'failed') AS failed,
                count(*) FILTER (WHERE state = 'unknown') AS unknown, count(*) FILTER (WHERE state = 'cancelled') AS cancelled,
                min(created_at) AS started_at, count(*) FILTER (WHERE state = 'sent' AND updated_at > now() - interval '60 seconds') AS recent
         FROM mailroom.outbox WHERE kind = 'message' GROUP BY batch_id HAVING count(*) > 1 ORDER BY min(created_at) DESC LIMIT 50`,
      );
      const progress: BatchProgress[] = batches.rows.map((b) => ({
        batchId: b.batch_id,
        profileName: b.profile_name ?? '',
        total: Number(b.total),
        queued: Number(b.queued),
        sending: Number(b.sending),
        sent: Number(b.sent),
        failed: Number(b.failed),
        unknown: Number(b.unknown),
        cancelled: Number(b.cancelled),
        startedAt: b.started_at.toISOString(),
        perMinute: Number(b.recent),
        limitPerMinute: b.limit_per_minute ?? 0,
      }));
      return ok({ entries: shown.rows.map(toEntry), batches: progress, counts });
    });
  }

  /** Cancels a queued message: staff their own, administrators anyone's. Any other state is left as it is. */
  cancel(id: string): Promise<Result<OfficeOutboxEntry>> {
    return this.change(id, 'Cancelling a message', 'cancel_message');
  }

  /** Queues a failed, unknown or cancelled message again (refused recipients get another chance). */
  retry(id: string): Promise<Result<OfficeOutboxEntry>> {
    return this.change(id, 'Retrying a message', 'retry_message');
  }

  private async change(id: string, what: string, fn: 'cancel_message' | 'retry_message'): Promise<Result<OfficeOutboxEntry>> {
    if (!UUID_RE.test(id)) return fail('invalid-input', `id: "${id}" is not a message id`, [{ path: 'id', message: 'Not a message id' }]);
    const changed = await this.run(what, async (db) => {
      const result = await db.query<{ state: string | null }>(`SELECT mailroom.${fn}($1::uuid) AS state`, [id]);
      // Someone else's message is, for staff, no message at all: the same answer as a wrong id.
      if (result.rows[0]?.state === null || result.rows[0] === undefined) return fail('not-found', `No message ${id} in the outbox`, [{ path: 'id', message: 'No such message' }]);
      return ok(undefined);
    });
    return changed.ok ? this.get(id) : changed;
  }

  /** Calls onChange on every change to the outbox the database notifies (any role's; re-read what the role may see). */
  async listen(onChange: (payload: string) => void): Promise<Result<{ stop(): Promise<void> }>> {
    const client = new pg.Client(this.connection.config);
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      return { ok: false, error: officeError(error, 'Listening for outbox changes', this.connection) };
    }
    client.on('error', () => undefined);
    client.on('notification', (n) => {
      if (n.channel === OUTBOX_CHANNEL) onChange(n.payload ?? '');
    });
    return ok({ stop: () => client.end().catch(() => undefined) });
  }

  private async run<T>(what: string, work: (db: pg.PoolClient) => Promise<Result<T>>): Promise<Result<T>> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return { ok: false, error: officeError(error, what, this.connection) };
    }
    try {
      return await work(client);
    } catch (error) {
      return { ok: false, error: officeError(error, what, this.connection) };
    } finally {
      client.release();
    }
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---- the sender's side -------------------------------------------------------------------------

/** A message claimed by a sender: everything an attempt needs. */
export interface ClaimedMessage {
  id: string;
  owner: string;
  profileId: string;
  /** The profile as saved when the message was queued. */
  profile: Partial<SmtpProfile>;
  messageId: string;
  envelope: { from: string; to: string[] };
  raw: Buffer;
  attachmentBytes: number;
  attempts: number;
  possibleDuplicate: boolean;
  recipients: OutboxRecipient[];
  retrySince: number;
  kind: 'message' | 'alert';
}

/** What a sender records for one attempt (see mailroom.finish_message). */
export interface AttemptRecord {
  state: 'sent' | 'queued' | 'failed' | 'unknown';
  recipients?: OutboxRecipient[];
  last_reply?: string;
  advice?: Advice | null;
  reason?: 'too-large' | 'permanent' | 'expired' | 'config';
  retry_in_ms?: number;
}

interface ClaimRow {
  id: string;
  owner: string;
  profile_id: string;
  profile: Partial<SmtpProfile>;
  message_id: string;
  envelope: { from: string; to: string[] };
  raw: Buffer;
  attachment_bytes: string;
  attempts: number;
  possible_duplicate: boolean;
  recipients: OutboxRecipient[];
  retry_since: Date;
  kind: 'message' | 'alert';
}

/** The database calls of a sender service; each throws the database's error as it came. */
export class SenderQueue {
  constructor(
    private readonly db: pg.Pool,
    /** Who holds the leases: unique per running sender. */
    readonly leaseOwner: string,
  ) {}

  async claim(max: number, leaseSeconds: number, skipProfiles: readonly string[] = []): Promise<ClaimedMessage[]> {
    const result = await this.db.query<ClaimRow>(
      `SELECT id, owner::text AS owner, profile_id, profile, message_id, envelope, raw, attachment_bytes, attempts, possible_duplicate, recipients, retry_since, kind
       FROM mailroom.claim_messages($1, $2, $3, $4::text[])`,
      [this.leaseOwner, max, leaseSeconds, [...skipProfiles]],
    );
    return result.rows.map((r) => ({
      id: r.id,
      owner: r.owner,
      profileId: r.profile_id,
      profile: r.profile,
      messageId: r.message_id,
      envelope: r.envelope,
      raw: r.raw,
      attachmentBytes: Number(r.attachment_bytes),
      attempts: r.attempts,
      possibleDuplicate: r.possible_duplicate,
      recipients: r.recipients,
      retrySince: r.retry_since.getTime(),
      kind: r.kind,
    }));
  }

  /** Extends the leases on these messages; returns the ids still held. */
  async renew(ids: readonly string[], leaseSeconds: number): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const result = await this.db.query<{ id: string }>('SELECT id FROM mailroom.renew_lease($1, $2::uuid[], $3) AS id', [this.leaseOwner, [...ids], leaseSeconds]);
    return new Set(result.rows.map((r) => r.id));
  }

  /** Records an attempt's outcome; false when the lease was lost (another sender took the message over). */
  async finish(id: string, record: AttemptRecord): Promise<boolean> {
    const result = await this.db.query<{ done: boolean }>('SELECT mailroom.finish_message($1, $2, $3::jsonb) AS done', [id, this.leaseOwner, JSON.stringify(record)]);
    return result.rows[0]?.done === true;
  }

  /** Gives a message back untried, due again after delayMs. */
  async release(id: string, delayMs = 0): Promise<boolean> {
    const result = await this.db.query<{ done: boolean }>('SELECT mailroom.release_message($1, $2, $3) AS done', [id, this.leaseOwner, Math.max(0, Math.round(delayMs))]);
    return result.rows[0]?.done === true;
  }

  /** 0 when a slot of the profile's window was taken for this message; else the milliseconds to wait. */
  async takeSlot(profileId: string, perMinute: number, windowMs: number, messageId: string): Promise<number> {
    const result = await this.db.query<{ wait: number }>('SELECT mailroom.take_send_slot($1, $2, $3, $4::uuid, $5) AS wait', [profileId, perMinute, windowMs, messageId, this.leaseOwner]);
    return Number(result.rows[0]?.wait ?? 0);
  }

  /** Milliseconds until the next queued message is due or a lease lapses; null when nothing waits. */
  async nextDueMs(): Promise<number | null> {
    const result = await this.db.query<{ ms: number | null }>(
      `SELECT greatest(0, extract(epoch FROM (least(
          (SELECT min(next_attempt_at) FROM mailroom.outbox WHERE state = 'queued'),
          (SELECT min(lease_until) FROM mailroom.outbox WHERE state = 'sending')) - now())) * 1000)::float8 AS ms`,
    );
    const ms = result.rows[0]?.ms;
    return ms === null || ms === undefined ? null : Number(ms);
  }
}

// ---- what an attempt comes to --------------------------------------------------------------------

export interface RetryRule {
  /** Settings → outbox: how long temporary failures are retried. */
  retryForHours: number;
  now?: () => number;
  random?: () => number;
}

/** Retried after the backoff (or no sooner than the server asked), or failed as expired once the retry period is over. */
export function rescheduled(message: Pick<ClaimedMessage, 'attempts' | 'retrySince'>, base: Omit<AttemptRecord, 'state'>, rule: RetryRule, notBeforeMs = 0): AttemptRecord {
  const now = (rule.now ?? Date.now)();
  const wait = Math.max(backoffMs(message.attempts, rule.random), notBeforeMs);
  if (now + wait - message.retrySince > rule.retryForHours * 3_600_000) return { ...base, state: 'failed', reason: 'expired' };
  return { ...base, state: 'queued', retry_in_ms: wait };
}

/** What one attempt (SMTP, or Microsoft Graph told the same way) came to for the message, recipient by recipient, as file mode records it. */
export function outcomeOfAttempt(message: ClaimedMessage, outcome: DeliveryOutcome, rule: RetryRule): AttemptRecord {
  const at = new Date((rule.now ?? Date.now)()).toISOString();
  const told = new Map(outcome.recipients.map((r) => [r.address.toLowerCase(), r]));
  const recipients = message.recipients.map((r): OutboxRecipient => {
    const o = r.state === 'pending' ? told.get(r.address.toLowerCase()) : undefined;
    if (!o) return r;
    // A recipient refused for now stays pending and alone gets the next attempt.
    return o.state === 'deferred' ? { ...r, reply: o.reply, at } : { ...r, state: o.state, reply: o.reply, at };
  });
  const reply = outcome.reply || (outcome.advice ? outcome.advice.title : '');
  const advice = outcome.advice ?? null;
  switch (outcome.state) {
    case 'delivered':
      return { state: 'sent', recipients, last_reply: outcome.reply, advice: null };
    case 'unknown':
      return { state: 'unknown', recipients, last_reply: reply || 'The server did not answer after the message was sent.', advice };
    case 'retry':
      // No sooner than the service asked (Microsoft Graph's Retry-After).
      return rescheduled(message, { recipients, last_reply: reply, advice }, rule, outcome.retryAfterMs ?? 0);
    case 'failed':
      if (advice?.code === 'message-too-large') return { state: 'failed', reason: 'too-large', recipients, last_reply: reply, advice };
      return { state: 'failed', reason: outcome.failure === 'config' ? 'config' : 'permanent', recipients, last_reply: reply, advice };
  }
}

export function missingProfileAdvice(name: string): Advice {
  return { code: 'config-invalid', title: 'The server profile no longer exists', cause: `This message was queued for the profile "${name}", which has since been removed.`, fix: 'Recreate the profile, then retry the message; or cancel it.' };
}

export function configAdvice(message: string): Advice {
  return { code: 'config-invalid', title: 'The profile cannot send', cause: message, fix: 'Complete the profile in the SMTP tab, then retry the message.' };
}

export function tooLargeAdvice(bytes: number, limitBytes: number): Advice {
  return {
    code: 'message-too-large',
    title: 'The attachments are too large',
    cause: `The attachments total ${(bytes / MB).toFixed(2)} MB; this profile allows ${(limitBytes / MB).toFixed(2)} MB.`,
    fix: "Send the attachments in smaller parts, or raise the profile's maximum if the server accepts more.",
  };
}
