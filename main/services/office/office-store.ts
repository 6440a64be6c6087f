// The office store: what the app, the command line and the sender service read from and write to
// the office database, each call as the role the connection signed in as. The database decides
// who may do what (see migrations/001-core.ts); this file translates its answers into the
// contract's Result and AppError, and seals secrets before they leave this process.
import pg from 'pg';
import {
  Settings,
  defaultSettings,
  fail,
  invalidInput,
  ok,
  type AppError,
  type ComposeMode,
  type Failure,
  type Result,
  type SendMode,
  type SystemUser,
  type Connection,
} from '../../../preload/contract';
import { profilePasswordKey } from '../mail/mail-service';
import { oauthCacheKey } from '../oauth/token-cache';
import { STALE_SAVE_MESSAGE, lockoutError } from '../settings/settings-service';
import { isPlainObject, migrateSettings } from '../settings/migrations';
import { describeConnection, openPool, resolveConnection, type ConnectionInput, type OfficeConnection } from './connection';
import { SCHEMA_VERSION } from './migrations';
import { OFFICE_ROLES, type OfficeRoleKind } from './roles';
import { open, seal } from './seal';
import type { KeyObject } from 'node:crypto';

export const OFFICE_CHANNELS = ['mailroom_settings', 'mailroom_users', 'mailroom_requests'] as const;
export type OfficeChannel = (typeof OFFICE_CHANNELS)[number];

export interface OfficeIdentity {
  /** The database role this connection signed in as. */
  role: string;
  /** Its Mailroom kind: from its user row, else from its group; null when it is in no Mailroom group. */
  kind: OfficeRoleKind | null;
  admin: boolean;
  /** Its Mailroom user, as the dialog's Users tab shows it (absent for senders and unknown roles). */
  user?: SystemUser;
}

export interface MyChoices {
  compose?: ComposeMode | null;
  send?: SendMode | null;
  smtpUsername?: string;
}

export interface SecretName {
  name: string;
  shared: boolean;
  updatedAt: string;
}

export interface SenderSeen {
  role: string;
  instance: string;
  host: string;
  startedAt: string;
  seenAt: string;
}

export interface OfficeStatus {
  database: { host: string; port: number; name: string };
  schemaVersion: number;
  /** The schema version this Mailroom expects. */
  expectedVersion: number;
  /** The database needs `mailroom office init` (run by its owner) before this Mailroom can use it. */
  upgradeNeeded: boolean;
  /** The database is newer than this Mailroom: update Mailroom. */
  newerThanThis: boolean;
  officeName: string;
  role: string;
  kind: OfficeRoleKind | null;
  admin: boolean;
  /** Sender services seen in the last minute. */
  senders: SenderSeen[];
}

/**
 * What a Microsoft 365 sign-in of a shared profile is, as everyone may see it (mailroom.sign_ins):
 * no token, only who, the permissions and expiry of the access token its sends use, whether it can
 * be refreshed, and what it was signed in for.
 */
export interface SignInSummary {
  account: string;
  displayName: string;
  tenantId: string;
  scopes: string[];
  /** ISO 8601; null when no access token is held. */
  expiresAt: string | null;
  refreshable: boolean;
  loginUrl: string;
  connection: Connection | null;
}

export interface SavedSignIn {
  saved: boolean;
  /** Absent for a sign-in saved without one (moved in from elsewhere and not used since). */
  summary?: SignInSummary & { updatedAt: string };
}

export interface OfficeChange {
  channel: OfficeChannel;
  payload: string;
}

/** The advisory lock (with the profile's id) a sign-in is refreshed, saved and removed under. */
const SIGN_IN_LOCK = 'mailroom sign-in';

/** The label a secret is sealed under: its name, and its owner for a user's own. */
export function sealLabel(name: string, owner: string | null): string {
  return owner === null ? name : `${name}\u0000${owner}`;
}

