// What the SMTP buttons do: test a connection, send a test email, send a message, each for a
// profile as it stands in the dialog (saved or not), with its password from the secret store.
// A saved password goes only to the connection it was saved with (see savedConnection).
import fs from 'node:fs';
import {
  PASSWORD_FOR_CHANGED_CONNECTION,
  changedConnectionFields,
  fail,
  findUser,
  ok,
  profileNeeds,
  sameConnection,
  type ConnectionField,
  type Diagnosis,
  type OutgoingMessage,
  type Result,
  type SmtpProfile,
} from '../../../preload/contract';
import type { AccessToken, OAuthService } from '../oauth/oauth-service';
import type { MicrosoftCloud } from '../oauth/microsoft-cloud';
import { graphClient, type GraphClient } from './graph';
import type { SecretStore } from '../secrets/secret-store';
import { SecretUnavailableError } from '../secrets/secret-store';
import type { SettingsStore } from '../settings/settings-store';
import type { ConversationMeta, DebugLog, Transcript } from '../debug-log/debug-log';
import { diagnose } from './diagnose';
import { diagnoseOAuth } from './diagnose-oauth';
import { diagnoseConfig, oauthCredentials, signsIn, type Credentials } from './transport';

export const profilePasswordKey = (profileId: string) => `smtp-password:${profileId}`;
export const userPasswordKey = (userId: string) => `user-password:${userId}`;

/** How the dialog names each connection field, for saying which ones changed. */
const CONNECTION_LABELS: Readonly<Record<ConnectionField, string>> = {
  host: 'server host',
  port: 'port',
  security: 'transport security',
  minTls: 'minimum TLS version',
  verifyCert: 'certificate check',
  caFile: 'CA certificate file',
  auth: 'authorisation',
  authModel: 'authentication model',
  username: 'username',
  credentials: 'credentials',
  oauthProvider: 'OAuth2 provider',
  tenant: 'tenant',
  clientId: 'client ID',
  sendMethod: 'send method',
};

/** A CA file is a few kilobytes; anything this big is the wrong file. */
export const MAX_CA_FILE_BYTES = 1024 * 1024;

export interface MailServiceDeps {
  settings: SettingsStore;
  secrets: SecretStore;
  /** The signed-in OS account, whose own credentials a per-user profile uses. */
  osUser: () => string;
  /** Where conversations with servers are recorded when debug logging is on. */
  debugLog?: DebugLog;
  /** Microsoft sign-in, for OAuth2 profiles. */
  oauth?: OAuthService;
  /** Where Microsoft Graph lives, for profiles that send through it. */
  cloud?: Pick<MicrosoftCloud, 'graphUrl' | 'ca' | 'requestTimeoutMs'>;
  /** Which certificate authorities a connection without a CA file trusts, noted in each logged conversation. */
  trustedCas?: string;
}

export interface Prepared {
  credentials?: Credentials;
  ca?: string;
  /** The access token of an OAuth2 profile. */
  token?: AccessToken;
}


export interface CallOptions {
  /** A password typed but not saved yet ('' for one cleared but not saved); null or absent uses the saved one. */
  password?: string | null;
  /**
   * For Test connection: a username or password left empty is not refused, so every step before
   * signing in still runs and the sign-in step says what is missing.
   */
  forTest?: boolean;
}

/** What a refusal for empty fields says: the one field by name, or how many. */
function needsMessage(needs: readonly { path: string }[]): string {
  const what: Record<string, string> = {
    host: 'Enter the server host to connect to.',
    username: 'Enter the username this profile signs in with.',
    clientId: 'Enter the Client (application) ID of your app registration.',
  };
  return needs.length === 1 ? (what[needs[0]!.path] ?? 'A field needs filling first.') : `${needs.length} fields need filling first.`;
}

export class MailService {
  constructor(private readonly deps: MailServiceDeps) {}

  /** The saved profile with this id; undefined for one added in the dialog and not saved yet. */
  savedProfile(id: string): SmtpProfile | undefined {
    return this.deps.settings.readShared().smtp.profiles.find((p) => p.id === id);
  }

  /**
   * Whether this profile reaches the same server, the same way, as the same account as the saved
   * profile with its id. Only then do its saved secrets go with it: a profile edited in the
   * dialog (or sent by anyone who can make a request) with another host and no password typed
   * must not carry the saved password there.
   */
  savedConnection(profile: SmtpProfile): boolean {
    const saved = this.savedProfile(profile.id);
    return saved !== undefined && sameConnection(saved, profile);
  }

