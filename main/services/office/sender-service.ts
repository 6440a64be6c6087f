// The sender service (`mailroom outbox serve`): sends the shared outbox for the whole office. Any
// number may run, on any machines: each claims due messages under a lease (SKIP LOCKED, so two
// never take the same one), takes a slot of the profile's per-minute window before each message
// (the window is in the database, so the limit holds across all senders together), sends through
// a connection pool per profile, and records the outcome while it still holds the lease. A sender
// that dies mid-send leaves leases that lapse: another sender takes those messages over, marked as
// possible duplicates, with their Message-IDs unchanged.
//
// It wakes at once on a new message (LISTEN mailroom_outbox), re-reads the saved profiles when the
// settings change (LISTEN mailroom_settings), and says it is alive in mailroom.senders.
import fs from 'node:fs';
import os from 'node:os';
import { randomBytes, type KeyObject } from 'node:crypto';
import pg from 'pg';
import { SmtpProfile, defaultSettings, fail, ok, type Diagnosis, type Result } from '../../../preload/contract';
import type { MachinePolicy } from '../policy/policy-service';
import { profilePasswordKey, userPasswordKey, MAX_CA_FILE_BYTES } from '../mail/mail-service';
import { SmtpPool, type DeliveryOutcome, type SmtpEndpoint } from '../mail/smtp-delivery';
import { diagnoseConfig, oauthCredentials, sendsByGraph, smtpEndpoint, type Credentials } from '../mail/transport';
import { diagnose } from '../mail/diagnose';
import { diagnoseOAuth } from '../mail/diagnose-oauth';
import { deliverByGraph, graphClient, type GraphPlace } from '../mail/graph';
import { microsoftCloudFromEnv, type MicrosoftCloud } from '../oauth/microsoft-cloud';
import { OAuthService, type AccessToken } from '../oauth/oauth-service';
import { oauthCacheKey } from '../oauth/token-cache';
import { openPool, resolveConnection, type OfficeConnection } from './connection';
import { OfficeStore, officeError, sealLabel, settingsOfDocument } from './office-store';
import { senderTokenCache } from './office-token-cache';
import { OFFICE_ROLES } from './roles';
import { SealError, open as openSealed, readPrivateKeyFile } from './seal';
import {
  OUTBOX_CHANNEL,
  SenderQueue,
  configAdvice,
  missingProfileAdvice,
  outcomeOfAttempt,
  rescheduled,
  tooLargeAdvice,
  type AttemptRecord,
  type ClaimedMessage,
} from './office-outbox';

const MB = 1024 * 1024;

/** What a send signs in with, and the extra certificate authorities it trusts. */
export interface SendCredentials {
  credentials?: Credentials;
  ca?: string;
  /** An OAuth2 profile's access token (for Microsoft Graph, or inside credentials for SMTP). */
  token?: AccessToken;
}

/**
 * Where the sender gets a profile's credentials for one owner's message: the office's sealed
 * secrets in production (OfficeCredentialSource), anything at all in tests. A failure marked
 * temporary is retried later; any other fails the message as a settings problem.
 */
export interface CredentialSource {
  /** forceRefresh: an OAuth2 profile's token is refreshed even when the one held has time left (Test connection). */
  forMessage(profile: SmtpProfile, owner: string, options?: { forceRefresh?: boolean }): Promise<Result<SendCredentials>>;
}

export interface SenderEvent {
  kind: 'error' | 'lease-lost' | 'warning';
  message: string;
}

export interface SenderOptions {
  connection: OfficeConnection;
  credentials: CredentialSource | ((db: pg.Pool, connection: OfficeConnection) => CredentialSource);
  /** Where Microsoft Graph lives, for profiles that send through it; Microsoft's own by default. */
  microsoftCloud?: GraphPlace;
  /** This sender's name among the others (heartbeat and leases); host, process and a random part by default. */
  instance?: string;
  /** Messages held at once (claimed, waiting for a slot, or on the wire). */
  concurrency?: number;
  /** How long a claimed message stays this sender's without a renewal; another sender takes it over after. */
  leaseSeconds?: number;
  /** The length of the per-minute window: 60 s. Tests shorten it to prove the limit quickly. */
  rateWindowMs?: number;
  heartbeatMs?: number;
  /** Looks for due messages at least this often, notifications or not. */
  pollMs?: number;
  /** How long a stop waits for sends on the wire before leaving their leases to lapse. */
  stopTimeoutMs?: number;
  onEvent?: (event: SenderEvent) => void;
  random?: () => number;
  /**
   * The machine policy of the computer this sender runs on, laid over the office settings as every
   * desktop lays its own: a profile field IT sets is sent with as set, whatever was saved.
   */
  policy?: MachinePolicy;
}