type Queryable = pg.Pool | pg.PoolClient;

/**
 * A store connected as whoever MAILROOM_DATABASE_URL (or PG*, ~/.pgpass) names, or an
 * invalid-input error naming the setting at fault. Nothing is connected until the first call.
 */
export function openOfficeStore(input: ConnectionInput = {}, options: { max?: number } = {}): Result<OfficeStore> {
  const connection = resolveConnection(input);
  return connection.ok ? ok(new OfficeStore(connection.value, options)) : connection;
}

export class OfficeStore {
  private readonly pool: pg.Pool;
  private closed = false;

  constructor(readonly connection: OfficeConnection, options: { pool?: pg.Pool; max?: number } = {}) {
    this.pool = options.pool ?? openPool(connection, { max: options.max ?? 4 });
    // An idle client the server dropped must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Who this connection is in Mailroom's terms. */
  async whoami(): Promise<Result<OfficeIdentity>> {
    return this.run('Reading who you are', (db) => this.identity(db));
  }

  /** The settings document as the dialog edits it (users included) and its revision. */
  async readSettings(): Promise<Result<{ settings: Settings; revision: number }>> {
    return this.run('Reading the settings', async (db) => {
      const row = await db.query<{ document: unknown; revision: string }>('SELECT document, revision FROM mailroom.settings');
      const users = await db.query<UserRow>(`SELECT role, id, display_name, email, kind, choices FROM mailroom.users WHERE kind <> 'sender' ORDER BY role`);
      const first = row.rows[0];
      if (!first) return fail('io-error', 'The office settings row is missing; run mailroom office init as the database owner');
      const settings = settingsOfDocument(first.document, users.rows.map(toSystemUser));
      return settings.ok ? ok({ settings: settings.value, revision: Number(first.revision) }) : settings;
    });
  }

  /**
   * Saves the whole document (users included) over `baseRevision`, as an administrator. Refused with
   * `conflict` and the file mode's message when the settings changed since; nothing is written then.
   * Shared secrets of profiles the document no longer has are removed in the same transaction.
   */
  async saveSettings(settings: unknown, baseRevision: number): Promise<Result<{ revision: number }>> {
    const parsed = Settings.safeParse(settings);
    if (!parsed.success) return invalidInput(parsed.error);
    const doc = parsed.data;
    return this.run('Changing system settings', (db) =>
      this.transaction(db, async () => {
        const me = await this.identity(db);
        if (!me.ok) return me;
        if (!me.value.admin) return this.forbidden('Changing system settings', me.value.role);
        const lockout = lockoutError(doc.users, me.value.role);
        if (lockout) return lockout;
        const saved = await db.query<{ revision: string }>('SELECT mailroom.save_settings($1::jsonb, $2::bigint) AS revision', [JSON.stringify(doc), baseRevision]);
        const ids = new Set(doc.smtp.profiles.map((p) => p.id));
        const names = await db.query<{ name: string }>('SELECT name FROM mailroom.secret_names() WHERE shared');
        for (const { name } of names.rows) {
          const profileId = profileOfSecret(name);
          if (profileId !== undefined && !ids.has(profileId)) await db.query('SELECT mailroom.delete_shared_secret($1)', [name]);
        }
        // An office not upgraded to sign-in summaries yet has none to remove.
        const summaries = await db.query<{ found: boolean }>(`SELECT to_regclass('mailroom.sign_ins') IS NOT NULL AS found`);
        if (summaries.rows[0]?.found) {
          const signIns = await db.query<{ profile_id: string }>('SELECT profile_id FROM mailroom.sign_ins');
          for (const { profile_id: profileId } of signIns.rows) if (!ids.has(profileId)) await db.query('SELECT mailroom.delete_sign_in($1)', [profileId]);
        }
        return ok({ revision: Number(saved.rows[0]?.revision) });
      }),
    );
  }

  /** Changes the caller's own choices; the database refuses modes the Email tab does not let users choose. */
  async setMyChoices(choices: MyChoices): Promise<Result<void>> {
    return this.run('Changing your own choices', async (db) => {
      await db.query('SELECT mailroom.set_my_choices($1::jsonb)', [JSON.stringify(choices)]);
      return ok(undefined);
    });
  }

  /** Saves a shared secret (a shared profile's password, a token cache), sealed to the office's sender key. */
  async setSharedSecret(name: string, value: string): Promise<Result<void>> {
    return this.run('Saving a shared password', async (db) => {
      const key = await this.officeKey(db);
      if (!key.ok) return key;
      await db.query('SELECT mailroom.set_shared_secret($1, $2)', [name, seal(key.value, sealLabel(name, null), value)]);
      return ok(undefined);
    });
  }

  async deleteSharedSecret(name: string): Promise<Result<boolean>> {
    return this.run('Removing a shared password', async (db) => {
      const result = await db.query<{ found: boolean }>('SELECT mailroom.delete_shared_secret($1) AS found', [name]);
      return ok(result.rows[0]?.found === true);
    });
  }

  /** Saves the caller's own secret (their own SMTP password), sealed so only senders can open it. */
  async setMySecret(name: string, value: string): Promise<Result<void>> {
    return this.run('Saving your own password', async (db) => {
      const key = await this.officeKey(db);
      if (!key.ok) return key;
      const me = await db.query<{ role: string }>('SELECT session_user::text AS role');
      const role = me.rows[0]?.role ?? '';
      await db.query('SELECT mailroom.set_my_secret($1, $2)', [name, seal(key.value, sealLabel(name, role), value)]);
      return ok(undefined);
    });
  }

  async deleteMySecret(name: string): Promise<Result<boolean>> {
    return this.run('Removing your own password', async (db) => {
      const result = await db.query<{ found: boolean }>('SELECT mailroom.delete_my_secret($1) AS found', [name]);
      return ok(result.rows[0]?.found === true);
    });
  }

  /** Which secrets are set (shared ones and the caller's own), never their values. */
  async secretNames(): Promise<Result<SecretName[]>> {
    return this.run('Reading which passwords are saved', async (db) => {
      const result = await db.query<{ name: string; shared: boolean; updated_at: Date }>('SELECT name, shared, updated_at FROM mailroom.secret_names()');
      return ok(result.rows.map((r) => ({ name: r.name, shared: r.shared, updatedAt: r.updated_at.toISOString() })));
    });
  }

  /**
   * Opens a secret with the sender's private key: a shared one (owner null) or a user's own.
   * Only sender roles can read shared rows; undefined when the secret is not set.
   */
  async openSecret(name: string, privateKey: string | KeyObject, owner: string | null = null): Promise<Result<string | undefined>> {
    return this.run('Opening a shared password', async (db) => {
      const result = await db.query<{ sealed: string }>('SELECT sealed FROM mailroom.secrets WHERE name = $1 AND owner IS NOT DISTINCT FROM $2', [name, owner]);
      const sealed = result.rows[0]?.sealed;
      if (sealed === undefined) return ok(undefined);
      try {
        return ok(open(privateKey, sealLabel(name, owner), sealed));
      } catch (error) {
        return fail('unavailable', (error as Error).message);
      }
    });
  }

  /**
   * Saves a Microsoft 365 sign-in in one transaction: its token cache (the entry) sealed to the
   * sender key as the shared secret oauthCacheKey(profileId), and its summary beside it. With
   * waitForSenders, first waits for any sender refreshing this sign-in (see withSignInLock), so a
   * refresh under way cannot write an older sign-in back over this one.
   */
  async saveSignIn(profileId: string, entry: string, summary: SignInSummary, options: { waitForSenders?: boolean } = {}): Promise<Result<void>> {
    return this.run('Saving the Microsoft 365 sign-in', (db) =>
      this.transaction(db, async () => {
        const key = await this.officeKey(db);
        if (!key.ok) return key;
        if (options.waitForSenders) await db.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [SIGN_IN_LOCK, profileId]);
        const name = oauthCacheKey(profileId);
        await db.query('SELECT mailroom.set_shared_secret($1, $2)', [name, seal(key.value, sealLabel(name, null), entry)]);
        await db.query('SELECT mailroom.set_sign_in($1, $2::jsonb)', [profileId, JSON.stringify(summary)]);
        return ok(undefined);
      }),
    );
  }

