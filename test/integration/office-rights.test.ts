// Who may do what in the office database, checked by signing in as each role with its own password:
// through the office store, and with plain SQL as someone trying to get round it would.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, newProfile, type Settings } from '../../preload/contract';
import { resolveConnection } from '../../main/services/office/connection';
import { addUser, initOffice } from '../../main/services/office/office-admin';
import { OfficeStore } from '../../main/services/office/office-store';
import { startPostgres, type PgCluster } from '../helpers/postgres';
import { officeRoles } from '../helpers/office-roles';
import { tempDir } from '../helpers/temp-dir';

const SHARED_PASSWORD = 'Shared-Pa55word-7f3a';
const SHARED_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.shared-mailbox-refresh-token-91c2';
const TESS_PASSWORD = 'Tess-Own-Pa55-44d1';
const SIGN_IN_SUMMARY = {
  account: 'office@acme.example',
  displayName: 'Acme Office',
  tenantId: '8c3dad1d-b6bc-4f8b-939b-8263372eced6',
  scopes: ['https://outlook.office.com/SMTP.Send'],
  expiresAt: '2030-01-01T00:00:00.000Z',
  refreshable: true,
  loginUrl: 'https://login.microsoftonline.com',
  connection: null,
};

let cluster: PgCluster;
let work: { dir: string; cleanup: () => void };
let senderKey: string;
const PASSWORDS: Record<string, string> = { alice: 'alice pw', sam: 'sam pw', tess: 'tess pw', sid: 'sid pw' };

const { connect, as } = officeRoles(() => ({ cluster, homedir: work.dir }), (role) => PASSWORDS[role]);
const store = (role: string) => new OfficeStore(connect(role), { max: 1 });

