// Reads, validates, migrates and saves the settings document. The file itself is handled by
// conf (browser mode, CLI) or electron-store (Electron): same format, same file, atomic writes.
import fs from 'node:fs';
import path from 'node:path';
import {
  CompleteSettings,
  Settings,
  defaultSettings,
  missingRequired,
  fail,
  invalidInput,
  ok,
  type Result,
} from '../../../preload/contract';
import type { NoticeService } from '../notices';
import { isPlainObject, migrateSettings } from './migrations';

export const SETTINGS_FILE_NAME = 'settings.json';

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
}

export class SettingsService {
  readonly file: string;
  private handle: DocumentFile | undefined;
  /** Set when a damaged file could not be moved aside: saving would destroy it, so saves are refused. */
  private blocked: string | undefined;
  private readonly now: () => Date;

  constructor(private readonly deps: SettingsServiceDeps) {
    this.file = path.join(deps.dataDir, SETTINGS_FILE_NAME);
    this.now = deps.now ?? (() => new Date());
  }

  /** The last document read or written, keyed by the file's identity, so unchanged files are not parsed again. */
  private cache: { key: string; value: Settings } | undefined;

  private fileKey(): string {
    try {
      const st = fs.statSync(this.file);
      // A save replaces the file (new inode); an edit in place changes its time or size.
      return `${st.ino}:${st.mtimeMs}:${st.size}`;
    } catch {
      return 'absent';
    }
  }

