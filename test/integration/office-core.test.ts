// The office database core against a real PostgreSQL cluster: init on an empty database and again
// (changing nothing), upgrades from every earlier schema version, the store's settings with their
// revision and notifications, sealed secrets, and the connection rules taken from libpq.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../preload/contract';
import { resolveConnection, passwordFromFile, type OfficeConnection } from '../../main/services/office/connection';
import { MIGRATIONS, SCHEMA_VERSION } from '../../main/services/office/migrations';
import { addUser, initOffice, scramVerifier } from '../../main/services/office/office-admin';
import { OfficeStore, type OfficeChange } from '../../main/services/office/office-store';
import { migrate, schemaVersion } from '../../main/services/office/schema';
import { generateSenderKeyPair, open, publicKeyOf, seal } from '../../main/services/office/seal';
import { STALE_SAVE_MESSAGE } from '../../main/services/settings/settings-service';
import { startPostgres, type PgCluster } from '../helpers/postgres';
import { tempDir } from '../helpers/temp-dir';

let cluster: PgCluster;
let work: { dir: string; cleanup: () => void };

const connect = (url: string): OfficeConnection => {
  const c = resolveConnection({ url, env: {}, homedir: work.dir });
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
};
const owner = (database?: string) => connect(cluster.url(cluster.superuser, cluster.superuserPassword, database));

