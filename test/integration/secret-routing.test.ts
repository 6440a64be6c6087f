// A saved password or Microsoft sign-in goes only to the connection it was saved for. Real servers on
// loopback: the saved one, and "attackers" that record every byte and every sign-in. Requests come
// the way the app makes them (the dispatch the Electron IPC shell calls) and over browser mode's
// HTTP with its token, from an administrator and from a user who is not one.
import fs from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import type tls from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch, type Dispatch } from '../../main/api/dispatch';
import { createHandlers } from '../../main/api/handlers';
import { startHost, API_PATH, type RunningHost } from '../../main/host/http-host';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { oauthCacheKey } from '../../main/services/oauth/token-cache';
import {
  PASSWORD_FOR_CHANGED_CONNECTION,
  defaultSettings,
  newProfile,
  newUser,
  type Channel,
  type Diagnosis,
  type SendOutcome,
  type SmtpProfile,
} from '../../preload/contract';
import { startIdentityProvider, TEST_CLIENT_ID, TEST_TENANT_DOMAIN, type IdentityProvider } from '../helpers/identity-provider';
import { createTestCerts, type TestCerts } from '../helpers/smtp-servers';
import type { KeyPair } from '../helpers/test-ca';
import { tempDir } from '../helpers/temp-dir';
import { startXoauth2SmtpServer, type Xoauth2Server } from '../helpers/xoauth2-smtp';

const SHARED_USER = 'invoices@acme.example';
const SHARED_PASSWORD = 'saved-shared-Pa55word';
const BOSS_USER = 'boss@acme.example';
const BOSS_PASSWORD = 'boss-own-Pa55word';
const CLERK_USER = 'clerk@acme.example';
const CLERK_PASSWORD = 'clerk-own-Pa55word';
const TYPED_PASSWORD = 'typed-in-the-dialog';

// ---- a server that records everything -------------------------------------------------------

interface Recorder {
  host: string;
  port: number;
  /** Bytes as they crossed the wire (clear text until STARTTLS). */
  wire: Buffer[];
  /** Bytes after decryption, inside TLS. */
  decrypted: Buffer[];
  auth: { method: string; username: string; password: string; accessToken: string }[];
  messages: string[];
  connections: number;
  reset(): void;
  /** Everything it saw, as one text. */
  seen(): string;
  close(): Promise<void>;
}

/**
 * smtp-server with STARTTLS (certificate from the test CA), every sign-in method, and sign-in in
 * clear text allowed, so a client that offers a secret anywhere is caught offering it.
 */
