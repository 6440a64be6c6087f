// The durable outbox: queue messages (on disk first), send them at each profile's rate with its
// connection cap, retry temporary failures with backoff, fail permanent ones at once, and raise
// alerts from the Alert From mailbox. Used by the dialog, the CLI and the batch sender alike.
import {
  type Advice,
  type BatchProgress,
  type OutboxEntry,
  type OutboxState,
  type OutboxView,
  type OutgoingMessage,
  type SendOutcome,
  type SmtpProfile,
} from '../../../preload/contract';
import type { SettingsStore } from '../settings/settings-store';
import type { MailService } from '../mail/mail-service';
import { composeMessage } from '../mail/compose';
import { deliverByGraph } from '../mail/graph';
import type { AccessToken } from '../oauth/oauth-service';
import { deliverOnce, SmtpPool, type DeliveryOutcome, type SmtpEndpoint } from '../mail/smtp-delivery';
import { sendsByGraph, smtpEndpoint } from '../mail/transport';
import { OutboxStore, type NewMessage } from './outbox-store';
import { backoffMs } from './retry-policy';

export interface OutboxDeps {
  dataDir: string;
  settings: SettingsStore;
  mail: MailService;
  now?: () => number;
  random?: () => number;
  /** Told whenever entries change, for live views. */
  onChange?: () => void;
  /** Waits while nothing is in flight (rate limit, retries); tests pass one that moves a fake clock. */
  idleWait?: (ms: number) => Promise<void>;
}

const TERMINAL: ReadonlySet<OutboxState> = new Set(['sent', 'failed', 'unknown', 'cancelled']);
const MB = 1024 * 1024;

interface Pool {
  key: string;
  pool: SmtpPool;
}

export class Outbox {
  readonly store: OutboxStore;
  private readonly now: () => number;
  private readonly random: () => number;
  private opened = false;
  private readonly active = new Map<string, number>();
  private readonly inFlight = new Set<string>();
  private readonly pools = new Map<string, Pool>();
  private wakeUp: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private continuous = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly waiters = new Map<string, ((e: OutboxEntry) => void)[]>();
  /** A profile as it stands in the dialog (maybe unsaved) and a typed password, for one test email. */
  private readonly overrides = new Map<string, { profile: SmtpProfile; password?: string | null }>();
  private readonly pendingWrites = new Set<Promise<void>>();
  private readonly poolKeys = new WeakMap<SmtpProfile, string>();

  constructor(private readonly deps: OutboxDeps) {
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.store = new OutboxStore(deps.dataDir, this.now);
  }

  /** Opens the outbox on disk; messages found in flight from a crash are queued again, marked. */
  async open(): Promise<void> {
    if (this.opened) return;
    this.store.open();
    this.opened = true;
    const recovered = this.store.recoveredInFlight.map((id) => this.store.get(id)).filter((e): e is OutboxEntry => e !== undefined);
    if (recovered.length > 0) {
      await this.store.update(
        recovered.map((e) => ({
          ...e,
          state: 'queued' as const,
          possibleDuplicate: true,
          nextAttemptAt: new Date(this.now()).toISOString(),
          lastReply: e.lastReply || 'Mailroom stopped while this message was being sent; it is sent again and may arrive twice.',
        })),
      );
    }
  }

  // ---- queueing ---------------------------------------------------------------------------

  profile(id: string): SmtpProfile | undefined {
    return this.deps.settings.readShared().smtp.profiles.find((p) => p.id === id);
  }

  /** Composes and writes the messages to disk (all or none), queued for this profile. */
  async queue(profile: SmtpProfile, messages: OutgoingMessage[], kind: OutboxEntry['kind'] = 'message'): Promise<OutboxEntry[]> {
    await this.open();
    const general = this.deps.settings.read().general;
    const options = general.bouncedAlerts ? { bounceAddress: general.bouncedAlerts } : {};
    // MIME building is stream-based: build a few dozen at a time rather than one after another.
    const built: Awaited<ReturnType<typeof composeMessage>>[] = [];
    for (let i = 0; i < messages.length; i += 64) {
      built.push(...(await Promise.all(messages.slice(i, i + 64).map((m) => composeMessage(profile, m, options)))));
    }
    const composed: NewMessage[] = [];
    for (const [i, message] of messages.entries()) {
      const c = built[i] as (typeof built)[number];
      composed.push({
        messageId: c.messageId,
        profileId: profile.id,
        profileName: profile.name,
        subject: message.subject,
        to: [...message.to, ...message.cc],
        envelope: c.envelope,
        raw: c.raw,
        attachmentBytes: c.attachmentBytes,
        kind,
      });
    }
    const entries = this.store.enqueue(composed);
    const held = await this.holdTooLarge(profile, entries);
    this.changed();
    this.wake();
    return held;
  }

