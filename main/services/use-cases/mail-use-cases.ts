// Testing and sending through a profile, Microsoft sign-in, the outbox and the debug folder, the
// same way from the dialog, browser mode and the command line.
import {
  effectiveModes,
  type BatchProgress,
  fail,
  ok,
  type Diagnosis,
  type EffectiveModes,
  type OAuthStatus,
  type OutboxEntry,
  type OutboxState,
  type OutboxView,
  type OutgoingMessage,
  type Result,
  type SendOutcome,
  type SignInFlow,
  type SignInMethod,
  type SmtpProfile,
  type SendersStatus,
} from '../../../preload/contract';
import { authorize, type Identity } from '../access';
import type { MailService } from '../mail/mail-service';
import type { OAuthService } from '../oauth/oauth-service';
import type { Outbox } from '../outbox/outbox';
import type { MessageQueue } from '../outbox/message-queue';
import type { SettingsStore } from '../settings/settings-store';
import { profileNotFound } from './settings-use-cases';

/**
 * In office mode the saved passwords are sealed for the sender service: a test with a saved
 * password cannot run here. One typed into the dialog can.
 */
function senderHoldsPasswords(what: string): Result<never> {
  return fail(
    'unavailable',
    `${what} with the saved password runs only on the sender service, which alone can open it. Type the password (in the Password field, or with --password-stdin) to test from here, or send a message and follow it on the Activity tab.`,
    [{ path: 'password', message: 'Type the password to test from here' }],
  );
}

/** Office mode: the sender service works with the profile as saved, so unsaved changes must be saved first. */
function saveFirst(what: string): Result<never> {
  return fail('invalid-input', `Save your changes first: in office mode the sender service runs ${what} with the profile as saved.`, [{ path: 'profile', message: 'Unsaved changes' }]);
}

const FINAL_STATES: readonly OutboxState[] = ['sent', 'failed', 'unknown', 'cancelled'];

/** How many messages of a batch are in each state. */
export function batchSummary(entries: readonly OutboxEntry[]) {
  const count = (s: OutboxState) => entries.filter((e) => e.state === s).length;
  return { total: entries.length, sent: count('sent'), failed: count('failed'), unknown: count('unknown'), queued: count('queued'), cancelled: count('cancelled'), possibleDuplicates: entries.filter((e) => e.possibleDuplicate).length };
}

/** What sendBatch did: only queued (`sent: false`), or sent until nothing was left to try now. */
export type BatchRun =
  | { batchId: string; queued: number; otherSender: number | null; sent: false }
  | { batchId: string; queued: number; otherSender: null; sent: true; entries: OutboxEntry[]; summary: ReturnType<typeof batchSummary> & { durationMs: number } };

export interface MailUseCaseDeps {
  settings: SettingsStore;
  mail: MailService;
  oauth: OAuthService;
  /** The outbox this process sends from (file mode); batches and `outbox run` use it. */
  outbox: Outbox;
  /** Where messages are queued, listed, retried and cancelled: the outbox above, or the office's. */
  queue: MessageQueue;
  /**
   * Whether this process sends what it queues (file mode). When another process sends (the office's
   * sender service, which alone holds the shared passwords), profiles are checked there, not here.
   */
  sendsHere: boolean;
  /** Office mode: the sender services seen in the last minute. */
  senders?: () => Promise<Result<SendersStatus['senders']>>;
  /** Office mode: Test connection of a saved profile, run by a sender service with the saved password. */
  testRemotely?: (profile: SmtpProfile, ping: boolean) => Promise<Result<Diagnosis>>;
  identity(): Identity;
  /** Opens an existing folder in the file manager (see openFolderOnly). */
  openFolder(folder: string): Promise<Result<string>>;
}

export class MailUseCases {
  constructor(private readonly deps: MailUseCaseDeps) {}

  /** Who is using Mailroom, and the compose and send modes in force for them. */
  whoami(): Identity & { modes: EffectiveModes } {
    const who = this.deps.identity();
    return { ...who, modes: effectiveModes(this.deps.settings.read().mail, who.user) };
  }

  /** Office mode: the sender services seen in the last minute. In file mode this process sends. */
  async senders(): Promise<Result<SendersStatus>> {
    if (!this.deps.senders) return fail('unavailable', 'Only in office mode: here this Mailroom sends its own outbox.');
    const status = await this.deps.senders();
    return status.ok ? ok({ senders: status.value }) : status;
  }

  /** The profile named (by name or id), else the default one. */
  pickProfile(nameOrId: string | undefined): Result<SmtpProfile> {
    const settings = this.deps.settings.read();
    if (nameOrId !== undefined) {
      const found = this.deps.mail.findProfile(nameOrId);
      return found ? ok(found) : profileNotFound(settings, nameOrId);
    }
    const fallback = settings.smtp.profiles.find((p) => p.id === settings.general.defaultProfile);
    return fallback ? ok(fallback) : fail('invalid-input', 'Name a profile (there is no default profile)', [{ path: 'profile', message: 'Required' }]);
  }

