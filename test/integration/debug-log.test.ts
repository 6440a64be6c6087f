// The debug log against real servers on loopback: every conversation is recorded, and no byte of any
// log file gives away a password (in any encoding) or a message's content. Also rotation, retention,
// a folder that cannot be written, and one that does not exist (never made without the admin's say).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch } from '../../main/api/dispatch';
import { createHandlers } from '../../main/api/handlers';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { systemTrust } from '../../main/services/net/system-ca';
import { DebugLog, logFileName } from '../../main/services/debug-log/debug-log';
import { DebugStatus, defaultSettings, newProfile, type DebugSettings, type OutgoingMessage, type SmtpProfile } from '../../preload/contract';
import { TEST_PASSWORD, TEST_USER, createTestCerts, startSmtpServer, type RunningServer, type SmtpServerOptions, type TestCerts } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';
import { filesToScan } from '../helpers/scan-files';

// Characters that change under URL-encoding, JSON and base64 (its output then holds + / =).
const NASTY_PASSWORD = 'p@ss w0rd+/=%&?#é€"\\\'<>~*';
const WRONG_PASSWORD = 'Wr0ng!pa$$word%20+/';
const BODY_MARKER = 'BODY-TEXT-MUST-NOT-BE-LOGGED';
const SUBJECT_MARKER = 'SUBJECT-MUST-NOT-BE-LOGGED';
const ATTACHMENT_MARKER = 'ATTACHMENT-CONTENT-MUST-NOT-BE-LOGGED';

let certs: TestCerts;
let dir: string;
let logDir: string;
let cleanup: () => void;
let services: FileServices;
let caFile: string;
const servers: RunningServer[] = [];

beforeAll(() => {
  certs = createTestCerts();
});
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  logDir = path.join(dir, 'debug logs');
  // The admin made the folder (or agreed to its creation in the dialog): logging never makes it.
  fs.mkdirSync(logDir);
  caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, certs.ca.cert);
  services = createServices({ dataDir: path.join(dir, 'data'), shell: 'browser', version: 't', createFile: createConfFile });
  setDebug({ enabled: true, path: logDir, level: 'debug', retentionDays: 14 });
});
afterEach(async () => {
  await services.outbox.stop();
  await services.debugLog.flush();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  cleanup();
});

function setDebug(debug: DebugSettings): void {
  const s = defaultSettings();
  s.general.organisationName = 'Acme';
  s.general.alertFrom = 'alerts@acme.example';
  s.general.debug = debug;
  const saved = services.settings.save(s);
  if (!saved.ok) throw new Error(saved.error.message);
}

async function server(options: SmtpServerOptions): Promise<RunningServer> {
  const s = await startSmtpServer(certs, options);
  servers.push(s);
  return s;
}

function profileFor(srv: RunningServer, over: Partial<SmtpProfile> = {}): SmtpProfile {
  return {
    ...newProfile('p1', 'Accounts Office 365'),
    host: srv.host,
    port: srv.port,
    username: TEST_USER,
    fromAddress: 'invoices@acme.example',
    caFile,
    timeoutSeconds: 5,
    ...over,
  };
}

const message: OutgoingMessage = {
  to: ['client@example.com'],
  cc: [],
  bcc: [],
  subject: `Invoice 42 ${SUBJECT_MARKER}`,
  text: `Dear client,\n\n${BODY_MARKER}\n`,
  attachments: [{ filename: 'invoice.txt', contentType: 'text/plain', contentBase64: Buffer.from(`${ATTACHMENT_MARKER}\n`).toString('base64') }],
};

/** Sends through the outbox, the path every message takes; returns whether it went. */
async function sendLogged(profile: SmtpProfile, password: string): Promise<boolean> {
  const { outcome } = await services.outbox.sendNow(profile, message, 'test', { password });
  return outcome.ok;
}