  /**
   * Messages whose attachments exceed the profile's limit are held at once, not queued: the Notify
   * user hears of it, and nobody is told "queued" about a message that can never go as it is.
   */
  private async holdTooLarge(profile: SmtpProfile, entries: OutboxEntry[]): Promise<OutboxEntry[]> {
    const limit = profile.maxAttachmentsMb * MB;
    if (limit <= 0) return entries;
    const over = entries.filter((e) => e.attachmentBytes > limit);
    if (over.length === 0) return entries;
    const held = over.map((e): OutboxEntry => ({ ...e, state: 'failed', reason: 'too-large', nextAttemptAt: null, lastReply: '', advice: tooLargeAdvice(e.attachmentBytes, limit) }));
    await this.store.update(held);
    for (const e of held) await this.alertTooLarge(e, profile, limit);
    const byId = new Map(held.map((e) => [e.id, e]));
    return entries.map((e) => byId.get(e.id) ?? e);
  }

  /** Queues one message and waits for its first outcome: sent, failed, or scheduled for a retry. */
  async sendNow(
    profile: SmtpProfile,
    message: OutgoingMessage,
    kind: OutboxEntry['kind'] = 'message',
    options: { password?: string | null } = {},
  ): Promise<{ entry: OutboxEntry; outcome: SendOutcome }> {
    const [entry] = (await this.queue(profile, [message], kind)) as [OutboxEntry];
    if (TERMINAL.has(entry.state)) return { entry, outcome: this.outcome(entry) };
    if (kind === 'test') this.overrides.set(entry.id, { profile, password: options.password ?? null });
    const other = this.continuous ? null : this.otherSender();
    if (other !== null) {
      const advice: Advice = {
        code: 'queued-elsewhere',
        title: 'Queued: the running Mailroom sends it',
        cause: `Mailroom (process ${other}) is sending from this outbox, so this message waits in the queue for it.`,
        fix: 'See its progress in the Activity view of the running app, or with: mailroom outbox list',
      };
      return { entry, outcome: { ok: false, advice } };
    }
    const settled = this.waitFor(entry.id, true);
    if (!this.continuous) void this.runUntilIdle();
    const done = await settled;
    return { entry: done, outcome: this.outcome(done) };
  }

  // ---- the send loop -----------------------------------------------------------------------

