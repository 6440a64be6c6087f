// A Microsoft Entra ID look-alike on loopback HTTPS, built on oidc-provider, so msal-node can be
// driven through real sign-ins in tests: the Entra paths and tenant aliases, Entra's error
// bodies (AADSTS codes), client_info, Outlook and Graph access tokens as JWTs, device code with
// Entra's quirks, and a scripted "system browser" that signs in and consents over real HTTP.
//
// What msal-node 7.2.1 surfaces for each failure this provider produces (pinned by
// test/integration/identity-provider.test.ts):
// - unknown tenant: Entra's 400 invalid_tenant/AADSTS90002 discovery answer is dropped by MSAL,
//   which throws ClientAuthError 'endpoints_resolution_error', exactly as for an untrusted CA, a
//   missing knownAuthorities or no network. To say "wrong tenant" the product must read the
//   discovery answer itself (its network client can keep the last error body it received).
// - unknown client, device code: MSAL ignores the devicecode endpoint's 400, calls
//   deviceCodeCallback with every field undefined, then polls once and throws AuthError
//   'post_request_failed' with errorMessage 'unauthorized_client' (no AADSTS700016 in sight).
//   In the browser Entra shows an error page and never calls the app back, so
//   acquireTokenInteractive waits until the product gives up; playBrowser rejects with the page's
//   "AADSTS700016: Application with identifier ..." text, and MSAL rethrows that rejection.
// - declined consent, browser: ServerError 'access_denied', errorMessage starts "AADSTS65004:".
//   Device code: AuthError 'post_request_failed', errorMessage 'authorization_declined' (MSAL
//   keeps only the error word while polling).
// - revoked refresh token: InteractionRequiredAuthError 'invalid_grant', subError 'bad_token',
//   errorMessage contains AADSTS50173; MSAL then forgets the refresh token, so the next silent
//   call fails locally with InteractionRequiredAuthError 'no_tokens_found'.
// - refresh for a resource never consented: InteractionRequiredAuthError 'invalid_grant', subError
//   'consent_required', errorMessage contains AADSTS65001.
import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, type JSONWebKeySet, type JWK } from 'jose';
import { createTestCa, type TestCa } from './test-ca';

export const TEST_TENANT_ID = '8c3dad1d-b6bc-4f8b-939b-8263372eced6';
export const TEST_TENANT_DOMAIN = 'contoso.test';
export const TEST_CLIENT_ID = '2f5b7c9e-4a1d-4e3b-9c8a-6d0e1f2a3b4c';
export const TEST_CLIENT_NAME = 'Mailroom';
export const SMTP_SCOPE = 'https://outlook.office.com/SMTP.Send';
export const GRAPH_SCOPES = ['https://graph.microsoft.com/Mail.Send', 'https://graph.microsoft.com/Mail.ReadWrite'];
export const OUTLOOK_RESOURCE = 'https://outlook.office.com';
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

export interface TestUser {
  username: string;
  displayName: string;
  oid: string;
}

export interface BrowserOptions {
  /** Who signs in; defaults to the authorize request's login_hint when it names a user, else users[0]. */
  user?: string;
  consent?: 'grant' | 'deny';
}

export interface IdentityProvider {
  /** 'https://localhost:PORT' */
  origin: string;
  /** 'localhost:PORT' */
  host: string;
  /** PEM of the CA that signed the provider's certificate. */
  ca: string;
  /** The issuer of every token: 'https://localhost:PORT/{TEST_TENANT_ID}/v2.0'. */
  issuer: string;
  users: TestUser[];
  /**
   * Verifies an access token this provider issued (signature via its JWKS, expiry, issuer) and that
   * its audience is the resource; resolves to the claims, rejects otherwise.
   */
  verifyAccessToken(token: string, resource: string): Promise<Record<string, unknown>>;
  /**
   * Plays the system browser for an authorize URL MSAL opened: signs in, consents (or declines),
   * then POSTs the form_post result to the loopback redirect URI. Resolves when the loopback
   * answered; rejects with Entra's message when the provider shows an error page instead.
   * Each call is a fresh browser profile (no session cookie from an earlier call).
   */
  playBrowser(authUrl: string, options?: BrowserOptions): Promise<void>;
  /** Completes a device-code sign-in for this user code, as the user would on the verification page. */
  completeDeviceCode(userCode: string, options?: BrowserOptions): Promise<void>;
  /**
   * Revokes every refresh token and sign-in session, as an admin "revoke sessions" would: the next
   * refresh fails with invalid_grant/AADSTS50173. Consent stays, as in Entra, unless consent: true.
   */
  revokeAll(options?: { consent?: boolean }): Promise<void>;
  /** Lifetime of access tokens issued from now on (default 3600). */
  setAccessTokenTtl(seconds: number): void;
  /** Every request the provider saw (method, path, grant_type for token calls). */
  requests: { method: string; path: string; grantType?: string }[];
  /** Every authorization response the browser delivered to an app's redirect URI, and who answered. */
  loopbackAnswers: { url: string; remoteAddress: string; status: number; body: string }[];
  close(): Promise<void>;
}

export interface IdentityProviderOptions {
  ca?: TestCa;
  /** Seconds between device-code polls the provider asks for (Entra says 5). */
  deviceCodeInterval?: number;
  /**
   * How an unknown client ID is refused: 'entra' (default) as Entra does (unauthorized_client with
   * AADSTS700016; an error page at the authorize step), 'standard' as oidc-provider itself does
   * by the RFCs (invalid_client, with no AADSTS number anywhere).
   */
  unknownClient?: 'entra' | 'standard';
}

