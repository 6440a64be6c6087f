// Signing in with Microsoft for a profile, and the access tokens its sends need. One MSAL public
// client per profile; the token cache lives where a TokenCacheStore keeps it: encrypted in this
// computer's secret store (file mode), or sealed for the office's sender services (office mode,
// where an administrator's process writes it and never reads it back). Sign-in happens in the
// system browser (authorization code with PKCE, loopback redirect on 127.0.0.1) or with a device
// code; tokens are refreshed silently before sending, and only ever for the connection (server,
// app registration, tenant) the profile was signed in for.
import { randomUUID } from 'node:crypto';
import type { AccountInfo, AuthenticationResult, PublicClientApplication } from '@azure/msal-node';
import {
  GUID_RE,
  connectionFingerprint,
  connectionOf,
  fail,
  ok,
  type ErrorCode,
  type Failure,
  type OAuthStatus,
  type Result,
  type SignInFlow,
  type SignInMethod,
  type SignInOutcome,
  type SmtpProfile,
} from '../../../preload/contract';
import { httpsRequest } from '../net/https-request';
import { msalNetworkModule, type WatchedNetworkModule } from './msal-network';
import { scopesFor, DEFAULT_LOGIN_URL, type MicrosoftCloud, type TokenPurpose } from './microsoft-cloud';
import {
  browserFailed,
  cancelled,
  explainMsalError,
  keptForSenders,
  notConfigured,
  signInNeeded,
  signInNotSaved,
  signedInForOtherConnection,
  storeUnavailable,
  timedOut,
  type OAuthProblem,
} from './oauth-explain';
import { CacheStoreError, cachePlugin, currentToken, readCache, recordOf, signInCovers, writeCache, type CacheOwner, type SignInRecord, type TokenCacheStore } from './token-cache';

/** A token this close to expiry is refreshed before use (MSAL's own margin is five minutes too). */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface AccessToken {
  token: string;
  /** The mailbox the token belongs to (its user principal name). */
  account: string;
  expiresAt: Date | null;
  scopes: string[];
}

/**
 * Why no token: the error carries the advice to show and whether waiting may help. A sign-in that
 * is missing, revoked or made for other settings is 'not-signed-in'; a provider or network that did
 * not answer is a temporary 'io-error'; a profile not set up for OAuth2 is 'invalid-input'.
 */
export function tokenFailure(problem: OAuthProblem): Failure {
  const code: ErrorCode = problem.temporary ? 'io-error' : problem.advice.code === 'oauth-not-configured' ? 'invalid-input' : 'not-signed-in';
  return fail(code, `${problem.advice.title}. ${problem.advice.cause}`, [{ path: 'signIn', message: problem.advice.title }], { advice: problem.advice, temporary: problem.temporary });
}

export interface OAuthServiceDeps {
  /** Where each profile's token cache lives (fileTokenCache in file mode). */
  caches: TokenCacheStore;
  cloud: MicrosoftCloud;
  /** Opens a URL in the system browser. */
  openUrl(url: string): Promise<Result<string>>;
  now?: () => number;
  /** Whether TLS trusts the computer's certificate store here, for the advice on an untrusted certificate; true when absent. */
  systemStore?: boolean;
}

export interface AccessTokenOptions {
  /** A real refresh even when the token held has time left (Test connection: a revoked sign-in shows). */
  forceRefresh?: boolean;
  /**
   * The saved profile with this id. A sign-in kept before caches recorded their connection is
   * taken to be for this one, and from then on bound to it.
   */
  savedProfile?: SmtpProfile;
}

type Client = { app: PublicClientApplication; network: WatchedNetworkModule };

interface Flow {
  info: SignInFlow;
  outcome: Promise<SignInOutcome>;
  cancel(reason?: 'user' | 'timeout'): void;
}

export function purposeOf(profile: SmtpProfile): TokenPurpose {
  return profile.sendMethod === 'graph' ? 'graph' : 'smtp';
}

export class OAuthService {
  private readonly clients = new Map<string, Client>();
  private readonly flows = new Map<string, Flow>();
  private readonly memory = new Map<string, AccessToken>();
  private readonly inFlight = new Map<string, Promise<Result<AccessToken>>>();
  private readonly now: () => number;