async function createDatabase(name: string): Promise<void> {
  const client = new pg.Client(owner('postgres').config);
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

async function ownerQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = [], database?: string): Promise<T[]> {
  const client = new pg.Client(owner(database).config);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

function complete(): Settings {
  const s = defaultSettings();
  s.general.organisationName = 'Acme Ltd';
  s.general.alertFrom = 'alerts@acme.example';
  return s;
}

beforeAll(async () => {
  work = tempDir('mailroom-office-core-');
  cluster = await startPostgres();
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  work?.cleanup();
});

describe('office init', () => {
  const keyFile = () => path.join(work.dir, 'sender.key');

  it('sets up an empty database: schema, administrator, office and a sender key only its owner can read', async () => {
    const result = await initOffice({ connection: owner(), adminRole: 'alice', adminPassword: 'alice pw', officeName: 'Acme', senderKeyOut: keyFile() });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (!result.ok) return;
    expect(result.value.schema).toMatchObject({ from: 0, to: SCHEMA_VERSION });
    expect(result.value.schema.applied.map((s) => s.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(result.value.admin).toEqual({ role: 'alice', created: true, addedToGroup: true, userCreated: true });
    expect(result.value.senderKey.created).toBe(true);
    expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    const [office] = await ownerQuery<{ name: string; key: string }>('SELECT name, sender_public_key AS key FROM mailroom.office');
    expect(office?.name).toBe('Acme');
    // The file holds the private half of the key the office seals to.
    expect(publicKeyOf(fs.readFileSync(keyFile(), 'utf8'))).toBe(office?.key);

    // The administrator signs in with their own password and is one.
    const store = new OfficeStore(connect(cluster.url('alice', 'alice pw')));
    try {
      const me = await store.whoami();
      expect(me).toMatchObject({ ok: true, value: { role: 'alice', kind: 'admin', admin: true, user: { account: 'alice', admin: true } } });
      const wrong = new OfficeStore(connect(cluster.url('alice', 'not it')));
      const refused = await wrong.whoami();
      await wrong.close();
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(!refused.ok && refused.error.message).toMatch(/refused the sign-in of alice/);
    } finally {
      await store.close();
    }
  });

  it('run again, upgrades nothing and changes nothing: same key, same password, same users, same revision', async () => {
    const before = await ownerQuery<{ key: string; revision: string; users: string }>(
      `SELECT (SELECT sender_public_key FROM mailroom.office) AS key, (SELECT revision FROM mailroom.settings) AS revision,
              (SELECT string_agg(role || ':' || kind, ',') FROM mailroom.users) AS users`,
    );
    const keyBefore = fs.readFileSync(keyFile(), 'utf8');
    const again = await initOffice({ connection: owner(), adminRole: 'alice', adminPassword: 'another pw', officeName: 'Other', senderKeyOut: path.join(work.dir, 'second.key') });
    expect(again.ok, JSON.stringify(again)).toBe(true);
    if (!again.ok) return;
    expect(again.value.schema.applied).toEqual([]);
    expect(again.value.admin).toEqual({ role: 'alice', created: false, addedToGroup: false, userCreated: false });
    expect(again.value.senderKey.created).toBe(false);
    expect(fs.existsSync(path.join(work.dir, 'second.key'))).toBe(false);
    expect(fs.readFileSync(keyFile(), 'utf8')).toBe(keyBefore);
    const after = await ownerQuery('SELECT (SELECT sender_public_key FROM mailroom.office) AS key, (SELECT revision FROM mailroom.settings) AS revision, (SELECT string_agg(role || \':\' || kind, \',\') FROM mailroom.users) AS users');
    expect(after).toEqual(before);
    // The password typed the second time was not taken.
    const store = new OfficeStore(connect(cluster.url('alice', 'alice pw')));
    expect((await store.whoami()).ok).toBe(true);
    await store.close();
  });

  it('refuses a new office without a place for its key, before changing anything', async () => {
    await createDatabase('no_key_place');
    const result = await initOffice({ connection: owner('no_key_place'), adminRole: 'bob', adminPassword: 'pw' });
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: '--sender-key-out' }] } });
    const [row] = await ownerQuery<{ found: boolean }>(`SELECT to_regnamespace('mailroom') IS NOT NULL AS found`, [], 'no_key_place');
    expect(row?.found).toBe(false);
    const [role] = await ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM pg_roles WHERE rolname = 'bob'`);
    expect(Number(role?.n)).toBe(0);
  });

  it('upgrades from every earlier schema version, keeping what was there', async () => {
    for (let from = 0; from < SCHEMA_VERSION; from++) {
      const db = `from_v${from}`;
      await createDatabase(db);
      const client = new pg.Client(owner(db).config);
      await client.connect();
      try {
        await migrate(client, { target: from });
        expect(await schemaVersion(client)).toBe(from);
        if (from >= 1) {
          // Something saved at that version must survive the upgrade.
          await client.query(`UPDATE mailroom.settings SET document = $1::jsonb`, [JSON.stringify({ ...complete(), users: undefined })]);
        }
        const report = await migrate(client);
        expect(report).toMatchObject({ from, to: SCHEMA_VERSION });
        expect(report.applied.map((s) => s.version)).toEqual(MIGRATIONS.filter((m) => m.version > from).map((m) => m.version));
        // Every table of every step is there, and each keeps its rows by row-level security, forced on the owner too.
        const tables = await client.query<{ name: string; guarded: boolean }>(
          `SELECT c.relname AS name, c.relrowsecurity AND c.relforcerowsecurity AS guarded FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'mailroom' AND c.relkind = 'r' AND c.relname <> 'schema_migrations' ORDER BY 1`,
        );
        expect(tables.rows.map((t) => t.name)).toEqual(['office', 'outbox', 'requests', 'secrets', 'send_slots', 'senders', 'settings', 'sign_ins', 'users']);
        expect(tables.rows.filter((t) => !t.guarded)).toEqual([]);
        if (from >= 1) {
          const row = await client.query<{ name: string }>(`SELECT document->'general'->>'organisationName' AS name FROM mailroom.settings`);
          expect(row.rows[0]?.name).toBe('Acme Ltd');
        }
      } finally {
        await client.end();
      }
      const keyOut = path.join(work.dir, `${db}.key`);
      const init = await initOffice({ connection: owner(db), adminRole: 'alice', adminPassword: 'alice pw', senderKeyOut: keyOut });
      expect(init.ok, JSON.stringify(init)).toBe(true);
    }
  });
});

describe('an office owned by an ordinary role with CREATEROLE (not a superuser)', () => {
  it('sets up, adds users, and every rule works with row-level security forced on the owner too', async () => {
    await ownerQuery(`CREATE ROLE office_owner LOGIN CREATEROLE PASSWORD ${pg.escapeLiteral(scramVerifier('owner pw'))}`);
    await ownerQuery('CREATE DATABASE owned_office OWNER office_owner');
    const ownerConnection = connect(cluster.url('office_owner', 'owner pw', 'owned_office'));
    const init = await initOffice({ connection: ownerConnection, adminRole: 'olga', adminPassword: 'olga pw', senderKeyOut: path.join(work.dir, 'owned.key') });
    expect(init.ok, JSON.stringify(init)).toBe(true);
    const olga = connect(cluster.url('olga', 'olga pw', 'owned_office'));
    expect(await addUser({ connection: olga, role: 'stan', kind: 'staff', password: 'stan pw' })).toMatchObject({ ok: true });
    expect(await addUser({ connection: olga, role: 'owned_sender', kind: 'sender', password: 'sender pw' })).toMatchObject({ ok: true });
    const admin = new OfficeStore(olga);
    const stan = new OfficeStore(connect(cluster.url('stan', 'stan pw', 'owned_office')));
    const sender = new OfficeStore(connect(cluster.url('owned_sender', 'sender pw', 'owned_office')));
    try {
      const read = await admin.readSettings();
      if (!read.ok) throw new Error(read.error.message);
      const doc = { ...complete(), users: read.value.settings.users.map((u) => (u.account === 'stan' ? { ...u, admin: true } : u)) };
      doc.mail.sendUserSelectable = true;
      expect(await admin.saveSettings(doc, read.value.revision)).toMatchObject({ ok: true });
      expect(await stan.whoami()).toMatchObject({ ok: true, value: { admin: true } });
      expect(await stan.setMyChoices({ send: 'autodetect' })).toEqual({ ok: true, value: undefined });
      expect(await stan.setMySecret('user-password:stan', 'stan smtp')).toEqual({ ok: true, value: undefined });
      expect(await admin.setSharedSecret('smtp-password:x', 'shared x')).toEqual({ ok: true, value: undefined });
      const key = fs.readFileSync(path.join(work.dir, 'owned.key'), 'utf8');
      expect(await sender.openSecret('smtp-password:x', key)).toEqual({ ok: true, value: 'shared x' });
      expect(await sender.openSecret('user-password:stan', key, 'stan')).toEqual({ ok: true, value: 'stan smtp' });
      expect(await admin.openSecret('smtp-password:x', key)).toEqual({ ok: true, value: undefined });
    } finally {
      await Promise.all([admin.close(), stan.close(), sender.close()]);
    }
  });
});

describe('office store: settings', () => {
  it('reads defaults before anything is saved, saves over the revision read, and refuses a stale save with the file mode\'s message', async () => {
    const store = new OfficeStore(connect(cluster.url('alice', 'alice pw')));
    try {
      const first = await store.readSettings();
      expect(first.ok).toBe(true);
      if (!first.ok) return;
      expect(first.value.settings.general).toEqual(defaultSettings().general);
      expect(first.value.settings.users.map((u) => [u.account, u.admin])).toEqual([['alice', true]]);

      const next = { ...complete(), users: first.value.settings.users };
      const saved = await store.saveSettings(next, first.value.revision);
      expect(saved.ok, JSON.stringify(saved)).toBe(true);
      if (!saved.ok) return;
      expect(saved.value.revision).toBeGreaterThan(first.value.revision);
      const read = await store.readSettings();
      expect(read.ok && read.value).toEqual({ settings: next, revision: saved.value.revision });

      // Someone else saved in between: the save based on the old revision is refused, nothing written.
      const stale = await store.saveSettings({ ...next, general: { ...next.general, organisationName: 'Stale Ltd' } }, first.value.revision);
      expect(stale).toEqual({ ok: false, error: { code: 'conflict', message: STALE_SAVE_MESSAGE } });
      const unchanged = await store.readSettings();
      expect(unchanged.ok && unchanged.value.settings.general.organisationName).toBe('Acme Ltd');

      // Invalid documents are refused field by field before reaching the database.
      const invalid = await store.saveSettings({ ...next, general: { ...next.general, alertFrom: 'not an address' } }, saved.value.revision);
      expect(invalid).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'general.alertFrom' }] } });

      // An administrator cannot save themselves out of the administrators.
      const lockout = await store.saveSettings({ ...next, users: [{ ...next.users[0]!, admin: false }, { ...next.users[0]!, id: 'other', account: 'someone', admin: true }] }, saved.value.revision);
      expect(lockout).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'users' }] } });
    } finally {
      await store.close();
    }
  });

  it('tells listeners of every change: the settings with their new revision, and the users', async () => {
    const store = new OfficeStore(connect(cluster.url('alice', 'alice pw')));
    const heard: OfficeChange[] = [];
    const listening = await store.listen((c) => heard.push(c));
    expect(listening.ok).toBe(true);
    try {
      const read = await store.readSettings();
      if (!read.ok) throw new Error(read.error.message);
      const saved = await store.saveSettings({ ...read.value.settings, general: { ...read.value.settings.general, organisationName: 'Acme Group' } }, read.value.revision);
      if (!saved.ok) throw new Error(saved.error.message);
      await expect.poll(() => heard.find((c) => c.channel === 'mailroom_settings')?.payload, { timeout: 3000 }).toBe(String(saved.value.revision));
      // A user changing their own choices changes the document others see: its revision rises too.
      await ownerQuery(`UPDATE mailroom.settings SET document = jsonb_set(document, '{mail,composeUserSelectable}', 'true')`);
      heard.length = 0;
      expect(await store.setMyChoices({ compose: 'autodetect' })).toEqual({ ok: true, value: undefined });
      await expect.poll(() => heard.map((c) => c.channel).sort(), { timeout: 3000 }).toEqual(['mailroom_settings', 'mailroom_users']);
      const after = await store.readSettings();
      expect(after.ok && after.value.revision).toBe(Number(heard.find((c) => c.channel === 'mailroom_settings')?.payload));
      expect(after.ok && after.value.settings.users[0]?.compose).toBe('autodetect');
    } finally {
      if (listening.ok) await listening.value.stop();
      await store.close();
    }
  });
});

describe('signing in without a password in the URL', () => {
  it('takes it from ~/.pgpass as libpq does, and says the sign-in was refused when there is none', async () => {
    const home = path.join(work.dir, 'home');
    fs.mkdirSync(home, { recursive: true });
    const url = `postgres://alice@${cluster.host}:${cluster.port}/${cluster.database}`;
    const without = resolveConnection({ url, env: {}, homedir: home });
    if (!without.ok) throw new Error(without.error.message);
    const refused = new OfficeStore(without.value);
    const answer = await refused.whoami();
    await refused.close();
    expect(answer).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(!answer.ok && answer.error.message).toMatch(/refused the sign-in of alice/);

    fs.writeFileSync(path.join(home, '.pgpass'), `${cluster.host}:${cluster.port}:*:alice:alice pw\n`, { mode: 0o600 });
    const withFile = resolveConnection({ url, env: {}, homedir: home });
    if (!withFile.ok) throw new Error(withFile.error.message);
    const store = new OfficeStore(withFile.value);
    const me = await store.whoami();
    await store.close();
    expect(me).toMatchObject({ ok: true, value: { role: 'alice', admin: true } });
  });
});