// ---------------------------------------------------------------------------------------------
// The parts of oidc-provider used here.

interface OidcParams {
  [name: string]: unknown;
  scope?: string;
  client_id?: string;
  login_hint?: string;
  grant_type?: string;
}
interface OidcContext {
  route?: string;
  params?: OidcParams;
  prompts?: Set<string>;
  client?: { clientId: string };
  session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
  result?: { consent?: { grantId?: string } };
  provider: OidcProvider;
}
interface KoaContext {
  oidc?: OidcContext;
  req: IncomingMessage;
  body: unknown;
  status: number;
  type: string;
}
interface InteractionDetails {
  uid: string;
  prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
  params: OidcParams;
  session?: { accountId: string };
  grantId?: string;
}
interface OidcGrant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  getResourceScope(resource: string): string;
  save(): Promise<string>;
}
interface OidcProvider {
  issuer: string;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  Grant: { new (init: { accountId: string; clientId: string }): OidcGrant; find(id: string): Promise<OidcGrant | undefined> };
}
interface AccessTokenModel {
  kind: string;
  accountId?: string;
  clientId?: string;
  scope?: string;
}
interface JwtParts {
  header?: Record<string, unknown>;
  payload: Record<string, unknown>;
}
interface PromptLike {
  name: string;
  checks: { remove(reason: string): void };
}
interface PolicyLike extends Array<PromptLike> {
  get(name: string): PromptLike | undefined;
  add(prompt: unknown, index?: number): void;
}
interface OidcModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  interactionPolicy: {
    base(): PolicyLike;
    Prompt: new (options: { name: string; requestable: boolean }) => unknown;
  };
  errors: { InvalidTarget: new (description?: string) => Error };
}

let oidcModule: Promise<OidcModule> | undefined;

/**
 * oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS" when loaded on Node 20; it
 * runs fine there (see ENV-NOTES), so that one line is kept out of every test's output.
 */
function loadOidcProvider(): Promise<OidcModule> {
  oidcModule ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
    };
    try {
      // @ts-expect-error oidc-provider ships no type declarations; the shapes used are declared above.
      return (await import('oidc-provider')) as OidcModule;
    } finally {
      console.warn = warn;
    }
  })();
  return oidcModule;
}

// ---------------------------------------------------------------------------------------------
// Directory contents.

const DEFAULT_USERS: TestUser[] = [
  { username: 'accounts@contoso.test', displayName: 'Accounts Payable', oid: '4a8f0c2e-9d1b-4c3a-8e7f-1b2c3d4e5f60' },
  { username: 'megan@contoso.test', displayName: 'Megan Bowen', oid: '7b9e1d3f-2a4c-4e6b-9d8f-0a1b2c3d4e5f' },
];

/** Scopes each resource knows, by their short names (what ends up in the token's scp). */
const RESOURCES: Record<string, string[]> = {
  [OUTLOOK_RESOURCE]: ['SMTP.Send', 'IMAP.AccessAsUser.All', 'POP.AccessAsUser.All', 'EWS.AccessAsUser.All'],
  [GRAPH_RESOURCE]: ['Mail.Send', 'Mail.ReadWrite', 'Mail.Read', 'User.Read'],
};

function resourceOfScope(scope: string): string | undefined {
  return Object.keys(RESOURCES).find((resource) => scope.toLowerCase().startsWith(`${resource}/`));
}

/** Entra's subject is pairwise (per user and app); the object id is the user's. */
function subjectOf(user: TestUser): string {
  return crypto.createHash('sha256').update(`${user.oid}:${TEST_CLIENT_ID}`).digest('base64url').slice(0, 43);
}

type TenantKind = 'id' | 'domain' | 'common' | 'organizations';