  /** Removes a sign-in (its sealed cache and its summary); whether there was one. */
  async removeSignIn(profileId: string, options: { waitForSenders?: boolean } = {}): Promise<Result<boolean>> {
    return this.run('Removing the Microsoft 365 sign-in', (db) =>
      this.transaction(db, async () => {
        if (options.waitForSenders) await db.query(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, [SIGN_IN_LOCK, profileId]);
        const secret = await db.query<{ found: boolean }>('SELECT mailroom.delete_shared_secret($1) AS found', [oauthCacheKey(profileId)]);
        const summary = await db.query<{ found: boolean }>('SELECT mailroom.delete_sign_in($1) AS found', [profileId]);
        return ok(secret.rows[0]?.found === true || summary.rows[0]?.found === true);
      }),
    );
  }

  /** Whether a profile's sign-in is saved (sealed, so no one but a sender opens it), and its summary. */
  async signIn(profileId: string): Promise<Result<SavedSignIn>> {
    return this.run('Reading the Microsoft 365 sign-in', async (db): Promise<Result<SavedSignIn>> => {
      const found = await db.query<{
        saved: boolean;
        account: string | null;
        display_name: string;
        tenant_id: string;
        scopes: string[];
        expires_at: Date | null;
        refreshable: boolean;
        login_url: string;
        connection: Connection | null;
        updated_at: Date | null;
      }>(
        `SELECT EXISTS (SELECT 1 FROM mailroom.secret_names() n WHERE n.name = $2 AND n.shared) AS saved,
                s.account, s.display_name, s.tenant_id, s.scopes, s.expires_at, s.refreshable, s.login_url, s.connection, s.updated_at
         FROM (SELECT 1) one LEFT JOIN mailroom.sign_ins s ON s.profile_id = $1`,
        [profileId, oauthCacheKey(profileId)],
      );
      const row = found.rows[0];
      if (!row?.saved) return ok({ saved: false });
      if (row.account === null || row.updated_at === null) return ok({ saved: true });
      return ok({
        saved: true,
        summary: {
          account: row.account,
          displayName: row.display_name,
          tenantId: row.tenant_id,
          scopes: row.scopes,
          expiresAt: row.expires_at ? row.expires_at.toISOString() : null,
          refreshable: row.refreshable,
          loginUrl: row.login_url,
          connection: row.connection,
          updatedAt: row.updated_at.toISOString(),
        },
      });
    });
  }