/** Every file under the folder, whole. */
function logFiles(folder = logDir): { name: string; bytes: Buffer }[] {
  if (!fs.existsSync(folder)) return [];
  const out: { name: string; bytes: Buffer }[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out.push({ name: path.relative(folder, file), bytes: fs.readFileSync(file) });
  }
  return out;
}

async function logText(): Promise<string> {
  await services.debugLog.flush();
  return logFiles()
    .map((f) => f.bytes.toString('utf8'))
    .join('');
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** The base64 characters that come only from `secret`'s bytes when it sits at byte `offset` of `blob`. */
function secretWindows(blob: Buffer, offset: number, length: number, width = 8): string[] {
  const encoded = blob.toString('base64');
  const first = Math.ceil((offset * 8) / 6);
  const end = Math.floor(((offset + length) * 8) / 6);
  const windows: string[] = [];
  for (let i = first; i + width <= end; i += 1) windows.push(encoded.slice(i, i + width));
  return windows;
}

/** Scans every byte of every log file for the password in each form it could travel in. */
function expectNoSecret(password: string, user = TEST_USER): void {
  // Throws when there is no log to read: a scan of nothing finds no password either.
  const files = filesToScan(logDir);
  const pw = Buffer.from(password, 'utf8');
  const plainBlob = Buffer.from(`\0${user}\0${password}`, 'utf8');
  const needles = new Map<string, string>([
    ['plain', password],
    ['base64', b64(password)],
    ['base64 of \\0user\\0password', b64(plainBlob)],
    ['URL-encoded', encodeURIComponent(password)],
    ['form-encoded', encodeURIComponent(password).replace(/%20/g, '+')],
    ['JSON', JSON.stringify(password).slice(1, -1)],
  ]);
  // Any 8 base64 characters that carry only password bits, in AUTH PLAIN's blob and on its own.
  secretWindows(plainBlob, Buffer.byteLength(`\0${user}\0`), pw.length).forEach((w, i) => needles.set(`AUTH PLAIN window ${i}`, w));
  secretWindows(pw, 0, pw.length).forEach((w, i) => needles.set(`base64 window ${i}`, w));
  for (const { name, bytes } of files) {
    for (const [form, needle] of needles) expect(bytes.includes(Buffer.from(needle, 'utf8')), `${form} of the password in ${name}`).toBe(false);
    // Base64-decoding any run of base64 characters, from any starting character, does not give it back.
    for (const run of bytes.toString('latin1').match(/[A-Za-z0-9+/]{4,}/g) ?? []) {
      for (let start = 0; start < 4; start += 1) expect(Buffer.from(run.slice(start), 'base64').includes(pw), `decodable password in ${name}: ${run}`).toBe(false);
    }
  }
}

function expectNoContent(text: string): void {
  expect(text).not.toContain(BODY_MARKER);
  expect(text).not.toContain(SUBJECT_MARKER);
  expect(text).not.toContain(ATTACHMENT_MARKER);
  expect(text).not.toContain(b64(`${ATTACHMENT_MARKER}\n`));
  expect(text).not.toContain('Dear client');
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2} "Accounts Office 365" [0-9a-f]{8} (C:|S:|--) /;

function expectConversation(text: string): void {
  const lines = text.split('\n').filter(Boolean);
  expect(lines.length).toBeGreaterThan(8);
  for (const line of lines) expect(line).toMatch(TIMESTAMP);
  expect(text).toMatch(/ C: EHLO \S+/);
  expect(text).toMatch(/ S: 220 /);
  expect(text).toMatch(/ S: 250[- ]/);
  expect(text).toContain(' -- info: Conversation started');
  expect(text).toContain(' -- info: Conversation ended after ');
}

describe('what the debug log records', () => {
  it('a test connection with AUTH PLAIN: the whole dialogue, the sign-in hidden', async () => {
    const srv = await server({ mode: 'plain', authMethods: ['PLAIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
    const result = await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: NASTY_PASSWORD });
    expect(result.ok && result.value.ok).toBe(true);
    expect(srv.log.authAttempts).toEqual([{ method: 'PLAIN', username: TEST_USER, accepted: true }]);
    const text = await logText();
    expectConversation(text);
    expect(text).toContain(' C: AUTH PLAIN [hidden]');
    expect(text).toMatch(/ S: 235 /);
    expect(text).toContain(' C: MAIL FROM:<invoices@acme.example>');
    expect(text).toContain(' C: QUIT');
    expect(text).toContain(' -- warn: Sign in: Signed in as');
    expect(text).toContain(' -- info: Test passed in ');
    expect(logFiles().map((f) => f.name)).toEqual([logFileName(new Date())]);
    expectNoSecret(NASTY_PASSWORD);
  });

  it('a test connection with AUTH LOGIN over STARTTLS: both challenge answers hidden', async () => {
    const srv = await server({ mode: 'starttls', authMethods: ['LOGIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
    const result = await services.mail.testConnection(profileFor(srv, { security: 'starttls-required' }), { password: NASTY_PASSWORD });
    expect(result.ok && result.value.ok).toBe(true);
    expect(srv.log.authAttempts).toEqual([{ method: 'LOGIN', username: TEST_USER, accepted: true }]);
    const text = await logText();
    expectConversation(text);
    expect(text).toContain(' C: STARTTLS');
    expect(text).toContain(' C: AUTH LOGIN');
    expect(text).toContain(' S: 334 VXNlcm5hbWU6');
    expect(text.match(/ C: \[hidden\] \(sign-in data\)/g)).toHaveLength(2);
    expectNoSecret(NASTY_PASSWORD);
    expect(text).not.toContain(b64(TEST_USER));
  });

  it('a test connection with the wrong password: the refusal is logged, neither password is', async () => {
    const srv = await server({ mode: 'plain', authMethods: ['PLAIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
    const result = await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: WRONG_PASSWORD });
    expect(result.ok && result.value.ok).toBe(false);
    const text = await logText();
    expectConversation(text);
    expect(text).toMatch(/ S: 535 /);
    expect(text).toContain(' -- error: Sign in failed: Sign-in refused (535)');
    expect(text).toContain(' -- error: Test failed at auth');
    expectNoSecret(WRONG_PASSWORD);
    expectNoSecret(NASTY_PASSWORD);
  });

  it('a send with AUTH PLAIN: the traffic, one line for the content, no body, headers or attachment', async () => {
    const srv = await server({ mode: 'plain', authMethods: ['PLAIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
    expect(await sendLogged(profileFor(srv, { security: 'none' }), NASTY_PASSWORD)).toBe(true);
    expect(srv.log.messages).toHaveLength(1);
    expect(srv.log.messages[0]!.raw).toContain(BODY_MARKER);
    const text = await logText();
    expectConversation(text);
    expect(text).toContain(' C: AUTH PLAIN [hidden]');
    expect(text).toMatch(/ C: MAIL FROM:<invoices@acme\.example>/);
    expect(text).toContain(' C: RCPT TO:<client@example.com>');
    expect(text).toContain(' C: DATA');
    expect(text).toMatch(/ S: 354 /);
    const [, bytes] = / C: \[message content: (\d+) bytes, not logged\]/.exec(text) ?? [];
    expect(Number(bytes)).toBeGreaterThan(200);
    expect(text).toContain(' -- info: Conversation started: send, message <');
    expect(text).toContain(' -- info: Accepted: 250');
    expectNoContent(text);
    expectNoSecret(NASTY_PASSWORD);
  });

  it('a send with AUTH LOGIN over STARTTLS', async () => {
    const srv = await server({ mode: 'starttls', authMethods: ['LOGIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
    expect(await sendLogged(profileFor(srv, { security: 'starttls-required' }), NASTY_PASSWORD)).toBe(true);
    expect(srv.log.authAttempts).toEqual([{ method: 'LOGIN', username: TEST_USER, accepted: true }]);
    const text = await logText();
    expectConversation(text);
    expect(text).toContain(' C: STARTTLS');
    expect(text).toContain(' C: AUTH LOGIN');
    expect(text.match(/ C: \[hidden\] \(sign-in data\)/g)).toHaveLength(2);
    expect(text).toContain('[message content: ');
    expectNoContent(text);
    expectNoSecret(NASTY_PASSWORD);
  });

  it('a send refused for the wrong password', async () => {
    const srv = await server({ mode: 'starttls', authMethods: ['PLAIN', 'LOGIN'], users: { [TEST_USER]: TEST_PASSWORD } });
    expect(await sendLogged(profileFor(srv, { security: 'starttls' }), WRONG_PASSWORD)).toBe(false);
    const text = await logText();
    expectConversation(text);
    expect(text).toMatch(/ S: 535 /);
    expect(text).toContain(' -- error: Not sent: ');
    expect(text).not.toContain('[message content');
    expectNoSecret(WRONG_PASSWORD);
    expectNoSecret(TEST_PASSWORD);
  });

  it('at level info: the notes and the outcome, no line-by-line traffic', async () => {
    setDebug({ enabled: true, path: logDir, level: 'info', retentionDays: 14 });
    const srv = await server({ mode: 'plain', authMethods: ['PLAIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
    await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: NASTY_PASSWORD });
    expect(await sendLogged(profileFor(srv, { security: 'none' }), NASTY_PASSWORD)).toBe(true);
    const text = await logText();
    expect(text).not.toMatch(/ (C|S): /);
    expect(text).toContain(' -- info: Conversation started: test');
    // Which authorities a connection without a CA file trusts: the computer's store, or why not.
    expect(text).toContain(` -- info: Certificate authorities without a CA file: ${systemTrust().text}`);
    expect(text).toContain(' -- info: Introduce (EHLO): Capabilities: AUTH PLAIN');
    expect(text).toContain(' -- info: Test passed in ');
    expect(text).toContain(' -- info: Conversation started: send');
    expect(text).toContain(' -- info: Accepted: 250');
    expectNoContent(text);
    expectNoSecret(NASTY_PASSWORD);
  });

  it('at level error: only what went wrong', async () => {
    setDebug({ enabled: true, path: logDir, level: 'error', retentionDays: 14 });
    const srv = await server({ mode: 'plain', authMethods: ['PLAIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
    await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: NASTY_PASSWORD });
    await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: WRONG_PASSWORD });
    const lines = (await logText()).split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/ -- error: /);
    expectNoSecret(WRONG_PASSWORD);
  });

  it('follows the settings as they change: off, then another folder', async () => {
    const srv = await server({ mode: 'plain', authMethods: ['PLAIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
    setDebug({ enabled: false, path: logDir, level: 'debug', retentionDays: 14 });
    expect(services.mail.transcript(profileFor(srv), 'test')).toBeNull();
    await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: NASTY_PASSWORD });
    await services.debugLog.flush();
    expect(logFiles()).toEqual([]);

    const other = path.join(dir, 'other', 'logs');
    fs.mkdirSync(other, { recursive: true });
    setDebug({ enabled: true, path: other, level: 'debug', retentionDays: 14 });
    await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: NASTY_PASSWORD });
    await services.debugLog.flush();
    expect(logFiles()).toEqual([]);
    expect(logFiles(other)).toHaveLength(1);
    expect(services.debugLog.status()).toMatchObject({ enabled: true, path: other, writable: true });
  });
});

describe('a folder that cannot be written', () => {
  it('sending still works, and the status says why', async () => {
    const blocker = path.join(dir, 'not-a-folder.txt');
    fs.writeFileSync(blocker, 'a file where the folder should be');
    const unwritable = path.join(blocker, 'debug');
    setDebug({ enabled: true, path: unwritable, level: 'debug', retentionDays: 14 });
    const srv = await server({ mode: 'plain', authMethods: ['PLAIN'], users: { [TEST_USER]: NASTY_PASSWORD } });

    expect(await sendLogged(profileFor(srv, { security: 'none' }), NASTY_PASSWORD)).toBe(true);
    const test = await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: NASTY_PASSWORD });
    expect(test.ok && test.value.ok).toBe(true);
    expect(srv.log.messages).toHaveLength(1);
    await services.debugLog.flush();

    const status = services.debugLog.status();
    expect(status).toMatchObject({ enabled: true, path: unwritable, writable: false });
    expect(status.error).toMatch(/Part of the path is a file, not a folder \((ENOTDIR|EEXIST)\)/);
    expect(status.lastCheckedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(fs.readFileSync(blocker, 'utf8')).toBe('a file where the folder should be');

    // The dialog's channels say the same.
    const dispatch = createDispatch(createHandlers(services));
    for (const channel of ['debug:status', 'debug:check'] as const) {
      const answer = await dispatch(channel, undefined, { shell: 'browser' });
      expect(answer.ok, channel).toBe(true);
      if (!answer.ok) continue;
      const parsed = DebugStatus.parse(answer.value);
      expect(parsed).toMatchObject({ enabled: true, path: unwritable, writable: false });
      expect(parsed.error).toContain('not a folder');
    }
  });

  it('check() proves the saved folder writable and leaves nothing behind', async () => {
    const status = await services.debugLog.check();
    expect(status).toMatchObject({ enabled: true, path: logDir, writable: true });
    expect(status.error).toBeUndefined();
    expect(status.missing).toBeUndefined();
    expect(status.lastCheckedAt).toBeDefined();
    expect(fs.readdirSync(logDir)).toEqual([]);
  });

  it('check({ path }) tries a folder as typed: a missing one is reported, and created only when asked', async () => {
    const typed = path.join(dir, 'typed', 'logs');
    const missing = await services.debugLog.check({ path: typed });
    expect(missing).toMatchObject({ path: typed, writable: false, missing: true, error: 'The folder does not exist' });
    expect(fs.existsSync(typed)).toBe(false);
    const created = await services.debugLog.check({ path: typed, create: true });
    expect(created).toMatchObject({ path: typed, writable: true });
    expect(created.missing).toBeUndefined();
    expect(fs.readdirSync(typed)).toEqual([]);
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(await services.debugLog.check({ path: file })).toMatchObject({ writable: false, error: 'This is a file, not a folder' });
    // A typed folder that is not the saved one leaves what is known of the saved one alone.
    expect(services.debugLog.status().path).toBe(logDir);
  });

  it('check() reports an empty or relative path', async () => {
    setDebug({ enabled: false, path: '', level: 'debug', retentionDays: 14 });
    expect(await services.debugLog.check()).toMatchObject({ enabled: false, path: '', writable: false, error: 'No debug folder is set' });
  });

  it('recovers once the folder can be written again', async () => {
    const blocker = path.join(dir, 'blocker');
    fs.writeFileSync(blocker, 'x');
    setDebug({ enabled: true, path: path.join(blocker, 'logs'), level: 'debug', retentionDays: 14 });
    services.mail.transcript(newProfile('p9', 'P'), 'test')?.end();
    await services.debugLog.flush();
    expect(services.debugLog.status().writable).toBe(false);
    fs.rmSync(blocker);
    // Gone is not fixed: the folder is not there until someone makes it.
    expect(await services.debugLog.check()).toMatchObject({ writable: false, missing: true });
    fs.mkdirSync(path.join(blocker, 'logs'), { recursive: true });
    expect((await services.debugLog.check()).writable).toBe(true);
    services.mail.transcript(newProfile('p9', 'P'), 'test')?.end();
    await services.debugLog.flush();
    expect(services.debugLog.status().writable).toBe(true);
    expect(fs.readdirSync(path.join(blocker, 'logs'))).toEqual([logFileName(new Date())]);
  });
});

describe('a saved folder that does not exist', () => {
  let missing: string;
  let srv: RunningServer;
  beforeEach(async () => {
    missing = path.join(dir, 'share', 'mailroom logs');
    setDebug({ enabled: true, path: missing, level: 'debug', retentionDays: 14 });
    srv = await server({ mode: 'plain', authMethods: ['PLAIN'], users: { [TEST_USER]: NASTY_PASSWORD } });
  });

  it('is not made by the first write: sending goes on, and the status says the folder is missing', async () => {
    expect(services.debugLog.status()).toMatchObject({ path: missing, writable: true });
    expect(await sendLogged(profileFor(srv, { security: 'none' }), NASTY_PASSWORD)).toBe(true);
    const test = await services.mail.testConnection(profileFor(srv, { security: 'none' }), { password: NASTY_PASSWORD });
    expect(test.ok && test.value.ok).toBe(true);
    await services.debugLog.flush();

    expect(fs.existsSync(missing)).toBe(false);
    expect(fs.existsSync(path.dirname(missing))).toBe(false);
    const status = services.debugLog.status();
    expect(status).toMatchObject({ enabled: true, path: missing, writable: false, missing: true, error: 'The folder does not exist' });
    expect(status.lastCheckedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    // Nor by a check of the saved folder, from the dialog's channel or the service.
    const dispatch = createDispatch(createHandlers(services));
    const answer = await dispatch('debug:check', undefined, { shell: 'browser' });
    expect(answer.ok && DebugStatus.parse(answer.value)).toMatchObject({ writable: false, missing: true });
    expect(await services.debugLog.check()).toMatchObject({ writable: false, missing: true });
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('is made when the admin agreed to, and written from then on', async () => {
    // The dialog asked, and the admin chose to create it.
    expect(await services.debugLog.check({ path: missing, create: true })).toMatchObject({ path: missing, writable: true });
    expect(fs.readdirSync(missing)).toEqual([]);
    expect(services.debugLog.status()).toMatchObject({ path: missing, writable: true });
    expect(services.debugLog.status().missing).toBeUndefined();
    expect(await sendLogged(profileFor(srv, { security: 'none' }), NASTY_PASSWORD)).toBe(true);
    await services.debugLog.flush();
    expect(fs.readdirSync(missing)).toEqual([logFileName(new Date())]);
    expect(services.debugLog.status()).toMatchObject({ writable: true });

    // Removed afterwards, it is reported gone, not quietly made again.
    fs.rmSync(missing, { recursive: true });
    expect(await sendLogged(profileFor(srv, { security: 'none' }), NASTY_PASSWORD)).toBe(true);
    await services.debugLog.flush();
    expect(fs.existsSync(missing)).toBe(false);
    expect(services.debugLog.status()).toMatchObject({ writable: false, missing: true });
  });

  it('a folder checked as typed and then saved is known at once: missing, or not writable, before any write', async () => {
    setDebug({ enabled: true, path: logDir, level: 'debug', retentionDays: 14 });
    const typed = path.join(dir, 'typed', 'logs');
    expect(await services.debugLog.check({ path: typed })).toMatchObject({ writable: false, missing: true });
    // Typing another folder before saving leaves what is known of the saved one alone.
    expect(services.debugLog.status()).toMatchObject({ path: logDir, writable: true });
    setDebug({ enabled: true, path: typed, level: 'debug', retentionDays: 14 });
    expect(services.debugLog.status()).toMatchObject({ path: typed, writable: false, missing: true, error: 'The folder does not exist' });

    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(await services.debugLog.check({ path: file })).toMatchObject({ writable: false });
    setDebug({ enabled: true, path: file, level: 'debug', retentionDays: 14 });
    const status = services.debugLog.status();
    expect(status).toMatchObject({ path: file, writable: false, error: 'This is a file, not a folder' });
    expect(status.missing).toBeUndefined();
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
  });
});

describe('rotation and retention', () => {
  function standalone(folder: string, clock: { now: Date }, over: Partial<DebugSettings> = {}, sizes: { maxFileBytes?: number; keepRotated?: number } = {}) {
    const settings: DebugSettings = { enabled: true, path: folder, level: 'debug', retentionDays: 14, ...over };
    return new DebugLog({ settings: () => settings, now: () => clock.now, ...sizes });
  }

  function chatter(log: DebugLog, n: number): void {
    for (let i = 0; i < n; i += 1) {
      const t = log.conversation({ profileName: 'Rotating', kind: 'send', messageId: `<m${i}@acme.example>` });
      t?.client('EHLO client.test');
      t?.server('250-server.test\r\n250 AUTH PLAIN');
      t?.note('info', `message ${i} ${'x'.repeat(200)}`);
      t?.end();
    }
  }

  it('rotates a day\'s file by size and keeps a bounded number', async () => {
    const clock = { now: new Date(2026, 10, 21, 9, 30) };
    const log = standalone(logDir, clock, {}, { maxFileBytes: 4000, keepRotated: 3 });
    for (let round = 0; round < 30; round += 1) {
      chatter(log, 1);
      await log.flush();
    }
    const names = fs.readdirSync(logDir).sort();
    expect(names).toEqual(['mailroom-debug-2026-11-21-1.log', 'mailroom-debug-2026-11-21-2.log', 'mailroom-debug-2026-11-21-3.log', 'mailroom-debug-2026-11-21.log']);
    for (const name of names) {
      const text = fs.readFileSync(path.join(logDir, name), 'utf8');
      expect(Buffer.byteLength(text), name).toBeLessThanOrEqual(4000);
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.split('\n').filter(Boolean)) expect(line).toMatch(/^2026-11-21T09:30:00\.000[+-]\d{2}:\d{2} "Rotating" /);
    }
    // The newest lines are in the current file.
    expect(fs.readFileSync(path.join(logDir, 'mailroom-debug-2026-11-21.log'), 'utf8')).toContain('<m0@acme.example>');
  });

  it('starts a new file each day', async () => {
    const clock = { now: new Date(2026, 10, 21, 23, 59) };
    const log = standalone(logDir, clock);
    chatter(log, 1);
    clock.now = new Date(2026, 10, 22, 0, 1);
    chatter(log, 1);
    await log.flush();
    expect(fs.readdirSync(logDir).sort()).toEqual(['mailroom-debug-2026-11-21.log', 'mailroom-debug-2026-11-22.log']);
  });

  it('removes its own files older than the retention, at most once an hour, and nothing else', async () => {
    const clock = { now: new Date(2026, 10, 21, 12, 0) };
    fs.mkdirSync(logDir, { recursive: true });
    const day = 86_400_000;
    const make = (name: string, ageDays: number) => {
      const file = path.join(logDir, name);
      fs.writeFileSync(file, 'old line\n');
      const t = new Date(clock.now.getTime() - ageDays * day);
      fs.utimesSync(file, t, t);
    };
    make('mailroom-debug-2026-10-01.log', 51);
    make('mailroom-debug-2026-10-01-1.log', 51);
    make('mailroom-debug-2026-11-06.log', 15);
    make('mailroom-debug-2026-11-08.log', 13);
    make('notes.txt', 400);
    make('mailroom-debug-keep-me.log', 400);

    const log = standalone(logDir, clock, { retentionDays: 14 });
    chatter(log, 1);
    await log.flush();
    expect(fs.readdirSync(logDir).sort()).toEqual(['mailroom-debug-2026-11-08.log', 'mailroom-debug-2026-11-21.log', 'mailroom-debug-keep-me.log', 'notes.txt']);

    // Within the hour: not swept again.
    make('mailroom-debug-2026-09-01.log', 81);
    clock.now = new Date(clock.now.getTime() + 30 * 60_000);
    chatter(log, 1);
    await log.flush();
    expect(fs.existsSync(path.join(logDir, 'mailroom-debug-2026-09-01.log'))).toBe(true);

    // An hour after the last sweep: swept.
    clock.now = new Date(clock.now.getTime() + 31 * 60_000);
    chatter(log, 1);
    await log.flush();
    expect(fs.existsSync(path.join(logDir, 'mailroom-debug-2026-09-01.log'))).toBe(false);
    expect(fs.existsSync(path.join(logDir, 'notes.txt'))).toBe(true);
  });
});
