// Turns a profile into nodemailer transport options, honouring every field, and sets the overall
// deadline of one send (nodemailer's own timeouts are idle timers).
import os from 'node:os';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { SmtpProfile, TlsVersion } from '../../../preload/contract';
import type { Transcript } from '../debug-log/debug-log';

const TLS_NAMES: Record<TlsVersion, 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

export interface Credentials {
  username: string;
  password?: string;
  /** An OAuth2 access token: signs in with AUTH XOAUTH2 instead of the password. */
  accessToken?: string;
}

export interface TransportInput {
  profile: SmtpProfile;
  credentials?: Credentials;
  /** PEM text of the profile's CA file, already read. */
  ca?: string;
  clientName?: string;
  /**
   * The debug-log conversation this transport reports to. nodemailer then logs its notes there,
   * and at level 'debug' the traffic too (the transcript masks secrets and message content).
   */
  transcript?: Pick<Transcript, 'level' | 'nodemailerLogger'>;
}

/** The EHLO name: this computer's name when it is a usable hostname, else "localhost". */
export function clientName(): string {
  const name = os.hostname().toLowerCase();
  return /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/.test(name) ? name : 'localhost';
}

/** Whether this profile signs in for this send: always for Required, for Optional only with a password. */
export function signsIn(profile: SmtpProfile, credentials?: Credentials): boolean {
  if (credentials?.accessToken) return true;
  if (profile.auth === 'none') return false;
  if (profile.auth === 'optional') return Boolean(credentials?.password);
  return true;
}

export function transportOptions({ profile, credentials, ca, clientName: name, transcript }: TransportInput): SMTPTransport.Options {
  const legacy = profile.minTls === '1.0' || profile.minTls === '1.1';
  const ms = profile.timeoutSeconds * 1000;
  return {
    host: profile.host,
    port: profile.port,
    secure: profile.security === 'tls',
    // STARTTLS required: insist on it even if not advertised, and never sign in without it.
    requireTLS: profile.security === 'starttls-required',
    ignoreTLS: profile.security === 'none',
    name: name ?? clientName(),
    connectionTimeout: ms,
    greetingTimeout: ms,
    // Longer than the greeting wait, so a silent greeting is reported as such (often the wrong
    // TLS mode for the port) rather than as an idle socket.
    socketTimeout: ms * 2,
    auth: !credentials || !signsIn(profile, credentials)
      ? undefined
      : credentials.accessToken
        ? { type: 'OAuth2', user: credentials.username, accessToken: credentials.accessToken }
        : { user: credentials.username, pass: credentials.password ?? '' },
    tls: {
      minVersion: TLS_NAMES[profile.minTls],
      rejectUnauthorized: profile.verifyCert,
      ...(ca ? { ca } : {}),
      // Old servers (TLS 1.0/1.1) use signatures OpenSSL 3 refuses at its default security level.
      ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      ...(/^[\d.]+$|:/.test(profile.host) ? {} : { servername: profile.host }),
    },
    logger: transcript ? transcript.nodemailerLogger() : false,
    debug: transcript?.level === 'debug',
  };
}

/** How long one send may take in all, however slowly a server drips its replies. */
export function sendDeadlineMs(profile: SmtpProfile, bytes: number): number {
  // Several round trips at the configured timeout, plus the upload at a slow 50 kB/s.
  return profile.timeoutSeconds * 1000 * 4 + Math.ceil(bytes / 50_000) * 1000;
}

export class DeadlineError extends Error {
  readonly code = 'EDEADLINE';
  constructor(ms: number) {
    super(`The server took longer than ${Math.round(ms / 1000)} s in all to take the message`);
  }
}