async function startRecorder(cert: KeyPair, host: string, users: Record<string, string>, port = 0): Promise<Recorder> {
  const r: Recorder = {
    host,
    port: 0,
    wire: [],
    decrypted: [],
    auth: [],
    messages: [],
    connections: 0,
    reset() {
      r.wire.length = 0;
      r.decrypted.length = 0;
      r.auth.length = 0;
      r.messages.length = 0;
      r.connections = 0;
    },
    seen() {
      const signIns = r.auth.map((a) => `${a.method} ${a.username} ${a.password} ${a.accessToken}`).join('\n');
      return [Buffer.concat(r.wire).toString('latin1'), Buffer.concat(r.decrypted).toString('latin1'), signIns, ...r.messages].join('\n');
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    logger: false,
    key: cert.key,
    cert: cert.cert,
    authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'],
    allowInsecureAuth: true,
    closeTimeout: 200,
    onSecure(socket, _session, callback) {
      (socket as tls.TLSSocket).on('data', (chunk: Buffer) => r.decrypted.push(Buffer.from(chunk)));
      callback();
    },
    onAuth(auth, _session, callback) {
      r.auth.push({ method: auth.method, username: auth.username ?? '', password: auth.password ?? '', accessToken: auth.accessToken ?? '' });
      if (auth.username && users[auth.username] !== undefined && users[auth.username] === auth.password) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('5.7.8 Authentication unsuccessful'), { responseCode: 535 }));
    },
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        r.messages.push(Buffer.concat(chunks).toString('utf8'));
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  server.server.on('connection', (socket: net.Socket) => {
    r.connections += 1;
    let text = '';
    const tap = (chunk: Buffer) => {
      r.wire.push(Buffer.from(chunk));
      text += chunk.toString('latin1');
      // What follows STARTTLS is the TLS handshake: smtp-server takes the socket over.
      if (/^STARTTLS\r?$/im.test(text)) socket.off('data', tap);
    };
    socket.on('data', tap);
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  r.port = (server.server.address() as net.AddressInfo).port;
  return r;
}

/** Every form a password travels in: as is, base64 alone (AUTH LOGIN), and inside AUTH PLAIN. */
function passwordForms(password: string, usernames: string[]): string[] {
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  return [password, b64(password), ...usernames.flatMap((u) => [b64(`\0${u}\0${password}`), b64(`${u}\0${u}\0${password}`)])];
}

const SAVED_SECRETS = [
  ...passwordForms(SHARED_PASSWORD, [SHARED_USER]),
  ...passwordForms(BOSS_PASSWORD, [BOSS_USER]),
  ...passwordForms(CLERK_PASSWORD, [CLERK_USER]),
];

function expectNoSavedSecret(server: Recorder | { seen(): string }, what: string): void {
  const seen = server.seen();
  for (const form of SAVED_SECRETS) expect(seen.includes(form), `${what} saw a saved password (${form.slice(0, 6)}…)`).toBe(false);
}

// ---- the installation -----------------------------------------------------------------------

let certs: TestCerts;
/** The saved profiles' server. */
let saved: Recorder;
/** Another host: 127.0.0.2, on the saved server's port number. */
let otherHost: Recorder;
/** Another port on the saved server's host. */
let otherPort: Recorder;
let dir: string;
let cleanup: () => void;
let caFile: string;
let services: FileServices;
let dispatch: Dispatch;
let host: RunningHost;
/** The OS account the services see as the caller. */
let account: string;

beforeAll(async () => {
  certs = createTestCerts();
  const users = { [SHARED_USER]: SHARED_PASSWORD, [BOSS_USER]: BOSS_PASSWORD, [CLERK_USER]: CLERK_PASSWORD };
  saved = await startRecorder(certs.server, '127.0.0.1', users);
  otherHost = await startRecorder(certs.ca.issue(['127.0.0.2']), '127.0.0.2', {}, saved.port);
  otherPort = await startRecorder(certs.server, '127.0.0.1', {});
}, 60_000);

afterAll(async () => {
  await Promise.all([saved?.close(), otherHost?.close(), otherPort?.close()]);
});

function profile(id: string, name: string, over: Partial<SmtpProfile> = {}): SmtpProfile {
  return {
    ...newProfile(id, name),
    host: saved.host,
    port: saved.port,
    security: 'starttls-required',
    caFile,
    username: SHARED_USER,
    fromAddress: 'invoices@acme.example',
    timeoutSeconds: 5,
    ...over,
  };
}

beforeEach(async () => {
  ({ dir, cleanup } = tempDir());
  caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, certs.ca.cert);
  account = 'boss';
  services = createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile, osUser: () => account });
  const s = defaultSettings();
  s.general.organisationName = 'Acme';
  s.general.alertFrom = 'alerts@acme.example';
  s.general.systemNotification = 'it@acme.example';
  s.general.defaultProfile = 'office';
  s.smtp.profiles = [profile('office', 'Office'), profile('own', 'Own credentials', { username: '', credentials: 'per-user' })];
  s.users = [
    { ...newUser('u-boss', 'boss'), name: 'Boss', admin: true, smtpUsername: BOSS_USER },
    { ...newUser('u-clerk', 'clerk'), name: 'Clerk', smtpUsername: CLERK_USER },
  ];
  const result = services.settings.save(s);
  if (!result.ok) throw new Error(result.error.message);
  services.mail.setPassword('office', SHARED_PASSWORD);
  services.mail.setUserPassword('u-boss', BOSS_PASSWORD);
  services.mail.setUserPassword('u-clerk', CLERK_PASSWORD);
  dispatch = createDispatch(createHandlers(services));
  const renderer = path.join(dir, 'renderer');
  fs.mkdirSync(renderer);
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Mailroom</title>');
  host = await startHost({ dispatch, rendererDir: renderer });
  for (const r of [saved, otherHost, otherPort]) r.reset();
});

afterEach(async () => {
  await host.close();
  await services.outbox.stop();
  cleanup();
});

type Shell = 'ipc' | 'http';
type Reply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; fields?: { path: string; message: string }[] } };

/** A channel called as the app's window calls it (IPC), or as browser mode's page does (HTTP). */
async function call(shell: Shell, channel: Channel, input: unknown): Promise<Reply> {
  if (shell === 'ipc') return (await dispatch(channel, input, { shell: 'electron' })) as Reply;
  const response = await fetch(`${host.origin}${API_PATH}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}`, Origin: host.origin },
    body: JSON.stringify({ channel, input }),
  });
  return (await response.json()) as Reply;
}