  /** The saved settings, or the defaults when nothing was saved yet or the file had to be set aside. */
  read(): Settings {
    const key = this.fileKey();
    if (this.cache && this.cache.key === key) return structuredClone(this.cache.value);
    const value = this.readFile();
    this.cache = { key: this.fileKey(), value };
    return structuredClone(value);
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
      if (!this.cache || this.cache.key !== this.fileKey()) this.read();
    }
    return (this.cache as { value: Settings }).value;
  }

  private sharedCheckedAt = 0;

  private readFile(): Settings {
    let raw: Record<string, unknown>;
    try {
      raw = this.open().store;
    } catch (error) {
      return this.recover(describeReadError(error));
    }
    if (Object.keys(raw).length === 0) return defaultSettings();
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
        this.open().store = parsed.data;
      } catch {
        /* read-only data folder: the upgrade is kept in memory */
      }
    }
    return parsed.data;
  }

  /** Validates the whole document, required fields included, and writes it; or changes nothing and says which fields are wrong. */
  save(input: unknown): Result<Settings> {
    const parsed = CompleteSettings.safeParse(input);
    if (!parsed.success) return invalidInput(parsed.error);
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

  /** Like save, but accepts a document from an older version and migrates it first. */
  import(input: unknown): Result<Settings> {
    const migrated = migrateSettings(input);
    if (!migrated.ok) {
      if (migrated.reason === 'not-an-object') return fail('invalid-input', 'The file must hold one JSON object of settings', [{ path: '(root)', message: 'Expected an object' }]);
      const message = migrated.reason === 'newer-version'
        ? `Written by a newer version of Mailroom (version ${String(migrated.version)}); this one reads up to the current version`
        : `Unknown settings version ${JSON.stringify(migrated.version)}`;
      return fail('invalid-input', `Invalid input: version: ${message}`, [{ path: 'version', message }]);
    }
    return this.save(migrated.doc);
  }

  getPath(dotPath: string): Result<unknown> {
    const found = lookUp(this.read(), dotPath);
    return found.ok ? ok(found.value) : fail('not-found', found.message, [{ path: dotPath, message: 'Unknown setting' }]);
  }

  /**
   * Sets one value given as text (as typed on a command line). The text is read as the type the
   * setting already has, so `general.organisationName 123` stays a name and `...retentionDays 30` a number.
   */
  setPath(dotPath: string, text: string): Result<Settings> {
    const current = this.read();
    const found = lookUp(current, dotPath);
    if (!found.ok) return fail('not-found', found.message, [{ path: dotPath, message: 'Unknown setting' }]);
    if (isPlainObject(found.value) || Array.isArray(found.value)) {
      return fail('invalid-input', `${dotPath} is a group of settings; set its fields one at a time`, [{ path: dotPath, message: 'Not a single value' }]);
    }
    const next = structuredClone(current) as unknown as Record<string, unknown>;
    const keys = dotPath.split('.');
    const last = keys.pop() as string;
    let target = next;
    for (const key of keys) target = target[key] as Record<string, unknown>;
    target[last] = coerce(text, found.value);
    const parsed = Settings.safeParse(next);
    if (!parsed.success) return invalidInput(parsed.error);
    // One value at a time may leave other required fields empty (that is how a fresh install is
    // filled in), but it may never empty one, nor make a new one required and leave it empty.
    const before = new Set(missingRequired(current).map((f) => f.path));
    const emptied = missingRequired(parsed.data).filter((f) => !before.has(f.path));
    if (emptied.length > 0) {
      return fail('invalid-input', `Invalid input: ${emptied.map((f) => `${f.path}: ${f.message}`).join('; ')}`, emptied);
    }
    return this.write(parsed.data);
  }

  /** Required fields still empty, for a caller that wants to remind the user. */
  missingRequired(): ReturnType<typeof missingRequired> {
    return missingRequired(this.read());
  }

  private write(settings: Settings): Result<Settings> {
    if (this.blocked) return fail('io-error', this.blocked);
    try {
      this.open().store = settings;
      this.cache = { key: this.fileKey(), value: structuredClone(settings) };
      this.sharedCheckedAt = Date.now();
      return ok(settings);
    } catch (error) {
      return fail('io-error', `Could not save the settings to ${this.file}: ${errorText(error)}`);
    }
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

  /** Moves the damaged file aside (never deletes it), records a notice and carries on with defaults. */
  private recover(reason: string): Settings {
    this.handle = undefined;
    const stamp = this.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const kept = path.join(this.deps.dataDir, `settings.corrupt-${stamp}.json`);
    let where: string;
    try {
      fs.renameSync(this.file, kept);
      where = `The damaged file was kept as ${kept}.`;
    } catch (renameError) {
      if ((renameError as NodeJS.ErrnoException).code === 'ENOENT') return defaultSettings();
      try {
        fs.copyFileSync(this.file, kept);
        fs.rmSync(this.file);
        where = `The damaged file was kept as ${kept}.`;
      } catch {
        where = `It could not be moved aside, so it stays at ${this.file} and saving is disabled until it is fixed or removed.`;
        this.blocked = `Settings are not saved: ${this.file} could not be read (${reason}) and could not be moved aside.`;
      }
    }
    const message = `Mailroom could not read its settings file: ${reason}. It started with default settings. ${where}`;
    try {
      this.deps.notices.add({ level: 'warning', title: 'Settings were reset', message });
    } catch {
      /* the notice is a courtesy; the recovery itself has happened */
    }
    this.deps.onRecovered?.(message);
    return defaultSettings();
  }
}

function lookUp(settings: Settings, dotPath: string): { ok: true; value: unknown } | { ok: false; message: string } {
  let node: unknown = settings;
  const walked: string[] = [];
  for (const key of dotPath.split('.')) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) {
      const options = isPlainObject(node) ? Object.keys(node).map((k) => [...walked, k].join('.')) : [];
      return {
        ok: false,
        message: `Unknown setting "${dotPath}"${options.length ? `. Known here: ${options.join(', ')}` : ''}`,
      };
    }
    node = node[key];
    walked.push(key);
  }
  return { ok: true, value: node };
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

function describeReadError(error: unknown): string {
  if (error instanceof SyntaxError) return `it is not valid JSON (${error.message})`;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission to read it was denied';
  if (code === 'EISDIR') return 'a folder stands where the file should be';
  return errorText(error);
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
