// Setting an office up and looking after it: init (by the database owner), adding users and
// moving a file-mode install into the office store (by an administrator). Each runs as one
// transaction where PostgreSQL allows it, so a failure leaves nothing half done.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Settings, fail, invalidInput, ok, optionalMailbox, type FieldError, type Result, type SystemUser } from '../../../preload/contract';
import { keyFileCodec } from '../secrets/codecs';
import { SecretStore, SecretUnavailableError } from '../secrets/secret-store';
import { SETTINGS_FILE_NAME } from '../settings/settings-service';
import { migrateSettings } from '../settings/migrations';
import { profilePasswordKey, userPasswordKey } from '../mail/mail-service';
import { oauthCacheKey, recordOfEntry } from '../oauth/token-cache';
import { signInSummary } from './office-token-cache';
import type { OfficeConnection } from './connection';
import { SCHEMA_VERSION } from './migrations';
import { OFFICE_ROLES, type OfficeRoleKind } from './roles';
import { migrate, schemaVersion } from './schema';
import { generateSenderKeyPair, seal, writePrivateKeyFile } from './seal';
import { officeError, sealLabel, toSystemUser, type UserRow } from './office-store';

const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password, computed here so the password itself
 * never reaches the server (nor its logs). The password is NFKC-normalised, as SASLprep does for
 * the passwords people type.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** Why a role name cannot be a Mailroom login, or undefined when it can. */
export function roleNameProblem(role: string): string | undefined {
  if (role.trim() === '') return 'Enter the database role name';
  if (Buffer.byteLength(role, 'utf8') > 63) return 'Use at most 63 bytes (PostgreSQL truncates longer names)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(role)) return 'Use one line of text, without control characters';
  if (/^pg_/i.test(role)) return 'Names starting with pg_ are reserved by PostgreSQL';
  if (/^mailroom_/i.test(role) || role.toLowerCase() === 'public') return 'This name is reserved for Mailroom\'s groups';
  return undefined;
}

const bad = (path: string, message: string) => fail('invalid-input', `${path}: ${message}`, [{ path, message }]);

