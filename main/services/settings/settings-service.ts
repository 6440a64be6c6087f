// Reads, validates, migrates and saves the settings document. The file itself is handled by
// conf (browser mode, CLI) or electron-store (Electron): same format, same file, atomic writes.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import {
  CompleteSettings,
  Settings,
  defaultSettings,
  findUser,
  isAdmin,
  missingRequired,
  fail,
  invalidInput,
  ok,
  type AppError,
  type Result,
  type SystemUser,
} from '../../../preload/contract';
import { writeFileAtomic } from '../atomic-file';
import type { NoticeService } from '../notices';
import { isPlainObject, migrateSettings } from './migrations';
import { NO_POLICY, type SettingsStore, type StorePolicy } from './settings-store';

export const SETTINGS_FILE_NAME = 'settings.json';
/**
 * Kept beside the settings once users have been defined. A damaged or missing settings file cannot
 * erase it, so such a file never turns everyone into an administrator again.
 */
export const USERS_DEFINED_FILE_NAME = 'users-defined.json';

const LOCKED_TITLE = 'Settings are locked';

/** A file changed less than this long ago may still be being written by another program. */
const SETTLE_WINDOW_MS = 2000;
const SETTLE_TRIES = 6;
const SETTLE_WAIT_MS = 40;

/** Waits without giving up the thread: the settings are read synchronously, and this happens only for a file caught mid-write. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Mailroom's data cannot be read (another account's file, a file locked by another program, a
 * data folder that cannot be created). Not damage: nothing is moved, nothing is reset, and the
 * services do not start, since starting with defaults would make whoever runs them an administrator.
 */
export class DataUnreadableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataUnreadableError';
  }
}

/**
 * The one rule against locking oneself out, for every way of replacing the settings (the dialog's
 * Save, settings import, settings set): a document that defines users must keep `account` as one of
 * their administrators.
 */
export function lockoutError(users: readonly SystemUser[], account: string): { ok: false; error: AppError } | undefined {
  if (users.length === 0 || isAdmin(users, account)) return undefined;
  return fail('invalid-input', `Add yourself (${account}) to the users as an administrator before saving, or you could no longer change the settings.`, [
    { path: 'users', message: `${account} must be an administrator` },
  ]);
}

/** What one read of the file gave: the settings in force, and why they are read-only, if they are. */
interface Snapshot {
  key: string;
  /** The settings in force: what was saved, with machine policy laid over it. */
  value: Settings;
  /** What the file holds, as saved. */
  saved: Settings;
  locked?: string;
}

/** The part of conf / electron-store that Mailroom uses: the whole document, read and written at once. */
export interface DocumentFile {
  readonly path: string;
  store: Record<string, unknown>;
}

export interface DocumentFileOptions {
  cwd: string;
  configName: string;
  configFileMode: number;
  accessPropertiesByDotNotation: false;
  clearInvalidConfig: false;
}

export type DocumentFileFactory = (options: DocumentFileOptions) => DocumentFile;

export interface SettingsServiceDeps {
  dataDir: string;
  createFile: DocumentFileFactory;
  notices: NoticeService;
  now?: () => Date;
  /** Told when a damaged file was set aside, so a command-line caller can say so at once. */
  onRecovered?: (message: string) => void;
  /** Machine policy: laid over the saved settings for everyone who reads them, kept out of what a save writes. None when absent. */
  policy?: StorePolicy;
}

export class SettingsService implements SettingsStore {
  readonly file: string;
  get where(): string {
    return this.file;
  }
  private handle: DocumentFile | undefined;
  /** Set when a damaged file could not be moved aside: saving would destroy it, so saves are refused. */
  private blocked: string | undefined;
  private readonly now: () => Date;

  readonly usersDefinedFile: string;

  constructor(private readonly deps: SettingsServiceDeps) {
    this.file = path.join(deps.dataDir, SETTINGS_FILE_NAME);
    this.usersDefinedFile = path.join(deps.dataDir, USERS_DEFINED_FILE_NAME);
    this.now = deps.now ?? (() => new Date());
  }

