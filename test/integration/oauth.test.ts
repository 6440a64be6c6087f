// Microsoft 365 sign-in for real, against an OpenID provider on loopback over HTTPS with a test CA:
// the browser sign-in (code with PKCE, the test playing the browser), the device code, silent
// refresh, sign-out, a damaged cache; then sending by SMTP XOAUTH2 to a server that accepts only
// the provider's tokens, and by Microsoft Graph to a local endpoint that checks every call.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { oauthCacheKey } from '../../main/services/oauth/token-cache';
import { defaultSettings, newProfile, type OutgoingMessage, type SmtpProfile } from '../../preload/contract';
import { startIdentityProvider, TEST_CLIENT_ID, TEST_TENANT_DOMAIN, type IdentityProvider } from '../helpers/identity-provider';
import { startGraphServer, type GraphServer } from '../helpers/graph-server';
import { startXoauth2SmtpServer, type Xoauth2Server } from '../helpers/xoauth2-smtp';
import { createTestCa, type TestCa } from '../helpers/test-ca';
import { tempDir } from '../helpers/temp-dir';
import { filesToScan } from '../helpers/scan-files';

let ca: TestCa;
let idp: IdentityProvider;
let graph: GraphServer;
let smtp: Xoauth2Server;
let user: string;

let dir: string;
let cleanup: () => void;
let services: FileServices;
/** What the system browser does with a sign-in address: play it (default), or only remember it. */
let browser: (url: string) => void;
let opened: string[];

async function claims(token: string, resource: string): Promise<{ upn: string; scopes: string[]; audience: string } | null> {
  try {
    const c = await idp.verifyAccessToken(token, resource);
    return { upn: String(c.preferred_username ?? c.upn), scopes: String(c.scp ?? '').split(' '), audience: resource };
  } catch {
    return null;
  }
}

beforeAll(async () => {
  ca = createTestCa('Mailroom OAuth Test CA');
  idp = await startIdentityProvider({ ca });
  user = idp.users[0]!.username;
  const cert = ca.issue(['localhost', '127.0.0.1']);
  graph = await startGraphServer({ ca, cert, verifyToken: (t) => claims(t, 'https://graph.microsoft.com') });
  smtp = await startXoauth2SmtpServer({ ca, cert, verifyToken: (t) => claims(t, 'https://outlook.office.com') });
}, 60_000);

afterAll(async () => {
  await Promise.all([idp?.close(), graph?.close(), smtp?.close()]);
});

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  opened = [];
  browser = (url) => void idp.playBrowser(url).catch(() => undefined);
  services = createServices({
    dataDir: dir,
    shell: 'browser',
    version: 't',
    createFile: createConfFile,
    microsoftCloud: { loginUrl: idp.origin, graphUrl: graph.url, ca: ca.cert, requestTimeoutMs: 10_000, signInTimeoutMs: 60_000 },
    openUrl: async (url) => {
      opened.push(url);
      browser(url);
      return '';
    },
  });
  const s = defaultSettings();
  s.general.organisationName = 'Contoso';
  s.general.alertFrom = 'alerts@contoso.test';
  s.smtp.profiles = [profile(), profile({ id: 'graph', name: 'Graph', sendMethod: 'graph' })];
  expect(services.settings.save(s).ok).toBe(true);
  idp.setAccessTokenTtl(3600);
});

afterEach(async () => {
  services.oauth.close();
  await services.outbox.stop();
  cleanup();
});

function profile(over: Partial<SmtpProfile> = {}): SmtpProfile {
  return {
    ...newProfile('m365', 'Microsoft 365'),
    authModel: 'oauth2',
    tenant: TEST_TENANT_DOMAIN,
    clientId: TEST_CLIENT_ID,
    host: 'localhost',
    port: smtp.port,
    security: 'starttls-required',
    caFile: caFile(),
    fromAddress: user,
    timeoutSeconds: 5,
    ...over,
  };
}

function caFile(): string {
  const file = path.join(dir, 'ca.pem');
  if (!fs.existsSync(file)) fs.writeFileSync(file, ca.cert);
  return file;
}

const saved = (id: string) => services.settings.read().smtp.profiles.find((p) => p.id === id)!;

async function signIn(p: SmtpProfile, method: 'browser' | 'device-code' = 'browser') {
  const started = await services.oauth.startSignIn(p, method);
  if (!started.ok) throw new Error(started.error.message);
  if (method === 'device-code') void idp.completeDeviceCode(started.value.deviceCode!.userCode);
  const waited = await services.oauth.waitSignIn(started.value.flowId);
  if (!waited.ok) throw new Error(waited.error.message);
  return { flow: started.value, outcome: waited.value };
}