export interface SenderStats {
  claimed: number;
  sent: number;
  failed: number;
  unknown: number;
  retried: number;
  released: number;
  leaseLost: number;
}

export interface SenderReady {
  role: string;
  instance: string;
  leaseOwner: string;
  heartbeat: boolean;
}

interface SenderSettings {
  profiles: Map<string, SmtpProfile>;
  retryForHours: number;
}

// Waits for a slot this long at most while holding the message; a longer wait gives it back.
const HOLD_FOR_SLOT_MS = 5_000;

export class SenderService {
  readonly stats: SenderStats = { claimed: 0, sent: 0, failed: 0, unknown: 0, retried: 0, released: 0, leaseLost: 0 };
  private readonly db: pg.Pool;
  private readonly credentials: CredentialSource;
  private readonly cloud: GraphPlace;
  private readonly concurrency: number;
  private readonly leaseSeconds: number;
  private readonly windowMs: number;
  private readonly instance: string;
  private queue: SenderQueue | undefined;
  private role = '';
  private listener: pg.Client | undefined;
  private settings: SenderSettings | undefined;
  private settingsStale = true;
  private readonly held = new Map<string, ClaimedMessage>();
  private readonly lost = new Set<string>();
  /** Held messages whose outcome or release is being recorded: a renewal that misses them is no lost lease. */
  private readonly ending = new Set<string>();
  private readonly running = new Set<Promise<void>>();
  private readonly pools = new Map<string, { key: string; pool: SmtpPool }>();
  private readonly slotTurns = new Map<string, Promise<void>>();
  /** Profiles whose window is full, and until when: not claimed meanwhile. */
  private readonly blocked = new Map<string, number>();
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wakeUp: (() => void) | null = null;
  private readonly stopWaiters = new Set<() => void>();
  private timers: NodeJS.Timeout[] = [];
  private heartbeat = true;