describe('sealed secrets', () => {
  it('opens only with the sender key it was sealed to, and only under the name it was sealed for', () => {
    const office = generateSenderKeyPair();
    const other = generateSenderKeyPair();
    const sealed = seal(office.publicKey, 'smtp-password:p1', 'hunter2 ü');
    expect(sealed).toMatch(/^mrseal1(\.[A-Za-z0-9_-]+){3}$/);
    expect(sealed).not.toContain('hunter2');
    expect(open(office.privateKey, 'smtp-password:p1', sealed)).toBe('hunter2 ü');
    expect(() => open(other.privateKey, 'smtp-password:p1', sealed)).toThrow(/does not open/);
    expect(() => open(office.privateKey, 'smtp-password:p2', sealed)).toThrow(/does not open/);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url') + parts[3]!.slice(11);
    expect(() => open(office.privateKey, 'smtp-password:p1', parts.join('.'))).toThrow();
    // Two seals of one value differ (a fresh ephemeral key each time).
    expect(seal(office.publicKey, 'n', 'v')).not.toBe(seal(office.publicKey, 'n', 'v'));
  });

  it('a shared secret saved by an administrator is opened by a sender with the key file init wrote; the administrator cannot read it', async () => {
    await ownerQuery(`CREATE ROLE sender1 LOGIN PASSWORD ${pg.escapeLiteral(scramVerifier('sender pw'))} IN ROLE mailroom_sender`);
    const admin = new OfficeStore(connect(cluster.url('alice', 'alice pw')));
    const sender = new OfficeStore(connect(cluster.url('sender1', 'sender pw')));
    try {
      expect(await admin.setSharedSecret('smtp-password:shared', 'S3cret-shared')).toEqual({ ok: true, value: undefined });
      const names = await admin.secretNames();
      expect(names.ok && names.value.map((n) => [n.name, n.shared])).toEqual([['smtp-password:shared', true]]);
      const key = fs.readFileSync(path.join(work.dir, 'sender.key'), 'utf8');
      expect(await sender.openSecret('smtp-password:shared', key)).toEqual({ ok: true, value: 'S3cret-shared' });
      // The administrator sees no row at all, and could not open one without the key.
      const adminRows = await admin.openSecret('smtp-password:shared', key);
      expect(adminRows).toEqual({ ok: true, value: undefined });
    } finally {
      await admin.close();
      await sender.close();
    }
  });
});