const savedProfile = (id: string) => services.settings.read().smtp.profiles.find((p) => p.id === id)!;

/** The three ways to point a saved profile elsewhere, and where it would then go. */
const ATTACKS: { name: string; change: () => Partial<SmtpProfile>; watcher: () => { seen(): string } }[] = [
  { name: 'another host', change: () => ({ host: otherHost.host }), watcher: () => otherHost },
  { name: 'another port', change: () => ({ port: otherPort.port }), watcher: () => otherPort },
  // The saved server itself, but without encryption: what crosses the wire in clear text.
  { name: 'another security', change: () => ({ security: 'none' }), watcher: () => ({ seen: () => Buffer.concat(saved.wire).toString('latin1') }) },
];

const CASES = (['ipc', 'http'] as const).flatMap((shell) => ATTACKS.flatMap((attack) => (['office', 'own'] as const).map((id) => ({ shell, attack, id }))));

describe('a saved password goes only to the connection it was saved for', () => {
  it.each(CASES)('an administrator, $shell, $attack.name, profile $id: refused, naming the password field', async ({ shell, attack, id }) => {
    const changed = { ...savedProfile(id), ...attack.change() };
    for (const [channel, input] of [
      ['smtp:test-connection', { profile: changed }],
      ['smtp:test-connection', { profile: changed, password: null }],
      ['smtp:send-test', { profile: changed, to: 'it@acme.example' }],
    ] as const) {
      const reply = await call(shell, channel, input);
      expect(reply, channel).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'password', message: PASSWORD_FOR_CHANGED_CONNECTION }] } });
    }
    expectNoSavedSecret(attack.watcher(), attack.name);
    expectNoSavedSecret(otherHost, 'the server on another host');
    expectNoSavedSecret(otherPort, 'the server on another port');
    expect(otherHost.connections + otherPort.connections).toBe(0);
  });

  it.each(CASES)('a user who is not an administrator, $shell, $attack.name, profile $id: the saved profile is used', async ({ shell, attack, id }) => {
    account = 'clerk';
    const changed = { ...savedProfile(id), ...attack.change() };
    const tested = await call(shell, 'smtp:test-connection', { profile: changed });
    expect(tested).toMatchObject({ ok: true, value: { ok: true, target: `${saved.host}:${saved.port}` } });
    const sent = await call(shell, 'smtp:send-test', { profile: changed, to: 'it@acme.example' });
    expect(sent).toMatchObject({ ok: true, value: { ok: true } });
    // Signed in on the saved server, over TLS, with the credentials saved for this profile.
    const user = id === 'office' ? SHARED_USER : CLERK_USER;
    expect(saved.auth.filter((a) => a.username === user)).toHaveLength(2);
    expect(saved.messages).toHaveLength(1);
    expect(otherHost.connections + otherPort.connections).toBe(0);
    expectNoSavedSecret(attack.watcher(), attack.name);
  });

  it('a test email handed straight to the outbox with a changed profile is refused there too', async () => {
    for (const attack of ATTACKS) {
      const changed = { ...savedProfile('office'), ...attack.change() };
      const { outcome } = await services.outbox.sendNow(changed, services.mail.testMessage(changed, 'it@acme.example'), 'test', { password: null });
      expect(outcome, attack.name).toMatchObject({ ok: false, advice: { cause: expect.stringContaining(PASSWORD_FOR_CHANGED_CONNECTION) } });
      expectNoSavedSecret(attack.watcher(), attack.name);
    }
    expect(otherHost.connections + otherPort.connections).toBe(0);
  });

  it.each(['ipc', 'http'] as const)('a user who is not an administrator cannot test a profile that is not saved (%s)', async (shell) => {
    account = 'clerk';
    const unsaved = profile('new-one', 'New', { host: otherPort.host, port: otherPort.port });
    for (const [channel, input] of [
      ['smtp:test-connection', { profile: unsaved, password: TYPED_PASSWORD }],
      ['smtp:send-test', { profile: unsaved, password: TYPED_PASSWORD, to: 'it@acme.example' }],
    ] as const) {
      expect(await call(shell, channel, input), channel).toMatchObject({ ok: false, error: { code: 'not-found' } });
    }
    expect(otherPort.connections).toBe(0);
  });

  it.each(['ipc', 'http'] as const)('an unsaved profile with the id of none saved gets no saved password either (%s)', async (shell) => {
    // The per-user password is the caller's own, saved on the Users tab: still not for a connection nobody saved.
    const unsaved = profile('new-one', 'New', { host: otherPort.host, port: otherPort.port, username: '', credentials: 'per-user' });
    const reply = await call(shell, 'smtp:test-connection', { profile: unsaved });
    expect(reply).toMatchObject({ ok: false, error: { fields: [{ path: 'password', message: PASSWORD_FOR_CHANGED_CONNECTION }] } });
    expect(otherPort.connections).toBe(0);
  });

  it.each(['ipc', 'http'] as const)('mail:send takes the profile by id and sends through the saved server (%s)', async (shell) => {
    for (const who of ['boss', 'clerk']) {
      account = who;
      const reply = await call(shell, 'mail:send', { profileId: 'office', message: { to: ['client@example.com'], subject: `Invoice for ${who}`, text: 'Attached.' } });
      expect(reply, who).toMatchObject({ ok: true, value: { via: 'outbox', outcome: { ok: true } } });
    }
    expect(saved.messages).toHaveLength(2);
    expect(saved.auth.every((a) => a.username === SHARED_USER && a.password === SHARED_PASSWORD)).toBe(true);
    expect(otherHost.connections + otherPort.connections).toBe(0);
  });
});