function tenantKind(segment: string): TenantKind | undefined {
  const lower = segment.toLowerCase();
  if (lower === TEST_TENANT_ID) return 'id';
  if (lower === TEST_TENANT_DOMAIN) return 'domain';
  if (lower === 'common' || lower === 'organizations') return lower;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Entra's error shapes.

function entraTimestamp(): string {
  return new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function aadsts(code: number, message: string, correlationId: string = crypto.randomUUID()): string {
  return `AADSTS${code}: ${message}\r\nTrace ID: ${crypto.randomUUID()}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${entraTimestamp()}`;
}

function entraError(origin: string, error: string, code: number, message: string, extra: Record<string, unknown> = {}, correlationId?: string): Record<string, unknown> {
  const correlation = correlationId ?? crypto.randomUUID();
  const description = aadsts(code, message, correlation);
  return {
    error,
    error_description: description,
    error_codes: [code],
    timestamp: entraTimestamp(),
    trace_id: /Trace ID: (\S+)/.exec(description)?.[1],
    correlation_id: correlation,
    error_uri: `${origin}/error?code=${code}`,
    ...extra,
  };
}

const tenantNotFound = (tenant: string) =>
  `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;
const applicationNotFound = (clientId: string, directory: string) =>
  `Application with identifier '${clientId}' was not found in the directory '${directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`;
const CONSENT_DECLINED = 'User declined to consent to access the app.';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function unescapeHtml(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[name] ?? '');
}

/** The page Entra shows when it cannot send the user back to the app. */
function errorPageHtml(message: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in to your account</title></head><body>
<div id="error" role="alert"><p>Sorry, but we're having trouble signing you in.</p><p id="error-message">${escapeHtml(message)}</p></div>
</body></html>`;
}

function page(kind: string, inner: string, error = ''): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sign in to your account</title></head><body>
<main data-page="${kind}" data-error="${escapeHtml(error)}">${inner}</main></body></html>`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The request again, with a (possibly rewritten) body to read, for oidc-provider's body parser. */
function withBody(req: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = Readable.from([body], { objectMode: false });
  return Object.assign(replay, {
    method: req.method,
    url: req.url,
    headers: { ...req.headers, 'content-length': String(body.length) },
    rawHeaders: req.rawHeaders,
    httpVersion: req.httpVersion,
    httpVersionMajor: req.httpVersionMajor,
    httpVersionMinor: req.httpVersionMinor,
    socket: req.socket,
    connection: req.socket,
    complete: true,
    aborted: false,
  }) as unknown as IncomingMessage;
}

// ---------------------------------------------------------------------------------------------
// Storage: oidc-provider's adapter interface over one Map, so revokeAll can see everything.

interface StoredEntry {
  payload: Record<string, unknown>;
  expiresAt?: number;
}

class Store {
  readonly entries = new Map<string, StoredEntry>();
  /** Refresh tokens removed by revokeAll, to answer AADSTS50173 rather than "malformed". */
  readonly revokedRefreshTokens = new Set<string>();
  revokedAt?: Date;

  key(model: string, id: string): string {
    return `${model}:${id}`;
  }

  get(model: string, id: string): Record<string, unknown> | undefined {
    const entry = this.entries.get(this.key(model, id));
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt < Date.now()) {
      this.entries.delete(this.key(model, id));
      return undefined;
    }
    return entry.payload;
  }

  *all(model: string): Generator<[string, Record<string, unknown>]> {
    const prefix = `${model}:`;
    for (const [key, entry] of this.entries) if (key.startsWith(prefix)) yield [key.slice(prefix.length), entry.payload];
  }

  adapter(): new (model: string) => unknown {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const store = this;
    return class Adapter {
      constructor(private readonly model: string) {}
      async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number): Promise<void> {
        store.entries.set(store.key(this.model, id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : undefined });
      }
      async find(id: string): Promise<Record<string, unknown> | undefined> {
        return store.get(this.model, id);
      }
      async findByUid(uid: string): Promise<Record<string, unknown> | undefined> {
        for (const [id, payload] of store.all(this.model)) if (payload.uid === uid) return store.get(this.model, id);
        return undefined;
      }
      async findByUserCode(userCode: string): Promise<Record<string, unknown> | undefined> {
        for (const [id, payload] of store.all(this.model)) if (payload.userCode === userCode) return store.get(this.model, id);
        return undefined;
      }
      async consume(id: string): Promise<void> {
        // Entra hands out a new refresh token on every use but the old one stays valid; oidc-provider
        // would treat a reused one as stolen and revoke the grant. Codes stay single-use.
        if (this.model === 'RefreshToken') return;
        const payload = store.get(this.model, id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      }
      async destroy(id: string): Promise<void> {
        store.entries.delete(store.key(this.model, id));
      }
      async revokeByGrantId(grantId: string): Promise<void> {
        for (const [id, payload] of [...store.all(this.model)]) if (payload.grantId === grantId) store.entries.delete(store.key(this.model, id));
      }
    };
  }

  grantFor(accountId: string, clientId: string): string | undefined {
    for (const [id, payload] of this.all('Grant')) {
      if (payload.accountId === accountId && payload.clientId === clientId && this.get('Grant', id)) return id;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The scripted browser: a cookie jar for the provider's origin and form posts, over real HTTP.

interface Page {
  url: string;
  status: number;
  contentType: string;
  body: string;
  /** The address that answered (which interface the server listens on). */
  remoteAddress: string;
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

class Browser {
  private cookies: Cookie[] = [];

  constructor(
    private readonly origin: string,
    private readonly ca: string,
  ) {}

  async open(method: 'GET' | 'POST', url: string, form?: Record<string, string>): Promise<Page> {
    let current = new URL(url);
    let currentMethod = method;
    let body = form ? new URLSearchParams(form).toString() : undefined;
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.request(currentMethod, current, body);
      const location = response.headers.location;
      if (response.status >= 300 && response.status < 400 && typeof location === 'string') {
        current = new URL(location, current);
        if (response.status !== 307 && response.status !== 308) {
          currentMethod = 'GET';
          body = undefined;
        }
        continue;
      }
      return { url: current.href, status: response.status, contentType: String(response.headers['content-type'] ?? ''), body: response.body, remoteAddress: response.remoteAddress };
    }
    throw new Error(`too many redirects from ${url}`);
  }

  private request(method: string, url: URL, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string; remoteAddress: string }> {
    const sameOrigin = url.origin === this.origin;
    const headers: Record<string, string> = { 'user-agent': 'Mozilla/5.0 (test browser)', accept: 'text/html,application/json' };
    if (sameOrigin) {
      const cookie = this.cookiesFor(url.pathname);
      if (cookie) headers.cookie = cookie;
    }
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(url, { method, headers, agent: false, ...(url.protocol === 'https:' ? { ca: this.ca } : {}) }, (res) => {
        if (sameOrigin) this.store(res.headers['set-cookie'] ?? [], url.pathname);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), remoteAddress: res.socket?.remoteAddress ?? '' }));
      });
      req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url.href} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  private cookiesFor(path: string): string {
    return this.cookies
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  private store(setCookies: string[], requestPath: string): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = requestPath.slice(0, requestPath.lastIndexOf('/')) || '/';
      let expired = value === '';
      for (const attribute of attributes) {
        const [key = '', val = ''] = attribute.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'path') path = val;
        if (key.toLowerCase() === 'expires' && Date.parse(val) < Date.now()) expired = true;
        if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      }
      this.cookies = this.cookies.filter((c) => !(c.name === name && c.path === path));
      if (!expired) this.cookies.push({ name, value, path });
    }
  }
}

