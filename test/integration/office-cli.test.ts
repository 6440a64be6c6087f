// mailroom office init | add-user | status | import, through the in-process runner, against a
// real PostgreSQL cluster: --json parsed, and errors that name the field with the right exit code.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../preload/contract';
import { resolveConnection } from '../../main/services/office/connection';
import { OfficeStore } from '../../main/services/office/office-store';
import { SCHEMA_VERSION } from '../../main/services/office/migrations';
import { mailroom } from '../helpers/cli';
import { startPostgres, type PgCluster } from '../helpers/postgres';
import { tempDir } from '../helpers/temp-dir';

let cluster: PgCluster;
let work: { dir: string; cleanup: () => void };
const keyFile = () => path.join(work.dir, 'keys', 'sender.key');

/** The command as `role` (MAILROOM_DATABASE_URL), with `input` on standard input. */
function office(args: string[], opts: { as?: [string, string]; input?: string; env?: Record<string, string> } = {}) {
  const env: Record<string, string> = { ...(opts.as ? { MAILROOM_DATABASE_URL: cluster.url(...opts.as) } : {}), ...opts.env };
  return mailroom(['office', ...args], { dataDir: work.dir, ...(opts.input !== undefined ? { input: opts.input } : {}), env });
}

function json(out: { stdout: string }): Record<string, unknown> {
  return JSON.parse(out.stdout) as Record<string, unknown>;
}

beforeAll(async () => {
  work = tempDir('mailroom-office-cli-');
  cluster = await startPostgres();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  work?.cleanup();
});

describe('mailroom office init', () => {
  it('lists the office commands in the group\'s help', async () => {
    const help = await office(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['init', 'add-user', 'status', 'import']) expect(help.stdout).toContain(`mailroom office ${name}`);
  });

  it('names each missing or bad field, exits 2 and changes nothing', async () => {
    const missing = await office(['init', '--json']);
    expect(missing.code).toBe(2);
    expect((json(missing).error as { fields: { path: string }[] }).fields.map((f) => f.path)).toEqual(['--database', '--admin', '--password-stdin']);
    expect(missing.stderr).toMatch(/--database: Required/);

    const badUrl = await office(['init', '--database', 'http://db/office', '--admin', 'alice', '--password-stdin', '--json'], { input: 'pw\n' });
    expect(badUrl.code).toBe(2);
    expect(json(badUrl).error).toMatchObject({ code: 'invalid-input', fields: [{ path: '--database' }] });

    const badRole = await office(['init', '--database', cluster.url(), '--admin', 'pg_admin', '--password-stdin', '--sender-key-out', keyFile()], { input: 'pw\n' });
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--admin: Names starting with pg_ are reserved/);

    const wrongPassword = await office(['init', '--database', cluster.url(cluster.superuser, 'wrong'), '--admin', 'alice', '--password-stdin', '--sender-key-out', keyFile(), '--json'], { input: 'pw\n' });
    expect(wrongPassword.code).toBe(1);
    expect(json(wrongPassword).error).toMatchObject({ code: 'forbidden' });
    expect(fs.existsSync(keyFile())).toBe(false);
  });

  it('sets the office up, then run again changes nothing', async () => {
    const first = await office(['init', '--database', cluster.url(), '--admin', 'alice', '--password-stdin', '--office-name', 'Acme', '--sender-key-out', keyFile(), '--json'], { input: 'alice pw\n' });
    expect(first.code, first.stderr).toBe(0);
    const report = json(first);
    expect(report).toMatchObject({ ok: true, schema: { from: 0, to: SCHEMA_VERSION }, admin: { role: 'alice', created: true }, senderKey: { created: true, file: keyFile() } });
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    const key = fs.readFileSync(keyFile(), 'utf8');

    const again = await office(['init', '--database', cluster.url(), '--admin', 'alice', '--password-stdin', '--json'], { input: 'other\n' });
    expect(again.code, again.stderr).toBe(0);
    expect(json(again)).toMatchObject({ ok: true, schema: { applied: [] }, admin: { created: false, addedToGroup: false, userCreated: false }, senderKey: { created: false } });
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(key);

    const text = await office(['init', '--database', cluster.url(), '--admin', 'alice', '--password-stdin'], { input: 'x\n' });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Schema: version \d+, up to date/);
    expect(text.stdout).toMatch(/already has a sender key/);
  });
});