describe('connection from URL and environment', () => {
  it('fills what the URL leaves out from PG* and the password file, and names the field at fault', () => {
    const dir = work.dir;
    const passfile = path.join(dir, 'pgpass');
    fs.writeFileSync(passfile, `# comment\nother:*:*:*:no\ndb.example:6543:office:carol:pa\\:ss\n`, { mode: 0o600 });
    const filled = resolveConnection({ env: { MAILROOM_DATABASE_URL: 'postgresql://carol@db.example/office', PGPORT: '6543', PGPASSFILE: passfile }, homedir: dir });
    expect(filled.ok && { host: filled.value.host, port: filled.value.port, user: filled.value.user, database: filled.value.database, password: filled.value.config.password }).toEqual({
      host: 'db.example',
      port: 6543,
      user: 'carol',
      database: 'office',
      password: 'pa:ss',
    });
    // A password file others can read is ignored, as libpq does.
    fs.chmodSync(passfile, 0o644);
    expect(passwordFromFile({ host: 'db.example', port: 6543, database: 'office', user: 'carol', env: { PGPASSFILE: passfile }, home: dir })).toBeUndefined();

    const env = { PGHOST: 'h', PGUSER: 'u', PGDATABASE: 'd' };
    expect(resolveConnection({ url: 'mysql://x/y', env })).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: '--database' }] } });
    expect(resolveConnection({ env: { ...env, MAILROOM_DATABASE_URL: 'postgres://h:0/d' } })).toMatchObject({ ok: false, error: { fields: [{ path: 'MAILROOM_DATABASE_URL port' }] } });
    expect(resolveConnection({ env: { ...env, PGSSLMODE: 'sometimes' } })).toMatchObject({ ok: false, error: { fields: [{ path: 'PGSSLMODE' }] } });
    expect(resolveConnection({ url: 'postgres://h/d?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem', env })).toMatchObject({
      ok: false,
      error: { fields: [{ path: '--database sslrootcert' }] },
    });
    expect(resolveConnection({ url: 'postgres://h/d?colour=blue', env })).toMatchObject({ ok: false, error: { fields: [{ path: '--database ?colour' }] } });
  });

  it('follows libpq\'s sslmode: require encrypts, verify-ca checks the chain, verify-full the host name too', () => {
    const ca = path.join(work.dir, 'root.crt');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const ssl = (query: string) => {
      const c = resolveConnection({ url: `postgres://u@db.example/d?${query}`, env: {}, homedir: work.dir + '/none' });
      if (!c.ok) throw new Error(c.error.message);
      return c.value.config.ssl as false | { rejectUnauthorized: boolean; ca?: string; checkServerIdentity?: (...a: unknown[]) => unknown };
    };
    expect(ssl('sslmode=disable')).toBe(false);
    expect(ssl('sslmode=require')).toMatchObject({ rejectUnauthorized: false });
    expect(ssl(`sslmode=require&sslrootcert=${ca}`)).toMatchObject({ rejectUnauthorized: true });
    const verifyCa = ssl(`sslmode=verify-ca&sslrootcert=${ca}`);
    expect(verifyCa && verifyCa.rejectUnauthorized && verifyCa.ca).toContain('BEGIN CERTIFICATE');
    expect(verifyCa && verifyCa.checkServerIdentity?.('other.example', {})).toBeUndefined();
    const full = ssl(`sslmode=verify-full&sslrootcert=${ca}`);
    expect(full && full.checkServerIdentity?.('other.example', { subject: { CN: 'db.example' }, subjectaltname: 'DNS:db.example' })).toBeInstanceOf(Error);
    expect(resolveConnection({ url: 'postgres://u@h/d?sslmode=verify-full', env: {}, homedir: work.dir + '/none' })).toMatchObject({
      ok: false,
      error: { fields: [{ path: '--database sslmode' }] },
    });
  });
});