/** The first form on a page: its action and the values it would submit. */
function parseForm(html: string, baseUrl: string): { action: string; fields: Record<string, string> } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return undefined;
  const action = /\baction="([^"]*)"/i.exec(form[1] ?? '')?.[1];
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
    const attributes = input[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(attributes)?.[1];
    const value = /\bvalue="([^"]*)"/i.exec(attributes)?.[1] ?? '';
    if (name) fields[unescapeHtml(name)] = unescapeHtml(value);
  }
  return { action: new URL(unescapeHtml(action ?? ''), baseUrl).href, fields };
}

function pageKind(html: string): { kind?: string; error?: string } {
  const main = /<main data-page="([^"]*)" data-error="([^"]*)"/.exec(html);
  return { kind: main?.[1], error: main?.[2] ? unescapeHtml(main[2]) : undefined };
}

function errorMessage(pageBody: string): string | undefined {
  const match = /<p id="error-message">([\s\S]*?)<\/p>/.exec(pageBody);
  return match?.[1] !== undefined ? unescapeHtml(match[1]) : undefined;
}

// ---------------------------------------------------------------------------------------------

export async function startIdentityProvider(options: IdentityProviderOptions = {}): Promise<IdentityProvider> {
  const ca = options.ca ?? createTestCa('Mailroom Identity Test CA');
  const tls = ca.issue(['localhost', '127.0.0.1']);
  const deviceCodeInterval = options.deviceCodeInterval ?? 1;
  const entraClientErrors = (options.unknownClient ?? 'entra') === 'entra';
  const users = DEFAULT_USERS.map((u) => ({ ...u }));
  const userBySubject = new Map(users.map((u) => [subjectOf(u), u]));
  const userByName = (name: string) => users.find((u) => u.username.toLowerCase() === name.toLowerCase());
  const store = new Store();
  const requests: IdentityProvider['requests'] = [];
  const loopbackAnswers: IdentityProvider['loopbackAnswers'] = [];
  let accessTokenTtl = 3600;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey: JWK = { ...(await exportJWK(privateKey)), kid: crypto.randomBytes(16).toString('base64url'), use: 'sig', alg: 'RS256' };

  // The port is known only after listening, and the issuer must contain it.
  const server = https.createServer({ key: tls.key, cert: tls.cert });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = `localhost:${port}`;
  const origin = `https://${host}`;
  const issuer = `${origin}/${TEST_TENANT_ID}/v2.0`;

  /** How the front door routed a request: which kind of tenant it named, and its form body. */
  const routing = new WeakMap<IncomingMessage, { kind: TenantKind; form?: URLSearchParams }>();

  const { default: Provider, interactionPolicy, errors: oidcErrors } = await loadOidcProvider();
  const { base, Prompt } = interactionPolicy;
  const policy = base();
  // Entra remembers consent; oidc-provider would ask native apps on every sign-in.
  policy.get('consent')?.checks.remove('native_client_prompt');
  // MSAL may send prompt=select_account, which oidc-provider rejects unless a prompt has that name.
  policy.add(new Prompt({ name: 'select_account', requestable: true }), 0);

  const accountFor = (sub: string) => {
    const user = userBySubject.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      claims: async () => ({ sub, oid: user.oid, tid: TEST_TENANT_ID, ver: '2.0', name: user.displayName, preferred_username: user.username }),
    };
  };

  const provider = new Provider(issuer, {
    adapter: store.adapter(),
    clients: [
      {
        client_id: TEST_CLIENT_ID,
        client_name: TEST_CLIENT_NAME,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        redirect_uris: ['http://localhost', 'http://127.0.0.1'],
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub', 'oid', 'tid', 'ver'], profile: ['name', 'preferred_username'] },
    conformIdTokenClaims: false,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    responseTypes: ['code'],
    pkce: { required: () => true },
    routes: {
      authorization: '/oauth2/v2.0/authorize',
      token: '/oauth2/v2.0/token',
      device_authorization: '/oauth2/v2.0/devicecode',
      code_verification: '/devicelogin',
      end_session: '/oauth2/v2.0/logout',
      jwks: '/discovery/v2.0/keys',
      userinfo: '/oidc/userinfo',
    },
    findAccount: async (_ctx: unknown, sub: string) => accountFor(sub),
    loadExistingGrant: async (ctx: KoaContext) => {
      const o = ctx.oidc;
      if (!o?.client) return undefined;
      const grantId =
        o.result?.consent?.grantId ??
        o.session?.grantIdFor(o.client.clientId) ??
        (o.session?.accountId ? store.grantFor(o.session.accountId, o.client.clientId) : undefined);
      return grantId ? provider.Grant.find(grantId) : undefined;
    },
    interactions: {
      policy,
      url: async (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    expiresWithSession: async () => false,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: () => accessTokenTtl,
      AuthorizationCode: 600,
      DeviceCode: 900,
      IdToken: 3600,
      RefreshToken: 90 * 86_400,
      Interaction: 3600,
      Session: 86_400,
      Grant: 365 * 86_400,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '*********',
        userCodeInputSource: async (ctx: KoaContext, form: string, _out: unknown, err?: Error & { userCode?: string }) => {
          const error = !err ? '' : err.name === 'AbortedError' ? 'declined' : err.userCode || err.name === 'NoCodeError' ? 'invalid_code' : err.name;
          ctx.type = 'html';
          ctx.body = page('enter-code', `<h1>Enter code</h1>${form}`, error);
        },
        userCodeConfirmSource: async (ctx: KoaContext, form: string, client: { clientName?: string; clientId: string }, _info: unknown, userCode: string) => {
          ctx.type = 'html';
          ctx.body = page('confirm-code', `<h1>Are you trying to sign in to ${escapeHtml(client.clientName ?? client.clientId)}?</h1><p>${escapeHtml(userCode)}</p>${form}`);
        },
        successSource: async (ctx: KoaContext) => {
          ctx.type = 'html';
          ctx.body = page('device-signed-in', `<h1>${escapeHtml(TEST_CLIENT_NAME)}</h1><p>You have signed in to the ${escapeHtml(TEST_CLIENT_NAME)} application on your device. You may now close this window.</p>`);
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx: KoaContext, _client: unknown, oneOf?: string | string[]) => {
          const requested = String(ctx.oidc?.params?.scope ?? '').split(' ');
          const fromScope = requested.map(resourceOfScope).find((r) => r !== undefined);
          if (Array.isArray(oneOf)) return fromScope && oneOf.includes(fromScope) ? fromScope : oneOf[0];
          return oneOf ?? fromScope;
        },
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          const scopes = RESOURCES[indicator];
          if (!scopes) throw new oidcErrors.InvalidTarget();
          return {
            scope: scopes.map((s) => `${indicator}/${s}`).join(' '),
            audience: indicator,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    formats: {
      customizers: {
        // Entra's access tokens: scp with short names, the user's object id, tenant and UPN.
        jwt: async (_ctx: unknown, token: AccessTokenModel, jwt: JwtParts) => {
          if (token.kind !== 'AccessToken') return jwt;
          const user = token.accountId ? userBySubject.get(token.accountId) : undefined;
          const scp = (token.scope ?? '')
            .split(' ')
            .filter((s) => resourceOfScope(s))
            .map((s) => s.slice(s.lastIndexOf('/') + 1))
            .join(' ');
          const payload = jwt.payload;
          delete payload.scope;
          delete payload.client_id;
          Object.assign(payload, {
            nbf: payload.iat,
            appid: token.clientId,
            app_displayname: TEST_CLIENT_NAME,
            idtyp: 'user',
            scp,
            tid: TEST_TENANT_ID,
            ver: '1.0',
            uti: crypto.randomBytes(16).toString('base64url'),
            ...(user ? { oid: user.oid, name: user.displayName, upn: user.username, unique_name: user.username, preferred_username: user.username } : {}),
          });
          jwt.header = { ...jwt.header, typ: 'JWT' };
          return jwt;
        },
      },
    },
    renderError: async (ctx: KoaContext, out: { error?: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = errorPageHtml(`${out.error ?? 'error'}: ${out.error_description ?? ''}`);
    },
  });

  // IDP_DEBUG=1 prints the errors oidc-provider keeps to itself (a 500's cause, a rejected grant).
  if (process.env.IDP_DEBUG) {
    const emitter = provider as unknown as { on(event: string, fn: (...args: unknown[]) => void): void };
    for (const event of ['server_error', 'grant.error', 'authorization.error', 'device_authorization.error', 'discovery.error', 'end_session.error', 'code_verification.error', 'device_resume.error'])
      emitter.on(event, (_ctx, err) => console.error(event, err));
  }
  // Runs around oidc-provider's own routes: Entra's additions to its answers.
  provider.use(async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    const routed = routing.get(ctx.req);
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!route || !routed || !body || typeof body !== 'object' || Buffer.isBuffer(body)) return;
    const correlationId = typeof ctx.req.headers['client-request-id'] === 'string' ? ctx.req.headers['client-request-id'] : undefined;

    if (route === 'discovery') {
      // Entra's multi-tenant metadata names no tenant in its issuer.
      if (routed.kind === 'common' || routed.kind === 'organizations') body.issuer = `${origin}/{tenantid}/v2.0`;
      Object.assign(body, {
        request_uri_parameter_supported: false,
        tenant_region_scope: routed.kind === 'id' || routed.kind === 'domain' ? 'EU' : null,
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
      });
      return;
    }

    if (route === 'device_authorization' && typeof body.user_code === 'string') {
      const verificationUri = `${origin}/devicelogin`;
      delete body.verification_uri_complete;
      Object.assign(body, {
        verification_uri: verificationUri,
        interval: deviceCodeInterval,
        message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${body.user_code} to authenticate.`,
      });
      return;
    }

    if (route === 'token' && typeof body.access_token === 'string') {
      const sub = typeof body.id_token === 'string' ? (JSON.parse(Buffer.from(body.id_token.split('.')[1] ?? '', 'base64url').toString()) as { sub?: string }).sub : undefined;
      const user = sub ? userBySubject.get(sub) : undefined;
      if (user) body.client_info = Buffer.from(JSON.stringify({ uid: user.oid, utid: TEST_TENANT_ID })).toString('base64url');
      if (typeof body.expires_in === 'number') body.ext_expires_in = body.expires_in;
      return;
    }

    if ((route === 'token' || route === 'device_authorization') && typeof body.error === 'string') {
      const mapped = entraTokenError(origin, body, routed.form, store, correlationId);
      if (mapped) {
        ctx.body = mapped.body;
        ctx.status = mapped.status;
      }
    }
  });

  const callback = provider.callback();

  /** Hands a request to oidc-provider as if it were mounted at mountPath. */
  const forward = (req: IncomingMessage, res: ServerResponse, mountPath: string, innerPath: string, search: string) => {
    req.url = `${innerPath}${search}`;
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = `${mountPath}${innerPath}${search}`;
    callback(req, res);
  };

  const finishInteraction = async (req: IncomingMessage, res: ServerResponse, interaction: InteractionDetails, decision: string) => {
    if (decision === 'deny') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: aadsts(65004, CONSENT_DECLINED) }, { mergeWithLastSubmission: false });
      return;
    }
    const accountId = interaction.session?.accountId;
    const clientId = String(interaction.params.client_id);
    if (!accountId) throw new Error('consent before sign-in');
    const grant = (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
    const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  const consentNeeded = (interaction: InteractionDetails) => {
    const d = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
    return !!(d.missingOIDCScope?.length || d.missingOIDCClaims?.length || Object.keys(d.missingResourceScopes ?? {}).length);
  };

  /** The sign-in and consent pages, as JSON for the scripted browser. */
  const handleInteraction = async (req: IncomingMessage, res: ServerResponse, uid: string, action: string | undefined) => {
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.uid !== uid) return sendHtml(res, 400, errorPageHtml('This sign-in page belongs to another sign-in; start again.'));
    if (req.method === 'GET' && !action) {
      // Consent already given (prompt=consent is added by the front door, see below): go on silently.
      if (interaction.prompt.name === 'consent' && !consentNeeded(interaction)) return finishInteraction(req, res, interaction, 'grant');
      const account = interaction.session ? userBySubject.get(interaction.session.accountId)?.username : undefined;
      return sendJson(res, 200, {
        interaction: uid,
        prompt: interaction.prompt.name,
        reasons: interaction.prompt.reasons,
        details: interaction.prompt.details,
        client_id: interaction.params.client_id,
        scope: interaction.params.scope,
        login_hint: interaction.params.login_hint,
        account,
        login: `/interaction/${uid}/login`,
        consent: `/interaction/${uid}/consent`,
      });
    }
    if (req.method !== 'POST') return sendHtml(res, 405, errorPageHtml('Method not allowed'));
    const form = new URLSearchParams((await readBody(req)).toString('utf8'));
    if (action === 'login') {
      const user = userByName(form.get('username') ?? '');
      if (!user) {
        return sendHtml(res, 400, errorPageHtml(aadsts(50034, `The user account ${form.get('username') ?? ''} does not exist in the '${TEST_TENANT_DOMAIN}' directory. To sign into this application, the account must be added to the directory.`)));
      }
      return provider.interactionFinished(req, res, { login: { accountId: subjectOf(user) }, select_account: {} }, { mergeWithLastSubmission: false });
    }
    if (action === 'consent') return finishInteraction(req, res, interaction, form.get('decision') ?? 'grant');
    return sendHtml(res, 404, errorPageHtml('Not found'));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const log: IdentityProvider['requests'][number] = { method: req.method ?? 'GET', path: url.pathname };
    requests.push(log);
    handle(req, res, url, log).catch((error: unknown) => {
      if (!res.headersSent) sendHtml(res, 500, errorPageHtml(`server_error: ${error instanceof Error ? error.message : String(error)}`));
      else res.destroy();
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL, log: IdentityProvider['requests'][number]) => {
    const path = url.pathname;
    const interaction = /^\/interaction\/([^/]+)(?:\/(login|consent))?$/.exec(path);
    if (interaction) return handleInteraction(req, res, interaction[1] ?? '', interaction[2]);
    if (path === '/devicelogin' || path.startsWith('/devicelogin/')) {
      let forwarded = req;
      if (req.method === 'POST') forwarded = withBody(req, await readBody(req));
      routing.set(forwarded, { kind: 'id' });
      return forward(forwarded, res, '', path, url.search);
    }

    const [, tenant = '', ...rest] = path.split('/');
    const inner = `/${rest.join('/')}`;
    const known = /^\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/(authorize|token|devicecode|logout)(\/[^/]+)?|discovery\/v2\.0\/keys|oidc\/userinfo)$/.exec(inner);
    if (!known) return sendJson(res, 404, { error: 'not_found', error_description: `No such endpoint: ${path}` });
    const kind = tenantKind(tenant);
    const isBrowserPage = inner.startsWith('/oauth2/v2.0/authorize') || inner === '/oauth2/v2.0/logout';
    if (!kind) {
      const body = entraError(origin, 'invalid_tenant', 90002, tenantNotFound(tenant));
      return isBrowserPage ? sendHtml(res, 400, errorPageHtml(String(body.error_description))) : sendJson(res, 400, body);
    }
    const directory = kind === 'id' ? TEST_TENANT_ID : TEST_TENANT_DOMAIN;

    if (inner === '/v2.0/.well-known/openid-configuration') {
      routing.set(req, { kind });
      // A domain name resolves to the tenant id in the endpoints, like Entra; aliases stay.
      return forward(req, res, kind === 'domain' ? `/${TEST_TENANT_ID}` : `/${tenant}`, '/.well-known/openid-configuration', url.search);
    }

    let forwarded = req;
    let search = url.search;
    let form: URLSearchParams | undefined;
    if (req.method === 'POST' && String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      form = new URLSearchParams((await readBody(req)).toString('utf8'));
      const grantType = form.get('grant_type') ?? undefined;
      if (grantType) log.grantType = grantType;
      const clientId = form.get('client_id');
      if ((inner === '/oauth2/v2.0/token' || inner === '/oauth2/v2.0/devicecode') && clientId !== TEST_CLIENT_ID && entraClientErrors) {
        return sendJson(res, 400, entraError(origin, 'unauthorized_client', 700016, applicationNotFound(clientId ?? '', directory)));
      }
      // Entra takes MSAL's grant_type=device_code as well as RFC 8628's name.
      if (grantType === 'device_code') form.set('grant_type', 'urn:ietf:params:oauth:grant-type:device_code');
      if (grantType === 'refresh_token') widenRefreshToken(store, form);
      forwarded = withBody(req, Buffer.from(form.toString()));
    }
    if (req.method === 'GET' && inner === '/oauth2/v2.0/authorize') {
      const clientId = url.searchParams.get('client_id');
      if (clientId !== TEST_CLIENT_ID && entraClientErrors) return sendHtml(res, 400, errorPageHtml(aadsts(700016, applicationNotFound(clientId ?? '', directory))));
      // Entra returns a refresh token whenever offline_access is asked for; oidc-provider only
      // when the request also says prompt=consent. Adding it is harmless here: the consent page
      // passes through on its own when everything asked for was consented before.
      const scopes = (url.searchParams.get('scope') ?? '').split(' ');
      const prompts = (url.searchParams.get('prompt') ?? '').split(' ').filter(Boolean);
      if (scopes.includes('offline_access') && !prompts.includes('consent') && !prompts.includes('none')) {
        const params = new URLSearchParams(url.searchParams);
        params.set('prompt', [...prompts, 'consent'].join(' '));
        search = `?${params.toString()}`;
      }
    }
    routing.set(forwarded, { kind, form });
    return forward(forwarded, res, `/${tenant}`, inner, search);
  };

  let jwks: ReturnType<typeof createLocalJWKSet> | undefined;
  const browserFor = () => new Browser(origin, ca.cert);

  /** Signs in and consents on whatever pages follow, until a page that is not ours. */
  const walk = async (browser: Browser, first: Page, defaultUser: string, options: BrowserOptions): Promise<Page> => {
    let current = first;
    for (let step = 0; step < 20; step++) {
      if (current.contentType.startsWith('application/json') && new URL(current.url).pathname.startsWith('/interaction/')) {
        const interaction = JSON.parse(current.body) as { prompt: string; login: string; consent: string; login_hint?: string };
        if (interaction.prompt === 'login' || interaction.prompt === 'select_account') {
          const hinted = interaction.login_hint && userByName(interaction.login_hint) ? interaction.login_hint : undefined;
          current = await browser.open('POST', new URL(interaction.login, origin).href, { username: options.user ?? hinted ?? defaultUser });
        } else if (interaction.prompt === 'consent') {
          current = await browser.open('POST', new URL(interaction.consent, origin).href, { decision: options.consent ?? 'grant' });
        } else {
          throw new Error(`the test browser cannot answer the '${interaction.prompt}' prompt`);
        }
        continue;
      }
      return current;
    }
    throw new Error('sign-in did not finish in 20 pages');
  };

  const identityProvider: IdentityProvider = {
    origin,
    host,
    ca: ca.cert,
    issuer,
    users,
    requests,
    loopbackAnswers,

    async verifyAccessToken(token, resource) {
      if (!jwks) {
        const browser = browserFor();
        const keys = await browser.open('GET', `${origin}/${TEST_TENANT_ID}/discovery/v2.0/keys`);
        jwks = createLocalJWKSet(JSON.parse(keys.body) as JSONWebKeySet);
      }
      const { payload } = await jwtVerify(token, jwks, { issuer, audience: resource, algorithms: ['RS256'] });
      return payload as Record<string, unknown>;
    },

    async playBrowser(authUrl, browserOptions = {}) {
      const browser = browserFor();
      const defaultUser = users[0]?.username ?? '';
      let current = await walk(browser, await browser.open('GET', authUrl), defaultUser, browserOptions);
      // The authorization response: oidc-provider's self-submitting form to the loopback.
      const form = parseForm(current.body, current.url);
      const message = errorMessage(current.body);
      if (message !== undefined || !form) throw new Error(message ?? `unexpected page ${current.status} at ${current.url}`);
      if (new URL(form.action).origin === origin) {
        current = await walk(browser, await browser.open('POST', form.action, form.fields), defaultUser, browserOptions);
        throw new Error(errorMessage(current.body) ?? `unexpected page ${current.status} at ${current.url}`);
      }
      const answer = await browser.open('POST', form.action, form.fields);
      loopbackAnswers.push({ url: form.action, remoteAddress: answer.remoteAddress, status: answer.status, body: answer.body });
      if (answer.status !== 200) throw new Error(`the app's redirect URI answered ${answer.status}: ${answer.body.slice(0, 200)}`);
    },

    async completeDeviceCode(userCode, browserOptions = {}) {
      const browser = browserFor();
      const defaultUser = users[0]?.username ?? '';
      let current = await browser.open('GET', `${origin}/devicelogin`);
      for (let step = 0; step < 4; step++) {
        const { kind, error } = pageKind(current.body);
        const form = parseForm(current.body, current.url);
        if (kind === 'enter-code' && !error && form) {
          current = await browser.open('POST', form.action, { ...form.fields, user_code: userCode });
        } else if (kind === 'confirm-code' && form) {
          current = await walk(browser, await browser.open('POST', form.action, form.fields), defaultUser, browserOptions);
        } else if (kind === 'device-signed-in' || (kind === 'enter-code' && error === 'declined')) {
          return;
        } else {
          throw new Error(error ? `device code sign-in failed: ${error}` : (errorMessage(current.body) ?? `unexpected page ${current.status} at ${current.url}`));
        }
      }
      throw new Error('device code sign-in did not finish');
    },

    async revokeAll(revokeOptions = {}) {
      store.revokedAt = new Date();
      const models = ['RefreshToken', 'AccessToken', 'AuthorizationCode', 'Session', 'Interaction', 'DeviceCode', ...(revokeOptions.consent ? ['Grant'] : [])];
      for (const key of [...store.entries.keys()]) {
        const [model = '', ...id] = key.split(':');
        if (!models.includes(model)) continue;
        if (model === 'RefreshToken') store.revokedRefreshTokens.add(id.join(':'));
        store.entries.delete(key);
      }
    },

    setAccessTokenTtl(seconds) {
      accessTokenTtl = seconds;
    },

    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return identityProvider;
}

/**
 * An Entra refresh token is good for any resource the user consented to for the app (a Graph
 * token from the refresh token of an Outlook sign-in); oidc-provider's is bound to the resources of
 * its sign-in. When the grant (the consent) covers what is asked, widen the stored token to match.
 * Without consent, oidc-provider refuses and entraTokenError answers AADSTS65001.
 */
function widenRefreshToken(store: Store, form: URLSearchParams): void {
  const token = store.get('RefreshToken', form.get('refresh_token') ?? '');
  const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
  const resource = requested.map(resourceOfScope).find((r) => r !== undefined);
  if (!token || !resource) return;
  const bound = ([] as unknown[]).concat(token.resource ?? []).map(String);
  if (bound.includes(resource)) return;
  const grant = store.get('Grant', String(token.grantId)) as { resources?: Record<string, string> } | undefined;
  const consented = new Set((grant?.resources?.[resource] ?? '').split(' '));
  const wanted = requested.filter((s) => resourceOfScope(s) === resource);
  if (!wanted.every((s) => consented.has(s))) return;
  token.resource = [...bound, resource];
  token.scope = [...new Set([...String(token.scope ?? '').split(' '), ...wanted])].join(' ');
}

/** oidc-provider's token and device-code errors, reworded as Entra words them. */
function entraTokenError(
  origin: string,
  body: Record<string, unknown>,
  form: URLSearchParams | undefined,
  store: Store,
  correlationId: string | undefined,
): { status: number; body: Record<string, unknown> } | undefined {
  const error = String(body.error);
  const description = String(body.error_description ?? '');
  const grantType = form?.get('grant_type') ?? '';
  const make = (code: number, message: string, err = error, extra: Record<string, unknown> = {}) => ({ status: 400, body: entraError(origin, err, code, message, extra, correlationId) });
  if (description.startsWith('AADSTS')) {
    // Already Entra's words (from the consent page); only the envelope is missing.
    const code = Number(/^AADSTS(\d+)/.exec(description)?.[1]);
    const message = description.replace(/^AADSTS\d+: /, '').split('\r\n')[0] ?? '';
    return make(code, message, error === 'access_denied' && grantType.endsWith('device_code') ? 'authorization_declined' : error);
  }
  if (grantType.endsWith('device_code')) {
    if (error === 'authorization_pending') return make(70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
    if (error === 'access_denied') return make(70000, 'The user declined the sign-in request.', 'authorization_declined');
    if (error === 'expired_token') return make(70019, 'Verification code expired.', 'expired_token');
    if (error === 'invalid_grant') return make(70000, 'The provided value for the input parameter device_code is not valid.', 'bad_verification_code');
  }
  if (grantType === 'refresh_token' && error === 'invalid_grant') {
    const token = form?.get('refresh_token') ?? '';
    if (store.revokedRefreshTokens.has(token)) {
      const when = store.revokedAt?.toISOString() ?? new Date().toISOString();
      return make(
        50173,
        `The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '${when}' and the TokensValidFrom date (before which tokens are not valid) for this user is '${when}'.`,
        'invalid_grant',
        { suberror: 'bad_token' },
      );
    }
    if (/expired/.test(description)) return make(700082, 'The refresh token has expired due to inactivity.', 'invalid_grant', { suberror: 'bad_token' });
    return make(9002313, 'Invalid request. Request is malformed or invalid.', 'invalid_grant', { suberror: 'bad_token' });
  }
  if (grantType === 'authorization_code' && error === 'invalid_grant') {
    if (/PKCE/i.test(description)) return make(501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
    return make(70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
  }
  if (error === 'invalid_scope' || error === 'invalid_target') {
    if (grantType === 'refresh_token') {
      return make(65001, `The user or administrator has not consented to use the application with ID '${TEST_CLIENT_ID}' named '${TEST_CLIENT_NAME}'. Send an interactive authorization request for this user and resource.`, 'invalid_grant', { suberror: 'consent_required' });
    }
    return make(70011, `The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. ${description}`, 'invalid_scope');
  }
  return undefined;
}
