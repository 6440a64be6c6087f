// MSAL's token cache for one profile, kept encrypted in the secret store like a password. The
// entry also names the app registration, tenant and sign-in host it belongs to, so a cache
// made for other settings is never used.
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
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
}

export type CacheReading =
  | { kind: 'none' }
  | { kind: 'ok'; cache: string }
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
  return { kind: 'ok', cache: entry.cache };
}

export function writeCache(secrets: SecretStore, profileId: string, owner: CacheOwner, cache: string): void {
  const entry: CacheEntry = { v: 1, clientId: owner.clientId, tenant: owner.tenant, loginUrl: owner.loginUrl, cache };
  secrets.set(oauthCacheKey(profileId), JSON.stringify(entry));
}

/**
 * The MSAL cache plugin: loads the profile's cache before each access and saves it after a
 * change. An unusable cache is treated as empty (status() reports why, from readCache): the user is
 * asked to sign in again rather than met with a crash.
 */
export function cachePlugin(secrets: SecretStore, profileId: string, owner: CacheOwner): ICachePlugin {
  return {
    async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
      const reading = readCache(secrets, profileId, owner);
      ctx.tokenCache.deserialize(reading.kind === 'ok' ? reading.cache : '{}');
    },
    async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
      if (ctx.cacheHasChanged) writeCache(secrets, profileId, owner, ctx.tokenCache.serialize());
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
