// The profile, test-connection and send commands, as an IT script runs them (through runCli in this
// process), against a real SMTP server.
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mailroom } from '../helpers/cli';
import { filesToScan } from '../helpers/scan-files';
import { tempDir } from '../helpers/temp-dir';

const PASSWORD = 'S3cret-p@ss/word+';
let dir: string;
let cleanup: () => void;
let server: SMTPServer;
let port: number;
const received: { from: string; to: string[]; raw: string }[] = [];
const authSeen: string[] = [];

const run = (args: string[], input?: string) => mailroom(args, { dataDir: dir, input });

beforeAll(async () => {
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, cb) {
      authSeen.push(`${auth.method}:${auth.username}`);
      if (auth.username === 'invoices' && auth.password === PASSWORD) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('5.7.8 Username and Password not accepted'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function createOffice(extra: string[] = []) {
  return run(['profile', 'set', 'Office', '--host', `127.0.0.1,${port}`, '--security', 'none', '--username', 'invoices', '--password-stdin', '--from-address', 'invoices@acme.example', '--from-name', 'Acme Accounts', ...extra], `${PASSWORD}\n`);
}

describe('mailroom profile', () => {
  it('creates a profile from host,port, stores the password encrypted, and never prints or exports it', async () => {
    const created = await createOffice(['--json']);
    expect(created.code).toBe(0);
    const doc = JSON.parse(created.stdout);
    expect(doc).toMatchObject({ ok: true, created: true, passwordSet: true, profile: { name: 'Office', host: '127.0.0.1', port, security: 'none', username: 'invoices' } });
    expect(created.stdout + created.stderr).not.toContain(PASSWORD);
    const exported = await run(['settings', 'export']);
    expect(exported.stdout).toContain('"name": "Office"');
    const files = filesToScan(dir, { recursive: false });
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(['settings.json', 'secrets.json']));
    for (const file of files) expect(file.bytes.toString('utf8'), file.name).not.toContain(PASSWORD);
    expect(exported.stdout).not.toContain(PASSWORD);
    const list = await run(['profile', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'Office', passwordSet: true }]);
    expect(list.stdout).not.toContain(PASSWORD);
  });

  it('updates only the options given, and moves the port with the security mode unless it was chosen', async () => {
    expect((await run(['profile', 'set', 'Relay', '--host', 'relay.acme.example', '--auth', 'none', '--from-address', 'a@acme.example'])).code).toBe(0);
    const toTls = await run(['profile', 'set', 'relay', '--security', 'tls', '--json']);
    expect(JSON.parse(toTls.stdout).profile).toMatchObject({ name: 'Relay', security: 'tls', port: 465, host: 'relay.acme.example' });
    await run(['profile', 'set', 'Relay', '--port', '2465']);
    const kept = await run(['profile', 'set', 'Relay', '--security', 'starttls-required', '--json']);
    expect(JSON.parse(kept.stdout).profile).toMatchObject({ security: 'starttls-required', port: 2465 });
  });

  it('refuses invalid values naming each option, and changes nothing', async () => {
    await createOffice();
    const before = fs.readFileSync(path.join(dir, 'settings.json'));
    const out = await run(['profile', 'set', 'Office', '--port', '0', '--security', 'ssl', '--min-tls', '1.4', '--from-address', 'not an address', '--timeout', 'soon', '--verify-cert', 'maybe']);
    expect(out.code).toBe(2);
    for (const option of ['--port', '--security', '--min-tls', '--from-address', '--timeout', '--verify-cert']) expect(out.stderr).toContain(option);
    expect(fs.readFileSync(path.join(dir, 'settings.json'))).toEqual(before);
  });

  it('makes the first profile the default and says so, so test-connection works without --profile; a second one is not', async () => {
    const created = await createOffice();
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Office is now the default profile');
    const tested = await run(['test-connection']);
    expect(tested.stderr).not.toContain('no default profile');
    expect(tested.code).toBe(0);
    const second = await run(['profile', 'set', 'Backup', '--host', `127.0.0.1,${port}`, '--security', 'none', '--auth', 'none', '--from-address', 'b@acme.example', '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, isDefault: false, madeDefault: false });
  });

  it('refuses a new profile that lacks what the dialog requires', async () => {
    const out = await run(['profile', 'set', 'Half', '--host', 'smtp.acme.example', '--json']);
    expect(out.code).toBe(2);
    expect(JSON.parse(out.stdout).error.fields.map((f: { path: string }) => f.path).sort()).toEqual(['--from-address', '--username']);
    expect(fs.existsSync(path.join(dir, 'settings.json'))).toBe(false);
  });

  it('removes a profile with its password, and says when there is no such profile', async () => {
    await createOffice(['--default']);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).toContain('smtp-password:');
    const removed = await run(['profile', 'remove', 'office']);
    expect(removed.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'secrets.json'), 'utf8')).not.toContain('smtp-password:');
    expect(JSON.parse((await run(['settings', 'get', 'general.defaultProfile', '--json'])).stdout).value).toBe('');
    const missing = await run(['profile', 'remove', 'Office']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No profile called "Office"');
  });
});

describe('mailroom test-connection and send', () => {
  it('diagnoses a good profile step by step and exits 0', async () => {
    await createOffice();
    const out = await run(['test-connection', '--profile', 'Office', '--json']);
    expect(out.code).toBe(0);
    const d = JSON.parse(out.stdout);
    expect(d.ok).toBe(true);
    expect(d.steps.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining(['tcp', 'greeting', 'ehlo', 'auth']));
    expect(d.steps.find((s: { id: string }) => s.id === 'auth').status).not.toBe('failed');
    expect(authSeen).toContain('PLAIN:invoices');
    expect(out.stdout).not.toContain(PASSWORD);
  });

  it('exits 1 with the diagnosis of a wrong password, and never echoes it', async () => {
    await createOffice();
    const out = await run(['test-connection', '--profile', 'Office', '--password-stdin'], 'wrong-password\n');
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('Sign in');
    expect(out.stderr).toMatch(/535/);
    expect(out.stdout + out.stderr).not.toContain('wrong-password');
  });

  it('sends a message with an attachment and prints the Message-ID the server received', async () => {
    await createOffice(['--bcc', 'archive@acme.example']);
    fs.writeFileSync(path.join(dir, 'invoice-42.pdf'), '%PDF-1.4 invoice 42');
    const out = await run(['send', '--profile', 'Office', '--to', 'client@example.com', '--cc', 'boss@example.com', '--subject', 'Invoice 42', '--text', 'Attached.', '--attach', 'invoice-42.pdf', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const outcome = JSON.parse(out.stdout);
    expect(outcome.ok).toBe(true);
    const got = received.find((m) => m.raw.includes(outcome.receipt.messageId));
    expect(got).toBeDefined();
    expect(got!.from).toBe('invoices@acme.example');
    expect(got!.to.sort()).toEqual(['archive@acme.example', 'boss@example.com', 'client@example.com']);
    expect(got!.raw).toContain('From: Acme Accounts <invoices@acme.example>');
    expect(got!.raw).toContain('invoice-42.pdf');
    expect(got!.raw).not.toMatch(/^Bcc:/m);
  });

  it('refuses bad recipients before connecting, naming the option', async () => {
    await createOffice();
    const before = received.length;
    const out = await run(['send', '--profile', 'Office', '--to', 'a@example.com, b@example.com', '--subject', 'x', '--text', 'y']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--to');
    const noSubject = await run(['send', '--profile', 'Office', '--to', 'a@example.com']);
    expect(noSubject.code).toBe(2);
    expect(noSubject.stderr).toContain('--subject');
    expect(received.length).toBe(before);
  });
});
