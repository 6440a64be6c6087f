// Microsoft 365 (OAuth2) in office mode, against real parts: a throw-away PostgreSQL cluster with
// the administrator, staff and sender roles; the OpenID provider on loopback HTTPS; an SMTP server
// that accepts only the provider's tokens (AUTH XOAUTH2); and a Graph endpoint that checks every
// call. An administrator signs a shared profile in, from the dialog's channels and from the
// command line; the token cache is sealed for the sender services, and no one else can read a
// token; a running sender service sends, refreshes and writes the rotated cache back, and runs
// Test connection asked of it through the database.
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatch } from '../../main/api/dispatch';
import { createHandlers } from '../../main/api/handlers';
import { createOfficeServices, createServices, type Services } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { oauthCacheKey } from '../../main/services/oauth/token-cache';
import { addUser, importFileMode, initOffice } from '../../main/services/office/office-admin';
import { OfficeOutbox } from '../../main/services/office/office-outbox';
import { OfficeStore } from '../../main/services/office/office-store';
import { open as openSealed } from '../../main/services/office/seal';
import { senderFromEnvironment, type SenderService } from '../../main/services/office/sender-service';
import { newProfile, type OAuthStatus, type OutboxEntry, type SignInOutcome, type SmtpProfile } from '../../preload/contract';
import { mailroom } from '../helpers/cli';
import { startGraphServer, type GraphServer } from '../helpers/graph-server';
import { startIdentityProvider, TEST_CLIENT_ID, TEST_TENANT_DOMAIN, type IdentityProvider } from '../helpers/identity-provider';
import { startPostgres, type PgCluster } from '../helpers/postgres';
import { officeRoles } from '../helpers/office-roles';
import { createTestCa, type TestCa } from '../helpers/test-ca';
import { tempDir } from '../helpers/temp-dir';
import { startXoauth2SmtpServer, type Xoauth2Server } from '../helpers/xoauth2-smtp';

const PASSWORDS: Record<string, string> = { ada: 'ada pw', tess: 'tess pw', sid: 'sid pw' };

let cluster: PgCluster;
let work: { dir: string; cleanup: () => void };
let senderKey: string;
let caFile: string;
let ca: TestCa;
let idp: IdentityProvider;
let idpClosed = false;
let graph: GraphServer;
let smtp: Xoauth2Server;
let user: string;
let admin: Services;
let adminStore: OfficeStore;
let dispatch: ReturnType<typeof createDispatch>;
let sender: SenderService;
const events: string[] = [];
/** Every token the provider issued to Mailroom, as found in the sealed caches (opened here with the sender key). */
const issued = new Set<string>();

const { connect, as } = officeRoles(() => ({ cluster, homedir: work.dir }), (role) => PASSWORDS[role]);

async function claims(token: string, resource: string): Promise<{ upn: string; scopes: string[]; audience: string } | null> {
  try {
    const c = await idp.verifyAccessToken(token, resource);
    return { upn: String(c.preferred_username ?? c.upn), scopes: String(c.scp ?? '').split(' '), audience: resource };
  } catch {
    return null;
  }
}

function profiles(): SmtpProfile[] {
  const base: SmtpProfile = {
    ...newProfile('m365', 'Microsoft 365'),
    authModel: 'oauth2',
    tenant: TEST_TENANT_DOMAIN,
    clientId: TEST_CLIENT_ID,
    host: 'localhost',
    port: smtp.port,
    security: 'starttls-required',
    caFile,
    fromAddress: user,
    timeoutSeconds: 5,
  };
  return [base, { ...base, id: 'graph', name: 'Graph', sendMethod: 'graph' }];
}

const saved = (id: string) => admin.settings.read().smtp.profiles.find((p) => p.id === id)!;

async function call<T>(channel: string, input: unknown): Promise<T> {
  const result = await dispatch(channel, input, { shell: 'browser' });
  if (!result.ok) throw new Error(`${channel}: ${result.error.message}`);
  return result.value as T;
}

/** Signs in from the dialog (the oauth:* channels), the test playing the system browser. */
async function signInFromDialog(profile: SmtpProfile): Promise<SignInOutcome> {
  const flow = await call<{ flowId: string }>('oauth:sign-in-start', { profile, method: 'browser' });
  return call<SignInOutcome>('oauth:sign-in-wait', { flowId: flow.flowId });
}

