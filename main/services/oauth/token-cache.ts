// MSAL's token cache for one profile, kept like a password wherever the profile's secrets live
// (see TokenCacheStore). The entry also names the app registration, tenant and sign-in host it
// belongs to, so a cache made for other settings is never used, and the connection it was signed
// in for, so its tokens go to no other server. Beside it goes what the sign-in is without any of
// its tokens (SignInRecord): who, with which permissions until when, for which connection; that
// is all a process that may not open the cache (an office administrator's) ever sees.
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import { connectionFingerprint, type Connection, type ConnectionField } from '../../../preload/contract';
import type { SecretStore } from '../secrets/secret-store';
import { scopesFor, type TokenPurpose } from './microsoft-cloud';

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

/** A sign-in as anyone may see it: everything the status shows, and not one token. */
export interface SignInRecord extends CacheSummary {
  owner: CacheOwner;
  /** The connection it was signed in for; absent for a cache written before they were kept. */
  connection?: Connection;
  /** When it was last written, ISO 8601 (where the store keeps it). */
  updatedAt?: string;
}

/** What a store holds for a profile. */
export type StoredCache =
  | { kind: 'none' }
  | { kind: 'entry'; text: string }
  /** Kept where this process may not open it (sealed to the office's sender services): its record alone, when there is one. */
  | { kind: 'sealed'; record?: SignInRecord };

/** The store could not be read or written: temporary when trying again later may work (a database that did not answer). */
export class CacheStoreError extends Error {
  constructor(
    message: string,
    readonly temporary: boolean,
  ) {
    super(message);
    this.name = 'CacheStoreError';
  }
}

/**
 * Where a profile's token cache lives: the secret store on this computer (file mode), or sealed in
 * the office database for the sender services (office mode). load throws a CacheStoreError, or
 * any error, when the entry is there but cannot be read.
 */
export interface TokenCacheStore {
  load(profileId: string): Promise<StoredCache>;
  /** Saves the entry (the text readCache reads back) with its record. */
  save(profileId: string, entry: string, record: SignInRecord): Promise<void>;
  remove(profileId: string): Promise<void>;
  /**
   * Runs work with the profile's cache to itself, where several processes may refresh it at once:
   * refresh tokens rotate, and one used twice can end the sign-in.
   */
  exclusive?<T>(profileId: string, work: () => Promise<T>): Promise<T>;
}

/** File mode: the cache is a secret of this computer's secret store, exactly like a password. */
export function fileTokenCache(secrets: SecretStore): TokenCacheStore {
  return {
    async load(profileId) {
      const text = secrets.get(oauthCacheKey(profileId));
      return text === undefined ? { kind: 'none' } : { kind: 'entry', text };
    },
    async save(profileId, entry) {
      secrets.set(oauthCacheKey(profileId), entry);
    },
    async remove(profileId) {
      secrets.delete(oauthCacheKey(profileId));
    },
  };
}

export type CacheReading =
  | { kind: 'none' }
  | { kind: 'ok'; cache: string; connection?: Connection }
  /** Present, and kept for other processes: what it is, without its tokens. */
  | { kind: 'sealed'; record?: SignInRecord }
  /** Present but unusable: undecryptable, damaged, or made for another app registration or tenant; or the store did not answer. */
  | { kind: 'unusable'; reason: string; temporary?: boolean };

const sameOwner = (a: CacheOwner, b: CacheOwner) =>
  a.clientId.toLowerCase() === b.clientId.toLowerCase() && a.tenant.toLowerCase() === b.tenant.toLowerCase() && a.loginUrl === b.loginUrl;

const OTHER_OWNER = 'The saved sign-in was made with another Client (application) ID or Tenant.';