describe('mailroom office add-user and status', () => {
  it('an administrator adds staff and a sender; each signs in with their own password', async () => {
    const sam = await office(['add-user', 'sam', '--name', 'Sam Smith', '--email', 'sam@acme.example', '--password-stdin', '--json'], { as: ['alice', 'alice pw'], input: 'sam pw\n' });
    expect(sam.code, sam.stderr).toBe(0);
    expect(json(sam)).toEqual({ ok: true, user: { role: 'sam', id: 'sam', kind: 'staff' } });
    const sid = await office(['add-user', 'sid', '--role', 'sender', '--password-stdin'], { as: ['alice', 'alice pw'], input: 'sid pw\n' });
    expect(sid.code, sid.stderr).toBe(0);
    expect(sid.stdout).toBe('Added sid as a sender.\n');

    const status = await office(['status', '--json'], { as: ['sam', 'sam pw'] });
    expect(status.code, status.stderr).toBe(0);
    expect(json(status)).toMatchObject({
      ok: true,
      database: { host: cluster.host, port: cluster.port, name: cluster.database },
      schemaVersion: SCHEMA_VERSION,
      expectedVersion: SCHEMA_VERSION,
      upgradeNeeded: false,
      officeName: 'Acme',
      role: 'sam',
      kind: 'staff',
      admin: false,
      senders: [],
    });
    const adminStatus = await office(['status'], { as: ['alice', 'alice pw'] });
    expect(adminStatus.stdout).toMatch(/Connected as: +alice \(admin, administrator\)/);
    expect(adminStatus.stdout).toMatch(/Senders seen in the last minute: none/);
  });

  it('refuses staff, a taken role, a bad kind or address, and a missing database, each with its field', async () => {
    const staff = await office(['add-user', 'mallory', '--role', 'admin', '--password-stdin', '--json'], { as: ['sam', 'sam pw'], input: 'x\n' });
    expect(staff.code).toBe(1);
    expect(json(staff).error).toEqual({ code: 'forbidden', message: 'Adding users needs a Mailroom administrator; sam is not one.' });

    const taken = await office(['add-user', 'sam', '--password-stdin', '--json'], { as: ['alice', 'alice pw'], input: 'x\n' });
    expect(taken.code).toBe(1);
    expect(json(taken).error).toMatchObject({ code: 'conflict', fields: [{ path: 'ROLE' }] });

    const kind = await office(['add-user', 'zed', '--role', 'boss', '--password-stdin'], { as: ['alice', 'alice pw'], input: 'x\n' });
    expect(kind.code).toBe(2);
    expect(kind.stderr).toMatch(/--role/);

    const email = await office(['add-user', 'zed', '--email', 'not an address', '--password-stdin', '--json'], { as: ['alice', 'alice pw'], input: 'x\n' });
    expect(email.code).toBe(2);
    expect(json(email).error).toMatchObject({ fields: [{ path: '--email' }] });

    const empty = await office(['add-user', 'zed', '--password-stdin', '--json'], { as: ['alice', 'alice pw'], input: '\n' });
    expect(empty.code).toBe(2);
    expect(json(empty).error).toMatchObject({ fields: [{ path: '--password-stdin' }] });

    const nowhere = await office(['status', '--json'], { env: { MAILROOM_DATABASE_URL: '', PGHOST: '', PGDATABASE: '' } });
    expect(nowhere.code).toBe(2);
    expect(json(nowhere).error).toMatchObject({ fields: [{ path: 'MAILROOM_DATABASE_URL' }] });

    // Nothing of it was made.
    const status = await office(['status', '--json'], { as: ['zed', 'x'] });
    expect(status.code).toBe(1);
    expect(json(status).error).toMatchObject({ code: 'forbidden' });
  });
});

