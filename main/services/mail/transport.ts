// From a profile to the connection the sender opens: which server, which security, which
// credentials. The rules of the conversation itself are in smtp-delivery.ts.
import os from 'node:os';
import type { SmtpProfile } from '../../../preload/contract';
import type { SmtpEndpoint } from './smtp-delivery';
import type { ConnectionConfig } from './diagnose';

export interface Credentials {
  username: string;
  password?: string;
  /** An OAuth2 access token: signs in with AUTH XOAUTH2 instead of the password. */
  accessToken?: string;
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

/** Whether this profile's messages go through Microsoft Graph (with its OAuth2 token) rather than SMTP. */
export function sendsByGraph(profile: Pick<SmtpProfile, 'authModel' | 'sendMethod'>): boolean {
  return profile.authModel === 'oauth2' && profile.sendMethod === 'graph';
}

/** What an OAuth2 profile signs in to SMTP with: its mailbox (the token's account when none is set) and the access token. */
export function oauthCredentials(profile: Pick<SmtpProfile, 'username'>, token: { token: string; account: string }): Credentials {
  return { username: profile.username || token.account, accessToken: token.token };
}

/** Where and how the sender connects for this profile, with the credentials it may use. */
export function smtpEndpoint(profile: SmtpProfile, prepared: { credentials?: Credentials; ca?: string } = {}): SmtpEndpoint {
  const { credentials, ca } = prepared;
  return {
    host: profile.host,
    port: profile.port,
    security: profile.security,
    minTls: profile.minTls,
    verifyCert: profile.verifyCert,
    ...(ca ? { ca } : {}),
    timeoutSeconds: profile.timeoutSeconds,
    clientName: clientName(),
    auth: credentials?.accessToken ? 'required' : profile.auth,
    ...(credentials && signsIn(profile, credentials) ? { credentials } : {}),
  };
}

/** What Test connection checks for this profile, with the credentials it may use: the same connection a send opens. */
export function diagnoseConfig(profile: SmtpProfile, prepared: { credentials?: Credentials; ca?: string } = {}): ConnectionConfig {
  const { credentials, ca } = prepared;
  return {
    profileName: profile.name,
    host: profile.host,
    port: profile.port,
    security: profile.security,
    minTls: profile.minTls,
    verifyCert: profile.verifyCert,
    ...(ca ? { ca } : {}),
    ...(profile.caFile ? { caFile: profile.caFile } : {}),
    // As the profile has it: Optional without a password is its own case in the report, not None.
    auth: credentials?.accessToken ? 'required' : profile.auth,
    username: credentials?.username ?? profile.username,
    ...(credentials?.password ? { password: credentials.password } : {}),
    ...(credentials?.accessToken ? { accessToken: credentials.accessToken } : {}),
    fromAddress: profile.fromAddress,
    timeoutSeconds: profile.timeoutSeconds,
    clientName: clientName(),
  };
}