describe('what still works', () => {
  it.each(['ipc', 'http'] as const)('the saved profile, unchanged, tests and sends with its saved password and no password typed (%s)', async (shell) => {
    for (const who of ['boss', 'clerk']) {
      account = who;
      for (const id of ['office', 'own']) {
        // The dialog's copy may differ in what is not the connection (a new name, another sender).
        const asInDialog = { ...savedProfile(id), name: 'Renamed in the dialog', fromName: 'Acme Accounts', host: ` ${saved.host} ` };
        const tested = await call(shell, 'smtp:test-connection', { profile: asInDialog, password: null });
        expect(tested, `${who} tests ${id}`).toMatchObject({ ok: true, value: { ok: true } });
        const steps = (tested as { value: Diagnosis }).value.steps;
        expect(steps.find((s) => s.id === 'auth')?.status).toBe('passed');
        const sent = await call(shell, 'smtp:send-test', { profile: asInDialog, to: 'it@acme.example' });
        expect(sent, `${who} sends with ${id}`).toMatchObject({ ok: true, value: { ok: true } });
      }
    }
    expect(saved.messages).toHaveLength(4);
    expect(saved.auth.filter((a) => a.password === SHARED_PASSWORD)).toHaveLength(4);
    expect(saved.auth.filter((a) => a.password === BOSS_PASSWORD)).toHaveLength(2);
    expect(saved.auth.filter((a) => a.password === CLERK_PASSWORD)).toHaveLength(2);
  });

  it.each(['ipc', 'http'] as const)('an edited profile with a typed password goes where it was pointed, with that password only (%s)', async (shell) => {
    for (const attack of ATTACKS.slice(0, 2)) {
      const changed = { ...savedProfile('office'), ...attack.change() };
      const reply = await call(shell, 'smtp:test-connection', { profile: changed, password: TYPED_PASSWORD });
      // The server refuses the typed password, and says so: the test reached it and signed in with what was typed.
      expect(reply, attack.name).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'auth' } } });
      const watcher = attack.watcher() as Recorder;
      expect(watcher.auth.map((a) => a.password)).toEqual([TYPED_PASSWORD]);
      // The recorder catches a password in the form it was sent: what it saw of the typed one proves it would see a saved one.
      expect(passwordForms(TYPED_PASSWORD, [SHARED_USER]).some((form) => watcher.seen().includes(form))).toBe(true);
      expectNoSavedSecret(watcher, attack.name);
    }
    // And on the saved server, the right password typed again works with the changed security.
    const again = await call(shell, 'smtp:send-test', { profile: { ...savedProfile('office'), security: 'starttls', minTls: '1.3' }, password: SHARED_PASSWORD, to: 'it@acme.example' });
    expect(again).toMatchObject({ ok: true, value: { ok: true } });
    expect(saved.messages).toHaveLength(1);
  });

  it('saving the changed profile makes the saved password go with the new connection', async () => {
    const moved = { ...savedProfile('office'), port: otherPort.port };
    const s = services.settings.read();
    expect(services.settings.save({ ...s, smtp: { profiles: s.smtp.profiles.map((p) => (p.id === 'office' ? moved : p)) } }).ok).toBe(true);
    const reply = await call('ipc', 'smtp:test-connection', { profile: moved });
    expect(reply).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'auth' } } });
    expect(otherPort.auth.map((a) => a.password)).toEqual([SHARED_PASSWORD]);
  });
});