const invoice: OutgoingMessage = { to: ['client@fabrikam.test'], cc: [], bcc: ['archive@contoso.test'], subject: 'Invoice 42', text: 'Invoice attached.', attachments: [] };

/** Every byte Mailroom keeps on disk, decrypted where it is a secret. */
function everythingOnDisk(): string {
  const files = filesToScan(dir);
  const secrets = services.secrets.names().map((n) => services.secrets.get(n) ?? '');
  return [...files.map((f) => f.bytes.toString('latin1')), ...secrets].join('\n');
}

function refreshTokenOf(profileId: string): string {
  const entry = JSON.parse(services.secrets.get(oauthCacheKey(profileId))!) as { cache: string };
  const cache = JSON.parse(entry.cache) as { RefreshToken: Record<string, { secret: string }> };
  return Object.values(cache.RefreshToken)[0]!.secret;
}

describe('signing in', () => {
  it('in the system browser: authorization code with PKCE, redirect to a loopback port, the account and expiry shown', async () => {
    const p = saved('m365');
    const { flow, outcome } = await signIn(p);
    const url = new URL(flow.authUrl!);
    expect(opened).toEqual([flow.authUrl]);
    expect(url.origin).toBe(idp.origin);
    expect(url.pathname).toBe(`/${TEST_TENANT_DOMAIN}/oauth2/v2.0/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/?$/);
    expect(url.searchParams.get('scope')).toContain('https://outlook.office.com/SMTP.Send');
    // The browser's answer reached a listener on 127.0.0.1 only.
    expect(idp.loopbackAnswers.at(-1)?.remoteAddress).toMatch(/127\.0\.0\.1/);

    expect(outcome).toMatchObject({ ok: true, status: { signedIn: true, account: user } });
    if (!outcome.ok) return;
    expect(Date.parse(outcome.status.expiresAt!)).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(outcome.status.scopes.join(' ')).toMatch(/SMTP\.Send/i);
    expect(await services.oauth.status(p)).toEqual(outcome.status);

    // The cache is a secret: encrypted in secrets.json, the refresh token nowhere in plain text.
    const rt = refreshTokenOf(p.id);
    expect(rt.length).toBeGreaterThan(10);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain(rt);
    expect(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')).not.toContain(rt);
  });

  it('with a device code, for a computer without a browser', async () => {
    const { flow, outcome } = await signIn(saved('graph'), 'device-code');
    expect(flow.deviceCode?.userCode).toMatch(/\S{4,}/);
    expect(flow.deviceCode?.verificationUri).toMatch(/^https:\/\//);
    expect(flow.deviceCode?.message).toContain(flow.deviceCode!.userCode);
    expect(opened).toEqual([]);
    expect(outcome).toMatchObject({ ok: true, status: { signedIn: true, account: user } });
    if (outcome.ok) expect(outcome.status.scopes.join(' ')).toMatch(/Mail\.Send/i);
  });

  it('can be cancelled while the browser is open, and the loopback listener goes away', async () => {
    browser = () => undefined;
    const started = await services.oauth.startSignIn(saved('m365'), 'browser');
    if (!started.ok) throw new Error(started.error.message);
    const redirect = new URL(started.value.authUrl!).searchParams.get('redirect_uri')!;
    expect(services.oauth.cancelSignIn(started.value.flowId)).toBe(true);
    const waited = await services.oauth.waitSignIn(started.value.flowId);
    expect(waited).toMatchObject({ ok: true, value: { ok: false, advice: { code: 'oauth-cancelled' } } });
    await expect.poll(() => fetch(redirect).then(() => 'open', () => 'closed')).toBe('closed');
    expect((await services.oauth.status(saved('m365'))).signedIn).toBe(false);
  });

  it('explains a tenant that does not exist, an unknown app registration, and declined consent', async () => {
    const wrongTenant = await services.oauth.startSignIn(profile({ tenant: 'nosuch.example' }), 'browser');
    if (!wrongTenant.ok) throw new Error(wrongTenant.error.message);
    expect(await services.oauth.waitSignIn(wrongTenant.value.flowId)).toMatchObject({ ok: true, value: { ok: false, advice: { code: 'oauth-wrong-tenant' } } });

    const wrongApp = await services.oauth.startSignIn(profile({ clientId: '00000000-1111-2222-3333-444444444444' }), 'device-code');
    if (!wrongApp.ok) throw new Error(wrongApp.error.message);
    const app = await services.oauth.waitSignIn(wrongApp.value.flowId);
    expect(app).toMatchObject({ ok: true, value: { ok: false, advice: { code: 'oauth-app-not-found' } } });
    if (app.ok && !app.value.ok) expect(app.value.advice.serverReply).toContain('AADSTS700016');

    // A user who has never consented, so the permission prompt appears.
    browser = (url) => void idp.playBrowser(url, { user: idp.users[1]!.username, consent: 'deny' }).catch(() => undefined);
    const declined = await services.oauth.startSignIn(saved('m365'), 'browser');
    if (!declined.ok) throw new Error(declined.error.message);
    expect(await services.oauth.waitSignIn(declined.value.flowId)).toMatchObject({ ok: true, value: { ok: false, advice: { code: 'oauth-consent-declined' } } });
  });

  it('refuses to start without a Client (application) ID, naming the field', async () => {
    const result = await services.oauth.startSignIn(profile({ clientId: '' }), 'browser');
    expect(result).toMatchObject({ ok: false, error: { fields: [{ path: 'clientId' }] } });
  });
});

describe('tokens', () => {
  it('are refreshed silently before sending when close to expiry', async () => {
    idp.setAccessTokenTtl(120); // inside the five-minute margin: every use refreshes
    await signIn(saved('m365'));
    const before = idp.requests.filter((r) => r.grantType === 'refresh_token').length;
    const first = await services.outbox.sendNow(saved('m365'), invoice);
    expect(first.outcome.ok).toBe(true);
    expect(idp.requests.filter((r) => r.grantType === 'refresh_token').length).toBeGreaterThan(before);
    const second = await services.outbox.sendNow(saved('m365'), invoice);
    expect(second.outcome.ok).toBe(true);
    expect(smtp.authAttempts.slice(-2).every((a) => a.method === 'XOAUTH2' && a.ok)).toBe(true);
  });

  it('a damaged or undecryptable cache asks for a new sign-in instead of failing hard', async () => {
    await signIn(saved('m365'));
    const file = path.join(dir, 'secrets.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { entries: Record<string, string> };
    const key = oauthCacheKey('m365');
    doc.entries[key] = doc.entries[key]!.replace(/.{12}$/, 'AAAAAAAAAAAA');
    fs.writeFileSync(file, JSON.stringify(doc));
    const status = await services.oauth.status(saved('m365'));
    expect(status).toMatchObject({ signedIn: false, problem: expect.stringContaining('Sign in again') });
    const { outcome, entry } = await services.outbox.sendNow(saved('m365'), invoice);
    expect(outcome).toMatchObject({ ok: false, advice: { code: 'oauth-sign-in-needed' } });
    // Failed for its settings, not retried: only the admin can sign in again.
    expect(services.outbox.view(10).entries.find((e) => e.id === entry.id)).toMatchObject({ state: 'failed', reason: 'config', attempts: 0 });
    // Signing in again replaces it.
    const again = await signIn(saved('m365'));
    expect(again.outcome.ok).toBe(true);
  });

  it('sign-out leaves no refresh token anywhere on disk', async () => {
    await signIn(saved('m365'));
    const rt = refreshTokenOf('m365');
    expect(everythingOnDisk()).toContain(rt);
    await services.oauth.signOut(saved('m365'));
    expect(services.secrets.names()).not.toContain(oauthCacheKey('m365'));
    expect(everythingOnDisk()).not.toContain(rt);
    expect(await services.oauth.status(saved('m365'))).toMatchObject({ signedIn: false, scopes: [], expiresAt: null });
    const { outcome } = await services.outbox.sendNow(saved('m365'), invoice, 'test');
    expect(outcome).toMatchObject({ ok: false, advice: { code: 'oauth-sign-in-needed' } });
  });
});

describe('SMTP with AUTH XOAUTH2', () => {
  it('sends through the outbox with a token the provider issued', async () => {
    await signIn(saved('m365'));
    const { outcome } = await services.outbox.sendNow(saved('m365'), invoice);
    if (!outcome.ok) throw new Error(`${outcome.advice.title}: ${outcome.advice.cause}`);
    const got = smtp.received.find((m) => m.raw.includes(outcome.receipt.messageId));
    expect(got).toMatchObject({ user, to: ['client@fabrikam.test', 'archive@contoso.test'] });
  });

  it('Test connection shows the token step (account, permissions, expiry) before signing in with it', async () => {
    await signIn(saved('m365'));
    const result = await services.mail.testConnection(saved('m365'));
    if (!result.ok) throw new Error(result.error.message);
    const d = result.value;
    expect(d.ok).toBe(true);
    expect(d.steps.map((s) => s.id)).toEqual(['token', 'dns', 'tcp', 'tls', 'greeting', 'ehlo', 'starttls', 'auth', 'sender']);
    const token = d.steps[0]!;
    expect(token.details).toEqual(
      expect.arrayContaining([
        { label: 'Account', value: user },
        { label: 'Permissions', value: expect.stringMatching(/SMTP\.Send/i) },
        { label: 'Expires', value: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      ]),
    );
    expect(d.steps.find((s) => s.id === 'auth')?.summary).toContain('OAuth2 access token');
  });

  it('maps a revoked sign-in, and Authenticated SMTP turned off for the mailbox (5.7.139)', async () => {
    const exchange = await startXoauth2SmtpServer({ ca, verifyToken: (t) => claims(t, 'https://outlook.office.com'), smtpAuthDisabledFor: [user] });
    // A sign-in's token goes only to the server it was made for: sign in for that one first.
    const moved = { ...saved('m365'), port: exchange.port };
    await signIn(moved);
    const disabled = await services.mail.testConnection(moved).finally(() => exchange.close());
    expect(disabled).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'auth', code: 'auth-disabled-for-tenant' } } });
    if (disabled.ok) {
      expect(disabled.value.failure?.serverReply).toContain('5.7.139');
      expect(disabled.value.failure?.fix).toContain('Graph');
    }

    await signIn(saved('m365'));
    await idp.revokeAll();
    const revoked = await services.mail.testConnection(saved('m365'));
    expect(revoked).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'token', code: 'oauth-refresh-expired' } } });
    if (revoked.ok) expect(revoked.value.steps.map((s) => s.id)).toEqual(['token']);
  });
});

describe('the debug log', () => {
  it('records the XOAUTH2 and Graph conversations without the access token in any form', async () => {
    const logDir = path.join(dir, 'logs');
    // Logging never makes its folder: the admin agrees to it being created, as under the field.
    expect(await services.debugLog.check({ path: logDir, create: true })).toMatchObject({ writable: true });
    const s = services.settings.read();
    expect(services.settings.save({ ...s, general: { ...s.general, debug: { enabled: true, path: logDir, level: 'debug', retentionDays: 7 } } }).ok).toBe(true);
    await signIn(saved('m365'));
    await signIn(saved('graph'), 'device-code');
    expect((await services.outbox.sendNow(saved('m365'), invoice)).outcome.ok).toBe(true);
    expect((await services.outbox.sendNow(saved('graph'), invoice)).outcome.ok).toBe(true);
    expect((await services.mail.testConnection(saved('m365'))).ok).toBe(true);
    await services.debugLog.flush();
    const tokens = await Promise.all(['m365', 'graph'].map(async (id) => {
      const t = await services.oauth.accessToken(saved(id));
      if (!t.ok) throw new Error(t.error.message);
      return t.value.token;
    }));
    const log = fs.readdirSync(logDir).map((f) => fs.readFileSync(path.join(logDir, f), 'utf8')).join('\n');
    expect(log).toContain('XOAUTH2');
    expect(log).toContain('Microsoft Graph');
    for (const token of tokens) {
      const xoauth2 = Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
      for (const form of [token, token.slice(20, 60), xoauth2, xoauth2.slice(30, 90)]) expect(log).not.toContain(form);
    }
  });
});

describe('switching an SMTP sign-in to Graph', () => {
  it('asks for consent when the Graph permissions were never granted', async () => {
    // users[1] consents only to SMTP.Send here.
    browser = (url) => void idp.playBrowser(url, { user: idp.users[1]!.username }).catch(() => undefined);
    await signIn(saved('m365'));
    const switched = { ...saved('m365'), sendMethod: 'graph' as const };
    const test = await services.mail.testConnection(switched);
    expect(test).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'token', code: 'oauth-consent-required' } } });
    if (test.ok) expect(test.value.failure?.serverReply).toContain('AADSTS65001');
  });
});

describe('Microsoft Graph', () => {
  it('sends with sendMail, attachment included, and Test connection reaches the mailbox', async () => {
    await signIn(saved('graph'));
    const pdf = Buffer.from('%PDF-1.4 invoice 42 \u00e9', 'utf8');
    const { outcome } = await services.outbox.sendNow(saved('graph'), {
      ...invoice,
      html: '<p>Invoice <b>attached</b>.</p>',
      attachments: [{ filename: 'Invoice 42.pdf', contentBase64: pdf.toString('base64'), contentType: 'application/pdf' }],
    });
    if (!outcome.ok) throw new Error(`${outcome.advice.title}: ${outcome.advice.cause}`);
    const sent = graph.sent.at(-1)!;
    expect(sent).toMatchObject({ via: 'sendMail', mailbox: user, subject: 'Invoice 42', bodyType: 'HTML', to: ['client@fabrikam.test'], bcc: ['archive@contoso.test'], saveToSentItems: true });
    expect(sent.internetMessageId).toBe(outcome.receipt.messageId);
    expect(sent.attachments).toHaveLength(1);
    expect(sent.attachments[0]!.bytes.equals(pdf)).toBe(true);

    const test = await services.mail.testConnection(saved('graph'));
    expect(test).toMatchObject({ ok: true, value: { ok: true } });
    if (test.ok) expect(test.value.steps.map((s) => s.id)).toEqual(['token', 'graph']);
  });

  it('sends a 4 MB attachment through a draft and an upload session, leaving no draft behind', async () => {
    await signIn(saved('graph'));
    graph.drafts.clear();
    const big = Buffer.alloc(4 * 1024 * 1024 + 123, 7);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const { outcome } = await services.outbox.sendNow(saved('graph'), {
      ...invoice,
      attachments: [
        { filename: 'statement.pdf', contentBase64: big.toString('base64'), contentType: 'application/pdf' },
        { filename: 'note.txt', contentBase64: Buffer.from('small').toString('base64'), contentType: 'text/plain' },
      ],
    });
    if (!outcome.ok) throw new Error(`${outcome.advice.title}: ${outcome.advice.cause}`);
    const sent = graph.sent.at(-1)!;
    expect(sent.via).toBe('draft');
    const statement = sent.attachments.find((a) => a.name === 'statement.pdf')!;
    expect(statement.uploaded).toBe(true);
    expect(statement.bytes.equals(big)).toBe(true);
    expect(sent.attachments.find((a) => a.name === 'note.txt')?.bytes.toString()).toBe('small');
    expect(graph.drafts.size).toBe(0);
    // The upload URL carries its own authorisation: no bearer token went to it.
    expect(graph.requests.filter((r) => r.method === 'PUT').every((r) => !r.authorization)).toBe(true);
  });

  it('Compose with Microsoft 365 saves a Graph draft and opens it in Outlook on the web', async () => {
    await signIn(saved('graph'));
    const s = services.settings.read();
    expect(services.settings.save({ ...s, general: { ...s.general, defaultProfile: 'graph' }, mail: { ...s.mail, allowM365Web: true, compose: 'm365-web' } }).ok).toBe(true);
    const pdf = Buffer.from('statement');
    const result = await services.compose.compose({
      message: { ...invoice, subject: 'Statement for March', attachments: [{ filename: 'statement.pdf', contentBase64: pdf.toString('base64'), contentType: 'application/pdf' }] },
    });
    expect(result).toMatchObject({ ok: true, value: { kind: 'handed-off', mode: 'm365-web' } });
    const draft = [...graph.drafts.values()].at(-1) as unknown as { id: string; subject: string; attachments: { name: string }[] };
    expect(draft.subject).toBe('Statement for March');
    expect(opened.at(-1)).toMatch(new RegExp(`^${graph.url}/owa/\\?ItemID=`));
    expect(opened.at(-1)).toContain(encodeURIComponent(draft.id));
    expect(graph.sent.some((m) => m.subject === 'Statement for March')).toBe(false);
  });

  it('waits out a short 429 with Retry-After, and leaves a long one to the outbox', async () => {
    await signIn(saved('graph'));
    graph.throttle(1, 1);
    const started = Date.now();
    const short = await services.outbox.sendNow(saved('graph'), invoice);
    expect(short.outcome.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(graph.requests.slice(-2).map((r) => r.status)).toEqual([429, 202]);

    graph.throttle(4, 600);
    const long = await services.outbox.sendNow(saved('graph'), invoice);
    expect(long.outcome).toMatchObject({ ok: false, advice: { code: 'graph-throttled' } });
    const entry = services.outbox.view(10).entries.find((e) => e.id === long.entry.id)!;
    expect(entry.state).toBe('queued');
    expect(Date.parse(entry.nextAttemptAt!) - Date.now()).toBeGreaterThan(590_000);
  });
});