async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<Result<T>>): Promise<Result<T>> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query(result.ok ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function connect(connection: OfficeConnection, what: string): Promise<Result<pg.Client>> {
  const client = new pg.Client(connection.config);
  client.on('error', () => undefined);
  try {
    await client.connect();
    return ok(client);
  } catch (error) {
    await client.end().catch(() => undefined);
    return { ok: false, error: officeError(error, what, connection) };
  }
}

// --- init ------------------------------------------------------------------------------------------

export interface InitOptions {
  /** The database owner's connection. */
  connection: OfficeConnection;
  adminRole: string;
  adminPassword: string;
  officeName?: string;
  /** Where a new sender private key is written (0600); required when the office has no key yet. */
  senderKeyOut?: string;
}

export interface InitReport {
  database: { host: string; port: number; name: string };
  schema: { from: number; to: number; applied: { version: number; name: string }[] };
  admin: { role: string; created: boolean; addedToGroup: boolean; userCreated: boolean };
  office: { name: string; created: boolean };
  senderKey: { created: boolean; file?: string; note: string };
}

/**
 * Creates or upgrades the office: the schema (each migration step its own transaction), then in
 * one transaction the administrator's login role and Mailroom user, the office row and a sender
 * key pair when the office has none. Run again, it upgrades the schema and changes nothing else.
 */
export async function initOffice(options: InitOptions): Promise<Result<InitReport>> {
  const problem = roleNameProblem(options.adminRole);
  if (problem) return bad('--admin', problem);
  if (options.adminPassword === '') return bad('--password-stdin', 'Enter a password for the administrator (standard input was empty)');
  const conn = await connect(options.connection, 'Connecting as the database owner');
  if (!conn.ok) return conn;
  const client = conn.value;
  try {
    // Before changing anything: a new key needs somewhere to go.
    const before = await schemaVersion(client);
    let hasKey = false;
    if (before >= 1) {
      const key = await client.query<{ key: string | null }>('SELECT sender_public_key AS key FROM mailroom.office');
      hasKey = !!key.rows[0]?.key;
    }
    const keyFile = options.senderKeyOut;
    if (!hasKey) {
      if (!keyFile) return bad('--sender-key-out', 'This office has no sender key yet: name a file for its private key (it goes to the machines that run mailroom outbox serve)');
      if (fs.existsSync(keyFile)) return bad('--sender-key-out', `${keyFile} already exists; name a new file (an existing key is never overwritten)`);
    }
    const owner = await client.query<{ create: boolean; super: boolean }>('SELECT rolcreaterole AS create, rolsuper AS super FROM pg_roles WHERE rolname = current_user');
    if (!owner.rows[0]?.create && !owner.rows[0]?.super) {
      return fail('forbidden', `${options.connection.user} cannot create roles: run init as the database owner with CREATEROLE (or a superuser)`, [{ path: '--database', message: 'Connect as the database owner' }]);
    }

    const schema = await migrate(client);
    let createdKey: string | undefined;
    const result = await inTransaction(client, async () => {
      const existing = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [options.adminRole]);
      const created = existing.rowCount === 0;
      if (created) {
        await client.query(`CREATE ROLE ${pg.escapeIdentifier(options.adminRole)} LOGIN PASSWORD ${pg.escapeLiteral(scramVerifier(options.adminPassword))}`);
      } else {
        const kind = await client.query<{ super: boolean; login: boolean }>('SELECT rolsuper AS super, rolcanlogin AS login FROM pg_roles WHERE rolname = $1', [options.adminRole]);
        if (!kind.rows[0]?.login) return bad('--admin', `${options.adminRole} exists and cannot log in; choose another role`);
      }
      const member = await client.query<{ member: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
           WHERE g.rolname = $1 AND u.rolname = $2) AS member`,
        [OFFICE_ROLES.admin, options.adminRole],
      );
      const addedToGroup = !member.rows[0]?.member;
      if (addedToGroup) await client.query(`GRANT ${OFFICE_ROLES.admin} TO ${pg.escapeIdentifier(options.adminRole)}`);
      const user = await client.query(
        `INSERT INTO mailroom.users (role, id, kind) VALUES ($1, mailroom.user_id_for($1), 'admin') ON CONFLICT (role) DO NOTHING RETURNING role`,
        [options.adminRole],
      );
      const office = await client.query<{ name: string; key: string | null }>('SELECT name, sender_public_key AS key FROM mailroom.office FOR UPDATE');
      const officeCreated = !office.rows[0]?.key;
      let name = office.rows[0]?.name ?? '';
      let note: string;
      if (!office.rows[0]?.key) {
        const pair = generateSenderKeyPair();
        name = options.officeName ?? name;
        await client.query('UPDATE mailroom.office SET sender_public_key = $1, name = $2, created_at = now()', [pair.publicKey, name]);
        // Written before the commit: if it cannot be written, nothing is committed.
        writePrivateKeyFile(keyFile!, pair.privateKey);
        createdKey = keyFile;
        note = `A new sender key was written to ${keyFile} (readable by its owner only). Copy it to each machine that runs mailroom outbox serve, point MAILROOM_SENDER_KEY_FILE at it, and keep a backup: without it nobody can open the shared passwords.`;
      } else {
        note = 'The office already has a sender key; the machines that run mailroom outbox serve keep its private key (MAILROOM_SENDER_KEY_FILE).';
      }
      return ok<InitReport>({
        database: { host: options.connection.host, port: options.connection.port, name: options.connection.database },
        schema,
        admin: { role: options.adminRole, created, addedToGroup, userCreated: (user.rowCount ?? 0) > 0 },
        office: { name, created: officeCreated },
        senderKey: { created: !hasKey, ...(!hasKey ? { file: keyFile } : {}), note },
      });
    }).catch((error: unknown) => {
      // The key file belongs to a transaction that did not commit.
      if (createdKey) fs.rmSync(createdKey, { force: true });
      throw error;
    });
    if (!result.ok && createdKey) fs.rmSync(createdKey, { force: true });
    return result;
  } catch (error) {
    return { ok: false, error: officeError(error, 'Setting up the office', options.connection) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// --- add-user ------------------------------------------------------------------------------------

export interface AddUserOptions {
  connection: OfficeConnection;
  role: string;
  kind: OfficeRoleKind;
  name?: string;
  email?: string;
  /** Undefined: make an existing login role a Mailroom user. */
  password?: string;
}

export async function addUser(options: AddUserOptions): Promise<Result<{ role: string; id: string; kind: OfficeRoleKind }>> {
  const fields: FieldError[] = [];
  const problem = roleNameProblem(options.role);
  if (problem) fields.push({ path: 'ROLE', message: problem });
  if (options.email !== undefined) {
    const email = optionalMailbox.safeParse(options.email);
    if (!email.success) fields.push({ path: '--email', message: email.error.issues[0]?.message ?? 'Enter one email address' });
  }
  // eslint-disable-next-line no-control-regex
  if (options.name !== undefined && (/[\u0000-\u001f\u007f]/.test(options.name) || options.name.length > 128)) {
    fields.push({ path: '--name', message: 'Use one line of at most 128 characters' });
  }
  if (options.password === '') fields.push({ path: '--password-stdin', message: 'Standard input was empty; enter a password' });
  if (fields.length > 0) return fail('invalid-input', fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
  const conn = await connect(options.connection, 'Adding a user');
  if (!conn.ok) return conn;
  try {
    const result = await conn.value.query<{ id: string }>('SELECT mailroom.add_user($1, $2, $3, $4, $5) AS id', [
      options.role,
      options.kind,
      options.name ?? '',
      options.email ?? '',
      options.password === undefined ? null : scramVerifier(options.password),
    ]);
    return ok({ role: options.role, id: result.rows[0]?.id ?? '', kind: options.kind });
  } catch (error) {
    const appError = officeError(error, 'Adding users', options.connection);
    if ((error as { code?: string }).code === '42501' && !appError.fields) {
      return fail('forbidden', `Adding users needs a Mailroom administrator; ${options.connection.user} is not one.`);
    }
    return { ok: false, error: appError };
  } finally {
    await conn.value.end().catch(() => undefined);
  }
}

// --- import ----------------------------------------------------------------------------------------

export interface ImportReport {
  revision: number;
  profiles: number;
  users: { account: string; role: string; hasLogin: boolean }[];
  /** Roles of users who have no login role yet: add them with mailroom office add-user. */
  withoutLogin: string[];
  secrets: { moved: string[]; notMoved: { name: string; reason: string }[] };
}

/** The role a file-mode account maps to: its name without the DOMAIN\ part, in lower case. */
export function roleForAccount(account: string): string {
  return account.trim().replace(/^.*\\/, '').toLowerCase();
}

/**
 * Moves a file-mode install into the office store as an administrator: its settings document
 * (profiles, mail options, users mapped to roles by account name) and the passwords and sign-ins
 * its secret store can open here, sealed to the office key. One transaction: all or nothing.
 */
export async function importFileMode(options: { connection: OfficeConnection; dataDir: string }): Promise<Result<ImportReport>> {
  const dir = path.resolve(options.dataDir);
  const file = path.join(dir, SETTINGS_FILE_NAME);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return bad('--data-dir', code === 'ENOENT' ? `No Mailroom settings in ${dir} (${SETTINGS_FILE_NAME} is missing)` : `Cannot read ${file}: ${(error as Error).message}`);
  }
  const migrated = migrateSettings(raw);
  if (!migrated.ok) return bad('--data-dir', `${file} cannot be read by this Mailroom (${migrated.reason})`);
  const parsed = Settings.safeParse(migrated.doc);
  if (!parsed.success) return invalidInput(parsed.error);
  const source = parsed.data;

  // Users map to roles by account name; two accounts that map to one role cannot both move.
  const users: SystemUser[] = [];
  const roles = new Map<string, string>();
  const fields: FieldError[] = [];
  source.users.forEach((u, i) => {
    const role = roleForAccount(u.account);
    const problem = roleNameProblem(role);
    if (problem) fields.push({ path: `users.${i}.account`, message: `${u.account}: ${problem}` });
    else if (roles.has(role)) fields.push({ path: `users.${i}.account`, message: `${u.account} and ${roles.get(role)} would both be the role ${role}` });
    roles.set(role, u.account);
    users.push({ ...u, account: role });
  });
  if (fields.length > 0) return fail('invalid-input', fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
  const document: Settings = { ...source, users };

  const conn = await connect(options.connection, 'Importing');
  if (!conn.ok) return conn;
  const client = conn.value;
  try {
    return await inTransaction(client, async () => {
      const admin = await client.query<{ admin: boolean; role: string }>(
        `SELECT session_user::text AS role, EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = 'mailroom_admin' AND pg_has_role(session_user, r.oid, 'MEMBER')) AS admin`,
      );
      const me = admin.rows[0]?.role ?? options.connection.user;
      if (!admin.rows[0]?.admin) return fail('forbidden', `Importing needs a Mailroom administrator; ${me} is not one.`);
      // An install that never defined users (everyone was an administrator there) brings none:
      // the office keeps the users it has, rather than losing those added before the import.
      if (source.users.length === 0) {
        const current = await client.query<UserRow>(`SELECT role, id, display_name, email, kind, choices FROM mailroom.users WHERE kind <> 'sender' ORDER BY role`);
        document.users = current.rows.map(toSystemUser);
      }
      // Whoever imports stays an administrator, or they would lock themselves out.
      if (!document.users.some((u) => u.account === me && u.admin)) {
        const mine = document.users.find((u) => u.account === me);
        if (mine) mine.admin = true;
        else document.users.push({ id: await freeUserId(client, me, document.users), account: me, name: '', email: '', admin: true, smtpUsername: '', compose: null, send: null });
      }
      const key = await client.query<{ key: string | null }>('SELECT sender_public_key AS key FROM mailroom.office');
      const publicKey = key.rows[0]?.key;
      if (!publicKey) return fail('unavailable', 'The office has no sender key yet; its owner runs mailroom office init first');
      const current = await client.query<{ revision: string }>('SELECT revision FROM mailroom.settings FOR UPDATE');
      const saved = await client.query<{ revision: string }>('SELECT mailroom.save_settings($1::jsonb, $2::bigint) AS revision', [
        JSON.stringify(document),
        current.rows[0]?.revision,
      ]);

      const moved: string[] = [];
      const notMoved: { name: string; reason: string }[] = [];
      const secrets = new SecretStore(dir, [keyFileCodec(path.join(dir, 'keys', 'secrets.key'))]);
      const take = (name: string): string | undefined => {
        try {
          return secrets.get(name);
        } catch (error) {
          notMoved.push({ name, reason: error instanceof SecretUnavailableError ? error.message : (error as Error).message });
          return undefined;
        }
      };
      const names = fs.existsSync(secrets.file) ? secrets.names() : [];
      for (const profile of source.smtp.profiles) {
        for (const name of [profilePasswordKey(profile.id), oauthCacheKey(profile.id)]) {
          if (!names.includes(name)) continue;
          const value = take(name);
          if (value === undefined) continue;
          await client.query('SELECT mailroom.set_shared_secret($1, $2)', [name, seal(publicKey, sealLabel(name, null), value)]);
          // A sign-in goes with its summary, so the dialog shows who it is without opening it.
          const record = name === oauthCacheKey(profile.id) ? recordOfEntry(value) : undefined;
          if (record) await client.query('SELECT mailroom.set_sign_in($1, $2::jsonb)', [profile.id, JSON.stringify(signInSummary(record))]);
          moved.push(name);
        }
      }
      for (const user of users) {
        const name = userPasswordKey(user.id);
        if (!names.includes(name)) continue;
        const value = take(name);
        if (value === undefined) continue;
        const placed = await client.query<{ placed: boolean }>('SELECT mailroom.import_user_secret($1, $2, $3) AS placed', [
          user.account,
          name,
          seal(publicKey, sealLabel(name, user.account), value),
        ]);
        if (placed.rows[0]?.placed) moved.push(name);
        else notMoved.push({ name, reason: `${user.account} has already saved their own password in the office` });
      }

      const logins = await client.query<{ rolname: string }>('SELECT rolname::text FROM pg_roles WHERE rolname = ANY($1::text[]) AND rolcanlogin', [document.users.map((u) => u.account)]);
      const withLogin = new Set(logins.rows.map((r) => r.rolname));
      const mapped = document.users.map((u) => ({ account: roles.get(u.account) ?? u.account, role: u.account, hasLogin: withLogin.has(u.account) }));
      return ok<ImportReport>({
        revision: Number(saved.rows[0]?.revision),
        profiles: source.smtp.profiles.length,
        users: mapped,
        withoutLogin: mapped.filter((u) => !u.hasLogin).map((u) => u.role),
        secrets: { moved, notMoved },
      });
    });
  } catch (error) {
    return { ok: false, error: officeError(error, 'Importing', options.connection) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function freeUserId(client: pg.ClientBase, role: string, users: readonly SystemUser[]): Promise<string> {
  const result = await client.query<{ id: string }>('SELECT mailroom.user_id_for($1) AS id', [role]);
  const id = result.rows[0]?.id ?? `u-${randomBytes(8).toString('hex')}`;
  return users.some((u) => u.id === id) ? `u-${randomBytes(8).toString('hex')}` : id;
}

export { SCHEMA_VERSION };