  constructor(private readonly options: SenderOptions) {
    this.db = openPool(options.connection, { max: 4 });
    this.db.on('error', () => undefined);
    this.credentials = typeof options.credentials === 'function' ? options.credentials(this.db, options.connection) : options.credentials;
    this.cloud = options.microsoftCloud ?? microsoftCloudFromEnv({});
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.leaseSeconds = Math.max(1, options.leaseSeconds ?? 60);
    this.windowMs = Math.max(1, options.rateWindowMs ?? 60_000);
    this.instance = options.instance ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  /** Connects, checks this role is a sender, listens, says hello, and starts sending. */
  async start(): Promise<Result<SenderReady>> {
    try {
      const me = await this.db.query<{ role: string; sender: boolean; schema: boolean }>(
        `SELECT session_user::text AS role, pg_has_role(session_user, $1, 'MEMBER') AS sender, to_regprocedure('mailroom.claim_messages(text, integer, integer, text[])') IS NOT NULL AS schema`,
        [OFFICE_ROLES.sender],
      );
      const row = me.rows[0];
      if (!row?.schema) {
        await this.db.end();
        return fail('unavailable', `The office database ${this.describe()} has no shared outbox yet (schema older than this Mailroom); its owner runs mailroom office init.`);
      }
      if (!row.sender) {
        await this.db.end();
        return fail('forbidden', `${row.role} is not a sender: the sender service signs in as a role in ${OFFICE_ROLES.sender} (mailroom office add-user ROLE --kind sender).`, [
          { path: 'MAILROOM_DATABASE_URL', message: `${row.role} is not in ${OFFICE_ROLES.sender}` },
        ]);
      }
      this.role = row.role;
      this.queue = new SenderQueue(this.db, `${row.role}/${this.instance}`);
      await this.listen();
      await this.beat();
    } catch (error) {
      await this.db.end().catch(() => undefined);
      return { ok: false, error: officeError(error, 'Starting the sender service', this.options.connection) };
    }
    const every = (ms: number, work: () => Promise<unknown>) => {
      const timer = setInterval(() => void work().catch((error: unknown) => this.report('error', `${(error as Error).message}`)), ms);
      this.timers.push(timer);
    };
    every(this.options.heartbeatMs ?? 15_000, () => this.beat());
    every(Math.max(250, (this.leaseSeconds * 1000) / 3), () => this.renew());
    this.loopDone = this.loop();
    void this.answerRequests();
    return ok({ role: this.role, instance: this.instance, leaseOwner: this.queue.leaseOwner, heartbeat: this.heartbeat });
  }

  /**
   * Stops claiming; messages waiting for a slot are given back at once, sends on the wire finish
   * and are recorded (bounded by stopTimeoutMs; after that their leases are left to lapse, so a
   * message that may have gone is never given back as untried). Then says goodbye.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake();
    for (const w of this.stopWaiters) w();
    await this.loopDone;
    const until = Date.now() + (this.options.stopTimeoutMs ?? 20_000);
    while (this.running.size > 0 && Date.now() < until) await Promise.race([Promise.allSettled([...this.running]), delay(100)]);
    for (const t of this.timers) clearInterval(t);
    for (const { pool } of this.pools.values()) pool.close();
    this.pools.clear();
    if (this.heartbeat && this.queue) {
      await this.db.query('DELETE FROM mailroom.senders WHERE role = session_user AND instance = $1', [this.instance]).catch(() => undefined);
    }
    await this.listener?.end().catch(() => undefined);
    await this.db.end().catch(() => undefined);
  }

  /** Where this sender is connected (never the password: print only host, port, database and role). */
  get connection(): OfficeConnection {
    return this.options.connection;
  }

  /** Messages this sender holds now. */
  holding(): number {
    return this.held.size;
  }

  private describe(): string {
    const c = this.options.connection;
    return `${c.user}@${c.host}:${c.port}/${c.database}`;
  }

  private report(kind: SenderEvent['kind'], message: string): void {
    try {
      this.options.onEvent?.({ kind, message });
    } catch {
      // A listener's trouble is not the sender's.
    }
  }

  // ---- liveness -----------------------------------------------------------------------------

  private async listen(): Promise<void> {
    const client = new pg.Client(this.options.connection.config);
    await client.connect();
    client.on('notification', (n) => {
      if (n.channel === 'mailroom_settings') this.settingsStale = true;
      if (n.channel === OUTBOX_CHANNEL && n.payload === 'queued') this.wake();
      if (n.channel === 'mailroom_requests') void this.answerRequests();
    });
    client.on('error', (error) => {
      if (this.stopping) return;
      this.report('warning', `Lost the notification connection (${error.message}); looking for messages every few seconds until it is back.`);
      this.listener = undefined;
    });
    await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    await client.query('LISTEN mailroom_settings');
    await client.query('LISTEN mailroom_requests');
    this.listener = client;
  }

  /** Says this sender is alive (mailroom.senders, when the schema has it); reconnects notifications when lost. */
  private async beat(): Promise<void> {
    if (!this.listener && !this.stopping) await this.listen().catch(() => undefined);
    if (!this.heartbeat) return;
    try {
      await this.db.query(
        `INSERT INTO mailroom.senders (instance, host) VALUES ($1, $2)
         ON CONFLICT (role, instance) DO UPDATE SET seen_at = now(), host = EXCLUDED.host`,
        [this.instance, os.hostname()],
      );
    } catch (error) {
      // An office without the senders table yet: send all the same, without a heartbeat.
      if ((error as { code?: string }).code === '42P01') this.heartbeat = false;
      else throw error;
    }
  }

  private async renew(): Promise<void> {
    const queue = this.queue;
    if (!queue || this.held.size === 0) return;
    const ids = [...this.held.keys()].filter((id) => !this.lost.has(id));
    const still = await queue.renew(ids, this.leaseSeconds);
    for (const id of ids) {
      // One being finished meanwhile is no longer leased by anyone; if it really was lost, the
      // finish says so and counts it.
      if (!still.has(id) && this.held.has(id) && !this.lost.has(id) && !this.ending.has(id)) {
        this.lost.add(id);
        this.stats.leaseLost++;
        this.report('lease-lost', `Message ${id}: another sender took it over (this sender's lease lapsed)`);
      }
    }
  }

  // ---- the loop -----------------------------------------------------------------------------

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake(), Math.max(1, ms));
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Waits ms, or less when the sender is stopping. */
  private pause(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.stopWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, ms));
      this.stopWaiters.add(done);
    });
  }

  private async loop(): Promise<void> {
    const queue = this.queue as SenderQueue;
    const pollMs = this.options.pollMs ?? 5_000;
    while (!this.stopping) {
      try {
        if (this.settingsStale || !this.settings) await this.loadSettings();
        const now = Date.now();
        for (const [id, until] of this.blocked) if (until <= now) this.blocked.delete(id);
        const room = this.concurrency - this.held.size;
        let claimed = 0;
        // Claim in batches: when half the room is free, or when nothing is held at all.
        if (room > 0 && (room >= this.concurrency / 2 || this.held.size === 0)) {
          const messages = await queue.claim(room, this.leaseSeconds, [...this.blocked.keys()]);
          claimed = messages.length;
          this.stats.claimed += claimed;
          for (const m of messages) this.launch(m);
        }
        if (this.stopping) break;
        if (claimed > 0 && claimed === room) {
          // Full: wait for a send to finish (it wakes us).
          await this.sleep(pollMs);
          continue;
        }
        if (claimed > 0) continue;
        // Nothing more due now: sleep until something is queued, the next retry or lapsed lease, or a blocked profile frees up.
        const waits = [pollMs];
        if (this.held.size < this.concurrency) {
          const due = await queue.nextDueMs();
          if (due !== null) waits.push(Math.max(20, due));
        }
        for (const until of this.blocked.values()) waits.push(Math.max(20, until - now));
        await this.sleep(Math.min(...waits));
      } catch (error) {
        if (this.stopping) break;
        this.report('error', officeError(error, 'Sending the outbox', this.options.connection).message);
        await this.sleep(1_000);
      }
    }
  }

  private answering: Promise<void> | null = null;
  private answerAgain = false;

  /**
   * Answers the Test connection requests of the office's dialogs, one at a time: with the saved
   * profile and the saved password, which only a sender can open, never returned to the asker.
   * Requests older than two minutes are left: nobody waits for them any more.
   */
  private answerRequests(): Promise<void> {
    if (this.answering) {
      this.answerAgain = true;
      return this.answering;
    }
    this.answering = (async () => {
      do {
        this.answerAgain = false;
        for (;;) {
          if (this.stopping) return;
          const claimed = await this.db.query<{ id: string; kind: string; profile_id: string; payload: { ping?: boolean }; requested_by: string }>(
            `UPDATE mailroom.requests SET state = 'running'
              WHERE id = (SELECT id FROM mailroom.requests WHERE state = 'queued' AND created_at > now() - interval '2 minutes'
                          ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
              RETURNING id, kind, profile_id, payload, requested_by::text`,
          );
          const request = claimed.rows[0];
          if (!request) break;
          const result = await this.testRequest(request.profile_id, request.requested_by, request.payload?.ping === true).catch(
            (error: unknown): Result<Diagnosis> => fail('internal', `The sender service could not run the test: ${(error as Error).message}`),
          );
          await this.db.query(`UPDATE mailroom.requests SET state = 'done', result = $2::jsonb, finished_at = now() WHERE id = $1`, [request.id, JSON.stringify(result)]);
        }
      } while (this.answerAgain);
    })()
      .catch((error: unknown) => this.report('error', officeError(error, 'Answering a test request', this.options.connection).message))
      .finally(() => {
        this.answering = null;
      });
    return this.answering;
  }

  private async testRequest(profileId: string, owner: string, ping: boolean): Promise<Result<Diagnosis>> {
    if (this.settingsStale || !this.settings) await this.loadSettings();
    const profile = this.settings?.profiles.get(profileId);
    if (!profile) return fail('not-found', 'That profile is not saved in the office settings', [{ path: 'profileId', message: 'Not saved' }]);
    if (profile.authModel === 'oauth2') {
      return diagnoseOAuth(profile, {
        connect: () => this.credentials.forMessage(profile, owner, { forceRefresh: true }),
        graphUrl: this.cloud.graphUrl,
        graph: (token) => graphClient(this.cloud, token),
        smtp: (connection) => diagnose(diagnoseConfig(profile, connection), { ping }),
      });
    }
    const prepared = await this.credentials.forMessage(profile, owner);
    if (!prepared.ok) return prepared;
    return ok(await diagnose(diagnoseConfig(profile, prepared.value), { ping }));
  }

  private async loadSettings(): Promise<void> {
    this.settingsStale = false;
    const result = await this.db.query<{ document: { smtp?: { profiles?: unknown[] }; outbox?: { retryForHours?: number } } | null }>('SELECT document FROM mailroom.settings');
    const saved = result.rows[0]?.document ?? null;
    // The policy is laid over the settings as the desktops read them (the users do not matter here).
    const whole = saved && this.options.policy ? settingsOfDocument(saved, []) : undefined;
    const doc: typeof saved = whole?.ok ? this.options.policy!.inForce(whole.value) : saved;
    const profiles = new Map<string, SmtpProfile>();
    for (const p of doc?.smtp?.profiles ?? []) {
      const parsed = SmtpProfile.safeParse(p);
      if (parsed.success) profiles.set(parsed.data.id, parsed.data);
    }
    const hours = doc?.outbox?.retryForHours;
    this.settings = { profiles, retryForHours: typeof hours === 'number' && hours > 0 ? hours : defaultSettings().outbox.retryForHours };
    this.credentialCache.clear();
  }

  private launch(message: ClaimedMessage): void {
    this.held.set(message.id, message);
    const work = this.attempt(message)
      .catch((error: unknown) => {
        // The outcome could not be recorded (the database went away): the lease lapses and another
        // attempt follows, marked as a possible duplicate.
        this.report('error', `Message ${message.messageId}: ${officeError(error, 'Recording an outcome', this.options.connection).message}`);
      })
      .finally(() => {
        this.held.delete(message.id);
        this.lost.delete(message.id);
        this.ending.delete(message.id);
        this.running.delete(work);
        if (this.held.size <= this.concurrency / 2) this.wake();
      });
    this.running.add(work);
  }

  private async attempt(message: ClaimedMessage): Promise<void> {
    const settings = this.settings as SenderSettings;
    const rule = { retryForHours: settings.retryForHours, ...(this.options.random ? { random: this.options.random } : {}) };
    // The profile as saved now (an administrator may have changed it since): a saved secret goes
    // only with the saved connection, never with a copy taken earlier.
    const profile = settings.profiles.get(message.profileId);
    if (!profile) {
      await this.record(message, { state: 'failed', reason: 'config', last_reply: '', advice: missingProfileAdvice(String(message.profile.name ?? message.profileId)) });
      return;
    }
    const limit = profile.maxAttachmentsMb * MB;
    if (limit > 0 && message.attachmentBytes > limit) {
      await this.record(message, { state: 'failed', reason: 'too-large', last_reply: '', advice: tooLargeAdvice(message.attachmentBytes, limit) });
      return;
    }
    const prepared = await this.credentialsFor(profile, message.owner);
    if (!prepared.ok) {
      const advice = prepared.error.advice ?? configAdvice(prepared.error.message);
      if (prepared.error.temporary) await this.record(message, rescheduled(message, { last_reply: advice.title, advice }, rule));
      else await this.record(message, { state: 'failed', reason: 'config', last_reply: '', advice });
      return;
    }
    // A slot is taken only once a connection is free for the message: the window counts messages
    // as they go on the wire, not while they would wait for a connection.
    const release = await this.connectionTurn(profile);
    let outcome: DeliveryOutcome;
    try {
      if (!(await this.waitForSlot(message, profile))) return;
      if (this.lost.has(message.id)) return;
      const pending = message.recipients.filter((r) => r.state === 'pending').map((r) => r.address);
      const envelope = { from: message.envelope.from, to: pending };
      const token = prepared.value.token;
      if (sendsByGraph(profile) && token) outcome = await deliverByGraph(graphClient(this.cloud, token), { envelope, raw: message.raw, messageId: message.messageId });
      else outcome = await this.pool(profile, smtpEndpoint(profile, prepared.value)).deliver({ envelope, raw: message.raw });
    } finally {
      release();
    }
    await this.record(message, outcomeOfAttempt(message, outcome, rule));
  }

  private readonly sending = new Map<string, { active: number; waiting: (() => void)[] }>();

  /** Waits until fewer than the profile's maxConnections messages of it are on their way; returns the way to give the turn back. */
  private async connectionTurn(profile: SmtpProfile): Promise<() => void> {
    let state = this.sending.get(profile.id);
    if (!state) {
      state = { active: 0, waiting: [] };
      this.sending.set(profile.id, state);
    }
    const s = state;
    while (s.active >= Math.max(1, profile.maxConnections)) await new Promise<void>((resolve) => s.waiting.push(resolve));
    s.active++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      s.active--;
      s.waiting.shift()?.();
    };
  }

  /**
   * Takes a slot of the profile's window before the message starts. One message per profile at a
   * time asks (the others wait their turn here), so the senders' calls never pile up on the lock.
   * A wait longer than a few seconds gives the message back and leaves the profile alone until then.
   */
  private async waitForSlot(message: ClaimedMessage, profile: SmtpProfile): Promise<boolean> {
    if (profile.perMinute <= 0) return this.stopping ? this.giveBack(message, 0) : true;
    const queue = this.queue as SenderQueue;
    const before = this.slotTurns.get(profile.id) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const turn = before.then(() => mine);
    this.slotTurns.set(profile.id, turn);
    try {
      await before;
      for (;;) {
        if (this.stopping) return this.giveBack(message, 0);
        const blockedUntil = this.blocked.get(profile.id);
        if (blockedUntil !== undefined && blockedUntil > Date.now()) return this.giveBack(message, blockedUntil - Date.now());
        const wait = await queue.takeSlot(profile.id, profile.perMinute, this.windowMs, message.id);
        if (wait === 0) return true;
        if (wait > HOLD_FOR_SLOT_MS) {
          this.blocked.set(profile.id, Date.now() + wait);
          return this.giveBack(message, wait);
        }
        await this.pause(wait);
      }
    } finally {
      done();
      if (this.slotTurns.get(profile.id) === turn) this.slotTurns.delete(profile.id);
    }
  }

  /** Gives the message back untried; always false (the attempt does not go ahead). */
  private async giveBack(message: ClaimedMessage, delayMs: number): Promise<false> {
    this.ending.add(message.id);
    if (await (this.queue as SenderQueue).release(message.id, delayMs)) this.stats.released++;
    return false;
  }

  private async record(message: ClaimedMessage, record: AttemptRecord): Promise<void> {
    this.ending.add(message.id);
    const recorded = await (this.queue as SenderQueue).finish(message.id, record);
    if (!recorded) {
      if (!this.lost.has(message.id)) {
        this.stats.leaseLost++;
        this.report('lease-lost', `Message ${message.id}: another sender took it over before this outcome (${record.state}) was recorded`);
      }
      return;
    }
    if (record.state === 'sent') this.stats.sent++;
    else if (record.state === 'failed') this.stats.failed++;
    else if (record.state === 'unknown') this.stats.unknown++;
    else this.stats.retried++;
  }

  private readonly credentialCache = new Map<string, { at: number; value: Promise<Result<SendCredentials>> }>();

  /**
   * The credentials for a profile and owner, kept for half a minute (and until the settings change).
   * An OAuth2 profile's are asked for every time: its sign-in keeps its token while it lasts, and
   * must hear of a sign-out or a new sign-in at once.
   */
  private credentialsFor(profile: SmtpProfile, owner: string): Promise<Result<SendCredentials>> {
    if (profile.authModel === 'oauth2') return this.credentials.forMessage(profile, owner);
    const key = `${JSON.stringify(profile)}\u0000${profile.credentials === 'per-user' ? owner : ''}`;
    const cached = this.credentialCache.get(key);
    if (cached && Date.now() - cached.at < 30_000) return cached.value;
    const value = this.credentials.forMessage(profile, owner).then((r) => {
      if (!r.ok) this.credentialCache.delete(key);
      return r;
    });
    this.credentialCache.set(key, { at: Date.now(), value });
    return value;
  }

  private pool(profile: SmtpProfile, endpoint: SmtpEndpoint): SmtpPool {
    // A pool serves one set of settings and credentials: any change gets a new pool.
    const creds = endpoint.credentials;
    const key = [JSON.stringify(profile), creds?.username ?? '', creds?.password ?? '', creds?.accessToken ?? '', endpoint.ca ?? ''].join('\u0000');
    const poolKey = `${profile.id}\u0000${creds?.username ?? ''}`;
    const existing = this.pools.get(poolKey);
    if (existing && existing.key === key) return existing.pool;
    existing?.pool.close();
    const pool = new SmtpPool(endpoint, { maxConnections: profile.maxConnections, maxMessages: 500 });
    this.pools.set(poolKey, { key, pool });
    return pool;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- credentials from the office's sealed secrets ------------------------------------------------

/**
 * The office's own credential source: a shared profile's password, the message owner's own
 * username and password for a per-user profile, or a Microsoft 365 profile's access token from its
 * sign-in, each opened with the sender key (MAILROOM_SENDER_KEY_FILE). Only sender roles can read
 * the sealed rows, and only this key opens them.
 */
export class OfficeCredentialSource implements CredentialSource {
  /** Microsoft 365 sign-ins, opened with the sender key (absent without one). */
  private readonly oauth: OAuthService | undefined;
  /** For each profile, the saved sign-in the tokens held in memory came from. */
  private readonly signInsSeen = new Map<string, string>();

  constructor(
    private readonly db: pg.Pool,
    private readonly privateKey: KeyObject | string | undefined,
    options: { connection?: OfficeConnection; cloud?: MicrosoftCloud } = {},
  ) {
    if (privateKey && options.connection) {
      this.oauth = new OAuthService({
        caches: senderTokenCache(new OfficeStore(options.connection, { pool: db }), privateKey),
        cloud: options.cloud ?? microsoftCloudFromEnv({}),
        openUrl: async () => fail('unavailable', 'A sender service opens no browser: an administrator signs in from the dialog or with mailroom sign-in.'),
      });
    }
  }

  async forMessage(profile: SmtpProfile, owner: string, options: { forceRefresh?: boolean } = {}): Promise<Result<SendCredentials>> {
    let ca: string | undefined;
    if (profile.caFile) {
      const read = readCa(profile.caFile);
      if (!read.ok) return read;
      ca = read.value;
    }
    const withCa = ca ? { ca } : {};
    if (profile.authModel === 'oauth2') return this.signedIn(profile, withCa, options.forceRefresh ?? false);
    if (profile.auth === 'none') return ok(withCa);
    let username: string;
    let secret: { name: string; owner: string | null };
    if (profile.credentials === 'per-user') {
      const user = await this.db.query<{ id: string; username: string | null }>(`SELECT id, choices ->> 'smtpUsername' AS username FROM mailroom.users WHERE role = $1`, [owner]);
      const row = user.rows[0];
      if (!row) return fail('invalid-input', `This profile signs in with each user's own credentials, and ${owner} is not a Mailroom user.`, [{ path: 'credentials', message: `${owner} is not a Mailroom user` }]);
      if (!row.username) {
        return fail('invalid-input', `This profile signs in with each user's own credentials, and ${owner} has saved none. They enter them on their Email tab.`, [
          { path: 'credentials', message: `No SMTP username saved for ${owner}` },
        ]);
      }
      username = row.username;
      secret = { name: userPasswordKey(row.id), owner };
    } else {
      if (profile.username === '') return fail('invalid-input', 'Enter the username this profile signs in with.', [{ path: 'username', message: 'Required' }]);
      username = profile.username;
      secret = { name: profilePasswordKey(profile.id), owner: null };
    }
    const found = await this.db.query<{ sealed: string }>('SELECT sealed FROM mailroom.secrets WHERE name = $1 AND owner IS NOT DISTINCT FROM $2', [secret.name, secret.owner]);
    const sealed = found.rows[0]?.sealed;
    let password: string | undefined;
    if (sealed !== undefined) {
      if (!this.privateKey) {
        return fail('unavailable', 'This sender service has no sender key, so it cannot open the saved passwords: point MAILROOM_SENDER_KEY_FILE at the key made by mailroom office init.', [
          { path: 'MAILROOM_SENDER_KEY_FILE', message: 'Not set' },
        ]);
      }
      try {
        password = openSealed(this.privateKey, sealLabel(secret.name, secret.owner), sealed);
      } catch (error) {
        return fail('unavailable', `A saved password could not be opened with this sender key: ${(error as Error).message}`, [{ path: 'MAILROOM_SENDER_KEY_FILE', message: 'Not the office\'s sender key' }]);
      }
    }
    if (profile.auth === 'required' && !password) {
      return fail('invalid-input', secret.owner === null ? 'No password is saved for this profile. An administrator enters it on the SMTP tab.' : `No SMTP password is saved for ${owner}. They enter it on their Email tab.`, [
        { path: 'password', message: 'Required when Authorisation is Required' },
      ]);
    }
    return ok({ credentials: { username, ...(password ? { password } : {}) }, ...withCa });
  }

  /**
   * An OAuth2 profile's access token, from its sign-in sealed in the office database: held while
   * it lasts, refreshed (and written back) when under five minutes are left, and only for the
   * connection it was signed in for. A sign-in changed since the token was taken (signed out, or
   * in again) is read afresh first.
   */
  private async signedIn(profile: SmtpProfile, withCa: { ca?: string }, forceRefresh: boolean): Promise<Result<SendCredentials>> {
    if (!this.oauth) {
      return fail('unavailable', 'This sender service has no sender key, so it cannot open the Microsoft 365 sign-ins: point MAILROOM_SENDER_KEY_FILE at the key made by mailroom office init.', [
        { path: 'MAILROOM_SENDER_KEY_FILE', message: 'Not set' },
      ]);
    }
    const saved = await this.db.query<{ version: string }>(
      `SELECT updated_at::text || ' ' || updated_by::text AS version FROM mailroom.secrets WHERE name = $1 AND owner IS NULL`,
      [oauthCacheKey(profile.id)],
    );
    const version = saved.rows[0]?.version ?? '';
    if (this.signInsSeen.get(profile.id) !== version) {
      this.oauth.forget(profile.id);
      this.signInsSeen.set(profile.id, version);
    }
    // The profile is the saved one: a sign-in kept before caches recorded their connection is bound to it.
    const token = await this.oauth.accessToken(profile, { forceRefresh, savedProfile: profile });
    if (!token.ok) return token;
    return ok({ credentials: oauthCredentials(profile, token.value), token: token.value, ...withCa });
  }
}

function readCa(file: string): Result<string> {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > MAX_CA_FILE_BYTES) return fail('invalid-input', `caFile: ${file} is not a certificate file of at most 1 MB`, [{ path: 'caFile', message: 'Not a certificate file' }]);
    const text = fs.readFileSync(file, 'utf8');
    if (!text.includes('-----BEGIN CERTIFICATE-----')) return fail('invalid-input', `caFile: ${file} holds no PEM certificate`, [{ path: 'caFile', message: 'No certificate in the file' }]);
    return ok(text);
  } catch (error) {
    return fail('invalid-input', `caFile: cannot read ${file} on this sender's machine (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, [{ path: 'caFile', message: 'Cannot be read' }]);
  }
}

// ---- set up from the environment (the CLI's `outbox serve`) ---------------------------------------

export interface SenderSetup {
  /** A postgres:// URL given on the command line; else MAILROOM_DATABASE_URL, PG* and ~/.pgpass. */
  url?: string;
  /** The sender's private key file; else MAILROOM_SENDER_KEY_FILE. */
  keyFile?: string;
  env: NodeJS.ProcessEnv;
  homedir?: string;
  /** Where Microsoft's sign-in and Graph live; from the environment (MAILROOM_MS_LOGIN_URL, MAILROOM_MS_GRAPH_URL) when absent. */
  microsoftCloud?: MicrosoftCloud;
  options?: Omit<SenderOptions, 'connection' | 'credentials' | 'microsoftCloud'>;
}

/**
 * A sender service for the office database the environment names, opening saved passwords with
 * the sender key; or an invalid-input error naming the setting at fault. Without a key file it
 * still sends for profiles that need no password, and says so in `warnings`.
 */
export function senderFromEnvironment(setup: SenderSetup): Result<{ service: SenderService; warnings: string[] }> {
  const env = setup.env;
  if (setup.url === undefined && !env.MAILROOM_DATABASE_URL && !env.PGHOST && !env.PGDATABASE) {
    return fail('invalid-input', 'Say which office database: set MAILROOM_DATABASE_URL (postgres://SENDER_ROLE@HOST:PORT/DATABASE), PGHOST and PGDATABASE, or give --database URL', [
      { path: 'MAILROOM_DATABASE_URL', message: 'Not set' },
    ]);
  }
  const connection = resolveConnection({ ...(setup.url !== undefined ? { url: setup.url, field: '--database' } : {}), env, ...(setup.homedir ? { homedir: setup.homedir } : {}), applicationName: 'mailroom sender' });
  if (!connection.ok) return connection;
  const warnings: string[] = [];
  const keyFile = setup.keyFile ?? env.MAILROOM_SENDER_KEY_FILE;
  const keyField = setup.keyFile !== undefined ? '--sender-key' : 'MAILROOM_SENDER_KEY_FILE';
  let key: KeyObject | undefined;
  if (keyFile) {
    try {
      key = readPrivateKeyFile(keyFile);
    } catch (error) {
      const reason = error instanceof SealError ? error.message : `Cannot read ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
      return fail('invalid-input', `${keyField}: ${reason}`, [{ path: keyField, message: reason }]);
    }
  } else {
    warnings.push('No sender key (MAILROOM_SENDER_KEY_FILE): messages of profiles that need a saved password or a Microsoft 365 sign-in fail until it is set.');
  }
  let cloud: MicrosoftCloud;
  try {
    cloud = setup.microsoftCloud ?? microsoftCloudFromEnv(env);
  } catch (error) {
    return fail('invalid-input', (error as Error).message, [{ path: (error as Error).message.split(' ')[0] ?? 'MAILROOM_MS_LOGIN_URL', message: 'Not an https:// address' }]);
  }
  const service = new SenderService({
    ...setup.options,
    connection: connection.value,
    microsoftCloud: cloud,
    credentials: (db, conn) => new OfficeCredentialSource(db, key, { connection: conn, cloud }),
  });
  return ok({ service, warnings });
}