  /**
   * The profile a test or test email of this caller uses. An administrator tests the profile as it
   * stands in the dialog, saved or not. Anyone else may only test what the administrator saved:
   * the saved profile with that id, whatever else the request holds.
   */
  profileForCaller(requested: SmtpProfile, caller: { admin: boolean }): Result<SmtpProfile> {
    if (caller.admin) return ok(requested);
    const saved = this.savedProfile(requested.id);
    if (!saved) return fail('not-found', 'This server profile is not saved. Only an administrator can test a profile before it is saved.', [{ path: 'profile.id', message: 'No saved profile with this id' }]);
    return ok(saved);
  }

  findProfile(nameOrId: string): SmtpProfile | undefined {
    const profiles = this.deps.settings.read().smtp.profiles;
    const wanted = nameOrId.trim().toLowerCase();
    return profiles.find((p) => p.id === nameOrId) ?? profiles.find((p) => p.name.trim().toLowerCase() === wanted);
  }

  passwordSet(profileId: string): boolean {
    return this.deps.secrets.has(profilePasswordKey(profileId));
  }

  setPassword(profileId: string, password: string | null): void {
    this.storePassword(profilePasswordKey(profileId), password);
  }

  /** Drops the secrets of profiles and users that no longer exist. */
  forgetRemovedProfiles(): void {
    const settings = this.deps.settings.read();
    const ids = new Set(settings.smtp.profiles.map((p) => p.id));
    const userIds = new Set(settings.users.map((u) => u.id));
    for (const name of this.deps.secrets.names()) {
      const id = /^(?:smtp-password|oauth-cache):(.+)$/.exec(name)?.[1];
      if (id && !ids.has(id)) this.deps.secrets.delete(name);
      const userId = /^user-password:(.+)$/.exec(name)?.[1];
      if (userId && !userIds.has(userId)) this.deps.secrets.delete(name);
    }
  }

  /** The credentials a send with this profile signs in with, or a field-level reason why there are none. */
  credentials(profile: SmtpProfile, options: CallOptions = {}): Result<Credentials | undefined> {
    if (profile.auth === 'none' || profile.authModel === 'oauth2') return ok(undefined);
    if (profile.credentials === 'per-user') return this.ownCredentials(profile, options);
    const read = this.password(profilePasswordKey(profile.id), profile, options, 'the saved password');
    if (!read.ok) return read;
    const password = read.value;
    if (profile.auth === 'required' && !password && !options.forTest) {
      return fail('invalid-input', 'No password is saved for this profile. Enter it, or set Authorisation to Optional if the server needs none.', [
        { path: 'password', message: 'Required when Authorisation is Required' },
      ]);
    }
    return ok({ username: profile.username, ...(password ? { password } : {}) });
  }

  /** A per-user profile signs in with the current OS user's own username and password (Users tab). */
  private ownCredentials(profile: SmtpProfile, options: CallOptions): Result<Credentials | undefined> {
    const account = this.deps.osUser();
    const user = findUser(this.deps.settings.read().users, account);
    if (!user) {
      return fail('invalid-input', `This profile signs in with each user's own credentials, and ${account} is not one of the system users. Add ${account} on the Users tab.`, [
        { path: 'credentials', message: `${account} is not a system user` },
      ]);
    }
    if (user.smtpUsername === '') {
      return fail('invalid-input', `This profile signs in with each user's own credentials, and none are saved for ${user.name || account}. Enter them on the Users tab.`, [
        { path: 'credentials', message: `No SMTP username saved for ${user.name || account}` },
      ]);
    }
    const read = this.password(userPasswordKey(user.id), profile, options, 'your own saved password');
    if (!read.ok) return read;
    const password = read.value;
    if (profile.auth === 'required' && !password) {
      return fail('invalid-input', `No SMTP password is saved for ${user.name || account}. Enter it on the Users tab.`, [{ path: 'password', message: 'Required when Authorisation is Required' }]);
    }
    return ok({ username: user.smtpUsername, ...(password ? { password } : {}) });
  }

  userPasswordSet(userId: string): boolean {
    return this.deps.secrets.has(userPasswordKey(userId));
  }

  setUserPassword(userId: string, password: string | null): void {
    this.storePassword(userPasswordKey(userId), password);
  }