/** The sealed cache of a profile as the sender opens it; every token in it is remembered. */
async function sealedCache(profileId: string): Promise<{ refreshToken: string; accessTokens: string[]; text: string; updatedBy: string } | undefined> {
  const name = oauthCacheKey(profileId);
  const row = await as(cluster.superuser, (c) => c.query<{ sealed: string; updated_by: string }>('SELECT sealed, updated_by FROM mailroom.secrets WHERE name = $1 AND owner IS NULL', [name]));
  const found = row.rows[0];
  if (!found) return undefined;
  const text = openSealed(senderKey, name, found.sealed);
  const cache = JSON.parse((JSON.parse(text) as { cache: string }).cache) as Record<string, Record<string, { secret: string }>>;
  const secrets = (kind: string) => Object.values(cache[kind] ?? {}).map((e) => e.secret);
  for (const secret of [...secrets('RefreshToken'), ...secrets('AccessToken'), ...secrets('IdToken')]) issued.add(secret);
  return { refreshToken: secrets('RefreshToken')[0]!, accessTokens: secrets('AccessToken'), text, updatedBy: found.updated_by };
}

/** Each way a token could be written down: whole, in part, encoded, or inside an XOAUTH2 sign-in. */
function forms(token: string): string[] {
  const bytes = Buffer.from(token, 'utf8');
  const xoauth2 = Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
  return [token, token.slice(20, 60), token.slice(-40), bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), encodeURIComponent(token), xoauth2, xoauth2.slice(30, 90)];
}

function tokensIn(text: string): string[] {
  return [...issued].flatMap((t) => forms(t).filter((f) => text.includes(f)));
}

/** Every row of every Mailroom table the role may read, as text. */
async function everythingVisibleTo(role: string): Promise<{ tables: string[]; text: string }> {
  return as(role, async (c) => {
    const tables = await c.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'mailroom' AND c.relkind = 'r' AND has_table_privilege(c.oid, 'SELECT') ORDER BY 1`,
    );
    const parts: string[] = [];
    for (const { name } of tables.rows) {
      const rows = await c.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM mailroom.${pg.escapeIdentifier(name)} t`);
      parts.push(...rows.rows.map((r) => r.row));
    }
    const names = await c.query<{ row: string }>('SELECT row_to_json(t)::text AS row FROM mailroom.secret_names() t');
    parts.push(...names.rows.map((r) => r.row));
    return { tables: tables.rows.map((r) => r.name), text: parts.join('\n') };
  });
}

async function queueOne(profileId: string, subject: string): Promise<OutboxEntry> {
  const box = new OfficeOutbox(connect('tess'));
  try {
    const profile = profiles().find((p) => p.id === profileId)!;
    const queued = await box.queue(profile, [{ to: ['client@fabrikam.test'], cc: [], bcc: [], subject, text: 'Invoice attached.', attachments: [] }]);
    if (!queued.ok) throw new Error(queued.error.message);
    return queued.value[0]!;
  } finally {
    await box.close();
  }
}