/** Reads the stored cache for these settings without ever throwing. */
export async function readCache(store: TokenCacheStore, profileId: string, owner: CacheOwner): Promise<CacheReading> {
  let stored: StoredCache;
  try {
    stored = await store.load(profileId);
  } catch (error) {
    if (error instanceof CacheStoreError) return { kind: 'unusable', reason: error.message, ...(error.temporary ? { temporary: true } : {}) };
    return { kind: 'unusable', reason: 'The saved Microsoft sign-in could not be decrypted on this computer or by this program.' };
  }
  if (stored.kind === 'none') return stored;
  if (stored.kind === 'sealed') {
    // (A record without its connection does not name its app registration and tenant.)
    if (stored.record?.connection && !sameOwner(stored.record.owner, owner)) return { kind: 'unusable', reason: OTHER_OWNER };
    return stored;
  }
  const entry = parseEntry(stored.text);
  if (!entry) return { kind: 'unusable', reason: 'The saved Microsoft sign-in is damaged.' };
  if (!sameOwner(entry, owner)) return { kind: 'unusable', reason: OTHER_OWNER };
  return { kind: 'ok', cache: entry.cache, ...(entry.connection ? { connection: entry.connection } : {}) };
}

function parseEntry(text: string): CacheEntry | undefined {
  let entry: Partial<CacheEntry>;
  try {
    entry = JSON.parse(text) as Partial<CacheEntry>;
  } catch {
    return undefined;
  }
  if (entry?.v !== 1 || typeof entry.cache !== 'string' || typeof entry.clientId !== 'string' || typeof entry.tenant !== 'string' || typeof entry.loginUrl !== 'string') {
    return undefined;
  }
  try {
    JSON.parse(entry.cache);
  } catch {
    return undefined;
  }
  const connection = entry.connection !== null && typeof entry.connection === 'object' ? entry.connection : undefined;
  const { connection: _given, ...rest } = entry as CacheEntry;
  return { ...rest, ...(connection ? { connection } : {}) };
}

/** The record of a saved entry (the text a store holds), or undefined when it is damaged. */
export function recordOfEntry(text: string): SignInRecord | undefined {
  const entry = parseEntry(text);
  return entry ? recordOf(entry, entry.cache, entry.connection) : undefined;
}

/** What a cache is, without its tokens. */
export function recordOf(owner: CacheOwner, cache: string, connection: Connection | undefined): SignInRecord {
  return { ...summarizeCache(cache), owner: { clientId: owner.clientId, tenant: owner.tenant, loginUrl: owner.loginUrl }, ...(connection ? { connection } : {}) };
}

/** Saves the cache for these settings, bound to the connection it was signed in for. */
export async function writeCache(store: TokenCacheStore, profileId: string, owner: CacheOwner, cache: string, connection: Connection | undefined): Promise<void> {
  const entry: CacheEntry = { v: 1, clientId: owner.clientId, tenant: owner.tenant, loginUrl: owner.loginUrl, cache, ...(connection ? { connection } : {}) };
  await store.save(profileId, JSON.stringify(entry), recordOf(owner, cache, connection));
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
 * does not bring it back. A save that fails throws, so the refresh it records is not taken as done.
 */
export function cachePlugin(store: TokenCacheStore, profileId: string, owner: CacheOwner): ICachePlugin {
  return {
    async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
      const reading = await readCache(store, profileId, owner);
      ctx.tokenCache.deserialize(reading.kind === 'ok' ? reading.cache : '{}');
    },
    async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
      if (!ctx.cacheHasChanged) return;
      const current = await readCache(store, profileId, owner);
      if (current.kind === 'ok') await writeCache(store, profileId, owner, ctx.tokenCache.serialize(), current.connection);
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

/** The access token held that a send of this kind can use at `now`: the one with every permission it needs that lasts longest. */
export function currentToken(summary: CacheSummary, purpose: TokenPurpose, now: number): { scopes: string[]; expiresAt: number } | undefined {
  const wanted = scopesFor(purpose).filter((s) => s !== 'offline_access').map((s) => s.toLowerCase());
  return summary.accessTokens
    .filter((t) => t.expiresAt > now && wanted.every((w) => t.scopes.some((s) => s.toLowerCase() === w || w.endsWith(`/${s.toLowerCase()}`))))
    .sort((a, b) => b.expiresAt - a.expiresAt)[0];
}
