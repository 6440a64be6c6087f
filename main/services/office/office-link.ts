// The office database this computer's Mailroom uses, as set on the General tab ("Office database"):
// its address in a small file in the data folder, and the user's database password in the secret
// store (the OS keychain in the desktop app). MAILROOM_DATABASE_URL, when set, comes first.
import fs from 'node:fs';
import path from 'node:path';
import { fail, ok, type Result } from '../../../preload/contract';
import { writeFileAtomic } from '../atomic-file';
import type { SecretStore } from '../secrets/secret-store';
import { DATABASE_URL_VARIABLE, describeConnection, resolveConnection, type OfficeConnection } from './connection';
import { OfficeStore } from './office-store';

export const OFFICE_LINK_FILE = 'office-database.json';
export const OFFICE_PASSWORD_SECRET = 'office-database-password';
const FIELD = 'officeDatabase';
const PASSWORD_FIELD = 'officeDatabasePassword';

export interface OfficeLinkStatus {
  /** The address saved on the General tab ('' when none). */
  url: string;
  passwordSet: boolean;
  /** Where this running Mailroom keeps its settings now. */
  inUse: 'file' | 'office';
  /** MAILROOM_DATABASE_URL is set, and wins over the saved address. */
  fromEnvironment: boolean;
}

/**
 * Whether Mailroom starts in office mode: MAILROOM_DATABASE_URL is set, machine policy names an
 * office database, or one was saved on the General tab.
 */
export function officeModeWanted(dataDir: string, env: NodeJS.ProcessEnv = process.env, policyUrl?: string): boolean {
  return Boolean(env[DATABASE_URL_VARIABLE]) || Boolean(policyUrl) || fs.existsSync(path.join(dataDir, OFFICE_LINK_FILE));
}

export class OfficeLink {
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly secrets: SecretStore,
    private readonly env: NodeJS.ProcessEnv = process.env,
    /** The address machine policy sets (office.databaseUrl): it stands in for the saved one. */
    private readonly policyUrl?: string,
  ) {
    this.file = path.join(dataDir, OFFICE_LINK_FILE);
  }

  /** The address in use from the next start: machine policy's, else the one saved on the General tab ('' when none). */
  url(): string {
    return this.policyUrl ?? this.savedUrl();
  }

  /** The saved address, or '' when none (or the file is not Mailroom's). */
  savedUrl(): string {
    try {
      const doc = JSON.parse(fs.readFileSync(this.file, 'utf8')) as { url?: unknown };
      return typeof doc.url === 'string' ? doc.url : '';
    } catch {
      return '';
    }
  }

  status(inUse: 'file' | 'office'): OfficeLinkStatus {
    return { url: this.url(), passwordSet: this.secrets.has(OFFICE_PASSWORD_SECRET), inUse, fromEnvironment: Boolean(this.env[DATABASE_URL_VARIABLE]) };
  }

  /**
   * The connection to open at start: MAILROOM_DATABASE_URL (with PG* and ~/.pgpass), else machine
   * policy's or the saved address with the saved password; undefined for file mode.
   */
  connection(): Result<OfficeConnection> | undefined {
    if (this.env[DATABASE_URL_VARIABLE]) return resolveConnection({ env: this.env });
    const url = this.url();
    if (!url) return undefined;
    return this.resolve(url, this.secrets.get(OFFICE_PASSWORD_SECRET));
  }

  /**
   * Checks the address and password by signing in (the role must be one of the office's), then
   * saves them. Nothing is saved when the sign-in fails. A password left out keeps the saved one.
   */
  async save(url: string, password?: string): Promise<Result<{ role: string; admin: boolean; database: string }>> {
    const text = url.trim();
    if (!/^postgres(ql)?:\/\//i.test(text)) return fail('invalid-input', 'Use a postgres:// address, like postgres://alice@db.example.com/mailroom', [{ path: FIELD, message: 'Not a postgres:// address' }]);
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return fail('invalid-input', 'The address cannot be read; check it for typing mistakes', [{ path: FIELD, message: 'Not a valid address' }]);
    }
    if (parsed.password) {
      return fail('invalid-input', 'Leave the password out of the address: type it in Database password, where it is kept encrypted', [{ path: FIELD, message: 'Holds a password' }]);
    }
    const secret = password ?? this.secrets.get(OFFICE_PASSWORD_SECRET);
    const connection = this.resolve(text, secret);
    if (!connection.ok) return connection;
    const store = new OfficeStore(connection.value, { max: 1 });
    try {
      const status = await store.status();
      if (!status.ok) {
        // A refused password belongs next to the password; anything else next to the address.
        if (status.error.fields?.some((f) => f.path === 'password')) {
          const message = secret === undefined ? 'The database asks for a password: type it in Database password' : status.error.message;
          return fail(status.error.code, message, [{ path: PASSWORD_FIELD, message }]);
        }
        return fail(status.error.code, status.error.message, [{ path: FIELD, message: status.error.message }]);
      }
      const s = status.value;
      if (s.upgradeNeeded) return fail('unavailable', `${describeConnection(connection.value)} is not set up for Mailroom yet: its owner runs mailroom office init`, [{ path: FIELD, message: 'Not set up for Mailroom' }]);
      if (s.newerThanThis) return fail('unavailable', 'The office database was set up by a newer Mailroom: update Mailroom on this computer first', [{ path: FIELD, message: 'Newer than this Mailroom' }]);
      if (s.kind === null || s.kind === 'sender') {
        return fail('forbidden', `${s.role} is not a Mailroom user; an administrator adds it with mailroom office add-user`, [{ path: FIELD, message: 'Not a Mailroom user' }]);
      }
      writeFileAtomic(this.file, JSON.stringify({ url: text }, null, 2) + '\n', 0o600);
      if (password !== undefined) this.secrets.set(OFFICE_PASSWORD_SECRET, password);
      return ok({ role: s.role, admin: s.admin, database: describeConnection(connection.value) });
    } finally {
      await store.close();
    }
  }

  /** Back to the settings file on this computer (from the next start); the saved password goes too. */
  clear(): void {
    fs.rmSync(this.file, { force: true });
    this.secrets.delete(OFFICE_PASSWORD_SECRET);
  }

  private resolve(url: string, password: string | undefined): Result<OfficeConnection> {
    // The saved password stands in for PGPASSWORD; the rest of libpq's environment still applies.
    const env = { ...this.env, [DATABASE_URL_VARIABLE]: undefined, ...(password !== undefined ? { PGPASSWORD: password } : {}) };
    const resolved = resolveConnection({ url, field: FIELD, env });
    return resolved;
  }
}