  /** An OAuth2 profile by name, for signing in or out. */
  oauthProfile(nameOrId: string): Result<SmtpProfile> {
    const profile = this.deps.mail.findProfile(nameOrId);
    if (!profile) return profileNotFound(this.deps.settings.read(), nameOrId);
    if (profile.authModel !== 'oauth2') {
      return fail('invalid-input', `The profile "${profile.name}" signs in with a password. Switch it to OAuth2 (Microsoft 365) first.`, [
        { path: 'profile', message: 'Not an OAuth2 profile' },
      ]);
    }
    return ok(profile);
  }

  /** An administrator tests the profile as the dialog has it; anyone else the saved one. */
  async testConnection(requested: SmtpProfile, options: { password?: string | null; ping?: boolean }): Promise<Result<Diagnosis>> {
    if (!this.deps.sendsHere && !options.password) {
      if (!this.deps.testRemotely) return senderHoldsPasswords('Test connection');
      const saved = this.deps.settings.read().smtp.profiles.find((p) => p.id === requested.id);
      if (!saved || JSON.stringify(saved) !== JSON.stringify(requested)) return saveFirst('Test connection');
      return this.deps.testRemotely(saved, options.ping ?? false);
    }
    const profile = this.deps.mail.profileForCaller(requested, this.deps.identity());
    if (!profile.ok) return profile;
    return this.deps.mail.testConnection(profile.value, { password: options.password, ping: options.ping ?? false });
  }

  /** A test email to `to`, through the outbox, with the same choice of profile as testConnection. */
  async sendTest(requested: SmtpProfile, to: string, password?: string | null): Promise<Result<SendOutcome>> {
    // Office mode: the test goes through the office outbox and a sender service sends it, with the
    // profile and password as saved (a password typed here never leaves this computer).
    if (!this.deps.sendsHere) {
      if (password) return fail('invalid-input', 'Save the password first: the sender service sends the test with the saved one.', [{ path: 'password', message: 'Save it first' }]);
      const saved = this.deps.settings.read().smtp.profiles.find((p) => p.id === requested.id);
      if (!saved || JSON.stringify(saved) !== JSON.stringify(requested)) return saveFirst('Send test email');
      return this.send(saved, this.deps.mail.testMessage(saved, to), { kind: 'test' });
    }
    const chosen = this.deps.mail.profileForCaller(requested, this.deps.identity());
    if (!chosen.ok) return chosen;
    return this.send(chosen.value, this.deps.mail.testMessage(chosen.value, to), { password, kind: 'test' });
  }

  /**
   * One message through the outbox. A profile that cannot connect at all (no password, a missing
   * CA file) is refused before anything is queued; after that, "not delivered" is the outcome.
   */
  async send(profile: SmtpProfile, message: OutgoingMessage, options: { password?: string | null; kind?: OutboxEntry['kind'] } = {}): Promise<Result<SendOutcome>> {
    if (this.deps.sendsHere) {
      const prepared = await this.deps.mail.prepare(profile, { password: options.password });
      if (!prepared.ok) return prepared;
    }
    const sent = await this.deps.queue.sendNow(profile, message, options.kind ?? 'message', { password: options.password });
    return sent.ok ? ok(sent.value.outcome) : sent;
  }

  /** Many messages into the outbox, after checking the profile can connect. */
  async queue(profile: SmtpProfile, messages: OutgoingMessage[]): Promise<Result<OutboxEntry[]>> {
    if (this.deps.sendsHere) {
      const prepared = await this.deps.mail.prepare(profile);
      if (!prepared.ok) return prepared;
    }
    return this.deps.queue.queue(profile, messages);
  }

  /**
   * A batch into the outbox and, with `wait`, sent at once in this process until nothing is left to
   * try now; `onProgress` hears the batch's progress while it goes. When another Mailroom is already
   * sending from this outbox, it sends the batch, and this only queues it (`otherSender` says who).
   */
  async sendBatch(
    profile: SmtpProfile,
    messages: OutgoingMessage[],
    options: { wait: boolean; onProgress?: (progress: BatchProgress) => void; progressEveryMs?: number },
  ): Promise<Result<BatchRun>> {
    const { outbox } = this.deps;
    const started = Date.now();
    const queued = await this.queue(profile, messages);
    if (!queued.ok) return queued;
    const entries = queued.value;
    const batchId = entries[0]?.batchId ?? '';
    const otherSender = options.wait && this.deps.sendsHere ? outbox.otherSender() : null;
    if (!options.wait || !this.deps.sendsHere || otherSender !== null) return ok({ batchId, queued: entries.length, otherSender, sent: false });
    const progress = () => {
      const p = outbox.view(0).batches.find((b) => b.batchId === batchId);
      if (p) options.onProgress?.(p);
    };
    const timer = options.onProgress ? setInterval(progress, options.progressEveryMs ?? 200) : undefined;
    try {
      await outbox.runUntilIdle();
    } finally {
      if (timer) clearInterval(timer);
    }
    progress();
    const ids = new Set(entries.map((e) => e.id));
    const mine = outbox.store.entries().filter((e) => ids.has(e.id));
    return ok({ batchId, queued: entries.length, otherSender: null, sent: true, entries: mine, summary: { ...batchSummary(mine), durationMs: Date.now() - started } });
  }