  /** The last document read or written, keyed by the file's identity, so unchanged files are not parsed again. */
  private cache: Snapshot | undefined;

  private fileKey(): string {
    try {
      const st = fs.statSync(this.file);
      // A save replaces the file (new inode); an edit in place changes its time or size.
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return 'absent';
    }
  }

  /**
   * The saved settings, or the defaults when nothing was saved yet or the file had to be set aside.
   * Throws DataUnreadableError when the file exists but cannot be read (see there).
   */
  read(): Settings {
    return structuredClone(this.snapshot().value);
  }

  private snapshot(): Snapshot {
    const key = this.fileKey();
    if (this.cache && this.cache.key === key) return this.cache;
    const read = this.readFile();
    this.cache = { key: this.fileKey(), ...read, saved: read.value, value: this.inForce(read.value) };
    return this.cache;
  }

  /**
   * Why the settings are read-only, when they are: the file was damaged or is missing after users
   * had been defined. Then nobody is an administrator until settings are restored or imported.
   */
  readOnlyReason(): string | undefined {
    return this.snapshot().locked;
  }

  /**
   * Whether this OS account may change system settings now: one of the administrators, or anyone
   * while no users have ever been defined (a fresh install), and nobody while the settings are locked.
   */
  isAdministrator(account: string): boolean {
    const { value, locked } = this.snapshot();
    return !locked && isAdmin(value.users, account);
  }

  /**
   * The same document without a copy, for hot paths that only look (the outbox reads it for every
   * message). Callers must not change it.
   */
  readShared(): Readonly<Settings> {
    // Looking at the file at most every 100 ms: hot paths ask far more often than anyone saves.
    const now = Date.now();
    if (!this.cache || now - this.sharedCheckedAt > 100) {
      this.sharedCheckedAt = now;
      try {
        if (!this.cache || this.cache.key !== this.fileKey()) this.snapshot();
      } catch (error) {
        // A file locked for a moment by another program: the sender goes on with what it last read.
        if (!(error instanceof DataUnreadableError) || !this.cache) throw error;
      }
    }
    return (this.cache as Snapshot).value;
  }

  private sharedCheckedAt = 0;

  /**
   * The document as it is on disk. Another program writing the file in place (a script, an editor
   * that does not replace files) leaves it empty or half-written for a moment; a file changed that
   * recently is looked at again a few times before it is taken for damaged and set aside.
   */
  private readSettled(): Record<string, unknown> {
    for (let attempt = 1; ; attempt++) {
      let raw: Record<string, unknown> | undefined;
      let failure: unknown;
      try {
        raw = this.open().store;
      } catch (error) {
        failure = error;
      }
      const settled = raw !== undefined && Object.keys(raw).length > 0;
      if (settled || attempt >= SETTLE_TRIES || (failure !== undefined && unreadableReason(failure)) || !this.changedJustNow()) {
        if (raw !== undefined) return raw;
        throw failure;
      }
      this.handle = undefined;
      sleepSync(SETTLE_WAIT_MS);
    }
  }

  private changedJustNow(): boolean {
    try {
      return Date.now() - fs.statSync(this.file).mtimeMs < SETTLE_WINDOW_MS;
    } catch {
      return false;
    }
  }