  constructor(private readonly deps: OAuthServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Who is signed in for the profile, from the saved cache alone (no network); where the cache is
   * kept for other processes, from its record, which holds everything shown here and no token.
   */
  async status(profile: SmtpProfile): Promise<OAuthStatus> {
    const base: OAuthStatus = { profileId: profile.id, signedIn: false, expiresAt: null, scopes: [] };
    const reading = await readCache(this.deps.caches, profile.id, this.owner(profile));
    if (reading.kind === 'none') return base;
    if (reading.kind === 'unusable') return { ...base, problem: `${reading.reason}${reading.temporary ? '' : ' Sign in again.'}` };
    const record: SignInRecord | undefined = reading.kind === 'ok' ? recordOf(this.owner(profile), reading.cache, reading.connection) : reading.record;
    if (!record) return { ...base, problem: 'A sign-in is saved for the sender services, but not who it is. Sign in again to see it here.' };
    if (record.connection && !signInCovers(record.connection, profile)) return { ...base, problem: `${signedInForOtherConnection().advice.cause} Sign in again.` };
    if (!record.account) return base;
    const token = currentToken(record, purposeOf(profile), this.now());
    return {
      ...base,
      signedIn: record.hasRefreshToken || token !== undefined,
      account: record.account.username,
      ...(record.account.name ? { displayName: record.account.name } : {}),
      ...(record.account.tenantId ? { tenantId: record.account.tenantId } : {}),
      expiresAt: token ? new Date(token.expiresAt).toISOString() : null,
      scopes: token?.scopes ?? [],
      ...(!record.hasRefreshToken && !token ? { problem: 'The saved sign-in has no refresh token left. Sign in again.' } : {}),
    };
  }

  async startSignIn(profile: SmtpProfile, method: SignInMethod): Promise<Result<SignInFlow>> {
    const unusable = this.configProblem(profile);
    if (unusable) return unusable;
    for (const flow of this.flows.values()) if (flow.info.profileId === profile.id) flow.cancel();
    // A client of its own with an empty cache in memory: the stored sign-in stays in use until the
    // new one has finished, then the new one replaces it, bound to this profile's connection.
    const { app: client, network } = await this.newClient(profile, false);
    const connection = connectionOf(profile);
    const scopes = scopesFor(purposeOf(profile));
    const flowId = randomUUID();

    let cancelReason: 'user' | 'timeout' | undefined;
    let onCancel: (() => void) | undefined;
    const cancelledP = new Promise<'cancelled'>((resolve) => {
      onCancel = () => resolve('cancelled');
    });
    let ready!: (info: Partial<SignInFlow>) => void;
    const readyP = new Promise<Partial<SignInFlow>>((resolve) => {
      ready = resolve;
    });
    let stopFlow: () => void = () => undefined;
    let browserProblem = '';
    let authUrl = '';

    let run: Promise<AuthenticationResult>;
    if (method === 'browser') {
      run = client.acquireTokenInteractive({
        scopes,
        prompt: 'select_account',
        ...(/@/.test(profile.username) ? { loginHint: profile.username } : {}),
        successTemplate: resultPage('You are signed in', 'Mailroom can now send mail for this account. You can close this tab and go back to Mailroom.'),
        errorTemplate: resultPage('Sign-in did not finish', 'Go back to Mailroom to see what went wrong and try again. You can close this tab.'),
        openBrowser: async (url) => {
          authUrl = url;
          // A provider refuses an unknown app registration on a page of its own and never calls
          // back; asking first turns a long wait into its answer (explained from lastProviderError).
          const refused = await network.checkSignInAddress(url);
          if (refused) throw new Error(`The sign-in service refused the sign-in address (${refused.error})`);
          ready({ authUrl: url });
          browserProblem = await this.deps.openUrl(url).then((r) => (r.ok ? '' : r.error.message), (e: Error) => e.message);
        },
      });
      // MSAL's loopback listener waits for the browser; answering it with an error ends it cleanly.
      stopFlow = () => void abandonLoopback(authUrl);
    } else {
      const request = {
        scopes,
        timeout: Math.round(this.deps.cloud.signInTimeoutMs / 1000),
        cancel: false,
        deviceCodeCallback: (r: { userCode?: string; verificationUri?: string; message?: string; expiresIn?: number }) => {
          // An error answer can arrive here too; only a real code is shown.
          if (typeof r.userCode !== 'string' || typeof r.verificationUri !== 'string') return;
          const expiresIn = Number.isFinite(r.expiresIn) ? (r.expiresIn as number) : 900;
          ready({
            deviceCode: {
              userCode: r.userCode,
              verificationUri: r.verificationUri,
              message: r.message ?? `Open ${r.verificationUri} and enter the code ${r.userCode}.`,
              expiresAt: new Date(this.now() + expiresIn * 1000).toISOString(),
            },
          });
        },
      };
      run = client.acquireTokenByDeviceCode(request).then((r) => {
        if (!r) throw new Error('No token came back from the device-code sign-in');
        return r;
      });
      stopFlow = () => {
        request.cancel = true;
      };
    }
    run.catch(() => undefined);

    const timer = setTimeout(() => flow.cancel('timeout'), this.deps.cloud.signInTimeoutMs);
    timer.unref?.();
    const outcome: Promise<SignInOutcome> = Promise.race([run, cancelledP])
      .then(async (result): Promise<SignInOutcome> => {
        if (result === 'cancelled') {
          const minutes = Math.round(this.deps.cloud.signInTimeoutMs / 60_000);
          const problem = cancelReason !== 'timeout' ? cancelled() : browserProblem ? browserFailed(browserProblem, authUrl) : timedOut(minutes);
          return { ok: false, advice: problem.advice };
        }
        await this.keepOnly(client, result.account);
        try {
          await writeCache(this.deps.caches, profile.id, this.owner(profile), client.getTokenCache().serialize(), connection);
        } catch (error) {
          return { ok: false, advice: signInNotSaved((error as Error).message).advice };
        }
        this.forgetMemory(profile.id);
        return { ok: true, status: await this.status(profile) };
      })
      .catch(async (error: unknown): Promise<SignInOutcome> => ({ ok: false, advice: (await this.explain(error, profile, network)).advice }))
      .finally(() => {
        clearTimeout(timer);
        // Kept a little while so a late wait still gets the outcome.
        setTimeout(() => this.flows.delete(flowId), 60_000).unref?.();
      });

    const flow: Flow = {
      info: { flowId, profileId: profile.id, method },
      outcome,
      cancel: (reason = 'user') => {
        if (cancelReason) return;
        cancelReason = reason;
        stopFlow();
        onCancel?.();
      },
    };
    this.flows.set(flowId, flow);
    // Start answers once there is something to show: the address, the code, or an early failure.
    const early = await Promise.race([readyP, outcome.then(() => ({}))]);
    flow.info = { ...flow.info, ...early };
    return ok(flow.info);
  }

  async waitSignIn(flowId: string): Promise<Result<SignInOutcome>> {
    const flow = this.flows.get(flowId);
    if (!flow) return fail('not-found', 'That sign-in is no longer under way. Start it again.');
    return ok(await flow.outcome);
  }

  cancelSignIn(flowId: string): boolean {
    const flow = this.flows.get(flowId);
    if (!flow) return false;
    flow.cancel('user');
    return true;
  }

  /** Removes the account and every token of this profile from where they are kept, and from memory. */
  async signOut(profile: SmtpProfile | { id: string }): Promise<Result<void>> {
    for (const flow of this.flows.values()) if (flow.info.profileId === profile.id) flow.cancel();
    if ('clientId' in profile && this.configProblem(profile) === undefined) {
      try {
        const { app: client } = await this.clientEntry(profile);
        const cache = client.getTokenCache();
        for (const account of await cache.getAllAccounts()) await cache.removeAccount(account);
      } catch {
        // Whatever MSAL thinks, the entry below goes.
      }
    }
    this.forgetMemory(profile.id);
    try {
      await this.deps.caches.remove(profile.id);
    } catch (error) {
      return fail(error instanceof CacheStoreError && error.temporary ? 'unavailable' : 'io-error', `The sign-in could not be removed: ${(error as Error).message}`);
    }
    return ok(undefined);
  }

  /**
   * Drops the tokens held in memory for the profile: its cache was changed by another process (an
   * administrator signed in again or out), so the next use reads it again.
   */
  forget(profileId: string): void {
    this.forgetMemory(profileId);
  }

  /**
   * An access token for sending with this profile, from memory when it has five minutes left,
   * else refreshed silently. Never opens a browser: when the user must act, says so. Only for the
   * connection the profile was signed in for: a profile whose server, app registration or tenant
   * changed since gets no token, and must be signed in again.
   */
  async accessToken(profile: SmtpProfile, options: AccessTokenOptions = {}): Promise<Result<AccessToken>> {
    const problem = this.configProblem(profile);
    if (problem) return tokenFailure(notConfigured(problem.error.message, 'Enter the Tenant and Client (application) ID on the SMTP tab, then sign in.'));
    const purpose = purposeOf(profile);
    // Held per exact connection: a token fetched for one is never handed to another from memory.
    const key = `${profile.id}\u0000${purpose}\u0000${connectionFingerprint(profile)}`;
    const held = this.memory.get(key);
    if (!options.forceRefresh && held?.expiresAt && held.expiresAt.getTime() - this.now() > REFRESH_MARGIN_MS) return { ok: true, value: held };
    const running = this.inFlight.get(key);
    if (running && !options.forceRefresh) return running;
    const attempt = this.fetchToken(profile, purpose, options)
      .then((r) => {
        if (r.ok) this.memory.set(key, r.value);
        else this.memory.delete(key);
        return r;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, attempt);
    return attempt;
  }

  /** Cancels every sign-in under way (at shutdown). */
  close(): void {
    for (const flow of this.flows.values()) flow.cancel();
  }

  private async fetchToken(profile: SmtpProfile, purpose: TokenPurpose, options: AccessTokenOptions): Promise<Result<AccessToken>> {
    const { caches } = this.deps;
    const work = () => this.fetchTokenAlone(profile, purpose, options);
    try {
      return await (caches.exclusive ? caches.exclusive(profile.id, work) : work());
    } catch (error) {
      if (error instanceof CacheStoreError) return tokenFailure(error.temporary ? storeUnavailable(error.message) : signInNeeded(error.message));
      throw error;
    }
  }

  private async fetchTokenAlone(profile: SmtpProfile, purpose: TokenPurpose, options: AccessTokenOptions): Promise<Result<AccessToken>> {
    const owner = this.owner(profile);
    const reading = await readCache(this.deps.caches, profile.id, owner);
    if (reading.kind === 'none') return tokenFailure(signInNeeded('This profile is not signed in with Microsoft.'));
    if (reading.kind === 'unusable') return tokenFailure(reading.temporary ? storeUnavailable(reading.reason) : signInNeeded(reading.reason));
    if (reading.kind === 'sealed') return tokenFailure(keptForSenders());
    const signedInFor = reading.connection ?? (options.savedProfile?.id === profile.id ? connectionOf(options.savedProfile) : undefined);
    if (!signedInFor || !signInCovers(signedInFor, profile)) return tokenFailure(signedInForOtherConnection());
    if (!reading.connection) await writeCache(this.deps.caches, profile.id, owner, reading.cache, signedInFor);
    const forceRefresh = options.forceRefresh ?? false;
    const { app: client, network } = await this.clientEntry(profile);
    network.resetLastError();
    const account = (await client.getTokenCache().getAllAccounts())[0];
    if (!account) return tokenFailure(signInNeeded('This profile is not signed in with Microsoft.'));
    try {
      const result = await client.acquireTokenSilent({ account, scopes: scopesFor(purpose), forceRefresh });
      return {
        ok: true,
        value: { token: result.accessToken, account: result.account?.username ?? account.username, expiresAt: result.expiresOn, scopes: result.scopes },
      };
    } catch (error) {
      // A refresh that could not be saved: the error of the store, not of the provider.
      if (error instanceof CacheStoreError) throw error;
      return tokenFailure((await this.explain(error, profile, network)));
    }
  }

  /** Explains an MSAL error; for "could not resolve endpoints" finds out why by asking the authority itself. */
  private async explain(error: unknown, profile: SmtpProfile, network: WatchedNetworkModule): Promise<OAuthProblem> {
    const ctx = this.ctx(profile);
    const code = (error as { errorCode?: string }).errorCode;
    if (code === 'endpoints_resolution_error' || code === 'openid_config_error') {
      const probe = await this.probeAuthority(profile);
      if (probe) return explainMsalError(probe, ctx);
    }
    // MSAL often keeps only a code of its own or the bare error word: the provider's answer decides.
    return explainMsalError(error, ctx, network.lastProviderError());
  }

  /** Fetches the tenant's OpenID metadata to tell a wrong tenant from a network or certificate problem. */
  private async probeAuthority(profile: SmtpProfile): Promise<{ errorCode: string; errorMessage: string } | undefined> {
    const url = `${this.deps.cloud.loginUrl}/${encodeURIComponent(profile.tenant)}/v2.0/.well-known/openid-configuration`;
    try {
      const res = await httpsRequest({ method: 'GET', url, timeoutMs: this.deps.cloud.requestTimeoutMs, ...(this.deps.cloud.ca ? { ca: this.deps.cloud.ca } : {}) });
      if (res.status === 200) return undefined;
      let body: { error?: string; error_description?: string } = {};
      try {
        body = JSON.parse(res.body.toString('utf8')) as typeof body;
      } catch {
        /* not JSON */
      }
      return { errorCode: body.error ?? `http_${res.status}`, errorMessage: body.error_description ?? `HTTP ${res.status}` };
    } catch (e) {
      return { errorCode: 'network_error', errorMessage: (e as Error).message };
    }
  }

  private async keepOnly(client: PublicClientApplication, account: AccountInfo | null): Promise<void> {
    if (!account) return;
    const cache = client.getTokenCache();
    for (const other of await cache.getAllAccounts()) if (other.homeAccountId !== account.homeAccountId) await cache.removeAccount(other);
  }

  private forgetMemory(profileId: string): void {
    for (const key of this.memory.keys()) if (key.startsWith(`${profileId}\u0000`)) this.memory.delete(key);
  }

  private configProblem(profile: SmtpProfile): { ok: false; error: { code: 'invalid-input'; message: string; fields: { path: string; message: string }[] } } | undefined {
    if (profile.clientId === '') {
      return fail('invalid-input', "Enter the Client (application) ID of your organisation's app registration before signing in.", [
        { path: 'clientId', message: 'Required to sign in' },
      ]) as never;
    }
    if (!GUID_RE.test(profile.clientId)) {
      return fail('invalid-input', 'The Client (application) ID is a GUID like 00000000-0000-0000-0000-000000000000.', [{ path: 'clientId', message: 'Not a GUID' }]) as never;
    }
    return undefined;
  }

  private owner(profile: SmtpProfile): CacheOwner {
    return { clientId: profile.clientId, tenant: profile.tenant, loginUrl: this.deps.cloud.loginUrl };
  }

  private ownerKey(profile: SmtpProfile): string {
    return `${profile.clientId.toLowerCase()}\u0000${profile.tenant.toLowerCase()}`;
  }

  private ctx(profile: SmtpProfile) {
    return { tenant: profile.tenant, clientId: profile.clientId, loginHost: new URL(this.deps.cloud.loginUrl).host, ...(this.deps.systemStore === false ? { systemStore: false } : {}) };
  }

  /** The profile's client whose cache is the stored one, made once per app registration and tenant. */
  private async clientEntry(profile: SmtpProfile): Promise<Client> {
    const key = `${profile.id}\u0000${this.ownerKey(profile)}`;
    const existing = this.clients.get(key);
    if (existing) return existing;
    for (const k of this.clients.keys()) if (k.startsWith(`${profile.id}\u0000`)) this.clients.delete(k);
    const entry = await this.newClient(profile, true);
    const again = this.clients.get(key);
    if (again) return again;
    this.clients.set(key, entry);
    return entry;
  }

  /** An MSAL client for the profile: with the stored cache (stored), or with one in memory only. */
  private async newClient(profile: SmtpProfile, stored: boolean): Promise<Client> {
    const { loginUrl, ca, requestTimeoutMs } = this.deps.cloud;
    const host = new URL(loginUrl).host;
    const network = msalNetworkModule({ timeoutMs: requestTimeoutMs, ...(ca ? { ca } : {}) });
    // MSAL is loaded on first use: most runs (a send with a password, the CLI) never need it.
    const { LogLevel, PublicClientApplication } = await import('@azure/msal-node');
    const app = new PublicClientApplication({
      auth: {
        clientId: profile.clientId,
        authority: `${loginUrl}/${encodeURIComponent(profile.tenant)}`,
        // Another sign-in host (a sovereign cloud, a test authority) is trusted by naming it.
        ...(loginUrl !== DEFAULT_LOGIN_URL ? { knownAuthorities: [host] } : {}),
      },
      ...(stored ? { cache: { cachePlugin: cachePlugin(this.deps.caches, profile.id, this.owner(profile)) } } : {}),
      system: {
        networkClient: network,
        loggerOptions: { piiLoggingEnabled: false, logLevel: LogLevel.Error, loggerCallback: () => undefined },
      },
    });
    return { app, network };
  }
}

/** Ends a browser sign-in still waiting at MSAL's loopback listener by delivering an error to it. */
async function abandonLoopback(authUrl: string): Promise<void> {
  if (!authUrl) return;
  try {
    const url = new URL(authUrl);
    const redirect = url.searchParams.get('redirect_uri');
    const state = url.searchParams.get('state');
    if (!redirect || !state || !/^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\/?$/.test(redirect)) return;
    await httpsRequest({
      method: 'POST',
      url: redirect,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ error: 'user_cancelled', error_description: 'Cancelled in Mailroom', state }).toString(),
      timeoutMs: 5_000,
    });
  } catch {
    // The listener is gone already.
  }
}

function resultPage(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mailroom: ${title}</title><meta name="viewport" content="width=device-width"><style>body{font:16px/1.5 "Segoe UI",system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;background:#f5f5f5;color:#242424}main{background:#fff;padding:32px 40px;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.12);max-width:32em}h1{font-size:20px;margin:0 0 8px}</style></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
}
