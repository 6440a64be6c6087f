// MSAL's token cache for one profile, kept encrypted in the secret store like a password. The
// entry also names the app registration, tenant and sign-in host it belongs to, so a cache
// made for other settings is never used, and the connection it was signed in for, so its tokens
// go to no other server.
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { connectionFingerprint, type Connection, type ConnectionField } from '../../../preload/contract';
import type { SecretStore } from '../secrets/secret-store';

export const oauthCacheKey = (profileId: string) => `oauth-cache:${profileId}`;

export interface CacheOwner {
  clientId: string;
  tenant: string;
  loginUrl: string;
}

interface CacheEntry extends CacheOwner {
  v: 1;
  cache: string;
  /** The profile's connection fields at sign-in; absent in a cache written before they were kept. */
  connection?: Connection;
}

export type CacheReading =
  | { kind: 'none' }
  | { kind: 'ok'; cache: string; connection?: Connection }
  /** Present but unusable: undecryptable, damaged, or made for another app registration or tenant. */
  | { kind: 'unusable'; reason: string };

const sameOwner = (a: CacheOwner, b: CacheOwner) =>
  a.clientId.toLowerCase() === b.clientId.toLowerCase() && a.tenant.toLowerCase() === b.tenant.toLowerCase() && a.loginUrl === b.loginUrl;

/** Reads the stored cache for these settings without ever throwing. */
export function readCache(secrets: SecretStore, profileId: string, owner: CacheOwner): CacheReading {
  let text: string | undefined;
  try {
    text = secrets.get(oauthCacheKey(profileId));
  } catch {
    return { kind: 'unusable', reason: 'The saved Microsoft sign-in could not be decrypted on this computer or by this program.' };
  }
  if (text === undefined) return { kind: 'none' };
  let entry: Partial<CacheEntry>;
  try {
    entry = JSON.parse(text) as Partial<CacheEntry>;
  } catch {
    return { kind: 'unusable', reason: 'The saved Microsoft sign-in is damaged.' };
  }
  if (entry?.v !== 1 || typeof entry.cache !== 'string' || typeof entry.clientId !== 'string' || typeof entry.tenant !== 'string' || typeof entry.loginUrl !== 'string') {
    return { kind: 'unusable', reason: 'The saved Microsoft sign-in is damaged.' };
  }
  try {
    JSON.parse(entry.cache);
  } catch {
    return { kind: 'unusable', reason: 'The saved Microsoft sign-in is damaged.' };
  }
  if (!sameOwner(entry as CacheEntry, owner)) {
    return { kind: 'unusable', reason: 'The saved sign-in was made with another Client (application) ID or Tenant.' };
  }
  const connection = entry.connection !== null && typeof entry.connection === 'object' ? entry.connection : undefined;
  return { kind: 'ok', cache: entry.cache, ...(connection ? { connection } : {}) };
}

/** Saves the cache for these settings, bound to the connection it was signed in for. */
export function writeCache(secrets: SecretStore, profileId: string, owner: CacheOwner, cache: string, connection: Connection | undefined): void {
  const entry: CacheEntry = { v: 1, clientId: owner.clientId, tenant: owner.tenant, loginUrl: owner.loginUrl, cache, ...(connection ? { connection } : {}) };
  secrets.set(oauthCacheKey(profileId), JSON.stringify(entry));
}

/** Who the tokens are for: the same app registration and tenant, with the same provider. */
const SIGN_IN_FIELDS: readonly ConnectionField[] = ['authModel', 'oauthProvider', 'tenant', 'clientId'];
/** Where an SMTP send takes the token, and how it reaches it. */
const SMTP_SERVER_FIELDS: readonly ConnectionField[] = ['host', 'port', 'security', 'minTls', 'verifyCert', 'caFile'];

/**
 * Whether a sign-in made for one connection may hand its token to a send with another. The app
 * registration and tenant must be the same; a send over SMTP must go to the same server, reached
 * the same way. Graph needs no server of the profile's own (its address is Microsoft's, set for
 * the whole installation), and the mailbox may differ (it is filled in from the account after
 * signing in, and the token names its account anyway).
 */
export function signInCovers(signedInFor: Connection, wanted: Connection): boolean {
  if (connectionFingerprint(signedInFor, SIGN_IN_FIELDS) !== connectionFingerprint(wanted, SIGN_IN_FIELDS)) return false;
  return wanted.sendMethod === 'graph' || connectionFingerprint(signedInFor, SMTP_SERVER_FIELDS) === connectionFingerprint(wanted, SMTP_SERVER_FIELDS);
}

/**
 * The MSAL cache plugin: loads the profile's cache before each access and saves it after a
 * change, keeping the connection it was signed in for. An unusable cache is treated as empty
 * (status() reports why, from readCache): the user is asked to sign in again rather than met with
 * a crash. Only a sign-in creates the entry; a refresh finding it gone (signed out meanwhile)
 * does not bring it back.
 */
export function cachePlugin(secrets: SecretStore, profileId: string, owner: CacheOwner): ICachePlugin {
  return {
    async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
      const reading = readCache(secrets, profileId, owner);
      ctx.tokenCache.deserialize(reading.kind === 'ok' ? reading.cache : '{}');
    },
    async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
      if (!ctx.cacheHasChanged) return;
      const current = readCache(secrets, profileId, owner);
      if (current.kind === 'ok') writeCache(secrets, profileId, owner, ctx.tokenCache.serialize(), current.connection);
    },
  };
}

interface SerializedCache {
  Account?: Record<string, { username?: string; name?: string; realm?: string; home_account_id?: string }>;
  AccessToken?: Record<string, { target?: string; expires_on?: string; home_account_id?: string }>;
  RefreshToken?: Record<string, unknown>;
}

export interface CacheSummary {
  account?: { username: string; name?: string; tenantId?: string };
  /** The access tokens held, with their permissions and expiry (ms since the epoch). */
  accessTokens: { scopes: string[]; expiresAt: number }[];
  hasRefreshToken: boolean;
}

/** What a serialized cache holds, read without MSAL (for status, which must not touch the network). */
export function summarizeCache(cache: string): CacheSummary {
  let parsed: SerializedCache;
  try {
    parsed = JSON.parse(cache) as SerializedCache;
  } catch {
    return { accessTokens: [], hasRefreshToken: false };
  }
  const account = Object.values(parsed.Account ?? {})[0];
  return {
    ...(account?.username
      ? { account: { username: account.username, ...(account.name ? { name: account.name } : {}), ...(account.realm ? { tenantId: account.realm } : {}) } }
      : {}),
    accessTokens: Object.values(parsed.AccessToken ?? {}).map((t) => ({
      scopes: (t.target ?? '').split(/\s+/).filter(Boolean),
      expiresAt: Number(t.expires_on ?? 0) * 1000,
    })),
    hasRefreshToken: Object.keys(parsed.RefreshToken ?? {}).length > 0,
  };
}