/** Every row of every Mailroom table as the owner sees it: what a change would show up in. */
async function snapshot(): Promise<Record<string, string[]>> {
  return as(cluster.superuser, async (c) => {
    const out: Record<string, string[]> = {};
    for (const table of TABLES) {
      const rows = await c.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM mailroom.${table} t ORDER BY 1`);
      out[table] = rows.rows.map((r) => r.row);
    }
    return out;
  });
}

const TABLES = ['office', 'settings', 'users', 'secrets', 'requests', 'senders', 'sign_ins', 'schema_migrations'] as const;

/** Each way the secret could be written down in a row's text. */
function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret, bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex'), bytes.toString('hex').toUpperCase(), '\\x' + bytes.toString('hex'), encodeURIComponent(secret)];
}

function findSecrets(text: string): string[] {
  return [SHARED_PASSWORD, SHARED_TOKEN].flatMap((s) => encodings(s).filter((e) => text.includes(e)));
}

function settingsWithProfile(users: Settings['users']): Settings {
  const s = defaultSettings();
  s.general.organisationName = 'Acme Ltd';
  s.general.alertFrom = 'alerts@acme.example';
  s.smtp.profiles = [
    { ...newProfile('p1', 'Relay'), host: 'smtp.acme.example', username: 'relay@acme.example', fromAddress: 'invoices@acme.example' },
    { ...newProfile('p2', 'Office 365'), fromAddress: 'office@acme.example' },
  ];
  s.users = users;
  return s;
}

beforeAll(async () => {
  work = tempDir('mailroom-office-rights-');
  cluster = await startPostgres();
  PASSWORDS[cluster.superuser] = cluster.superuserPassword;
  const owner = resolveConnection({ url: cluster.url(), env: {}, homedir: work.dir });
  if (!owner.ok) throw new Error(owner.error.message);
  const keyFile = path.join(work.dir, 'sender.key');
  const init = await initOffice({ connection: owner.value, adminRole: 'alice', adminPassword: PASSWORDS.alice!, senderKeyOut: keyFile });
  if (!init.ok) throw new Error(init.error.message);
  senderKey = fs.readFileSync(keyFile, 'utf8');
  for (const [role, kind] of [['sam', 'staff'], ['tess', 'staff'], ['sid', 'sender']] as const) {
    const added = await addUser({ connection: connect('alice'), role, kind, name: role.toUpperCase(), email: `${role}@acme.example`, password: PASSWORDS[role]! });
    if (!added.ok) throw new Error(added.error.message);
  }
  const admin = store('alice');
  try {
    const read = await admin.readSettings();
    if (!read.ok) throw new Error(read.error.message);
    const saved = await admin.saveSettings(settingsWithProfile(read.value.settings.users), read.value.revision);
    if (!saved.ok) throw new Error(saved.error.message);
    const set = await admin.setSharedSecret('smtp-password:p1', SHARED_PASSWORD);
    if (!set.ok) throw new Error(set.error.message);
    // The token cache of p2, sealed, with the summary everyone may read beside it.
    const signIn = await admin.saveSignIn('p2', JSON.stringify({ refresh: SHARED_TOKEN }), SIGN_IN_SUMMARY);
    if (!signIn.ok) throw new Error(signIn.error.message);
  } finally {
    await admin.close();
  }
  const tess = store('tess');
  const own = await tess.setMySecret('user-password:tess', TESS_PASSWORD);
  await tess.close();
  if (!own.ok) throw new Error(own.error.message);
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  work?.cleanup();
});

describe('staff, with plain SQL', () => {
  it('cannot change anything of anyone else in any Mailroom table: each write is refused or touches no row', async () => {
    const before = await snapshot();
    const attempts: [string, unknown[]][] = [
      [`UPDATE mailroom.office SET name = 'Hijacked'`, []],
      [`UPDATE mailroom.office SET sender_public_key = 'attacker key'`, []],
      [`DELETE FROM mailroom.office`, []],
      [`INSERT INTO mailroom.office (id, name) VALUES (false, 'x')`, []],
      [`UPDATE mailroom.settings SET document = '{}'::jsonb`, []],
      [`UPDATE mailroom.settings SET revision = 1`, []],
      [`DELETE FROM mailroom.settings`, []],
      [`INSERT INTO mailroom.settings (id, document) VALUES (false, '{}')`, []],
      [`SELECT mailroom.save_settings('{"version":5}'::jsonb, (SELECT revision FROM mailroom.settings))`, []],
      [`UPDATE mailroom.users SET kind = 'admin' WHERE role = 'sam'`, []],
      [`UPDATE mailroom.users SET choices = '{"compose":"outlook"}' WHERE role = 'tess'`, []],
      [`UPDATE mailroom.users SET email = 'evil@example.com'`, []],
      [`DELETE FROM mailroom.users`, []],
      [`INSERT INTO mailroom.users (role, id, kind) VALUES ('mallory', 'mallory', 'admin')`, []],
      [`SELECT mailroom.add_user('mallory', 'admin', '', '', NULL)`, []],
      [`UPDATE mailroom.secrets SET sealed = sealed`, []],
      [`DELETE FROM mailroom.secrets`, []],
      [`INSERT INTO mailroom.secrets (name, owner, sealed) VALUES ('smtp-password:p1', NULL, 'mrseal1.a.b.c')`, []],
      [`SELECT mailroom.set_shared_secret('smtp-password:p1', 'mrseal1.a.b.c')`, []],
      [`SELECT mailroom.delete_shared_secret('smtp-password:p1')`, []],
      [`SELECT mailroom.import_user_secret('tess', 'user-password:tess', 'mrseal1.a.b.c')`, []],
      [`SELECT mailroom.delete_my_secret('user-password:tess')`, []],
      [`UPDATE mailroom.requests SET state = 'done'`, []],
      [`DELETE FROM mailroom.requests`, []],
      [`INSERT INTO mailroom.senders (role, instance) VALUES ('sid', 'fake')`, []],
      [`UPDATE mailroom.senders SET seen_at = now()`, []],
      [`DELETE FROM mailroom.senders`, []],
      [`INSERT INTO mailroom.sign_ins (profile_id, account) VALUES ('p9', 'mallory@evil.example')`, []],
      [`UPDATE mailroom.sign_ins SET account = 'mallory@evil.example'`, []],
      [`DELETE FROM mailroom.sign_ins`, []],
      [`SELECT mailroom.set_sign_in('p2', '{"account":"mallory@evil.example"}'::jsonb)`, []],
      [`SELECT mailroom.delete_sign_in('p2')`, []],
      [`INSERT INTO mailroom.schema_migrations (version, name) VALUES (99, 'x')`, []],
      [`DELETE FROM mailroom.schema_migrations`, []],
      [`SET ROLE mailroom_admin`, []],
      [`SET ROLE alice`, []],
      [`CREATE TABLE mailroom.mine (x int)`, []],
    ];
    const outcomes = await as('sam', async (c) => {
      const out: { sql: string; outcome: string }[] = [];
      for (const [sql, params] of attempts) {
        try {
          const r = await c.query(sql, params);
          // A function that ran reports false / nothing done; a statement its row count.
          const value = r.rows[0] ? Object.values(r.rows[0])[0] : undefined;
          out.push({ sql, outcome: r.command === 'SELECT' ? `ran:${String(value)}` : `rows:${r.rowCount ?? 0}` });
        } catch (error) {
          out.push({ sql, outcome: `refused:${(error as { code?: string }).code}` });
        }
      }
      return out;
    });
    for (const { sql, outcome } of outcomes) {
      // delete_my_secret only ever touches the caller's own rows: sam has none.
      if (sql.includes('delete_my_secret')) expect(outcome, sql).toBe('ran:false');
      else expect(outcome, sql).toMatch(/^(refused:42501|rows:0)$/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a request is always filed under the one who made it', async () => {
    const id = await as('sam', async (c) => {
      const r = await c.query<{ id: string; requested_by: string }>(
        `INSERT INTO mailroom.requests (kind, profile_id, payload) VALUES ('test-connection', 'p1', '{}') RETURNING id, requested_by`,
      );
      // requested_by cannot even be named.
      await expect(c.query(`INSERT INTO mailroom.requests (kind, profile_id, requested_by) VALUES ('send-test', 'p1', 'tess')`)).rejects.toMatchObject({ code: '42501' });
      expect(r.rows[0]?.requested_by).toBe('sam');
      return r.rows[0]!.id;
    });
    // Tess does not see Sam's request; the sender sees and answers it; Sam cannot answer it himself.
    expect(await as('tess', async (c) => (await c.query('SELECT id FROM mailroom.requests')).rowCount)).toBe(0);
    const answered = await as('sid', async (c) => (await c.query(`UPDATE mailroom.requests SET state = 'done', result = '{"ok":true}', finished_at = now() WHERE id = $1`, [id])).rowCount);
    expect(answered).toBe(1);
    expect(await as('sam', async (c) => (await c.query<{ state: string }>('SELECT state FROM mailroom.requests WHERE id = $1', [id])).rows[0]?.state)).toBe('done');
  });

  it('finds no shared password or token in any table, in any encoding; sees only its own secrets', async () => {
    // The search itself works: it finds the secret where it is written down.
    expect(findSecrets(`x${Buffer.from(SHARED_PASSWORD).toString('hex')}y`)).not.toEqual([]);
    for (const role of ['sam', 'tess', 'alice']) {
      const text = await as(role, async (c) => {
        const parts: string[] = [];
        for (const table of TABLES) {
          const rows = await c.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM mailroom.${table} t`);
          parts.push(...rows.rows.map((r) => r.row));
        }
        const names = await c.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM mailroom.secret_names() t`);
        parts.push(...names.rows.map((r) => r.row));
        return parts.join('\n');
      });
      expect(findSecrets(text), role).toEqual([]);
      const visible = await as(role, async (c) => (await c.query<{ name: string; owner: string | null }>('SELECT name, owner FROM mailroom.secrets ORDER BY name')).rows);
      expect(visible, role).toEqual(role === 'tess' ? [{ name: 'user-password:tess', owner: 'tess' }] : []);
    }
  });
});

describe('through the office store', () => {
  it('staff cannot change system settings, shared passwords, or their own mode while user selection is off', async () => {
    const sam = store('sam');
    const admin = store('alice');
    try {
      const read = await sam.readSettings();
      expect(read.ok).toBe(true);
      if (!read.ok) return;
      const save = await sam.saveSettings({ ...read.value.settings, general: { ...read.value.settings.general, organisationName: 'Sam Ltd' } }, read.value.revision);
      expect(save).toEqual({ ok: false, error: { code: 'forbidden', message: 'Changing system settings needs a Mailroom administrator; sam is not one.' } });
      const shared = await sam.setSharedSecret('smtp-password:p1', 'mine now');
      expect(shared).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(!shared.ok && shared.error.message).toMatch(/needs a Mailroom administrator/);

      const compose = await sam.setMyChoices({ compose: 'autodetect' });
      expect(compose).toMatchObject({ ok: false, error: { code: 'forbidden', fields: [{ path: 'choices.compose' }] } });
      expect(!compose.ok && compose.error.message).toMatch(/does not allow users to choose/);
      // Own SMTP username: always theirs to change.
      expect(await sam.setMyChoices({ smtpUsername: 'sam@smtp' })).toEqual({ ok: true, value: undefined });

      // The administrator allows choosing how to compose (not how to send).
      const current = await admin.readSettings();
      if (!current.ok) throw new Error(current.error.message);
      const allowed = { ...current.value.settings, mail: { ...current.value.settings.mail, composeUserSelectable: true } };
      expect((await admin.saveSettings(allowed, current.value.revision)).ok).toBe(true);
      expect(await sam.setMyChoices({ compose: 'autodetect' })).toEqual({ ok: true, value: undefined });
      expect(await sam.setMyChoices({ send: 'outlook' })).toMatchObject({ ok: false, error: { code: 'forbidden', fields: [{ path: 'choices.send' }] } });
      expect(await sam.setMyChoices({ compose: 'm365-web' })).toMatchObject({ ok: false, error: { code: 'forbidden', fields: [{ path: 'choices.compose' }] } });
      const after = await admin.readSettings();
      const samUser = after.ok ? after.value.settings.users.find((u) => u.account === 'sam') : undefined;
      expect(samUser).toMatchObject({ compose: 'autodetect', send: null, smtpUsername: 'sam@smtp' });
      // Tess's choices were not touched by any of it.
      expect(after.ok && after.value.settings.users.find((u) => u.account === 'tess')).toMatchObject({ compose: null, send: null, smtpUsername: '' });
    } finally {
      await sam.close();
      await admin.close();
    }
  });

  it('a sender opens the shared password, the token cache and a user\'s own password; nobody else can', async () => {
    const sid = store('sid');
    const alice = store('alice');
    const sam = store('sam');
    try {
      expect(await sid.openSecret('smtp-password:p1', senderKey)).toEqual({ ok: true, value: SHARED_PASSWORD });
      const cache = await sid.openSecret('oauth-cache:p2', senderKey);
      expect(cache.ok && JSON.parse(cache.value ?? '{}')).toEqual({ refresh: SHARED_TOKEN });
      expect(await sid.openSecret('user-password:tess', senderKey, 'tess')).toEqual({ ok: true, value: TESS_PASSWORD });
      // Administrators and staff read no shared row, even holding the key.
      expect(await alice.openSecret('smtp-password:p1', senderKey)).toEqual({ ok: true, value: undefined });
      expect(await sam.openSecret('smtp-password:p1', senderKey)).toEqual({ ok: true, value: undefined });
      // The dialog learns only that it is set.
      const names = await sam.secretNames();
      expect(names.ok && names.value.map((n) => n.name)).toEqual(['oauth-cache:p2', 'smtp-password:p1']);
      // The administrator writes it again (sealed) without ever reading it.
      expect(await alice.setSharedSecret('smtp-password:p1', 'rotated')).toEqual({ ok: true, value: undefined });
      expect(await sid.openSecret('smtp-password:p1', senderKey)).toEqual({ ok: true, value: 'rotated' });
      // A sealed value copied under another name does not open.
      await as(cluster.superuser, (c) => c.query(`UPDATE mailroom.secrets SET name = 'smtp-password:p9' WHERE name = 'smtp-password:p1'`));
      const moved = await sid.openSecret('smtp-password:p9', senderKey);
      expect(moved).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    } finally {
      await sid.close();
      await alice.close();
      await sam.close();
    }
  });

  it('a sign-in summary is readable by everyone and takes no token: keys outside a summary are refused, for administrators and senders alike', async () => {
    for (const role of ['sam', 'alice', 'sid']) {
      const reader = store(role);
      const read = await reader.signIn('p2').finally(() => reader.close());
      expect(read, role).toMatchObject({ ok: true, value: { saved: true, summary: { ...SIGN_IN_SUMMARY, connection: null } } });
    }
    for (const role of ['alice', 'sid']) {
      for (const [summary, field] of [
        [{ ...SIGN_IN_SUMMARY, refreshToken: SHARED_TOKEN }, 'summary.refreshToken'],
        [{ ...SIGN_IN_SUMMARY, connection: { host: 'smtp.acme.example', accessToken: SHARED_TOKEN } }, 'summary.connection.accessToken'],
      ] as const) {
        const refused = await as(role, (c) => c.query('SELECT mailroom.set_sign_in($1, $2::jsonb)', ['p2', JSON.stringify(summary)])).catch((e: { code?: string; message?: string }) => e);
        expect(refused, role).toMatchObject({ code: '22023', message: expect.stringContaining(field) });
      }
    }
    const text = await as('sam', async (c) => (await c.query<{ row: string }>('SELECT row_to_json(t)::text AS row FROM mailroom.sign_ins t')).rows.map((r) => r.row).join('\n'));
    expect(text).toContain('office@acme.example');
    expect(findSecrets(text)).toEqual([]);
  });

  it('senders write their own heartbeat, everyone sees the senders of the last minute', async () => {
    await as('sid', (c) =>
      c.query(`INSERT INTO mailroom.senders (instance, host) VALUES ('i1', 'box1') ON CONFLICT (role, instance) DO UPDATE SET seen_at = now()`),
    );
    await expect(as('sid', (c) => c.query(`INSERT INTO mailroom.senders (role, instance) VALUES ('alice', 'fake')`))).rejects.toMatchObject({ code: '42501' });
    const sam = store('sam');
    const status = await sam.status();
    await sam.close();
    expect(status.ok && status.value.senders.map((s) => `${s.role}/${s.instance}/${s.host}`)).toEqual(['sid/i1/box1']);
    expect(status).toMatchObject({ ok: true, value: { role: 'sam', kind: 'staff', admin: false } });
  });

  it('an administrator making a user an administrator gives that role the administrator\'s rights in the database', async () => {
    const admin = store('alice');
    try {
      const read = await admin.readSettings();
      if (!read.ok) throw new Error(read.error.message);
      const users = read.value.settings.users.map((u) => (u.account === 'tess' ? { ...u, admin: true } : u));
      expect((await admin.saveSettings({ ...read.value.settings, users }, read.value.revision)).ok).toBe(true);
      const tess = store('tess');
      expect(await tess.whoami()).toMatchObject({ ok: true, value: { admin: true, kind: 'admin' } });
      await tess.close();
      // And removing Sam from the users takes his Mailroom group away.
      const again = await admin.readSettings();
      if (!again.ok) throw new Error(again.error.message);
      expect((await admin.saveSettings({ ...again.value.settings, users: again.value.settings.users.filter((u) => u.account !== 'sam') }, again.value.revision)).ok).toBe(true);
      const sam = store('sam');
      expect(await sam.whoami()).toMatchObject({ ok: true, value: { kind: null, admin: false } });
      expect(await sam.readSettings()).toMatchObject({ ok: false });
      await sam.close();
    } finally {
      await admin.close();
    }
  });
});