describe('mailroom office import', () => {
  it('moves a file-mode install: settings, users mapped to roles, and its passwords sealed for the senders', async () => {
    const data = path.join(work.dir, 'file-install');
    fs.mkdirSync(data);
    const me = os.userInfo().username;
    const doc = defaultSettings();
    doc.general.organisationName = 'Acme Ltd';
    doc.general.alertFrom = 'alerts@acme.example';
    doc.users = [
      { id: 'u1', account: me, name: 'IT', email: '', admin: true, smtpUsername: '', compose: null, send: null },
      { id: 'u2', account: 'ACME\\Sam', name: 'Sam Smith', email: 'sam@acme.example', admin: false, smtpUsername: '', compose: null, send: null },
      { id: 'u3', account: 'Nina', name: 'Nina', email: '', admin: false, smtpUsername: '', compose: null, send: null },
    ];
    fs.writeFileSync(path.join(work.dir, 'doc.json'), JSON.stringify(doc));
    const fileMode = (args: string[], input?: string) => mailroom(args, { dataDir: data, ...(input !== undefined ? { input } : {}) });
    expect((await fileMode(['settings', 'import', path.join(work.dir, 'doc.json')])).code).toBe(0);
    const profile = await fileMode(
      ['profile', 'set', 'Relay', '--host', 'smtp.acme.example', '--username', 'relay@acme.example', '--password-stdin', '--from-address', 'invoices@acme.example', '--json'],
      'Relay-Pa55-from-file\n',
    );
    expect(profile.code, profile.stderr).toBe(0);

    const imported = await office(['import', '--data-dir', data, '--json'], { as: ['alice', 'alice pw'] });
    expect(imported.code, imported.stderr).toBe(0);
    const report = json(imported) as { profiles: number; users: { account: string; role: string; hasLogin: boolean }[]; withoutLogin: string[]; secrets: { moved: string[] } };
    expect(report.profiles).toBe(1);
    expect(report.users).toEqual(
      expect.arrayContaining([
        { account: 'ACME\\Sam', role: 'sam', hasLogin: true },
        { account: 'Nina', role: 'nina', hasLogin: false },
        { account: 'alice', role: 'alice', hasLogin: true },
      ]),
    );
    expect(report.withoutLogin).toEqual(expect.arrayContaining(['nina']));
    expect(report.withoutLogin).not.toContain('sam');
    expect(report.secrets.moved).toHaveLength(1);

    // The office now has the file's settings, and the sender opens the file's password.
    const sender = resolveConnection({ url: cluster.url('sid', 'sid pw'), env: {} });
    if (!sender.ok) throw new Error(sender.error.message);
    const store = new OfficeStore(sender.value, { max: 1 });
    try {
      const read = await store.readSettings();
      expect(read.ok && read.value.settings.general.organisationName).toBe('Acme Ltd');
      expect(read.ok && read.value.settings.smtp.profiles.map((p) => p.name)).toEqual(['Relay']);
      expect(await store.openSecret(report.secrets.moved[0]!, fs.readFileSync(keyFile(), 'utf8'))).toEqual({ ok: true, value: 'Relay-Pa55-from-file' });
    } finally {
      await store.close();
    }
  });

  it('keeps the office users when the file-mode install never defined any', async () => {
    const data = path.join(work.dir, 'single-pc-install');
    fs.mkdirSync(data);
    const doc = defaultSettings();
    doc.general.organisationName = 'Acme Ltd (front desk)';
    doc.general.alertFrom = 'alerts@acme.example';
    fs.writeFileSync(path.join(work.dir, 'no-users.json'), JSON.stringify(doc));
    expect((await mailroom(['settings', 'import', path.join(work.dir, 'no-users.json')], { dataDir: data })).code).toBe(0);
    const admin = resolveConnection({ url: cluster.url('alice', 'alice pw'), env: {} });
    if (!admin.ok) throw new Error(admin.error.message);
    const store = new OfficeStore(admin.value, { max: 1 });
    try {
      const before = await store.readSettings();
      const users = before.ok ? before.value.settings.users.map((u) => u.account).sort() : [];
      expect(users).toContain('sam');
      const imported = await office(['import', '--data-dir', data, '--json'], { as: ['alice', 'alice pw'] });
      expect(imported.code, imported.stderr).toBe(0);
      const after = await store.readSettings();
      expect(after.ok && after.value.settings.general.organisationName).toBe('Acme Ltd (front desk)');
      expect(after.ok ? after.value.settings.users.map((u) => u.account).sort() : []).toEqual(users);
    } finally {
      await store.close();
    }
  });

  it('refuses a folder without settings and a user who is not an administrator, changing nothing', async () => {
    const none = await office(['import', '--data-dir', path.join(work.dir, 'nothing-here'), '--json'], { as: ['alice', 'alice pw'] });
    expect(none.code).toBe(2);
    expect(json(none).error).toMatchObject({ code: 'invalid-input', fields: [{ path: '--data-dir' }] });
    const missing = await office(['import', '--json'], { as: ['alice', 'alice pw'] });
    expect(missing.code).toBe(2);
    expect(json(missing).error).toMatchObject({ fields: [{ path: '--data-dir' }] });
    const staff = await office(['import', '--data-dir', path.join(work.dir, 'file-install'), '--json'], { as: ['sam', 'sam pw'] });
    expect(staff.code).toBe(1);
    expect(json(staff).error).toMatchObject({ code: 'forbidden', message: 'Importing needs a Mailroom administrator; sam is not one.' });
  });
});

