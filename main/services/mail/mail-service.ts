// What the SMTP buttons do: test a connection, send a test email, send a message, each for a
// profile as it stands in the dialog (saved or not), with its password from the secret store.
import fs from 'node:fs';
import os from 'node:os';
import {
  fail,
  ok,
  type Diagnosis,
  type OutgoingMessage,
  type Result,
  type SendOutcome,
  type SmtpProfile,
} from '../../../preload/contract';
import type { SecretStore } from '../secrets/secret-store';
import { SecretUnavailableError } from '../secrets/secret-store';
import type { SettingsService } from '../settings/settings-service';
import { composeMessage } from './compose';
import { diagnose } from './diagnose';
import { explainNodemailerError } from './smtp-explain';
import { clientName, sendComposed, signsIn, type Credentials } from './transport';

export const profilePasswordKey = (profileId: string) => `smtp-password:${profileId}`;

export interface MailServiceDeps {
  settings: SettingsService;
  secrets: SecretStore;
  /** The signed-in OS account, whose own credentials a per-user profile uses. */
  osUser?: () => string;
}

export interface CallOptions {
  /** A password typed but not saved yet; otherwise the saved one is used. */
  password?: string | null;
}

export class MailService {
  constructor(private readonly deps: MailServiceDeps) {}

  findProfile(nameOrId: string): SmtpProfile | undefined {
    const profiles = this.deps.settings.read().smtp.profiles;
    const wanted = nameOrId.trim().toLowerCase();
    return profiles.find((p) => p.id === nameOrId) ?? profiles.find((p) => p.name.trim().toLowerCase() === wanted);
  }

  passwordSet(profileId: string): boolean {
    return this.deps.secrets.has(profilePasswordKey(profileId));
  }

  setPassword(profileId: string, password: string | null): void {
    if (password === null || password === '') this.deps.secrets.delete(profilePasswordKey(profileId));
    else this.deps.secrets.set(profilePasswordKey(profileId), password);
  }

  /** Drops the secrets of profiles that no longer exist. */
  forgetRemovedProfiles(): void {
    const ids = new Set(this.deps.settings.read().smtp.profiles.map((p) => p.id));
    for (const name of this.deps.secrets.names()) {
      const id = /^smtp-password:(.+)$/.exec(name)?.[1];
      if (id && !ids.has(id)) this.deps.secrets.delete(name);
    }
  }

  /** The credentials a send with this profile signs in with, or a field-level reason why there are none. */
  credentials(profile: SmtpProfile, options: CallOptions = {}): Result<Credentials | undefined> {
    if (profile.auth === 'none') return ok(undefined);
    if (profile.credentials === 'per-user') {
      const user = this.deps.osUser?.() ?? os.userInfo().username;
      return fail('invalid-input', `This profile signs in with each user's own credentials, and none are saved for ${user}. Enter them on the Users tab.`, [
        { path: 'credentials', message: `No credentials saved for ${user}` },
      ]);
    }
    if (profile.username === '') return fail('invalid-input', 'Enter the username this profile signs in with.', [{ path: 'username', message: 'Required' }]);
    let password: string | undefined;
    if (typeof options.password === 'string' && options.password !== '') password = options.password;
    else {
      try {
        password = this.deps.secrets.get(profilePasswordKey(profile.id));
      } catch (error) {
        if (error instanceof SecretUnavailableError) return fail('invalid-input', error.message, [{ path: 'password', message: error.message }]);
        throw error;
      }
    }
    if (profile.auth === 'required' && !password) {
      return fail('invalid-input', 'No password is saved for this profile. Enter it, or set Authorisation to Optional if the server needs none.', [
        { path: 'password', message: 'Required when Authorisation is Required' },
      ]);
    }
    return ok({ username: profile.username, ...(password ? { password } : {}) });
  }

  /** The PEM text of the profile's CA file, checked to hold a certificate. */
  readCa(profile: SmtpProfile): Result<string | undefined> {
    if (profile.caFile === '') return ok(undefined);
    let text: string;
    try {
      text = fs.readFileSync(profile.caFile, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'The file does not exist' : `The file cannot be read (${(error as Error).message})`;
      return fail('invalid-input', `CA certificate file: ${reason}`, [{ path: 'caFile', message: reason }]);
    }
    if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
      return fail('invalid-input', 'CA certificate file: it holds no PEM certificate (-----BEGIN CERTIFICATE-----)', [
        { path: 'caFile', message: 'No PEM certificate in this file' },
      ]);
    }
    return ok(text);
  }

  async testConnection(profile: SmtpProfile, options: CallOptions & { ping?: boolean; signal?: AbortSignal } = {}): Promise<Result<Diagnosis>> {
    const ca = this.readCa(profile);
    if (!ca.ok) return ca;
    const creds = this.credentials(profile, options);
    if (!creds.ok) return creds;
    const diagnosis = await diagnose(
      {
        profileName: profile.name,
        host: profile.host,
        port: profile.port,
        security: profile.security,
        minTls: profile.minTls,
        verifyCert: profile.verifyCert,
        ...(ca.value ? { ca: ca.value } : {}),
        ...(profile.caFile ? { caFile: profile.caFile } : {}),
        auth: signsIn(profile, creds.value) ? profile.auth : 'none',
        username: creds.value?.username ?? profile.username,
        ...(creds.value?.password ? { password: creds.value.password } : {}),
        fromAddress: profile.fromAddress,
        timeoutSeconds: profile.timeoutSeconds,
        clientName: clientName(),
      },
      { ping: options.ping ?? false, ...(options.signal ? { signal: options.signal } : {}) },
    );
    return ok(diagnosis);
  }

  /** Sends one message now, straight to the server (the outbox builds on this). */
  async send(profile: SmtpProfile, message: OutgoingMessage, options: CallOptions = {}): Promise<Result<SendOutcome>> {
    const ca = this.readCa(profile);
    if (!ca.ok) return ca;
    const creds = this.credentials(profile, options);
    if (!creds.ok) return creds;
    const general = this.deps.settings.read().general;
    const composed = await composeMessage(profile, message, general.bouncedAlerts ? { bounceAddress: general.bouncedAlerts } : {});
    try {
      const receipt = await sendComposed({ profile, ...(creds.value ? { credentials: creds.value } : {}), ...(ca.value ? { ca: ca.value } : {}) }, composed);
      return ok({ ok: true, receipt });
    } catch (error) {
      return ok({
        ok: false,
        advice: explainNodemailerError(error, {
          host: profile.host,
          port: profile.port,
          security: profile.security,
          minTls: profile.minTls,
          timeoutSeconds: profile.timeoutSeconds,
          ...(profile.caFile ? { caFile: profile.caFile } : {}),
        }),
      });
    }
  }

  async sendTest(profile: SmtpProfile, to: string, options: CallOptions = {}): Promise<Result<SendOutcome>> {
    const org = this.deps.settings.read().general.organisationName || 'Mailroom';
    const when = new Date().toUTCString();
    const text = [
      `This is a test email from Mailroom for ${org}.`,
      '',
      `It was sent with the server profile "${profile.name}": ${profile.host}, port ${profile.port}, security ${profile.security}.`,
      `Sent ${when}. If you can read this, the profile can send email.`,
    ].join('\n');
    return this.send(profile, { to: [to], cc: [], bcc: [], subject: `Mailroom test email (${profile.name})`, text, attachments: [] }, options);
  }
}