  /** The sign-in state of the OAuth2 profiles given (as the dialog has them), else of the saved ones. */
  async oauthStatus(profiles?: readonly SmtpProfile[]): Promise<Record<string, OAuthStatus>> {
    const out: Record<string, OAuthStatus> = {};
    const wanted = (profiles ?? this.deps.settings.read().smtp.profiles).filter((p) => p.authModel === 'oauth2');
    const statuses = await Promise.all(wanted.map((p) => this.deps.oauth.status(p)));
    wanted.forEach((p, i) => (out[p.id] = statuses[i]!));
    return out;
  }

  async startSignIn(profile: SmtpProfile, method: SignInMethod): Promise<Result<SignInFlow>> {
    const allowed = authorize(this.deps.identity(), 'oauth.sign-in');
    if (!allowed.ok) return allowed;
    return this.deps.oauth.startSignIn(profile, method);
  }

  /** Signs a profile out, saved or not, and deletes its tokens; answers with how it was and is. */
  async signOut(profileId: string): Promise<Result<{ was: OAuthStatus; status: OAuthStatus }>> {
    const allowed = authorize(this.deps.identity(), 'oauth.sign-out');
    if (!allowed.ok) return allowed;
    const profile = this.deps.settings.read().smtp.profiles.find((p) => p.id === profileId);
    const signedOut: OAuthStatus = { profileId, signedIn: false, expiresAt: null, scopes: [] };
    const was = profile ? await this.deps.oauth.status(profile) : signedOut;
    const removed = await this.deps.oauth.signOut(profile ?? { id: profileId });
    if (!removed.ok) return removed;
    return ok({ was, status: profile ? await this.deps.oauth.status(profile) : signedOut });
  }

  /** The outbox, newest first, only the states asked for when given. */
  async outboxList(filter: { states?: readonly OutboxState[]; limit?: number } = {}): Promise<Result<OutboxView>> {
    return this.deps.queue.view(filter.limit ?? 500, filter.states);
  }

  /**
   * Sends what is queued now and stops when nothing is left to try now; answers with the messages
   * this run changed, and how many wait for a later retry. Refused while another process sends.
   */
  async runOutbox(): Promise<Result<{ touched: OutboxEntry[]; stillQueued: number; summary: ReturnType<typeof batchSummary> & { durationMs: number } }>> {
    const { outbox } = this.deps;
    if (!this.deps.sendsHere) return fail('unavailable', 'In office mode the sender service (mailroom outbox serve) sends the outbox; this computer does not.');
    const started = Date.now();
    await outbox.open();
    const other = outbox.otherSender();
    if (other !== null) return fail('conflict', `Mailroom (process ${other}) is already sending from this outbox; it will send what is queued.`);
    const before = new Map(outbox.store.entries().map((e) => [e.id, e.state]));
    await outbox.runUntilIdle();
    const after = outbox.store.entries();
    // Changed state, or tried and put back for later.
    const touched = after.filter((e) => before.get(e.id) !== e.state || (before.get(e.id) === 'queued' && e.attempts > 0 && !FINAL_STATES.includes(e.state)));
    return ok({ touched, stillQueued: after.filter((e) => e.state === 'queued').length, summary: { ...batchSummary(touched), durationMs: Date.now() - started } });
  }

  async retry(id: string): Promise<Result<OutboxEntry>> {
    const allowed = authorize(this.deps.identity(), 'outbox.retry');
    if (!allowed.ok) return allowed;
    return this.deps.queue.retry(id);
  }

  async cancel(id: string): Promise<Result<OutboxEntry>> {
    const allowed = authorize(this.deps.identity(), 'outbox.cancel');
    if (!allowed.ok) return allowed;
    return this.deps.queue.cancel(id);
  }

  /** Opens the debug folder in the file manager. */
  async openDebugFolder(): Promise<Result<{ path: string }>> {
    const folder = this.deps.settings.read().general.debug.path;
    if (!folder) return fail('invalid-input', 'Set the debug folder first', [{ path: 'general.debug.path', message: 'Required to open the folder' }]);
    const opened = await this.deps.openFolder(folder);
    if (!opened.ok) return fail(opened.error.code === 'unavailable' ? 'unavailable' : 'io-error', `Could not open ${folder}: ${opened.error.message}`, [{ path: 'general.debug.path', message: opened.error.message }]);
    return ok({ path: folder });
  }
}