  /**
   * The password to sign in with: the one typed in the dialog when given (the caller's own, fine
   * with any connection), else the saved one, only for the connection it was saved with.
   */
  private password(key: string, profile: SmtpProfile, options: CallOptions, which: string): Result<string | undefined> {
    // A string is what the dialog holds now: a typed password, or '' when it was cleared.
    if (typeof options.password === 'string') return ok(options.password === '' ? undefined : options.password);
    if (!this.deps.secrets.has(key)) return ok(undefined);
    if (!this.savedConnection(profile)) {
      const saved = this.savedProfile(profile.id);
      const changed = saved ? changedConnectionFields(saved, profile).map((f) => CONNECTION_LABELS[f]) : [];
      const list = changed.length > 1 ? `${changed.slice(0, -1).join(', ')} and ${changed.at(-1)}` : (changed[0] ?? '');
      const what = saved ? `The ${list} of this profile changed since it was saved` : 'This profile is not saved yet';
      return fail('invalid-input', `${what}, so ${which} is not sent with it. ${PASSWORD_FOR_CHANGED_CONNECTION}, or save the profile first.`, [
        { path: 'password', message: PASSWORD_FOR_CHANGED_CONNECTION },
      ]);
    }
    try {
      return ok(this.deps.secrets.get(key));
    } catch (error) {
      if (error instanceof SecretUnavailableError) return fail('unavailable', error.message, [{ path: 'password', message: error.message }]);
      throw error;
    }
  }

  /** Saves a password, or forgets it when it is cleared. */
  private storePassword(key: string, password: string | null): void {
    if (password === null || password === '') this.deps.secrets.delete(key);
    else this.deps.secrets.set(key, password);
  }