// ---- Microsoft 365 sign-in ------------------------------------------------------------------

describe('a Microsoft sign-in token goes only to the server it was signed in for', () => {
  let idp: IdentityProvider;
  let exchange: Xoauth2Server;
  let exchangeCert: KeyPair;

  beforeAll(async () => {
    idp = await startIdentityProvider({ ca: certs.ca });
    exchangeCert = certs.ca.issue(['localhost', '127.0.0.1']);
    exchange = await startXoauth2SmtpServer({
      ca: certs.ca,
      cert: exchangeCert,
      verifyToken: async (token) => {
        try {
          const c = await idp.verifyAccessToken(token, 'https://outlook.office.com');
          return { upn: String(c.preferred_username ?? c.upn), scopes: String(c.scp ?? '').split(' '), audience: 'https://outlook.office.com' };
        } catch {
          return null;
        }
      },
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([idp?.close(), exchange?.close()]);
  });

  let m365: FileServices;
  let m365Dispatch: Dispatch;
  const m365Cloud = () => ({ loginUrl: idp.origin, graphUrl: 'https://127.0.0.1:9', ca: certs.ca.cert, requestTimeoutMs: 10_000, signInTimeoutMs: 60_000 });

  beforeEach(() => {
    const m = tempDir();
    cleanups.push(m.cleanup);
    fs.writeFileSync(path.join(m.dir, 'ca.pem'), certs.ca.cert);
    m365 = createServices({
      dataDir: m.dir,
      shell: 'browser',
      version: 't',
      createFile: createConfFile,
      microsoftCloud: m365Cloud(),
      openUrl: async () => '',
    });
    const s = defaultSettings();
    s.general.organisationName = 'Contoso';
    s.general.alertFrom = 'alerts@contoso.test';
    s.smtp.profiles = [oauthProfile('m365', path.join(m.dir, 'ca.pem'))];
    expect(m365.settings.save(s).ok).toBe(true);
    m365Dispatch = createDispatch(createHandlers(m365));
  });

  const cleanups: (() => void)[] = [];
  afterEach(async () => {
    m365.oauth.close();
    await m365.outbox.stop();
    cleanups.splice(0).forEach((c) => c());
  });

  function oauthProfile(id: string, ca: string, over: Partial<SmtpProfile> = {}): SmtpProfile {
    return {
      ...newProfile(id, 'Microsoft 365'),
      authModel: 'oauth2',
      tenant: TEST_TENANT_DOMAIN,
      clientId: TEST_CLIENT_ID,
      host: 'localhost',
      port: exchange.port,
      security: 'starttls-required',
      caFile: ca,
      fromAddress: idp.users[0]!.username,
      timeoutSeconds: 5,
      ...over,
    };
  }

  async function signIn(p: SmtpProfile): Promise<void> {
    const started = await m365.oauth.startSignIn(p, 'device-code');
    if (!started.ok) throw new Error(started.error.message);
    void idp.completeDeviceCode(started.value.deviceCode!.userCode);
    const waited = await m365.oauth.waitSignIn(started.value.flowId);
    if (!waited.ok || !waited.value.ok) throw new Error('sign-in failed');
  }

  /** The token the profile holds now, in every form it could travel in. */
  async function tokenForms(p: SmtpProfile): Promise<string[]> {
    const t = await m365.oauth.accessToken(p);
    if (!t.ok) throw new Error(t.error.message);
    const xoauth2 = Buffer.from(`user=${t.value.account}\x01auth=Bearer ${t.value.token}\x01\x01`).toString('base64');
    return [t.value.token, t.value.token.slice(20, 80), xoauth2, xoauth2.slice(30, 90)];
  }

  it('a signed-in profile pointed at another port, host or tenant gets no token, and the other server sees none', async () => {
    const m = m365.settings.read().smtp.profiles[0]!;
    await signIn(m);
    const forms = await tokenForms(m);
    const changes: Partial<SmtpProfile>[] = [{ port: otherPort.port }, { host: otherHost.host, port: otherHost.port }, { security: 'tls', port: otherPort.port }, { tenant: 'evil.example' }];
    for (const change of changes) {
      const moved = { ...m, ...change };
      const tested = (await m365Dispatch('smtp:test-connection', { profile: moved }, { shell: 'electron' })) as Reply;
      expect(tested, JSON.stringify(change)).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'token', code: expect.stringMatching(/^oauth-(other-connection|sign-in-needed)$/) } } });
      const sent = (await m365Dispatch('smtp:send-test', { profile: moved, to: 'it@contoso.test' }, { shell: 'electron' })) as Reply;
      expect(sent.ok && (sent.value as SendOutcome).ok, JSON.stringify(change)).toBe(false);
      // And the sign-in panel says why.
      expect(await m365.oauth.status(moved)).toMatchObject({ signedIn: false, problem: expect.stringContaining('Sign in again') });
    }
    for (const watcher of [otherHost, otherPort]) {
      for (const form of forms) expect(watcher.seen()).not.toContain(form);
      expect(watcher.auth).toEqual([]);
    }
    expect(otherHost.connections + otherPort.connections).toBe(0);

    // The profile as it was signed in for still tests and sends.
    const tested = (await m365Dispatch('smtp:test-connection', { profile: m }, { shell: 'electron' })) as Reply;
    expect(tested).toMatchObject({ ok: true, value: { ok: true } });
    const sent = (await m365Dispatch('smtp:send-test', { profile: m, to: 'it@contoso.test' }, { shell: 'electron' })) as Reply;
    expect(sent).toMatchObject({ ok: true, value: { ok: true } });
  });

  it('a profile signed in before it is saved tests with that sign-in, and only with those settings', async () => {
    const fresh = oauthProfile('not-saved-yet', m365.settings.read().smtp.profiles[0]!.caFile);
    await signIn(fresh);
    // The mailbox is filled in from the account after signing in: still the same sign-in.
    const withMailbox = { ...fresh, username: idp.users[0]!.username };
    expect(await m365.oauth.status(withMailbox)).toMatchObject({ signedIn: true });
    const tested = (await m365Dispatch('smtp:test-connection', { profile: withMailbox }, { shell: 'electron' })) as Reply;
    expect(tested).toMatchObject({ ok: true, value: { ok: true } });

    const forms = await tokenForms(fresh);
    const moved = { ...withMailbox, port: otherPort.port };
    const refused = (await m365Dispatch('smtp:test-connection', { profile: moved }, { shell: 'electron' })) as Reply;
    expect(refused).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'token', code: 'oauth-other-connection' } } });
    for (const form of forms) expect(otherPort.seen()).not.toContain(form);
    expect(otherPort.connections).toBe(0);
  });

  it('a sign-in kept before it recorded its connection belongs to the saved profile', async () => {
    const m = m365.settings.read().smtp.profiles[0]!;
    await signIn(m);
    const key = oauthCacheKey(m.id);
    const { connection: _dropped, ...older } = JSON.parse(m365.secrets.get(key)!) as Record<string, unknown>;
    m365.secrets.set(key, JSON.stringify(older));
    // A fresh process, with nothing held in memory.
    const again = createServices({ dataDir: m365.dataDir, shell: 'browser', version: 't', createFile: createConfFile, microsoftCloud: m365Cloud(), openUrl: async () => '' });
    try {
      const moved = await again.mail.testConnection({ ...m, port: otherPort.port });
      expect(moved).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'token', code: 'oauth-other-connection' } } });
      expect(otherPort.connections).toBe(0);
      expect(await again.mail.testConnection(m)).toMatchObject({ ok: true, value: { ok: true } });
      expect(JSON.parse(again.secrets.get(key)!)).toMatchObject({ connection: { host: 'localhost', port: exchange.port } });
    } finally {
      again.oauth.close();
      await again.outbox.stop();
    }
  });

  it('signing in again for the new settings moves the sign-in there, and the old settings lose it', async () => {
    const m = m365.settings.read().smtp.profiles[0]!;
    await signIn(m);
    const moved = { ...m, port: otherPort.port };
    await signIn(moved);
    const refused = await m365.mail.testConnection(m);
    expect(refused).toMatchObject({ ok: true, value: { ok: false, failure: { step: 'token', code: 'oauth-other-connection' } } });
    // The admin chose this server and signed in for it: its token goes there now.
    await m365.mail.testConnection(moved);
    expect(otherPort.auth.map((a) => a.method)).toEqual(['XOAUTH2']);
  });
});
