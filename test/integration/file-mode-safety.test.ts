// Mailroom's data on disk, for real: a second OS account gets a clear refusal and changes nothing;
// a damaged settings file after users existed makes nobody an administrator until an administrator
// imports settings; every file Mailroom writes is readable by its owner only; and "open folder"
// hands the OS nothing but an existing folder.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch } from '../../main/api/dispatch';
import { createHandlers } from '../../main/api/handlers';
import { createServices, osAccount, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { defaultSettings, newProfile, newUser, type OutgoingMessage, type Settings, type SmtpProfile } from '../../preload/contract';
import { CLI, ensureBuilt, type CliRun } from '../helpers/cli';
import { TEST_PASSWORD, TEST_USER, createTestCerts, startSmtpServer, type RunningServer } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOBODY = 65534;

let work: ReturnType<typeof tempDir>;
let dataDir: string;
const settingsFile = () => path.join(dataDir, 'settings.json');

beforeAll(() => ensureBuilt());
beforeEach(() => {
  work = tempDir('file-mode-');
  dataDir = path.join(work.dir, 'data');
});
afterEach(() => work.cleanup());

/** The built CLI as a separate process, as this account or as another one. */
function mailroom(args: string[], as?: { uid: number; gid: number }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: work.dir,
      env: { ...process.env, MAILROOM_DATA_DIR: dataDir },
      ...(as ?? {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

function open(extra: Partial<Parameters<typeof createServices>[0]> = {}): FileServices {
  return createServices({ dataDir, shell: 'browser', version: 't', createFile: createConfFile, ...extra });
}

/** Settings whose only administrator is whoever runs this test, as Mailroom names that account. */
function administered(by = osAccount()): Settings {
  const s = defaultSettings();
  s.general.organisationName = 'Acme Ltd';
  s.general.alertFrom = 'alerts@acme.example';
  s.smtp.profiles = [{ ...newProfile('p1', 'Office'), host: 'smtp.acme.example', username: 'invoices', fromAddress: 'invoices@acme.example' }];
  s.users = [
    { ...newUser('admin', by), name: 'The administrator', admin: true },
    { ...newUser('clerk', 'clerk'), name: 'A clerk' },
  ];
  return s;
}

/** Everything in the data folder: names, and the bytes of each file. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dataDir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dataDir, file)] = entry.isFile() ? fs.readFileSync(file).toString('base64') : '(folder)';
  }
  return out;
}

describe.skipIf(!isRoot)('a second OS account on the same data folder', () => {
  it('gets a clear error and a failing exit, and settings.json stays byte for byte as it was', async () => {
    const services = open();
    expect(services.settings.save(administered()).ok).toBe(true);
    services.mail.setPassword('p1', 'the office password');
    // The folder may be entered by the other account (as a shared folder would); settings.json stays 0600 and root's.
    fs.chmodSync(work.dir, 0o711);
    fs.chmodSync(dataDir, 0o711);
    expect(fs.statSync(settingsFile()).mode & 0o777).toBe(0o600);
    const before = snapshot();
    const bytes = fs.readFileSync(settingsFile());

    for (const args of [['settings', 'get', 'general.organisationName'], ['settings', 'export'], ['whoami'], ['settings', 'set', 'general.alertFrom', 'x@y.z'], ['settings', 'import', 'whatever.json'], ['outbox', 'list'], ['serve']]) {
      const out = await mailroom(args, { uid: NOBODY, gid: NOBODY });
      expect(out.code, args.join(' ')).toBe(1);
      expect(out.stderr, args.join(' ')).toContain(`Mailroom cannot read ${settingsFile()}: permission denied (it belongs to another account?)`);
      expect(out.stdout, args.join(' ')).toBe('');
    }

    expect(fs.readFileSync(settingsFile())).toEqual(bytes);
    expect(snapshot()).toEqual(before);
    expect(fs.readdirSync(dataDir).filter((f) => f.includes('corrupt'))).toEqual([]);
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o711);
    // The owner carries on as before.
    expect(JSON.parse((await mailroom(['whoami', '--json'])).stdout)).toMatchObject({ account: osAccount(), admin: true });
  });
});

describe('settings damaged after users existed', () => {
  it('start read-only with nobody an administrator, until an administrator imports settings naming them', async () => {
    const services = open();
    expect(services.settings.save(administered()).ok).toBe(true);
    services.mail.setPassword('p1', 'the office password');
    fs.writeFileSync(settingsFile(), '\u0000\u0007 not settings at all');

    const refused = await mailroom(['settings', 'set', 'general.alertFrom', 'x@y.z']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The settings are read-only');
    expect(refused.stderr).toContain('nobody has administrator rights');
    const kept = fs.readdirSync(dataDir).filter((f) => f.startsWith('settings.corrupt-'));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(dataDir, kept[0]!), 'utf8')).toBe('\u0000\u0007 not settings at all');

    const who = await mailroom(['whoami', '--json']);
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ account: osAccount(), admin: false, readOnly: expect.stringContaining('mailroom settings import FILE') });
    const notices = JSON.parse(fs.readFileSync(path.join(dataDir, 'notices.json'), 'utf8')) as { title: string; message: string }[];
    expect(notices).toMatchObject([{ title: 'Settings are locked', message: expect.stringContaining(kept[0]!) }]);
    // Changing a profile is refused as well, and nothing appears in place of the damaged file.
    expect((await mailroom(['profile', 'remove', 'Office'])).code).toBe(1);
    expect(fs.existsSync(settingsFile())).toBe(false);

    // An import that names someone else as the administrator, or nobody, does not unlock it.
    const elsewhere = administered('someone-else');
    fs.writeFileSync(path.join(work.dir, 'elsewhere.json'), JSON.stringify(elsewhere));
    const notMine = await mailroom(['settings', 'import', 'elsewhere.json']);
    expect(notMine.code).toBe(2);
    expect(notMine.stderr).toContain(`Add yourself (${osAccount()}) to the users as an administrator`);
    const open2 = { ...administered(), users: [] };
    fs.writeFileSync(path.join(work.dir, 'open.json'), JSON.stringify(open2));
    const toEveryone = await mailroom(['settings', 'import', 'open.json', '--json']);
    expect(toEveryone.code).toBe(2);
    expect(JSON.parse(toEveryone.stdout)).toMatchObject({ ok: false, error: { fields: [{ path: 'users' }] } });
    expect(fs.existsSync(settingsFile())).toBe(false);

    // The administrator's own copy brings it back; the profile it leaves out loses its saved password.
    const restored = { ...administered(), smtp: { profiles: [] } };
    restored.general.defaultProfile = '';
    fs.writeFileSync(path.join(work.dir, 'backup.json'), JSON.stringify(restored));
    const back = await mailroom(['settings', 'import', 'backup.json']);
    expect(back.code, back.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8'))).toEqual(restored);
    expect(JSON.parse((await mailroom(['whoami', '--json'])).stdout)).toEqual({ account: osAccount(), user: restored.users[0], admin: true });
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')).entries).toEqual({});
    expect((await mailroom(['settings', 'set', 'general.alertFrom', 'x@y.z'])).code).toBe(0);

    // And from now on an import that would lock the administrator out is refused, naming users.
    const demoted = { ...restored, users: restored.users.map((u) => ({ ...u, admin: u.id === 'clerk' })) };
    fs.writeFileSync(path.join(work.dir, 'demoted.json'), JSON.stringify(demoted));
    const lockout = await mailroom(['settings', 'import', 'demoted.json', '--json']);
    expect(lockout.code).toBe(2);
    expect(JSON.parse(lockout.stdout)).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'users', message: `${osAccount()} must be an administrator` }] } });
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8')).general.alertFrom).toBe('x@y.z');
  });
});

describe('settings written in place by another program', () => {
  it('are read once the writer finishes, not set aside as damaged while half-written', async () => {
    const services = open();
    expect(services.settings.save(administered()).ok).toBe(true);
    const changed = { ...administered(), general: { ...administered().general, organisationName: 'Contoso Ltd' } };
    const text = JSON.stringify(changed, null, 2);
    // Another process truncates the file, writes half, pauses, and writes the rest.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'w'); fs.writeSync(fd, process.argv[2].slice(0, 40));
       process.stdout.write('half\\n'); setTimeout(() => { fs.writeSync(fd, process.argv[2].slice(40)); fs.closeSync(fd); }, 120);`,
      settingsFile(),
      text,
    ]);
    await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
    const exited = new Promise((resolve) => writer.on('close', resolve));
    // Read while the file holds 40 bytes of JSON: it is looked at again until it is whole.
    expect(services.settings.read().general.organisationName).toBe('Contoso Ltd');
    await exited;
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('settings.corrupt-'))).toEqual([]);
    expect(services.settings.readOnlyReason()).toBeUndefined();
    expect(services.notices.list()).toEqual([]);
  });
});

describe.skipIf(process.platform === 'win32')('what Mailroom writes, after a realistic run', () => {
  let server: RunningServer;
  afterEach(async () => {
    await server?.close();
  });

  it('is readable by its owner only: folders 0700, files 0600, even with a permissive umask', async () => {
    const certs = createTestCerts();
    server = await startSmtpServer(certs, { mode: 'plain' });
    const logDir = path.join(work.dir, 'logs', 'mailroom');
    // An existing data folder others could look into is tightened.
    fs.mkdirSync(dataDir, { mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    const previous = process.umask(0);
    let services: FileServices | undefined;
    try {
      services = open();
      const dispatch = createDispatch(createHandlers(services));
      const ctx = { shell: 'browser' as const };
      const profile: SmtpProfile = { ...newProfile('p1', 'Office'), host: server.host, port: server.port, security: 'none', username: TEST_USER, fromAddress: 'invoices@acme.example', timeoutSeconds: 5 };
      const settings = administered();
      settings.smtp.profiles = [profile];
      settings.general.defaultProfile = 'p1';
      settings.general.debug = { enabled: true, path: logDir, level: 'debug', retentionDays: 14 };
      // The admin agrees to the folder being made (logging never makes it): made for its owner only.
      expect(await dispatch('debug:check', { path: logDir, create: true }, ctx)).toMatchObject({ ok: true, value: { writable: true } });
      expect(await dispatch('settings:save', settings, ctx)).toMatchObject({ ok: true });
      expect(await dispatch('secrets:set-profile-password', { profileId: 'p1', password: TEST_PASSWORD }, ctx)).toMatchObject({ ok: true });
      const message: OutgoingMessage = { to: ['client@example.com'], cc: [], bcc: [], subject: 'Invoice 42', text: 'Dear client', attachments: [] };
      const { outcome } = await services.outbox.sendNow(profile, message, 'message');
      expect(outcome.ok).toBe(true);
      await services.outbox.queue(profile, [message]);
      services.drafts.save({ profileId: '', to: ['client@example.com'], cc: [], bcc: [], subject: 'Later', html: '<p>Draft</p>', attachments: [] });
      services.notices.add({ level: 'info', title: 'Test', message: 'A notice' });
      await services.debugLog.flush();
    } finally {
      await services?.outbox.stop();
      process.umask(previous);
    }

    const seen: string[] = [];
    const check = (root: string) => {
      for (const entry of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
        const file = path.join(entry.parentPath, entry.name);
        const mode = fs.statSync(file).mode & 0o777;
        seen.push(path.relative(work.dir, file));
        expect(mode.toString(8), file).toBe(entry.isDirectory() ? '700' : '600');
      }
    };
    expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    check(dataDir);
    expect((fs.statSync(logDir).mode & 0o777).toString(8)).toBe('700');
    check(logDir);
    // The run really wrote each kind of file.
    for (const expected of ['settings.json', 'users-defined.json', 'secrets.json', 'keys/secrets.key', 'notices.json', 'outbox/journal.jsonl']) {
      expect(seen, expected).toContain(path.join('data', expected));
    }
    expect(seen.some((f) => f.startsWith(path.join('data', 'outbox', 'batches') + path.sep))).toBe(true);
    expect(seen.some((f) => f.startsWith(path.join('data', 'drafts') + path.sep))).toBe(true);
    expect(seen.some((f) => /mailroom-debug-\d{4}-\d{2}-\d{2}\.log$/.test(f))).toBe(true);
  });
});

describe.skipIf(process.platform !== 'linux')('open the debug folder', () => {
  const RECORDER = `#!/bin/sh\nprintf '%s\\n' "$@" > "$RECORD_DIR/call-$$"\n`;
  let savedPath: string | undefined;
  let records: string;

  beforeEach(() => {
    const bin = path.join(work.dir, 'bin');
    records = path.join(work.dir, 'records');
    fs.mkdirSync(bin);
    fs.mkdirSync(records);
    fs.writeFileSync(path.join(bin, 'xdg-open'), RECORDER, { mode: 0o755 });
    savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? ''}`;
    process.env.RECORD_DIR = records;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    delete process.env.RECORD_DIR;
  });

  it('hands the opener an existing folder only: never a file, a program or a missing path', async () => {
    const services = open();
    const dispatch = createDispatch(createHandlers(services));
    const ctx = { shell: 'browser' as const };
    const openWith = async (debugPath: string) => {
      const s = administered();
      s.general.debug = { enabled: false, path: debugPath, level: 'info', retentionDays: 14 };
      expect(services.settings.save(s).ok).toBe(true);
      return dispatch('debug:open-folder', undefined, ctx);
    };

    const text = path.join(work.dir, 'notes.txt');
    fs.writeFileSync(text, 'not a folder');
    const ran = path.join(work.dir, 'program-ran');
    const program = path.join(work.dir, 'run-me');
    fs.writeFileSync(program, `#!/bin/sh\ntouch '${ran}'\n`, { mode: 0o755 });
    const linkToProgram = path.join(work.dir, 'looks-like-a-folder');
    fs.symlinkSync(program, linkToProgram);

    for (const [target, why] of [
      [text, 'that is a file, not a folder'],
      [program, 'that is a file, not a folder'],
      [linkToProgram, 'that is a file, not a folder'],
      [path.join(work.dir, 'missing'), 'there is no folder there'],
    ] as const) {
      expect(await openWith(target), target).toMatchObject({
        ok: false,
        error: { code: 'io-error', message: expect.stringContaining(why), fields: [{ path: 'general.debug.path', message: expect.stringContaining(why) }] },
      });
    }

    const folder = path.join(work.dir, 'logs');
    fs.mkdirSync(folder);
    const viaLink = path.join(work.dir, 'logs-link');
    fs.symlinkSync(folder, viaLink);
    expect(await openWith(viaLink)).toEqual({ ok: true, value: { path: viaLink } });
    let calls: string[] = [];
    for (let i = 0; i < 500 && calls.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      calls = fs.readdirSync(records);
    }
    // One call, with the folder itself (its link resolved), and the program never ran.
    expect(calls).toHaveLength(1);
    expect(fs.readFileSync(path.join(records, calls[0]!), 'utf8')).toBe(`${folder}\n`);
    expect(fs.existsSync(ran)).toBe(false);
  });
});