describe('machine policy over the office settings', () => {
  it('is in force on the computer that has it, and never written into the office database for the others', async () => {
    const as: [string, string] = ['alice', 'alice pw'];
    const env = (policy?: string) => ({ MAILROOM_DATABASE_URL: cluster.url(...as), ...(policy ? { MAILROOM_POLICY_FILE: policy } : {}) });
    const run = (args: string[], policy?: string) => mailroom(args, { dataDir: work.dir, env: env(policy) });
    const saved = await run(['settings', 'set', 'general.alertFrom', 'alerts@acme.example']);
    expect(saved.code, saved.stderr).toBe(0);
    const policyFile = path.join(work.dir, 'office-policy.json');
    fs.writeFileSync(policyFile, JSON.stringify({ 'general.alertFrom': 'it@acme.example' }));

    // On the computer with the policy: in force, locked, and a save of something else goes through.
    expect((await run(['settings', 'get', 'general.alertFrom'], policyFile)).stdout.trim()).toBe('it@acme.example');
    const refused = await run(['settings', 'set', 'general.alertFrom', 'mine@acme.example'], policyFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`general.alertFrom (${policyFile})`);
    const other = await run(['settings', 'set', 'general.systemNotification', 'it-notices@acme.example'], policyFile);
    expect(other.code, other.stderr).toBe(0);

    // Everyone else, and the database itself, keep what an administrator saved.
    expect((await run(['settings', 'get', 'general.alertFrom'])).stdout.trim()).toBe('alerts@acme.example');
    expect((await run(['settings', 'get', 'general.systemNotification'])).stdout.trim()).toBe('it-notices@acme.example');
    const admin = resolveConnection({ url: cluster.url(...as), env: {} });
    if (!admin.ok) throw new Error(admin.error.message);
    const store = new OfficeStore(admin.value, { max: 1 });
    try {
      const read = await store.readSettings();
      expect(read).toMatchObject({ ok: true, value: { settings: { general: { alertFrom: 'alerts@acme.example', systemNotification: 'it-notices@acme.example' } } } });
    } finally {
      await store.close();
    }
  });
});