  /** Sends everything due now and returns when nothing is left to try now (retries later stay queued). */
  runUntilIdle(): Promise<void> {
    this.running ??= this.loop(false).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Runs in the background for the app's lifetime, waking on new messages and due retries. */
  start(): void {
    this.continuous = true;
    this.stopped = false;
    this.running ??= this.loop(true).finally(() => {
      this.running = null;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.running;
    // Let sends in flight finish and be recorded (bounded: a send has its own deadline too).
    const until = Date.now() + 15_000;
    while (this.inFlight.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    await Promise.allSettled([...this.pendingWrites]);
    for (const { pool } of this.pools.values()) pool.close();
    this.pools.clear();
    if (this.opened) await this.store.close();
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = null;
    w?.();
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wakeUp = () => resolve();
      if (ms !== null) this.timer = setTimeout(() => this.wake(), Math.max(1, ms));
    }).finally(() => clearTimeout(this.timer));
  }

  /** The process that sends from this outbox now, when it is another one. */
  otherSender(): number | null {
    const lock = this.store.tryLock();
    return lock.ok ? null : lock.pid;
  }

  private async loop(continuous: boolean): Promise<void> {
    await this.open();
    while (!this.stopped && this.otherSender() !== null) {
      // Another process sends; queueing still works. The app waits to take over when it stops.
      if (!continuous) return;
      await this.sleep(2000);
    }
    let lastRescan = 0;
    while (!this.stopped) {
      // Other processes may queue: look for new batch files now and then, not on every pass.
      if (Date.now() - lastRescan > 500) {
        lastRescan = Date.now();
        if (this.store.rescan() > 0) this.changed();
      }
      const now = this.now();
      const waits: number[] = [];
      let started = 0;
      // Settings are read once a pass, not once a message: a pass may look at thousands.
      const profiles = this.profilesNow();
      const full = new Set<string>();
      const due: OutboxEntry[] = [];
      // Entries keep the order they were queued in, so the oldest go first.
      for (const entry of this.store.queued()) {
        if (this.inFlight.has(entry.id)) continue;
        due.push(entry);
        const at = Date.parse(entry.nextAttemptAt ?? entry.createdAt);
        if (at > now) {
          waits.push(at - now);
          continue;
        }
        const override = this.overrides.get(entry.id)?.profile;
        const profile = override ?? profiles.get(entry.profileId);
        if (!profile) {
          await this.finish(entry, { state: 'failed', reason: 'config', lastReply: '', advice: missingProfileAdvice(entry.profileName) });
          continue;
        }
        if (full.has(profile.id)) continue;
        // Twice the connection cap is handed to the pool: while one message per connection is on
        // the wire, the next is being recorded as sending, so the flush overlaps the network.
        // The pool itself never opens more than maxConnections; what is only queued there was not
        // sent, so a crash can duplicate at most one message per connection.
        if ((this.active.get(profile.id) ?? 0) >= profile.maxConnections * 2) {
          full.add(profile.id);
          if (!override && full.size >= profiles.size) break;
          continue;
        }
        const wait = this.rateWait(profile, now);
        if (wait > 0) {
          waits.push(wait);
          full.add(profile.id);
          continue;
        }
        started++;
        this.launch(entry, profile, now);
      }
      this.store.maybeCompact();
      if (started > 0) continue;
      const busy = this.inFlight.size > 0;
      const nextDue = waits.length > 0 ? Math.min(...waits) : null;
      if (!busy && !continuous) {
        // Nothing in flight: finish now unless all that waits is a rate-limit slot a moment away.
        const rateOnly = due.some((e) => Date.parse(e.nextAttemptAt ?? e.createdAt) <= now);
        if (!rateOnly || nextDue === null) return;
      }
      if (!busy && nextDue !== null && this.deps.idleWait) await this.deps.idleWait(nextDue);
      // Look for messages other processes queued at least every 2 s.
      else await this.sleep(continuous ? Math.min(nextDue ?? 2000, 2000) : nextDue);
    }
  }

  private profileCache: { at: number; map: Map<string, SmtpProfile> } | null = null;

  /** The saved profiles, re-read at most every 250 ms (a pass runs after every completed send). */
  private profilesNow(): Map<string, SmtpProfile> {
    const at = Date.now();
    if (!this.profileCache || at - this.profileCache.at > 250) {
      this.profileCache = { at, map: new Map(this.deps.settings.readShared().smtp.profiles.map((p) => [p.id, p])) };
    }
    return this.profileCache.map;
  }

  /** Milliseconds until the profile may start another message without exceeding its rate in any 60 s window. */
  private rateWait(profile: SmtpProfile, now: number): number {
    if (profile.perMinute <= 0) return 0;
    const window = (this.store.slots.get(profile.id) ?? []).filter((t) => t > now - 60_000);
    if (window.length < profile.perMinute) return 0;
    return (window[window.length - profile.perMinute] as number) + 60_000 - now + 1;
  }

  private launch(entry: OutboxEntry, profile: SmtpProfile, now: number): void {
    this.inFlight.add(entry.id);
    this.active.set(profile.id, (this.active.get(profile.id) ?? 0) + 1);
    // Reserve the rate slot synchronously so the same pass cannot overrun the window.
    const list = this.store.slots.get(profile.id) ?? [];
    const reserved = profile.perMinute > 0;
    if (reserved) {
      list.push(now);
      this.store.slots.set(profile.id, list);
    }
    void this.attempt(entry, profile, now, reserved)
      .catch(() => undefined)
      .finally(() => {
        this.inFlight.delete(entry.id);
        this.active.set(profile.id, (this.active.get(profile.id) ?? 1) - 1);
        this.wake();
      });
  }

  private async attempt(entry: OutboxEntry, planned: SmtpProfile, now: number, slotReserved: boolean): Promise<void> {
    // The pass read the profiles a moment ago; an admin may have saved a change since. A saved
    // secret goes only with the saved connection, so the attempt uses the profile as saved now.
    const profile = this.overrides.has(entry.id) ? planned : (this.profile(entry.profileId) ?? planned);
    const limit = profile.maxAttachmentsMb * MB;
    if (limit > 0 && entry.attachmentBytes > limit) {
      if (slotReserved) this.store.slots.get(profile.id)?.pop();
      await this.finish(entry, {
        state: 'failed',
        reason: 'too-large',
        lastReply: '',
        advice: tooLargeAdvice(entry.attachmentBytes, limit),
      });
      await this.alertTooLarge(entry, profile, limit);
      return;
    }
    const password = this.overrides.get(entry.id)?.password ?? null;
    // Everything the connection needs, an OAuth2 profile's token included (refreshed when close to expiry).
    const prepared = await this.deps.mail.connect(profile, { password });
    if (!prepared.ok) {
      if (slotReserved) this.store.slots.get(profile.id)?.pop();
      const advice: Advice = prepared.error.advice ?? configAdvice(prepared.error.message);
      if (prepared.error.temporary && entry.kind !== 'test') {
        await this.reschedule({ ...entry, advice }, advice.title);
        return;
      }
      await this.finish(entry, { state: 'failed', reason: 'config', lastReply: '', advice });
      await this.alertFailure(entry);
      return;
    }
    const { credentials, ca } = prepared.value;
    // On disk before the first byte goes out: if we die now, the restart knows it was in flight.
    const sending: OutboxEntry = { ...entry, state: 'sending', attempts: entry.attempts + 1 };
    await Promise.all([this.store.update([sending]), slotReserved ? this.store.journalSlot(profile.id, now) : Promise.resolve()]);
    this.changed();
    const token = prepared.value.token;
    if (sendsByGraph(profile) && token) {
      await this.attemptGraph(sending, profile, token);
      return;
    }

    const pending = entry.recipients.filter((r) => r.state === 'pending').map((r) => r.address);
    const message = { envelope: { from: this.store.envelopeFrom(entry.id), to: pending }, raw: this.store.readRaw(entry.id) };
    const endpoint = smtpEndpoint(profile, { ...(credentials ? { credentials } : {}), ...(ca ? { ca } : {}) });
    // With debug logging on, each attempt gets its own connection and its own masked transcript;
    // a pooled connection would mix several messages into one conversation.
    const transcript = this.deps.mail.transcript(profile, entry.kind === 'alert' ? 'alert' : 'send', {
      messageId: entry.messageId,
      secrets: [credentials?.password, credentials?.accessToken],
    });
    transcript?.note('info', `Sending ${entry.messageId} (attempt ${sending.attempts}) to ${pending.length} recipient(s)`);
    try {
      const outcome = transcript ? await deliverOnce(endpoint, message, { transcript }) : await this.pool(profile, endpoint).deliver(message);
      if (outcome.state === 'delivered') transcript?.note('info', `Accepted: ${outcome.reply}`);
      else transcript?.note('error', `${outcome.state === 'unknown' ? 'Delivery unknown' : 'Not sent'}: ${outcome.advice?.title ?? outcome.reply}`);
      await this.record(sending, profile, outcome);
    } finally {
      transcript?.end();
    }
  }

  /** One attempt through Microsoft Graph: the whole message is accepted or not, for every recipient. */
  private async attemptGraph(entry: OutboxEntry, profile: SmtpProfile, token: AccessToken): Promise<void> {
    const pending = entry.recipients.filter((r) => r.state === 'pending').map((r) => r.address);
    const transcript = this.deps.mail.transcript(profile, entry.kind === 'alert' ? 'alert' : 'send', { messageId: entry.messageId, secrets: [token.token] });
    transcript?.note('info', `Sending ${entry.messageId} (attempt ${entry.attempts}) through Microsoft Graph as ${token.account} to ${pending.length} recipient(s)`);
    try {
      const outcome = await deliverByGraph(this.deps.mail.graph(token), { envelope: { from: this.store.envelopeFrom(entry.id), to: pending }, raw: this.store.readRaw(entry.id), messageId: entry.messageId });
      if (outcome.state === 'delivered') transcript?.note('info', outcome.reply);
      else transcript?.note('error', `Not sent: ${outcome.reply}`);
      await this.record(entry, profile, outcome);
    } finally {
      transcript?.end();
    }
  }

  /** Records what one SMTP attempt came to, recipient by recipient. */
  private async record(entry: OutboxEntry, profile: SmtpProfile, outcome: DeliveryOutcome): Promise<void> {
    const at = new Date(this.now()).toISOString();
    const told = new Map(outcome.recipients.map((r) => [r.address.toLowerCase(), r]));
    const recipients = entry.recipients.map((r) => {
      const o = r.state === 'pending' ? told.get(r.address.toLowerCase()) : undefined;
      if (!o) return r;
      // A recipient refused for now stays pending and alone gets the next attempt.
      return o.state === 'deferred' ? { ...r, reply: o.reply, at } : { ...r, state: o.state, reply: o.reply, at };
    });
    const reply = outcome.reply || (outcome.advice ? outcome.advice.title : '');
    const advice = outcome.advice;
    const next = { ...entry, recipients };
    switch (outcome.state) {
      case 'delivered':
        await this.finish(next, { state: 'sent', lastReply: outcome.reply });
        return;
      case 'unknown':
        await this.finish(next, { state: 'unknown', lastReply: reply || 'The server did not answer after the message was sent.', ...(advice ? { advice } : {}) });
        return;
      case 'retry':
        if (entry.kind !== 'test') {
          await this.reschedule({ ...next, ...(advice ? { advice } : {}) }, reply, outcome.retryAfterMs);
          return;
        }
        break;
      case 'failed':
        if (advice?.code === 'message-too-large') {
          await this.finish(next, { state: 'failed', reason: 'too-large', lastReply: reply, advice });
          await this.alertTooLarge(next, profile, null);
          return;
        }
        break;
    }
    await this.finish(next, { state: 'failed', reason: outcome.failure === 'config' ? 'config' : 'permanent', lastReply: reply, ...(advice ? { advice } : {}) });
    await this.alertFailure(this.store.get(entry.id) ?? next);
  }

  /** Queues the entry again after the backoff, or no sooner than the server asked (Retry-After). */
  private async reschedule(entry: OutboxEntry, reply: string, notBeforeMs = 0): Promise<void> {
    const retryForMs = this.deps.settings.read().outbox.retryForHours * 3_600_000;
    const next = this.now() + Math.max(backoffMs(entry.attempts, this.random), notBeforeMs);
    if (next - Date.parse(entry.createdAt) > retryForMs) {
      await this.finish(entry, { state: 'failed', reason: 'expired', lastReply: reply });
      await this.alertFailure(this.store.get(entry.id) ?? entry);
      return;
    }
    await this.finish(entry, { state: 'queued', lastReply: reply, nextAttemptAt: new Date(next).toISOString() });
  }

  /**
   * Records an outcome. The slot is freed at once, without waiting for the flush: the journal is
   * written in order, so this record is on disk no later than the "sending" record of the next
   * message on the slot, and a crash can leave at most one undecided message per connection.
   * Whoever waits for the outcome is told once it is on disk.
   */
  private finish(entry: OutboxEntry, change: Partial<OutboxEntry>): Promise<void> {
    const next: OutboxEntry = { ...entry, nextAttemptAt: null, ...change };
    const durable = this.store.update([next]);
    this.pendingWrites.add(durable);
    this.changed();
    const settled = next.state !== 'sending' && (TERMINAL.has(next.state) || next.attempts > 0);
    if (TERMINAL.has(next.state)) this.overrides.delete(entry.id);
    void durable
      .then(() => {
        if (!settled) return;
        const done = this.store.get(entry.id) ?? next;
        const list = this.waiters.get(entry.id) ?? [];
        this.waiters.delete(entry.id);
        list.forEach((w) => w(done));
      })
      .catch(() => undefined)
      .finally(() => this.pendingWrites.delete(durable));
    return Promise.resolve();
  }

  /** Resolves when the entry is final (or, with firstOutcome, after its first attempt). */
  waitFor(id: string, firstOutcome = false): Promise<OutboxEntry> {
    const current = this.store.get(id);
    if (current && (TERMINAL.has(current.state) || (firstOutcome && current.state === 'queued' && current.attempts > 0))) return Promise.resolve(current);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  private pool(profile: SmtpProfile, endpoint: SmtpEndpoint): SmtpPool {
    // A pool serves one set of settings: any change (a new password too) gets a new pool. The
    // profile's part of the key is worked out once per profile object (they are shared for a while).
    let profileKey = this.poolKeys.get(profile);
    if (profileKey === undefined) {
      profileKey = JSON.stringify(profile);
      this.poolKeys.set(profile, profileKey);
    }
    const creds = endpoint.credentials;
    const key = [profileKey, creds?.username ?? '', creds?.password ?? '', creds?.accessToken ?? '', endpoint.ca ?? ''].join('\u0000');
    const existing = this.pools.get(profile.id);
    if (existing && existing.key === key) return existing.pool;
    existing?.pool.close();
    const pool = new SmtpPool(endpoint, { maxConnections: profile.maxConnections, maxMessages: 500 });
    this.pools.set(profile.id, { key, pool });
    return pool;
  }

  // ---- alerts -------------------------------------------------------------------------------

  /** Sends an alert from the Alert From mailbox; never about an alert, never fatal. */
  private async alert(to: string, subject: string, text: string, about: OutboxEntry): Promise<void> {
    if (about.kind !== 'message') return;
    const settings = this.deps.settings.read();
    const general = settings.general;
    const profile = this.profile(about.profileId) ?? settings.smtp.profiles.find((p) => p.id === general.defaultProfile);
    if (!profile || !general.alertFrom || !to) return;
    const sender: SmtpProfile = { ...profile, fromAddress: general.alertFrom, fromName: `${general.organisationName || 'Mailroom'} alerts`, bcc: '' };
    try {
      await this.queue(sender, [{ to: [to], cc: [], bcc: [], subject, text, attachments: [] }], 'alert');
    } catch {
      /* an alert that cannot be queued must not stop the outbox */
    }
  }

  private alertFailure(entry: OutboxEntry): Promise<void> {
    const general = this.deps.settings.read().general;
    const lines = [
      `Mailroom could not send this message:`,
      '',
      `  Subject:    ${entry.subject}`,
      `  To:         ${entry.recipients.map((r) => `${r.address} (${r.state})`).join(', ')}`,
      `  Message-ID: ${entry.messageId}`,
      `  Profile:    ${entry.profileName}`,
      `  Attempts:   ${entry.attempts}`,
      `  Server:     ${entry.lastReply || '(no reply)'}`,
    ];
    if (entry.advice) lines.push('', `${entry.advice.title}. ${entry.advice.cause}`, `What to do: ${entry.advice.fix}`);
    return this.alert(general.systemNotification, `Not sent: ${entry.subject}`.slice(0, 200), lines.join('\n'), entry);
  }

  private alertTooLarge(entry: OutboxEntry, profile: SmtpProfile, limitBytes: number | null): Promise<void> {
    const general = this.deps.settings.read().general;
    const to = profile.notifyUser || general.systemNotification;
    const mb = (n: number) => `${(n / MB).toFixed(2)} MB`;
    const text = [
      'A message was not sent because its attachments are larger than allowed:',
      '',
      `  Subject:          ${entry.subject}`,
      `  Recipients:       ${entry.recipients.map((r) => r.address).join(', ')}`,
      `  Attachments:      ${mb(entry.attachmentBytes)} (whole message ${mb(entry.size)})`,
      `  Limit:            ${limitBytes === null ? 'the size the server accepts' : `${mb(limitBytes)} (profile "${profile.name}")`}`,
      `  Message-ID:       ${entry.messageId}`,
      '',
      'Send the attachments in smaller parts, or share them by link.',
    ].join('\n');
    return this.alert(to, `Too large to send: ${entry.subject}`.slice(0, 200), text, entry);
  }

  outcome(entry: OutboxEntry): SendOutcome {
    return outcomeOf(entry, this.store.envelopeFrom(entry.id));
  }

  // ---- what the user can do ----------------------------------------------------------------

  async retry(id: string): Promise<OutboxEntry | undefined> {
    await this.open();
    const entry = this.store.get(id);
    if (!entry || entry.state === 'sending' || entry.state === 'sent') return entry;
    // Too large for the profile's limit: the same message would be held again. Raise the limit first.
    const profile = this.profile(entry.profileId);
    if (entry.reason === 'too-large' && (!profile || (profile.maxAttachmentsMb > 0 && entry.attachmentBytes > profile.maxAttachmentsMb * MB))) return entry;
    // A retry is the user's decision to try again: refused recipients get another chance, accepted
    // ones still never get a second copy; the retry period starts over.
    const recipients = entry.recipients.map((r) => (r.state === 'rejected' ? { address: r.address, state: 'pending' as const } : r));
    const at = new Date(this.now()).toISOString();
    await this.store.update([{ ...entry, recipients, state: 'queued', nextAttemptAt: at, reason: undefined, createdAt: entry.state === 'queued' ? entry.createdAt : at }]);
    this.changed();
    this.wake();
    return this.store.get(id);
  }

  async cancel(id: string): Promise<OutboxEntry | undefined> {
    await this.open();
    const entry = this.store.get(id);
    if (!entry || entry.state !== 'queued') return entry;
    await this.finish(entry, { state: 'cancelled', lastReply: entry.lastReply });
    return this.store.get(id);
  }

  /** The newest entries (only those in `states` when given), with counts of all of them and the batches. */
  view(limit = 500, states?: readonly OutboxState[]): OutboxView {
    const entries = this.opened ? this.store.entries() : [];
    const counts = { queued: 0, sending: 0, sent: 0, failed: 0, unknown: 0, cancelled: 0 } as Record<OutboxState, number>;
    for (const e of entries) counts[e.state]++;
    const shown = states ? entries.filter((e) => states.includes(e.state)) : entries;
    const newest = [...shown].sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1)).slice(0, limit);
    return { entries: newest, batches: this.batches(entries), counts };
  }

  private batches(entries: OutboxEntry[]): BatchProgress[] {
    const byBatch = new Map<string, OutboxEntry[]>();
    for (const e of entries) {
      if (e.kind !== 'message') continue;
      const list = byBatch.get(e.batchId) ?? [];
      list.push(e);
      byBatch.set(e.batchId, list);
    }
    const now = this.now();
    const out: BatchProgress[] = [];
    for (const [batchId, list] of byBatch) {
      if (list.length < 2) continue;
      const count = (s: OutboxState) => list.filter((e) => e.state === s).length;
      const profile = this.profile(list[0]!.profileId);
      const recent = list.filter((e) => e.state === 'sent' && Date.parse(e.updatedAt) > now - 60_000).length;
      out.push({
        batchId,
        profileName: list[0]!.profileName,
        total: list.length,
        queued: count('queued'),
        sending: count('sending'),
        sent: count('sent'),
        failed: count('failed'),
        unknown: count('unknown'),
        cancelled: count('cancelled'),
        startedAt: list.reduce((min, e) => (e.createdAt < min ? e.createdAt : min), list[0]!.createdAt),
        perMinute: recent,
        limitPerMinute: profile?.perMinute ?? 0,
      });
    }
    return out.sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
  }

  private changed(): void {
    this.deps.onChange?.();
  }
}

/** What a send came to, as the caller reports it; the receipt carries the envelope actually used. */
export function outcomeOf(entry: OutboxEntry, envelopeFrom: string): SendOutcome {
  if (entry.state === 'sent') {
    return {
      ok: true,
      receipt: {
        messageId: entry.messageId,
        response: entry.lastReply,
        accepted: entry.recipients.filter((r) => r.state === 'accepted').map((r) => r.address),
        rejected: entry.recipients.filter((r) => r.state === 'rejected').map((r) => r.address),
        envelope: { from: envelopeFrom, to: entry.recipients.map((r) => r.address) },
      },
    };
  }
  const advice: Advice = entry.advice ?? {
    code: entry.state === 'unknown' ? 'delivery-unknown' : 'not-sent',
    title: entry.state === 'queued' ? 'Not sent yet: it will be tried again' : 'Not sent',
    cause: entry.lastReply || 'No reply from the server.',
    fix: 'See the Activity view for details.',
  };
  if (entry.state === 'queued') {
    return { ok: false, advice: { ...advice, title: `${advice.title} (queued: Mailroom tries again at ${entry.nextAttemptAt ?? 'a later time'})` } };
  }
  return { ok: false, advice };
}

function missingProfileAdvice(name: string): Advice {
  return { code: 'config-invalid', title: 'The server profile no longer exists', cause: `This message was queued for the profile "${name}", which has since been removed.`, fix: 'Recreate the profile, then retry the message; or cancel it.' };
}

function configAdvice(message: string): Advice {
  return { code: 'config-invalid', title: 'The profile cannot send', cause: message, fix: 'Complete the profile in the SMTP tab, then retry the message.' };
}

function tooLargeAdvice(bytes: number, limit: number): Advice {
  return {
    code: 'message-too-large',
    title: 'The attachments are too large',
    cause: `The attachments total ${(bytes / MB).toFixed(2)} MB; this profile allows ${(limit / MB).toFixed(2)} MB.`,
    fix: 'Send the attachments in smaller parts, or raise the profile\'s maximum if the server accepts more.',
  };
}
