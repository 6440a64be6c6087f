// Microsoft 365 token caches in office mode. A shared profile's cache is the shared secret
// oauthCacheKey(profileId), sealed to the office's sender key, with its summary (no token) in
// mailroom.sign_ins. Two sides:
//  - an administrator's (or anyone's) session: signs in and out, writes the sealed cache and the
//    summary, and reads back only the summary: it can never open the cache;
//  - a sender service, holding the sender key: opens the cache, refreshes it under the sign-in's
//    lock, and writes it back sealed with a fresh summary.
import type { KeyObject } from 'node:crypto';
import type { Connection, Result } from '../../../preload/contract';
import { CacheStoreError, currentToken, oauthCacheKey, type SignInRecord, type TokenCacheStore } from '../oauth/token-cache';
import type { OfficeStore, SignInSummary } from './office-store';

/** The summary kept beside a sealed cache: the access token a send of the profile uses now, and no secret. */
export function signInSummary(record: SignInRecord, now = Date.now()): SignInSummary {
  const graphFirst = record.connection?.sendMethod === 'graph';
  const token =
    currentToken(record, graphFirst ? 'graph' : 'smtp', now) ?? currentToken(record, graphFirst ? 'smtp' : 'graph', now) ?? [...record.accessTokens].sort((a, b) => b.expiresAt - a.expiresAt)[0];
  return {
    account: record.account?.username ?? '',
    displayName: record.account?.name ?? '',
    tenantId: record.account?.tenantId ?? '',
    scopes: token?.scopes ?? [],
    expiresAt: token && token.expiresAt > 0 ? new Date(token.expiresAt).toISOString() : null,
    refreshable: record.hasRefreshToken,
    loginUrl: record.owner.loginUrl,
    connection: record.connection ?? null,
  };
}

/** A summary read back as the record the status is made from. */
function recordOfSummary(summary: SignInSummary & { updatedAt?: string }): SignInRecord {
  const connection: Connection | undefined = summary.connection ?? undefined;
  return {
    ...(summary.account ? { account: { username: summary.account, ...(summary.displayName ? { name: summary.displayName } : {}), ...(summary.tenantId ? { tenantId: summary.tenantId } : {}) } } : {}),
    accessTokens: summary.expiresAt ? [{ scopes: summary.scopes, expiresAt: Date.parse(summary.expiresAt) }] : [],
    hasRefreshToken: summary.refreshable,
    owner: { clientId: connection?.clientId ?? '', tenant: connection?.tenant ?? '', loginUrl: summary.loginUrl },
    ...(connection ? { connection } : {}),
    ...(summary.updatedAt ? { updatedAt: summary.updatedAt } : {}),
  };
}

function orThrow<T>(result: Result<T>): T {
  if (result.ok) return result.value;
  throw new CacheStoreError(result.error.message, result.error.temporary === true);
}

/**
 * The office's token caches, for a session without the sender key: sign-ins are saved sealed for
 * the sender services and never read back; the status comes from their summaries.
 */
export function officeTokenCache(store: OfficeStore): TokenCacheStore {
  return {
    async load(profileId) {
      const found = orThrow(await store.signIn(profileId));
      if (!found.saved) return { kind: 'none' };
      return found.summary ? { kind: 'sealed', record: recordOfSummary(found.summary) } : { kind: 'sealed' };
    },
    async save(profileId, entry, record) {
      orThrow(await store.saveSignIn(profileId, entry, signInSummary(record), { waitForSenders: true }));
    },
    async remove(profileId) {
      orThrow(await store.removeSignIn(profileId, { waitForSenders: true }));
    },
  };
}

/**
 * The office's token caches for a sender service: opened with the sender key, and refreshed by one
 * sender at a time (the sign-in's lock is held around each token fetch, so saves inside it do not
 * take it again).
 */
export function senderTokenCache(store: OfficeStore, privateKey: KeyObject | string): TokenCacheStore {
  return {
    async load(profileId) {
      const opened = await store.openSecret(oauthCacheKey(profileId), privateKey);
      if (!opened.ok) {
        const reason = opened.error.temporary ? opened.error.message : `The saved Microsoft sign-in does not open with this sender key: ${opened.error.message}`;
        throw new CacheStoreError(reason, opened.error.temporary === true);
      }
      return opened.value === undefined ? { kind: 'none' } : { kind: 'entry', text: opened.value };
    },
    async save(profileId, entry, record) {
      orThrow(await store.saveSignIn(profileId, entry, signInSummary(record)));
    },
    async remove(profileId) {
      orThrow(await store.removeSignIn(profileId));
    },
    async exclusive(profileId, work) {
      let locked = false;
      try {
        return await store.withSignInLock(profileId, () => {
          locked = true;
          return work();
        });
      } catch (error) {
        if (locked) throw error;
        const appError = store.toAppError(error, 'Waiting for the Microsoft 365 sign-in');
        throw new CacheStoreError(appError.message, true);
      }
    },
  };
}