  private readFile(): Omit<Snapshot, 'key' | 'saved'> {
    let raw: Record<string, unknown>;
    try {
      raw = this.readSettled();
    } catch (error) {
      const unreadable = unreadableReason(error);
      if (unreadable) {
        this.handle = undefined;
        throw new DataUnreadableError(
          `Mailroom cannot read ${this.file}: ${unreadable}. Nothing was changed. Run Mailroom as the account that owns its data folder, or set MAILROOM_DATA_DIR to a folder of your own.`,
        );
      }
      return this.recover(describeReadError(error));
    }
    if (Object.keys(raw).length === 0) return this.absent();
    const migrated = migrateSettings(raw);
    if (!migrated.ok) {
      return this.recover(
        migrated.reason === 'newer-version'
          ? `it was written by a newer version of Mailroom (settings version ${String(migrated.version)})`
          : migrated.reason === 'bad-version'
            ? `its version field is not one Mailroom knows (${JSON.stringify(migrated.version)})`
            : 'it does not hold a settings document',
      );
    }
    const parsed = Settings.safeParse(migrated.doc);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      return this.recover(`it does not match the settings layout (${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'})`);
    }
    if (migrated.migrated) {
      // Persist the upgrade so older steps never run twice; a failure here only means they run again next time.
      try {
        if (parsed.data.users.length > 0) this.rememberUsers();
        this.open().store = parsed.data;
      } catch {
        /* read-only data folder: the upgrade is kept in memory */
      }
    }
    // A good file with users, from before this record existed or restored by hand: record it now.
    if (parsed.data.users.length > 0 && !this.usersWereDefined()) {
      try {
        this.rememberUsers();
      } catch {
        /* read-only data folder: recorded at the next save */
      }
    }
    return { value: parsed.data };
  }

  /** No settings file (or an empty one): a fresh install, unless users have been defined before. */
  private absent(): Omit<Snapshot, 'key' | 'saved'> {
    if (!this.usersWereDefined()) return { value: defaultSettings() };
    const kept = this.lastSetAside();
    const locked = lockedMessage(kept ? `${this.file} was damaged and has been kept as ${kept}` : `${this.file} is missing`);
    this.noticeOnce(locked);
    return { value: defaultSettings(), locked };
  }

  /** The most recent damaged settings file kept beside this one, if any. */
  private lastSetAside(): string | undefined {
    try {
      const kept = fs.readdirSync(this.deps.dataDir).filter((f) => /^settings\.corrupt-.*\.json$/.test(f)).sort();
      return kept.length > 0 ? path.join(this.deps.dataDir, kept[kept.length - 1]!) : undefined;
    } catch {
      return undefined;
    }
  }

  private usersWereDefined(): boolean {
    try {
      fs.lstatSync(this.usersDefinedFile);
      return true;
    } catch (error) {
      // Only a file that is certainly not there counts as "never": anything else keeps the guard up.
      return (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  }

  private rememberUsers(): void {
    if (this.usersWereDefined()) return;
    const note = {
      usersDefined: true,
      since: this.now().toISOString(),
      note: 'Users have been defined in settings.json. While this file exists, a damaged or missing settings.json makes Mailroom read-only instead of open to everyone.',
    };
    writeFileAtomic(this.usersDefinedFile, JSON.stringify(note, null, 2) + '\n', 0o600);
  }

  private forgetUsers(): void {
    fs.rmSync(this.usersDefinedFile, { force: true });
  }

  private noticeOnce(message: string): void {
    try {
      if (this.deps.notices.list().some((n) => n.title === LOCKED_TITLE)) return;
      this.deps.notices.add({ level: 'error', title: LOCKED_TITLE, message });
    } catch {
      /* the notice is a courtesy; refusals say the same */
    }
  }

  /**
   * The revision of the saved settings: equal in every process that reads the same document, and
   * different once anyone saves something else. Throws DataUnreadableError like read().
   */
  revision(): string {
    return revisionOf(this.snapshot().value);
  }

  /** The saved settings and their revision, read together so the one always describes the other. */
  readWithRevision(): { settings: Settings; revision: string } {
    const { value } = this.snapshot();
    return { settings: structuredClone(value), revision: revisionOf(value) };
  }

  /**
   * Validates the whole document, required fields included, and writes it; or changes nothing and
   * says which fields are wrong. Given the revision the caller's copy was based on, it also refuses
   * (code conflict) when someone else saved in between, rather than silently putting old values back.
   */
  save(input: unknown, { baseRevision }: { baseRevision?: string } = {}): Result<Settings> {
    const parsed = CompleteSettings.safeParse(input);
    if (!parsed.success) return invalidInput(parsed.error);
    if (baseRevision !== undefined) {
      let current: string;
      try {
        current = this.revision();
      } catch (error) {
        if (error instanceof DataUnreadableError) return fail('io-error', error.message);
        throw error;
      }
      if (current !== baseRevision) return fail('conflict', STALE_SAVE_MESSAGE);
    }
    return this.write(parsed.data);
  }

  /**
   * Saves a document that is well formed but may still lack required fields elsewhere, for
   * callers that change one part and check that part's completeness themselves (the CLI).
   */
  saveWellFormed(input: unknown): Result<Settings> {
    const parsed = Settings.safeParse(input);
    if (!parsed.success) return invalidInput(parsed.error);
    return this.write(parsed.data);
  }

  /**
   * Like save, but accepts a document from an older version and migrates it first. Given the OS
   * account importing, it also applies who may do so: an administrator, never locking themselves
   * out; and while the settings are locked (damaged after users had been defined), anyone whose
   * account the imported file names as an administrator, since that is how an administrator
   * brings a saved copy back. Without an account, a locked settings file refuses every import.
   */
  import(input: unknown, account?: string): Result<Settings> {
    let snapshot: Snapshot;
    try {
      snapshot = this.snapshot();
    } catch (error) {
      if (error instanceof DataUnreadableError) return fail('io-error', error.message);
      throw error;
    }
    if (account !== undefined && !snapshot.locked && !isAdmin(snapshot.value.users, account)) {
      return fail('forbidden', notAdministrator(snapshot.value.users, account));
    }
    const migrated = migrateSettings(input);
    if (!migrated.ok) {
      if (migrated.reason === 'not-an-object') return fail('invalid-input', 'The file must hold one JSON object of settings', [{ path: '(root)', message: 'Expected an object' }]);
      const message = migrated.reason === 'newer-version'
        ? `Written by a newer version of Mailroom (version ${String(migrated.version)}); this one reads up to the current version`
        : `Unknown settings version ${JSON.stringify(migrated.version)}`;
      return fail('invalid-input', `Invalid input: version: ${message}`, [{ path: 'version', message }]);
    }
    const parsed = CompleteSettings.safeParse(migrated.doc);
    if (!parsed.success) return invalidInput(parsed.error);
    if (account === undefined) return this.write(parsed.data);
    if (snapshot.locked && parsed.data.users.length === 0) {
      return fail('invalid-input', `The settings are locked, so an import must name you (${account}) as an administrator in users.`, [
        { path: 'users', message: `${account} must be an administrator` },
      ]);
    }
    const lockout = lockoutError(parsed.data.users, account);
    if (lockout) return lockout;
    return this.write(parsed.data, { restoring: snapshot.locked !== undefined });
  }

  getPath(dotPath: string): Result<unknown> {
    return settingAt(this.read(), dotPath);
  }

  /**
   * Sets one value given as text (as typed on a command line). The text is read as the type the
   * setting already has, so `general.organisationName 123` stays a name and `...retentionDays 30` a number.
   */
  setPath(dotPath: string, text: string, account?: string): Result<Settings> {
    const next = withPathSet(this.read(), dotPath, text, account);
    return next.ok ? this.write(next.value) : next;
  }

  /** Required fields still empty, for a caller that wants to remind the user. */
  missingRequired(): ReturnType<typeof missingRequired> {
    return missingRequired(this.read());
  }

  private write(settings: Settings, { restoring = false } = {}): Result<Settings> {
    if (this.blocked) return fail('io-error', this.blocked);
    let locked: string | undefined;
    let before: Settings;
    try {
      ({ locked, saved: before } = this.snapshot());
    } catch (error) {
      if (error instanceof DataUnreadableError) return fail('io-error', error.message);
      throw error;
    }
    if (locked && !restoring) return fail('forbidden', locked);
    try {
      // The record of users goes first, so no crash leaves users in the file without it.
      if (settings.users.length > 0) this.rememberUsers();
      else this.forgetUsers();
      const written = this.policy.keepSaved(before, settings);
      this.open().store = written;
      this.cache = { key: this.fileKey(), saved: structuredClone(written), value: this.inForce(structuredClone(written)) };
      this.sharedCheckedAt = Date.now();
      return ok(settings);
    } catch (error) {
      return fail('io-error', `Could not save the settings to ${this.file}: ${errorText(error)}`);
    }
  }

  private inForce(saved: Settings): Settings {
    return this.policy.inForce(saved);
  }

  private get policy(): StorePolicy {
    return this.deps.policy ?? NO_POLICY;
  }

  private open(): DocumentFile {
    this.handle ??= this.deps.createFile({
      cwd: this.deps.dataDir,
      configName: path.basename(SETTINGS_FILE_NAME, '.json'),
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
    });
    return this.handle;
  }

  /**
   * Moves the damaged file aside (never deletes it), records a notice and carries on with defaults;
   * read-only, with nobody an administrator, when users had been defined.
   */
  private recover(reason: string): Omit<Snapshot, 'key' | 'saved'> {
    this.handle = undefined;
    const stamp = this.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const kept = path.join(this.deps.dataDir, `settings.corrupt-${stamp}.json`);
    let where: string;
    try {
      fs.renameSync(this.file, kept);
      where = `The damaged file was kept as ${kept}.`;
    } catch (renameError) {
      if ((renameError as NodeJS.ErrnoException).code === 'ENOENT') return this.absent();
      try {
        fs.copyFileSync(this.file, kept);
        fs.rmSync(this.file);
        where = `The damaged file was kept as ${kept}.`;
      } catch {
        where = `It could not be moved aside, so it stays at ${this.file} and saving is disabled until it is fixed or removed.`;
        this.blocked = `Settings are not saved: ${this.file} could not be read (${reason}) and could not be moved aside.`;
      }
    }
    const locked = this.usersWereDefined() ? lockedMessage(`${this.file} was damaged (${reason})`) : undefined;
    const message = locked
      ? `${locked} ${where}`
      : `Mailroom could not read its settings file: ${reason}. It started with default settings. ${where}`;
    try {
      this.deps.notices.add(locked ? { level: 'error', title: LOCKED_TITLE, message } : { level: 'warning', title: 'Settings were reset', message });
    } catch {
      /* the notice is a courtesy; the recovery itself has happened */
    }
    this.deps.onRecovered?.(message);
    return { value: defaultSettings(), ...(locked ? { locked } : {}) };
  }
}

/**
 * The settings with one value set from text (as typed on a command line), read as the type the
 * setting already has, so `general.organisationName 123` stays a name and `...retentionDays 30` a
 * number; or why not. Wherever the settings live, `settings set` follows this one rule.
 */
export function withPathSet(current: Settings, dotPath: string, text: string, account?: string): Result<Settings> {
  const found = lookUp(current, dotPath);
  if (!found.ok) return fail('not-found', found.message, [{ path: dotPath, message: 'Unknown setting' }]);
  if (isPlainObject(found.value) || Array.isArray(found.value)) {
    return fail('invalid-input', `${dotPath} is a group of settings; set its fields one at a time`, [{ path: dotPath, message: 'Not a single value' }]);
  }
  const next = structuredClone(current);
  putAt(next, found.keys, coerce(text, found.value));
  const parsed = Settings.safeParse(next);
  if (!parsed.success) return invalidInput(parsed.error);
  // One value at a time may leave other required fields empty (that is how a fresh install is
  // filled in), but it may never empty one, nor make a new one required and leave it empty.
  const before = new Set(missingRequired(current).map((f) => f.path));
  const emptied = missingRequired(parsed.data).filter((f) => !before.has(f.path));
  if (emptied.length > 0) {
    return fail('invalid-input', `Invalid input: ${emptied.map((f) => `${f.path}: ${f.message}`).join('; ')}`, emptied);
  }
  const lockout = account === undefined ? undefined : lockoutError(parsed.data.users, account);
  return lockout ?? ok(parsed.data);
}

/** The value at a dot path of the settings, or why there is none. */
export function settingAt(settings: Settings, dotPath: string): Result<unknown> {
  const found = lookUp(settings, dotPath);
  return found.ok ? ok(found.value) : fail('not-found', found.message, [{ path: dotPath, message: 'Unknown setting' }]);
}

/** The value at a dot path of the settings (a record in a list by its id), or undefined when there is none. */
export function valueAtPath(settings: Settings, dotPath: string): unknown {
  const found = lookUp(settings, dotPath);
  return found.ok ? found.value : undefined;
}

/** Sets the value at a dot path of `settings`, in place; false when they have no such place. */
export function setAtPath(settings: Settings, dotPath: string, value: unknown): boolean {
  const found = lookUp(settings, dotPath);
  if (!found.ok) return false;
  putAt(settings, found.keys, value);
  return true;
}

/** Puts a value at the place `keys` (from lookUp) reach. */
function putAt(settings: Settings, keys: readonly (string | number)[], value: unknown): void {
  const path = [...keys];
  const last = path.pop() as string | number;
  let target = settings as unknown as Record<string | number, unknown>;
  for (const key of path) target = target[key] as Record<string | number, unknown>;
  target[last] = value;
}

export const STALE_SAVE_MESSAGE =
  'The settings were changed elsewhere (in another window or with the mailroom command) since you opened them. Nothing was saved. Reload to see their changes, or keep your changes to save over them.';

/** A short digest of the document itself, not of the file's bytes, so any process that reads the same settings agrees on it. */
export function revisionOf(settings: Settings): string {
  return createHash('sha256').update(JSON.stringify(settings)).digest('base64url').slice(0, 22);
}

function lockedMessage(what: string): string {
  return (
    `The settings are read-only: ${what}. Users had been defined, so nobody has administrator rights until an administrator ` +
    `restores settings.json from a backup, or imports a saved copy that names them as an administrator (mailroom settings import FILE).`
  );
}

function notAdministrator(users: readonly SystemUser[], account: string): string {
  return `Only an administrator can change system settings; ${account} is ${findUser(users, account) ? 'not an administrator' : 'not one of the system users'}.`;
}

/**
 * The value at a dot path and the keys that reach it. In a list of records with ids (the server
 * profiles, the users) a record is named by its id, which never changes, as machine policy names
 * it: `smtp.profiles.<profile id>.host`.
 */
function lookUp(settings: Settings, dotPath: string): { ok: true; value: unknown; keys: (string | number)[] } | { ok: false; message: string } {
  let node: unknown = settings;
  const walked: string[] = [];
  const keys: (string | number)[] = [];
  for (const key of dotPath.split('.')) {
    if (Array.isArray(node)) {
      const index = node.findIndex((item) => isPlainObject(item) && item.id === key);
      if (index < 0) {
        const ids = node.flatMap((item) => (isPlainObject(item) && typeof item.id === 'string' ? [[...walked, item.id].join('.')] : []));
        return { ok: false, message: `Unknown setting "${dotPath}"${ids.length ? `. Known here: ${ids.join(', ')}` : `: ${walked.join('.')} is empty`}` };
      }
      node = node[index];
      keys.push(index);
      walked.push(key);
      continue;
    }
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) {
      const options = isPlainObject(node) ? Object.keys(node).map((k) => [...walked, k].join('.')) : [];
      return {
        ok: false,
        message: `Unknown setting "${dotPath}"${options.length ? `. Known here: ${options.join(', ')}` : ''}`,
      };
    }
    node = node[key];
    keys.push(key);
    walked.push(key);
  }
  return { ok: true, value: node, keys };
}

function coerce(text: string, like: unknown): unknown {
  if (typeof like === 'string') return text;
  if (typeof like === 'number') return text.trim() === '' ? Number.NaN : Number(text);
  if (typeof like === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Why a file that is there cannot be read, when that is not damage; undefined when it is (or may be) damage. */
function unreadableReason(error: unknown): string | undefined {
  if (error instanceof SyntaxError) return undefined;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || code === 'EISDIR' || code === 'ENOENT') return undefined;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied (it belongs to another account?)';
  if (code === 'EBUSY' || code === 'ETXTBSY' || code === 'EAGAIN') return 'it is locked by another program (close that program and try again)';
  return errorText(error);
}

function describeReadError(error: unknown): string {
  if (error instanceof SyntaxError) return `it is not valid JSON (${error.message})`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EISDIR') return 'a folder stands where the file should be';
  return errorText(error);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