  /**
   * The PEM text of the profile's CA file, checked to hold a certificate. Opened without blocking
   * and checked on the open handle to be a regular file of at most 1 MB, so a named pipe or a
   * device named here is refused at once instead of stalling every request behind it.
   */
  async readCa(profile: SmtpProfile): Promise<Result<string | undefined>> {
    if (profile.caFile === '') return ok(undefined);
    const refuse = (reason: string) => fail('invalid-input', `CA certificate file: ${reason}`, [{ path: 'caFile', message: reason }]);
    let text: string;
    let handle: fs.promises.FileHandle | undefined;
    try {
      // O_NONBLOCK does not exist on Windows, where opening a pipe does not wait for a writer anyway.
      handle = await fs.promises.open(profile.caFile, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
      const stat = await handle.stat();
      if (!stat.isFile()) return refuse('This is not a regular file; choose the PEM file of the certificate authority');
      if (stat.size > MAX_CA_FILE_BYTES) return refuse('The file is larger than 1 MB; a CA certificate file is a few kilobytes');
      const read = await readAtMost(handle, MAX_CA_FILE_BYTES);
      if (read === null) return refuse('The file is larger than 1 MB; a CA certificate file is a few kilobytes');
      text = read.toString('utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'The file does not exist' : `The file cannot be read (${(error as Error).message})`;
      return refuse(reason);
    } finally {
      await handle?.close().catch(() => undefined);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
      return fail('invalid-input', 'CA certificate file: it holds no PEM certificate (-----BEGIN CERTIFICATE-----)', [
        { path: 'caFile', message: 'No PEM certificate in this file' },
      ]);
    }
    return ok(text);
  }

  /**
   * What a connection with this profile needs before it is opened, its credentials and CA, or the
   * field-level reason it cannot be opened. Every path that connects asks this first.
   */
  async prepare(profile: SmtpProfile, options: CallOptions = {}): Promise<Result<{ credentials?: Credentials; ca?: string }>> {
    // The fields it cannot be opened without, by the contract's one rule (which a test needs fewer of).
    const needs = profileNeeds(profile, options.forTest ? 'test' : 'connection');
    if (needs.length > 0) return fail('invalid-input', needsMessage(needs), needs);
    // The CA file first: a missing file is a settings mistake to fix before any password matters.
    const ca = await this.readCa(profile);
    if (!ca.ok) return ca;
    const creds = this.credentials(profile, options);
    if (!creds.ok) return creds;
    return ok({ ...(creds.value ? { credentials: creds.value } : {}), ...(ca.value ? { ca: ca.value } : {}) });
  }

  /**
   * Everything a connection needs, an OAuth2 profile's access token included (refreshed silently
   * when it is close to expiry). Every send asks this just before it connects.
   */
  async connect(profile: SmtpProfile, options: CallOptions & { forceRefresh?: boolean } = {}): Promise<Result<Prepared>> {
    const prepared = await this.prepare(profile, options);
    if (!prepared.ok || profile.authModel !== 'oauth2') return prepared;
    if (!this.deps.oauth) return fail('unavailable', 'OAuth2 sign-in is not available in this process.');
    // The token goes only where the profile was signed in for (the OAuth service checks it).
    const saved = this.savedProfile(profile.id);
    const token = await this.deps.oauth.accessToken(profile, { forceRefresh: options.forceRefresh ?? false, ...(saved ? { savedProfile: saved } : {}) });
    // Its error says why (not signed in, or the provider did not answer) with advice and whether waiting may help.
    if (!token.ok) return token;
    const credentials = oauthCredentials(profile, token.value);
    return ok({ ...prepared.value, credentials, token: token.value });
  }

  /** A Graph client signed in with this token. */
  graph(token: AccessToken, signal?: AbortSignal): GraphClient {
    return graphClient(this.deps.cloud ?? { graphUrl: 'https://graph.microsoft.com', requestTimeoutMs: 30_000 }, token, signal);
  }

  async testConnection(profile: SmtpProfile, options: CallOptions & { ping?: boolean; signal?: AbortSignal } = {}): Promise<Result<Diagnosis>> {
    if (profile.authModel === 'oauth2') return this.testOAuthConnection(profile, options);
    const prepared = await this.prepare(profile, { ...options, forTest: true });
    if (!prepared.ok) return prepared;
    return ok(await this.diagnoseSmtp(profile, prepared.value, options));
  }

  /** The token step first (a real refresh, so a revoked sign-in shows), then Graph or the SMTP dialogue. */
  private testOAuthConnection(profile: SmtpProfile, options: CallOptions & { ping?: boolean; signal?: AbortSignal }): Promise<Result<Diagnosis>> {
    return diagnoseOAuth(profile, {
      connect: () => this.connect(profile, { ...options, forceRefresh: true }),
      graphUrl: this.deps.cloud?.graphUrl ?? 'https://graph.microsoft.com',
      graph: (token) => this.graph(token, options.signal),
      smtp: (prepared) => this.diagnoseSmtp(profile, prepared, options),
    });
  }

  private async diagnoseSmtp(profile: SmtpProfile, prepared: Prepared, options: { ping?: boolean; signal?: AbortSignal }): Promise<Diagnosis> {
    const { credentials, ca } = prepared;
    const transcript = this.transcript(profile, 'test', { secrets: [credentials?.password, credentials?.accessToken] });
    transcript?.note('info', `Test connection to ${profile.host}:${profile.port}, security ${profile.security}, sign-in ${signsIn(profile, credentials) ? profile.auth : 'none'}`);
    let diagnosis: Diagnosis;
    try {
      diagnosis = await diagnose(
        diagnoseConfig(profile, { ...(credentials ? { credentials } : {}), ...(ca ? { ca } : {}) }),
        { ping: options.ping ?? false, ...(options.signal ? { signal: options.signal } : {}), ...(transcript ? { transcript } : {}) },
      );
      transcript?.note(
        diagnosis.ok ? 'info' : 'error',
        diagnosis.ok ? `Test passed in ${diagnosis.totalMs} ms` : `Test failed at ${diagnosis.failure?.step ?? '?'}: ${diagnosis.failure?.title ?? ''}`,
      );
    } finally {
      transcript?.end();
    }
    return diagnosis;
  }

  /**
   * Starts a debug-log conversation with this profile's server, or null when debug logging is off.
   * Pass every secret the conversation may carry; end() it when the conversation is over.
   */
  transcript(profile: SmtpProfile, kind: ConversationMeta['kind'], meta: Omit<ConversationMeta, 'profileName' | 'kind'> = {}): Transcript | null {
    const transcript = this.deps.debugLog?.conversation({ profileName: profile.name, kind, ...meta }) ?? null;
    if (this.deps.trustedCas) transcript?.note('info', `Certificate authorities without a CA file: ${this.deps.trustedCas}`);
    return transcript;
  }

  /** The test email: says which organisation and profile sent it, and when. */
  testMessage(profile: SmtpProfile, to: string): OutgoingMessage {
    const org = this.deps.settings.read().general.organisationName || 'Mailroom';
    const text = [
      `This is a test email from Mailroom for ${org}.`,
      '',
      `It was sent with the server profile "${profile.name}": ${profile.host}, port ${profile.port}, security ${profile.security}.`,
      `Sent ${new Date().toUTCString()}. If you can read this, the profile can send email.`,
    ].join('\n');
    return { to: [to], cc: [], bcc: [], subject: `Mailroom test email (${profile.name})`, text, attachments: [] };
  }
}

/** Reads to the end, or returns null as soon as there is more than the limit (the file grew since it was checked). */
async function readAtMost(handle: fs.promises.FileHandle, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, limit + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > limit) return null;
  }
}