  /**
   * Runs work holding the profile's sign-in to itself, across every process of the office: a
   * sender refreshing a sign-in (refresh tokens rotate, and one used twice can end the sign-in)
   * and an administrator saving or removing one wait for each other. On a connection of its own,
   * so work may use the pool freely; a wait longer than a minute is given up. Throws the
   * database's error when the lock cannot be had.
   */
  async withSignInLock<T>(profileId: string, work: () => Promise<T>): Promise<T> {
    const client = new pg.Client(this.connection.config);
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(`SET lock_timeout = '60s'`);
      await client.query(`SELECT pg_advisory_lock(hashtext($1), hashtext($2))`, [SIGN_IN_LOCK, profileId]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    try {
      return await work();
    } finally {
      // Ending the session releases its lock.
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Calls onChange for every change notified on the office channels (settings, users, requests),
   * on a connection of its own; stop() ends it. onError hears of a lost connection.
   */
  async listen(onChange: (change: OfficeChange) => void, onError?: (error: AppError) => void): Promise<Result<{ stop(): Promise<void> }>> {
    const client = new pg.Client(this.connection.config);
    try {
      await client.connect();
      for (const channel of OFFICE_CHANNELS) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      return this.failure(error, 'Listening for changes');
    }
    client.on('notification', (message) => {
      if ((OFFICE_CHANNELS as readonly string[]).includes(message.channel)) onChange({ channel: message.channel as OfficeChannel, payload: message.payload ?? '' });
    });
    let stopping = false;
    client.on('error', (error) => {
      if (!stopping) onError?.(this.toAppError(error, 'Listening for changes'));
    });
    return ok({
      async stop() {
        stopping = true;
        await client.end().catch(() => undefined);
      },
    });
  }

  /** Asks the sender services to run Test connection on a saved profile; answers with the request's id. */
  async requestTest(profileId: string, ping: boolean): Promise<Result<string>> {
    return this.run('Asking the sender service to test the profile', async (db) => {
      const asked = await db.query<{ id: string }>(`INSERT INTO mailroom.requests (kind, profile_id, payload) VALUES ('test-connection', $1, $2::jsonb) RETURNING id`, [
        profileId,
        JSON.stringify({ ping }),
      ]);
      return ok(asked.rows[0]!.id);
    });
  }

  /** A request's answer once a sender has given it (undefined until then). */
  async requestAnswer(id: string): Promise<Result<unknown>> {
    return this.run('Reading the sender service\'s answer', async (db) => {
      const found = await db.query<{ state: string; result: unknown }>('SELECT state, result FROM mailroom.requests WHERE id = $1', [id]);
      const row = found.rows[0];
      if (!row) return fail('not-found', 'The test request is gone');
      return ok(row.state === 'done' ? row.result : undefined);
    });
  }

  /** The database, its schema version against this Mailroom's, who is connected, and the senders seen in the last minute. */
  async status(): Promise<Result<OfficeStatus>> {
    return this.run('Reading the office status', async (db) => {
      const database = { host: this.connection.host, port: this.connection.port, name: this.connection.database };
      const found = await db.query<{ found: boolean }>(`SELECT to_regclass('mailroom.schema_migrations') IS NOT NULL AS found`);
      let schemaVersion = 0;
      if (found.rows[0]?.found) {
        const v = await db.query<{ version: number | null }>('SELECT max(version) AS version FROM mailroom.schema_migrations');
        schemaVersion = Number(v.rows[0]?.version ?? 0);
      }
      const me = await this.identity(db);
      if (!me.ok) return me;
      let senders: SenderSeen[] = [];
      let officeName = '';
      if (schemaVersion >= 1 && me.value.kind !== null) {
        const rows = await db.query<{ role: string; instance: string; host: string; started_at: Date; seen_at: Date }>(
          `SELECT role::text, instance, host, started_at, seen_at FROM mailroom.senders WHERE seen_at > now() - interval '1 minute' ORDER BY role, instance`,
        );
        senders = rows.rows.map((r) => ({ role: r.role, instance: r.instance, host: r.host, startedAt: r.started_at.toISOString(), seenAt: r.seen_at.toISOString() }));
        const office = await db.query<{ name: string }>('SELECT name FROM mailroom.office');
        officeName = office.rows[0]?.name ?? '';
      }
      return ok({
        database,
        schemaVersion,
        expectedVersion: SCHEMA_VERSION,
        upgradeNeeded: schemaVersion < SCHEMA_VERSION,
        newerThanThis: schemaVersion > SCHEMA_VERSION,
        officeName,
        role: me.value.role,
        kind: me.value.kind,
        admin: me.value.admin,
        senders,
      });
    });
  }

  /** Where this store is connected, for messages. */
  describe(): string {
    return describeConnection(this.connection);
  }

  // --- internals -------------------------------------------------------------------------------

  private async identity(db: Queryable): Promise<Result<OfficeIdentity>> {
    const groups = await db.query<{ role: string; groups: string[] | null }>(
      `SELECT session_user::text AS role,
              (SELECT array_agg(r.rolname::text) FROM pg_roles r
                WHERE r.rolname IN ('mailroom_admin', 'mailroom_staff', 'mailroom_sender') AND pg_has_role(session_user, r.oid, 'MEMBER')) AS groups`,
    );
    const role = groups.rows[0]?.role ?? '';
    const member = new Set(groups.rows[0]?.groups ?? []);
    const admin = member.has(OFFICE_ROLES.admin);
    let user: SystemUser | undefined;
    let kind: OfficeRoleKind | null = admin ? 'admin' : member.has(OFFICE_ROLES.staff) ? 'staff' : member.has(OFFICE_ROLES.sender) ? 'sender' : null;
    if (kind !== null) {
      const found = await db.query<{ found: boolean }>(`SELECT to_regclass('mailroom.users') IS NOT NULL AS found`);
      if (found.rows[0]?.found) {
        const row = await db.query<UserRow>('SELECT role, id, display_name, email, kind, choices FROM mailroom.users WHERE role = session_user');
        const mine = row.rows[0];
        if (mine) {
          kind = mine.kind;
          if (mine.kind !== 'sender') user = toSystemUser(mine);
        }
      }
    }
    return ok({ role, kind, admin, ...(user ? { user } : {}) });
  }

  private async officeKey(db: Queryable): Promise<Result<string>> {
    const result = await db.query<{ key: string | null }>('SELECT sender_public_key AS key FROM mailroom.office');
    const key = result.rows[0]?.key;
    if (!key) return fail('unavailable', 'The office has no sender key yet; its owner runs mailroom office init to make one');
    return ok(key);
  }

  private forbidden(what: string, role: string): Failure {
    return fail('forbidden', `${what} needs a Mailroom administrator; ${role} is not one.`);
  }

  /** Runs `work` on a pooled client, turning a thrown database error into a Result. */
  private async run<T>(what: string, work: (db: pg.PoolClient) => Promise<Result<T>>): Promise<Result<T>> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      return this.failure(error, what);
    }
    try {
      return await work(client);
    } catch (error) {
      return this.failure(error, what, client);
    } finally {
      client.release();
    }
  }

  /** One transaction: committed when `work` succeeds, rolled back when it fails or throws. */
  private async transaction<T>(db: pg.PoolClient, work: () => Promise<Result<T>>): Promise<Result<T>> {
    await db.query('BEGIN');
    try {
      const result = await work();
      await db.query(result.ok ? 'COMMIT' : 'ROLLBACK');
      return result;
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async failure(error: unknown, what: string, db?: pg.PoolClient): Promise<Failure> {
    const appError = this.toAppError(error, what);
    if (appError.code === 'forbidden' && (error as { code?: string }).code === '42501' && db && !/: /.test((error as Error).message)) {
      // A plain "permission denied": say who is connected and what needs an administrator.
      try {
        const me = await db.query<{ role: string }>('SELECT session_user::text AS role');
        return this.forbidden(what, me.rows[0]?.role ?? this.connection.user);
      } catch {
        /* the plain message below will do */
      }
    }
    return { ok: false, error: appError };
  }

  toAppError(error: unknown, what: string): AppError {
    return officeError(error, what, this.connection);
  }
}

/** A database or connection failure as the contract's AppError, with a message a person can act on. */
export function officeError(error: unknown, what: string, connection: Pick<OfficeConnection, 'host' | 'port' | 'database' | 'user'>): AppError {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  const where = describeConnection(connection);
  switch (e?.code) {
    case 'MR001':
      return { code: 'conflict', message: STALE_SAVE_MESSAGE };
    case '42501': {
      const field = /^([A-Za-z][\w.]*): (.*)$/s.exec(message);
      if (field) return { code: 'forbidden', message: field[2]!, fields: [{ path: field[1]!, message: field[2]! }] };
      return { code: 'forbidden', message: /Mailroom/.test(message) ? message : `${what} needs a Mailroom administrator (${message}).` };
    }
    case '22023':
    case '23505':
    case '23514':
    case '22P02': {
      const field = /^([A-Za-z][\w. -]*): (.*)$/s.exec(message);
      const code = e.code === '23505' ? 'conflict' : 'invalid-input';
      return field ? { code, message, fields: [{ path: field[1]!, message: field[2]! }] } : { code, message: `${what} failed: ${message}` };
    }
    case '28P01':
    case '28000':
      return {
        code: 'forbidden',
        message: `The office database refused the sign-in of ${connection.user} (${where}): wrong password, or no such role.`,
        fields: [{ path: 'password', message: 'Wrong password, or no such role' }],
      };
    case '3D000':
      return { code: 'unavailable', message: `The database ${connection.database} does not exist on ${connection.host}:${connection.port}.` };
    case '42P01':
    case '3F000':
    case '42883':
      return { code: 'unavailable', message: `The office database ${where} has no Mailroom schema (or an older one); its owner runs mailroom office init. (${message})` };
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ECONNRESET':
      return { code: 'unavailable', message: `Cannot reach the office database at ${where}: ${message}`, temporary: true };
    default:
      if (/SASL|client password must be/i.test(message) && !e?.code) {
        return {
          code: 'forbidden',
          message: `The office database refused the sign-in of ${connection.user} (${where}): it asks for a password and none was given. Put it in MAILROOM_DATABASE_URL, PGPASSWORD or ~/.pgpass.`,
          fields: [{ path: 'password', message: 'Required by the database' }],
        };
      }
      if (/timeout|terminated|Connection/i.test(message) && !e?.code) {
        return { code: 'unavailable', message: `Cannot reach the office database at ${where}: ${message}`, temporary: true };
      }
      if (/self[- ]signed|certificate|SSL|TLS/i.test(message)) {
        return { code: 'unavailable', message: `The office database's TLS connection failed (${where}): ${message}` };
      }
      return { code: 'internal', message: `${what} failed: ${message}` };
  }
}

export interface UserRow {
  role: string;
  id: string;
  display_name: string;
  email: string;
  kind: OfficeRoleKind;
  choices: { compose?: ComposeMode | null; send?: SendMode | null; smtpUsername?: string };
}

export function toSystemUser(row: UserRow): SystemUser {
  return {
    id: row.id,
    account: row.role,
    name: row.display_name,
    email: row.email,
    admin: row.kind === 'admin',
    smtpUsername: row.choices.smtpUsername ?? '',
    compose: row.choices.compose ?? null,
    send: row.choices.send ?? null,
  };
}

/** The profile a shared secret belongs to (its password or its token cache), if it is one. */
function profileOfSecret(name: string): string | undefined {
  for (const key of [profilePasswordKey(''), oauthCacheKey('')]) if (name.startsWith(key)) return name.slice(key.length);
  return undefined;
}

/**
 * The office settings document (the row's `document`, null before anything was saved) as the
 * settings, with these users, which live in rows of their own; or why it cannot be read.
 */
export function settingsOfDocument(document: unknown, users: SystemUser[]): Result<Settings> {
  const base = document === null ? { ...defaultSettings() } : document;
  const migrated = migrateSettings({ ...(isPlainObject(base) ? base : {}), users: [] });
  if (!migrated.ok) return fail('io-error', `The office settings cannot be read by this Mailroom (${migrated.reason}${migrated.version !== undefined ? ` ${String(migrated.version)}` : ''})`);
  const parsed = Settings.safeParse({ ...migrated.doc, users });
  if (!parsed.success) {
    return fail('io-error', `The office settings are damaged: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return ok(parsed.data);
}