async function settled(id: string): Promise<OutboxEntry> {
  const box = new OfficeOutbox(connect('tess'));
  try {
    const end = Date.now() + 20_000;
    for (;;) {
      const entry = await box.get(id);
      if (!entry.ok) throw new Error(entry.error.message);
      if (entry.value.state !== 'queued' && entry.value.state !== 'sending') return entry.value;
      if (Date.now() > end) throw new Error(`message still ${entry.value.state} (${entry.value.lastReply}); sender said: ${events.join('; ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await box.close();
  }
}

async function signInRow(profileId: string) {
  const rows = await as(cluster.superuser, (c) =>
    c.query<{ account: string; scopes: string[]; expires_at: Date | null; refreshable: boolean; connection: { host: string } | null; updated_by: string; updated_at: Date }>(
      'SELECT account, scopes, expires_at, refreshable, connection, updated_by, updated_at FROM mailroom.sign_ins WHERE profile_id = $1',
      [profileId],
    ),
  );
  return rows.rows[0];
}

const refreshes = () => idp.requests.filter((r) => r.grantType === 'refresh_token').length;

beforeAll(async () => {
  work = tempDir('mailroom-office-oauth-');
  ca = createTestCa('Mailroom Office OAuth Test CA');
  [cluster, idp] = await Promise.all([startPostgres(), startIdentityProvider({ ca })]);
  user = idp.users[0]!.username;
  const cert = ca.issue(['localhost', '127.0.0.1']);
  [graph, smtp] = await Promise.all([
    startGraphServer({ ca, cert, verifyToken: (t) => claims(t, 'https://graph.microsoft.com') }),
    startXoauth2SmtpServer({ ca, cert, verifyToken: (t) => claims(t, 'https://outlook.office.com') }),
  ]);
  caFile = path.join(work.dir, 'ca.pem');
  fs.writeFileSync(caFile, ca.cert);
  const keyFile = path.join(work.dir, 'sender.key');
  const init = await initOffice({ connection: connect(cluster.superuser), adminRole: 'ada', adminPassword: PASSWORDS.ada!, senderKeyOut: keyFile });
  if (!init.ok) throw new Error(init.error.message);
  senderKey = fs.readFileSync(keyFile, 'utf8');
  for (const [role, kind] of [['tess', 'staff'], ['sid', 'sender']] as const) {
    const added = await addUser({ connection: connect('ada'), role, kind, password: PASSWORDS[role]! });
    if (!added.ok) throw new Error(added.error.message);
  }
  const cloud = { loginUrl: idp.origin, graphUrl: graph.url, ca: ca.cert, requestTimeoutMs: 10_000, signInTimeoutMs: 60_000 };
  adminStore = new OfficeStore(connect('ada'));
  const opened = await createOfficeServices(
    {
      dataDir: path.join(work.dir, 'ada'),
      shell: 'browser',
      version: 't',
      createFile: createConfFile,
      microsoftCloud: cloud,
      env: {},
      openUrl: async (url) => {
        void idp.playBrowser(url).catch(() => undefined);
        return '';
      },
    },
    adminStore,
  );
  if (!opened.ok) throw new Error(opened.error.message);
  admin = opened.value;
  dispatch = createDispatch(createHandlers(admin));
  const doc = admin.settings.read();
  doc.general.organisationName = 'Contoso';
  doc.general.alertFrom = 'alerts@contoso.test';
  doc.smtp.profiles = profiles();
  const savedDoc = await admin.useCases.settings.save(doc);
  if (!savedDoc.ok) throw new Error(savedDoc.error.message);
  const setup = senderFromEnvironment({
    url: cluster.url('sid', PASSWORDS.sid),
    keyFile,
    env: {},
    homedir: work.dir,
    microsoftCloud: cloud,
    options: { pollMs: 200, heartbeatMs: 1_000, leaseSeconds: 10, onEvent: (e) => events.push(`${e.kind}: ${e.message}`) },
  });
  if (!setup.ok) throw new Error(setup.error.message);
  sender = setup.value.service;
  const started = await sender.start();
  if (!started.ok) throw new Error(started.error.message);
}, 60_000);

afterAll(async () => {
  await sender?.stop();
  admin?.oauth.close();
  await admin?.outbox.stop();
  await admin?.office?.close();
  await Promise.all([idpClosed ? undefined : idp?.close(), graph?.close(), smtp?.close()]);
  await cluster?.stop();
  work?.cleanup();
});

describe('an administrator signs a shared profile in', () => {
  it('from the dialog: the cache is sealed for the senders, the summary shows who, and nobody else can read a token', async () => {
    const outcome = await signInFromDialog(saved('m365'));
    expect(outcome).toMatchObject({ ok: true, status: { signedIn: true, account: user } });
    const status = (await call<Record<string, OAuthStatus>>('oauth:status', { profiles: [saved('m365')] })).m365!;
    expect(status).toMatchObject({ signedIn: true, account: user, displayName: idp.users[0]!.displayName });
    expect(status.scopes.join(' ')).toMatch(/SMTP\.Send/i);
    expect(Date.parse(status.expiresAt!)).toBeGreaterThan(Date.now() + 50 * 60_000);

    // Sealed to the sender key, written by the administrator; its summary beside it, no token in it.
    const cache = await sealedCache('m365');
    expect(cache?.updatedBy).toBe('ada');
    expect(cache?.refreshToken.length).toBeGreaterThan(10);
    expect(await signInRow('m365')).toMatchObject({ account: user, refreshable: true, updated_by: 'ada', connection: { host: 'localhost' } });

    // The search finds a token where one is written down.
    expect(tokensIn(cache!.text)).not.toEqual([]);
    for (const role of ['tess', 'ada']) {
      const { tables, text } = await everythingVisibleTo(role);
      expect(tables, role).toEqual(expect.arrayContaining(['secrets', 'sign_ins', 'settings', 'requests', 'outbox']));
      expect(text, role).toContain(user);
      expect(tokensIn(text), role).toEqual([]);
    }
    // Not even the row: only a sender reads shared secrets.
    for (const role of ['tess', 'ada']) {
      const rows = await as(role, (c) => c.query('SELECT sealed FROM mailroom.secrets WHERE name = $1', [oauthCacheKey('m365')]));
      expect(rows.rowCount, role).toBe(0);
    }
    // The administrator's own session cannot open it, key or no key, and keeps nothing of it on this computer.
    expect(await adminStore.openSecret(oauthCacheKey('m365'), senderKey)).toEqual({ ok: true, value: undefined });
    const token = await admin.oauth.accessToken(saved('m365'));
    expect(token).toMatchObject({ ok: false, error: { advice: { code: 'oauth-sender-only' } } });
    expect(admin.secrets.names()).not.toContain(oauthCacheKey('m365'));
    const folder = path.join(work.dir, 'ada');
    const onDisk = fs.readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => fs.readFileSync(path.join(e.parentPath, e.name), 'latin1'));
    expect(tokensIn(onDisk.join('\n'))).toEqual([]);
  });

  it('a staff member queues a message and the sender delivers it over SMTP, signing in with the token (XOAUTH2)', async () => {
    const before = smtp.authAttempts.length;
    const queued = await queueOne('m365', 'Invoice 42');
    const done = await settled(queued.id);
    expect(done, done.lastReply).toMatchObject({ state: 'sent', attempts: 1 });
    const got = smtp.received.find((m) => m.raw.toString('latin1').includes(queued.messageId));
    expect(got).toMatchObject({ user, to: ['client@fabrikam.test'] });
    expect(smtp.authAttempts.slice(before)).toEqual([{ method: 'XOAUTH2', user, ok: true }]);
  });

  it('Test connection is asked of the sender through the database: the token step, then the SMTP dialogue', async () => {
    const result = await admin.useCases.mail.testConnection(saved('m365'), {});
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.ok, JSON.stringify(result.value.failure)).toBe(true);
    expect(result.value.steps.map((s) => s.id)).toEqual(['token', 'dns', 'tcp', 'tls', 'greeting', 'ehlo', 'starttls', 'auth', 'sender']);
    expect(result.value.steps[0]!.details).toEqual(expect.arrayContaining([{ label: 'Account', value: user }]));
    expect(result.value.steps.find((s) => s.id === 'auth')?.summary).toContain('OAuth2 access token');
    const asked = await as(cluster.superuser, (c) => c.query<{ requested_by: string; state: string; result: unknown }>(`SELECT requested_by, state, result FROM mailroom.requests WHERE kind = 'test-connection'`));
    expect(asked.rows).toEqual([expect.objectContaining({ requested_by: 'ada', state: 'done' })]);
    // The answer the administrator reads back holds no token.
    await sealedCache('m365');
    expect(tokensIn(JSON.stringify(asked.rows))).toEqual([]);
  });

  it('a refresh by the sender writes the rotated cache back sealed, and the next send works with it', async () => {
    // Tokens issued from now on last two minutes: inside the five-minute margin, so every use refreshes.
    idp.setAccessTokenTtl(120);
    try {
      const forced = await admin.useCases.mail.testConnection(saved('m365'), {});
      expect(forced.ok && forced.value.ok).toBe(true);
      const first = await sealedCache('m365');
      expect(first?.updatedBy).toBe('sid');
      let previous = first!.refreshToken;
      for (const subject of ['Statement A', 'Statement B']) {
        const count = refreshes();
        const queued = await queueOne('m365', subject);
        const done = await settled(queued.id);
        expect(done.state, done.lastReply).toBe('sent');
        expect(refreshes()).toBeGreaterThan(count);
        const now = await sealedCache('m365');
        expect(now!.refreshToken).not.toBe(previous);
        expect(now!.updatedBy).toBe('sid');
        previous = now!.refreshToken;
        // A refresh token used twice would have ended the sign-in: the rotated one was the one kept.
      }
      const row = await signInRow('m365');
      expect(row).toMatchObject({ updated_by: 'sid', refreshable: true, account: user });
      expect(row!.expires_at!.getTime() - Date.now()).toBeLessThanOrEqual(121_000);
      // The dialog shows the refreshed expiry, from the summary.
      const status = (await call<Record<string, OAuthStatus>>('oauth:status', undefined)).m365!;
      expect(status).toMatchObject({ signedIn: true, account: user, expiresAt: row!.expires_at!.toISOString() });
    } finally {
      idp.setAccessTokenTtl(3600);
    }
    const events_ = events.join('\n');
    expect(tokensIn(events_)).toEqual([]);
  });
});

describe('a Graph profile, signed in from the command line', () => {
  it('mailroom sign-in --device-code in office mode seals it for the senders; the sender sends through Graph and tests the mailbox', async () => {
    const env = {
      MAILROOM_DATABASE_URL: cluster.url('ada', PASSWORDS.ada),
      MAILROOM_MS_LOGIN_URL: idp.origin,
      MAILROOM_MS_GRAPH_URL: graph.url,
    };
    const before = https.globalAgent.options.ca;
    // What NODE_EXTRA_CA_CERTS does for the installed command: the system's CAs and the test CA.
    https.globalAgent.options.ca = [...tls.rootCertificates, ca.cert];
    let run;
    try {
      let answered = false;
      run = await mailroom(['sign-in', '--profile', 'Graph', '--device-code', '--json'], {
        dataDir: path.join(work.dir, 'cli'),
        env,
        onStderr: (stderr) => {
          const code = /Code: (\S+)/.exec(stderr)?.[1];
          if (code && !answered) {
            answered = true;
            void idp.completeDeviceCode(code);
          }
        },
      });
    } finally {
      // The agent's own options override each request's: a ca key left behind, even undefined, would drop the CA every request passes.
      if (before === undefined) delete https.globalAgent.options.ca;
      else https.globalAgent.options.ca = before;
    }
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, profile: 'Graph', status: { signedIn: true, account: user } });
    const cache = await sealedCache('graph');
    expect(cache?.updatedBy).toBe('ada');
    expect(await signInRow('graph')).toMatchObject({ account: user, updated_by: 'ada' });
    expect((await signInRow('graph'))!.scopes.join(' ')).toMatch(/Mail\.Send/i);
    expect(tokensIn((await everythingVisibleTo('tess')).text)).toEqual([]);

    const queued = await queueOne('graph', 'Invoice 43');
    const done = await settled(queued.id);
    expect(done, JSON.stringify(done.advice)).toMatchObject({ state: 'sent', lastReply: expect.stringContaining('Microsoft Graph') });
    const sent = graph.sent.find((m) => m.internetMessageId === queued.messageId);
    expect(sent).toMatchObject({ via: 'sendMail', mailbox: user, subject: 'Invoice 43', to: ['client@fabrikam.test'] });

    const test = await admin.useCases.mail.testConnection(saved('graph'), {});
    expect(test).toMatchObject({ ok: true, value: { ok: true } });
    if (test.ok) expect(test.value.steps.map((s) => s.id)).toEqual(['token', 'graph']);
  });

  it('a long Graph throttle is left to the outbox: queued again no sooner than Graph asked', async () => {
    graph.throttle(4, 600);
    const queued = await queueOne('graph', 'Throttled');
    const box = new OfficeOutbox(connect('tess'));
    try {
      const end = Date.now() + 15_000;
      let entry: OutboxEntry;
      for (;;) {
        const got = await box.get(queued.id);
        if (!got.ok) throw new Error(got.error.message);
        entry = got.value;
        if (entry.state === 'queued' && entry.attempts === 1) break;
        if (Date.now() > end) throw new Error(`message ${entry.state} after ${entry.attempts} attempts`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(entry.advice).toMatchObject({ code: 'graph-throttled' });
      expect(Date.parse(entry.nextAttemptAt!) - Date.now()).toBeGreaterThan(590_000);
      expect((await box.cancel(queued.id)).ok).toBe(true);
    } finally {
      await box.close();
    }
  });

  it('mailroom sign-out removes the sealed cache and its summary; the next message fails asking for a sign-in', async () => {
    const out = await mailroom(['sign-out', '--profile', 'Graph', '--json'], { dataDir: path.join(work.dir, 'cli'), env: { MAILROOM_DATABASE_URL: cluster.url('ada', PASSWORDS.ada), MAILROOM_MS_LOGIN_URL: idp.origin } });
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, wasSignedIn: true, status: { signedIn: false } });
    expect(await sealedCache('graph')).toBeUndefined();
    expect(await signInRow('graph')).toBeUndefined();
    const queued = await queueOne('graph', 'After sign-out');
    const done = await settled(queued.id);
    expect(done).toMatchObject({ state: 'failed', reason: 'config', attempts: 1, advice: { code: 'oauth-sign-in-needed' } });
  });
});

describe('what the sender refuses', () => {
  it('a sign-in made for another host: no token goes to the saved server, the message fails asking for a new sign-in', async () => {
    const received = smtp.received.length;
    // Signed in as the profile stands in the dialog, pointed at another host (not saved).
    const elsewhere = { ...saved('m365'), host: '127.0.0.1' };
    const elsewhereOutcome = await signInFromDialog(elsewhere);
    expect(elsewhereOutcome, JSON.stringify(elsewhereOutcome)).toMatchObject({ ok: true });
    expect(await signInRow('m365')).toMatchObject({ connection: { host: '127.0.0.1' } });
    const status = (await call<Record<string, OAuthStatus>>('oauth:status', { profiles: [saved('m365')] })).m365!;
    expect(status).toMatchObject({ signedIn: false, problem: expect.stringContaining('Sign in again') });

    const queued = await queueOne('m365', 'Wrong host');
    const done = await settled(queued.id);
    expect(done).toMatchObject({ state: 'failed', reason: 'config', attempts: 1, advice: { code: 'oauth-other-connection' } });
    expect(smtp.received.length).toBe(received);
    const test = await admin.useCases.mail.testConnection(saved('m365'), {});
    expect(test).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'token', code: 'oauth-other-connection' } } });
    if (test.ok) expect(test.value.steps.map((s) => s.id)).toEqual(['token']);

    // Signed in again for the saved settings, it sends.
    expect(await signInFromDialog(saved('m365'))).toMatchObject({ ok: true });
    const again = await settled((await queueOne('m365', 'Right host')).id);
    expect(again.state, again.lastReply).toBe('sent');
  });

  it('after sign-out from the dialog, the next message fails with sign-in advice and is not tried again', async () => {
    const status = await call<OAuthStatus>('oauth:sign-out', { profileId: 'm365' });
    expect(status).toMatchObject({ signedIn: false, expiresAt: null, scopes: [] });
    expect(await sealedCache('m365')).toBeUndefined();
    expect(await signInRow('m365')).toBeUndefined();
    const received = smtp.received.length;
    const queued = await queueOne('m365', 'After sign-out');
    const done = await settled(queued.id);
    expect(done).toMatchObject({ state: 'failed', reason: 'config', attempts: 1, advice: { code: 'oauth-sign-in-needed' } });
    expect(done.advice?.fix).toMatch(/Sign in again/);
    // Not a retry loop: a while later it is still failed after its one attempt.
    await new Promise((r) => setTimeout(r, 600));
    const later = await settled(queued.id);
    expect(later).toMatchObject({ state: 'failed', attempts: 1 });
    expect(smtp.received.length).toBe(received);
    const test = await admin.useCases.mail.testConnection(saved('m365'), {});
    expect(test).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'token', code: 'oauth-sign-in-needed' } } });
  });
});

describe('a sign-in moved in from a file-mode install', () => {
  it('mailroom office import seals it for the senders with its summary: the dialog shows who, and the sender sends with it', async () => {
    const dataDir = path.join(work.dir, 'file-install');
    const cloud = { loginUrl: idp.origin, graphUrl: graph.url, ca: ca.cert, requestTimeoutMs: 10_000, signInTimeoutMs: 60_000 };
    const fileMode = createServices({ dataDir, shell: 'browser', version: 't', createFile: createConfFile, microsoftCloud: cloud, openUrl: async () => '' });
    try {
      // The same office profiles, and one more signed in on that computer.
      const moved: SmtpProfile = { ...profiles()[0]!, id: 'moved', name: 'Moved' };
      const doc = fileMode.settings.read();
      doc.general.organisationName = 'Contoso';
      doc.general.alertFrom = 'alerts@contoso.test';
      doc.smtp.profiles = [...profiles(), moved];
      expect(fileMode.settings.save(doc).ok).toBe(true);
      const started = await fileMode.oauth.startSignIn(moved, 'device-code');
      if (!started.ok) throw new Error(started.error.message);
      void idp.completeDeviceCode(started.value.deviceCode!.userCode);
      expect(await fileMode.oauth.waitSignIn(started.value.flowId)).toMatchObject({ ok: true, value: { ok: true } });
    } finally {
      fileMode.oauth.close();
      await fileMode.outbox.stop();
    }
    const imported = await importFileMode({ connection: connect('ada'), dataDir });
    if (!imported.ok) throw new Error(imported.error.message);
    expect(imported.value.secrets.moved).toContain(oauthCacheKey('moved'));
    expect(await signInRow('moved')).toMatchObject({ account: user, refreshable: true, updated_by: 'ada' });
    await sealedCache('moved');
    expect(tokensIn((await everythingVisibleTo('tess')).text)).toEqual([]);
    // The dialog hears of the imported settings (LISTEN) and shows the moved profile.
    await expect.poll(() => admin.settings.read().smtp.profiles.some((p) => p.id === 'moved')).toBe(true);
    const status = (await call<Record<string, OAuthStatus>>('oauth:status', { profiles: [saved('moved')] })).moved!;
    expect(status).toMatchObject({ signedIn: true, account: user });
    const box = new OfficeOutbox(connect('tess'));
    try {
      const queued = await box.queue({ ...profiles()[0]!, id: 'moved', name: 'Moved' }, [{ to: ['client@fabrikam.test'], cc: [], bcc: [], subject: 'Moved', text: 'Hello.', attachments: [] }]);
      if (!queued.ok) throw new Error(queued.error.message);
      const sent = await settled(queued.value[0]!.id);
      expect(sent.state, JSON.stringify(sent.advice)).toBe('sent');
    } finally {
      await box.close();
    }
  });
});

describe('when Microsoft does not answer', () => {
  it('a message whose token must be refreshed waits for a later attempt instead of failing', async () => {
    // Signed in again with tokens that need a refresh at every use; then the provider goes away.
    idp.setAccessTokenTtl(120);
    expect(await signInFromDialog(saved('m365'))).toMatchObject({ ok: true });
    await idp.close();
    idpClosed = true;
    const queued = await queueOne('m365', 'Provider away');
    const box = new OfficeOutbox(connect('tess'));
    try {
      const end = Date.now() + 15_000;
      let entry: OutboxEntry;
      for (;;) {
        const got = await box.get(queued.id);
        if (!got.ok) throw new Error(got.error.message);
        entry = got.value;
        if (entry.attempts === 1 && entry.state !== 'sending') break;
        if (Date.now() > end) throw new Error(`message ${entry.state} after ${entry.attempts} attempts`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(entry, JSON.stringify(entry.advice)).toMatchObject({ state: 'queued', advice: { code: 'oauth-unreachable' } });
      // The first backoff is 30 s with ±20% jitter.
      expect(Date.parse(entry.nextAttemptAt!) - Date.now()).toBeGreaterThan(20_000);
      expect((await box.cancel(queued.id)).ok).toBe(true);
    } finally {
      await box.close();
    }
    // The sign-in is still there for when Microsoft answers again.
    expect(await sealedCache('m365')).toBeDefined();
  });
});
