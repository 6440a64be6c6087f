// The email debug log: every conversation with a mail server, one line per event, appended to
// mailroom-debug-YYYY-MM-DD.log in the debug folder, with secrets and message content
// masked (see mask.ts). The folder may be missing, read-only or an offline network share: the log
// records the problem for the dialog to show and never throws into, or blocks, a send. A folder that
// does not exist is never created by logging: only when the admin agreed to (check with `create`).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { format } from 'node:util';
import type { DebugSettings, DebugStatus, LogLevel } from '../../../preload/contract';
import { ConversationMasker, type MaskedLine } from './mask';

export const LOG_FILE_PREFIX = 'mailroom-debug-';
const LOG_FILE = /^mailroom-debug-\d{4}-\d{2}-\d{2}(?:-\d+)?\.log$/;
const DAY_MS = 86_400_000;
const SWEEP_EVERY_MS = 3_600_000;
// After a failed write, lines are dropped (and counted) for this long rather than retried at once.
const RETRY_AFTER_MS = 30_000;
// Lines waiting for a slow folder are bounded; beyond this they are dropped and counted.
const MAX_PENDING_BYTES = 4 * 1024 * 1024;
// A write that has not finished by now means the folder is not answering.
const STALL_MS = 15_000;

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export type NoteLevel = LogLevel;

/** What a mail conversation reports as it goes; kept small so the mail code needs nothing else. */
export interface TrafficSink {
  /** A line the client sent, exactly as sent: sign-in data and message content are masked here. */
  client(line: string): void;
  /** A reply the server sent, as received (one or several lines). */
  server(text: string): void;
  note(level: NoteLevel, text: string): void;
  /** Message content went out (never logged, only counted); the "." line that ends it follows as client('.'). */
  content?(bytes: number): void;
}

/** The bunyan-style logger nodemailer accepts: (fields, printf-style message, ...args). */
export type NodemailerLogger = Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', (...args: unknown[]) => void>;

export interface Transcript extends TrafficSink {
  readonly id: string;
  /** The level this conversation logs at; 'debug' includes the line-by-line traffic. */
  readonly level: LogLevel;
  /** A secret learnt during the conversation (an access token fetched for it, say). */
  addSecret(secret: string | undefined | null): void;
  /** Closes the conversation; what is reported afterwards is ignored. */
  end(): void;
  nodemailerLogger(): NodemailerLogger;
}

export interface ConversationMeta {
  profileName: string;
  kind: 'send' | 'test' | 'alert';
  messageId?: string;
  /** Secrets this conversation may carry (password, access token): never written in any form. */
  secrets?: readonly (string | undefined | null)[];
}

export interface DebugLogOptions {
  /** The current debug settings, read afresh for each conversation. */
  settings: () => DebugSettings;
  now?: () => Date;
  /** A day's file is rotated before it grows past this. */
  maxFileBytes?: number;
  /** Rotated files kept per day: -1 (newest) … -N. */
  keepRotated?: number;
  /** How long check() waits for the folder to answer. */
  checkTimeoutMs?: number;
}

interface FolderState {
  folder: string;
  writable: boolean;
  /** The folder does not exist (and is not created without the admin's say). */
  missing?: boolean;
  error?: string;
  checkedAt?: Date;
}

/** What the status says of a saved folder that is not there. */
export const FOLDER_MISSING = 'The folder does not exist';
// Folders checked as typed are remembered (the newest this many), so one saved right after is known.
const TYPED_REMEMBERED = 16;

interface PendingLine {
  folder: string;
  file: string;
  text: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** ISO 8601 in local time with its offset, so lines match the local day the file is named after. */
export function localTimestamp(d: Date): string {
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return `${localDate(d)}T${time}${offset >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function logFileName(d: Date): string {
  return `${LOG_FILE_PREFIX}${localDate(d)}.log`;
}

/** Why a folder cannot be written, in words an admin can act on. */
export function describeFolderError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason = (() => {
    switch (code) {
      case 'ENOTDIR':
      case 'EEXIST':
        return 'Part of the path is a file, not a folder';
      case 'EACCES':
      case 'EPERM':
        return 'Permission denied: this user may not write there';
      case 'EROFS':
        return 'The drive is read-only';
      case 'ENOSPC':
      case 'EDQUOT':
        return 'The drive is full';
      case 'ENOENT':
        return 'The folder does not exist and cannot be created (is the drive or network share available?)';
      case 'EHOSTDOWN':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'ETIMEDOUT':
      case 'EIO':
      case 'EBUSY':
      case 'UNKNOWN':
        return 'The drive or network share is not answering';
      case 'ENAMETOOLONG':
        return 'The path is too long';
      default:
        return error instanceof Error ? error.message : String(error);
    }
  })();
  return code && !reason.includes(code) ? `${reason} (${code})` : reason;
}

class TimeoutError extends Error {}

async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class DebugLog {
  private readonly now: () => Date;
  private readonly maxFileBytes: number;
  private readonly keepRotated: number;
  private readonly checkTimeoutMs: number;
  private state: FolderState = { folder: '', writable: true };
  private pending: PendingLine[] = [];
  private pendingBytes = 0;
  /** Per folder: lines given up on since the last successful write, and when to try writing again. */
  private readonly dropped = new Map<string, number>();
  private readonly retryAt = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private writeStartedAt: number | undefined;
  private readonly lastSweep = new Map<string, number>();
  private checking: Promise<DebugStatus> | undefined;
  /** What checks of folders as typed found, by folder: what is known of one once it is saved. */
  private readonly typed = new Map<string, FolderState>();

  constructor(private readonly options: DebugLogOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxFileBytes = options.maxFileBytes ?? 5 * 1024 * 1024;
    this.keepRotated = Math.max(1, options.keepRotated ?? 9);
    this.checkTimeoutMs = options.checkTimeoutMs ?? 10_000;
  }

  /** Starts logging one conversation; null when debug logging is off (or has nowhere to write). */
  conversation(meta: ConversationMeta): Transcript | null {
    try {
      const settings = this.options.settings();
      if (!settings.enabled) return null;
      const folder = this.usableFolder(settings.path);
      if (!folder) return null;
      this.stateFor(folder);
      this.maybeSweep(folder, settings.retentionDays);
      return new FileTranscript((at, line) => this.append(folder, at, line), this.now, settings.level, meta);
    } catch {
      return null;
    }
  }

  /** What is known about the configured folder, without touching it. */
  status(): DebugStatus {
    let settings: DebugSettings;
    try {
      settings = this.options.settings();
    } catch {
      return { enabled: false, path: '', writable: false, error: 'The debug settings cannot be read' };
    }
    const folder = settings.path.trim();
    if (folder === '') return { enabled: settings.enabled, path: settings.path, writable: false, error: 'No debug folder is set' };
    const state = this.stateFor(folder);
    const stalled = this.writeStartedAt !== undefined && Date.now() - this.writeStartedAt > STALL_MS;
    const error = stalled ? `The folder has not answered for ${Math.round((Date.now() - (this.writeStartedAt ?? 0)) / 1000)} s (a network share that is offline?)` : state.error;
    return {
      enabled: settings.enabled,
      path: settings.path,
      writable: state.writable && !stalled,
      ...(state.missing && !stalled ? { missing: true } : {}),
      ...(error ? { error } : {}),
      ...(state.checkedAt ? { lastCheckedAt: state.checkedAt.toISOString() } : {}),
    };
  }

  /**
   * Tries a folder now by writing and removing a probe file. Without a path, the configured folder
   * as it is (a missing one is reported, not created), and what is learnt is kept for status().
   * With a path (one being typed in the dialog), that folder as it is: a folder that does not exist
   * is reported as missing and created only when `create` says so, after the user was asked.
   */
  check(options: { path?: string; create?: boolean } = {}): Promise<DebugStatus> {
    if (options.path !== undefined) return this.checkTyped(options.path, options.create ?? false);
    this.checking ??= this.runCheck().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** Resolves when every line reported so far has been written (or given up on). */
  async flush(): Promise<void> {
    while (this.flushScheduled || this.pending.length > 0) {
      if (!this.flushScheduled) this.scheduleWrite();
      await this.tail;
    }
    await this.tail;
  }

  // ---- inside ---------------------------------------------------------------------------------

  /** Queues one finished line; never throws, never waits. */
  private append(folder: string, at: Date, line: string): void {
    if ((this.retryAt.get(folder) ?? 0) > Date.now() || this.pendingBytes > MAX_PENDING_BYTES) {
      this.dropped.set(folder, (this.dropped.get(folder) ?? 0) + 1);
      return;
    }
    const dropped = this.dropped.get(folder) ?? 0;
    if (dropped > 0) {
      this.dropped.delete(folder);
      const note = `${localTimestamp(at)} - - -- warn: ${dropped} earlier line(s) could not be written here and were dropped\n`;
      this.queue({ folder, file: path.join(folder, logFileName(at)), text: note });
    }
    this.queue({ folder, file: path.join(folder, logFileName(at)), text: line });
  }

  private queue(line: PendingLine): void {
    this.pending.push(line);
    this.pendingBytes += line.text.length;
    this.scheduleWrite();
  }

  private scheduleWrite(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.enqueueTask(() => this.writePending());
  }

  private enqueueTask(task: () => Promise<void>): void {
    this.tail = this.tail.then(task).catch(() => undefined);
  }

  /** What is known of the folder in use: what a check of it as typed found, or nothing yet (writable until a write fails). */
  private stateFor(folder: string): FolderState {
    if (this.state.folder !== folder) {
      const typed = this.typed.get(folder);
      this.state = typed ? { ...typed } : { folder, writable: true };
    }
    return this.state;
  }

  private record(folder: string, writable: boolean, error?: string, missing = false): void {
    const state = this.stateFor(folder);
    state.writable = writable;
    state.checkedAt = this.now();
    if (missing) state.missing = true;
    else delete state.missing;
    if (error) state.error = error;
    else delete state.error;
  }

  private rememberTyped(state: FolderState): void {
    this.typed.delete(state.folder);
    this.typed.set(state.folder, state);
    for (const oldest of this.typed.keys()) {
      if (this.typed.size <= TYPED_REMEMBERED) break;
      this.typed.delete(oldest);
    }
  }

  /** The folder as an absolute path on this computer, or undefined (with the reason recorded). */
  private usableFolder(configured: string): string | undefined {
    const folder = configured.trim();
    if (folder === '') {
      this.record(folder, false, 'No debug folder is set');
      return undefined;
    }
    if (!path.isAbsolute(folder)) {
      this.record(folder, false, 'This is not a full folder path on this computer');
      return undefined;
    }
    return folder;
  }

  private async writePending(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    // Consecutive lines for the same file go in one append.
    const groups: PendingLine[] = [];
    for (const line of batch) {
      const last = groups[groups.length - 1];
      if (last && last.file === line.file) last.text += line.text;
      else groups.push({ ...line });
    }
    const failed = new Set<string>();
    const drop = (group: PendingLine) => this.dropped.set(group.folder, (this.dropped.get(group.folder) ?? 0) + group.text.split('\n').length - 1);
    for (const group of groups) {
      if (failed.has(group.folder)) {
        drop(group);
        continue;
      }
      this.writeStartedAt = Date.now();
      try {
        await this.appendToFile(group.file, group.text);
        if (this.state.folder === group.folder) this.record(group.folder, true);
      } catch (error) {
        // ENOENT on an append: the folder itself is not there, and is not made here.
        const missing = (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
        if (this.state.folder === group.folder) this.record(group.folder, false, missing ? FOLDER_MISSING : describeFolderError(error), missing);
        // The folder is likely to fail again at once: its lines are dropped for a while (and counted).
        this.retryAt.set(group.folder, Date.now() + RETRY_AFTER_MS);
        failed.add(group.folder);
        drop(group);
      } finally {
        this.writeStartedAt = undefined;
      }
    }
  }

  /** Appends to a file in a folder that exists: a missing folder fails with ENOENT rather than being made. */
  private async appendToFile(file: string, text: string): Promise<void> {
    const size = await fs.stat(file).then(
      (s) => s.size,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return 0;
        throw error;
      },
    );
    if (size > 0 && size + Buffer.byteLength(text) > this.maxFileBytes) await this.rotate(file);
    await fs.appendFile(file, text, { encoding: 'utf8', mode: 0o600 });
  }

  /** day.log → day-1.log → day-2.log …; the oldest beyond keepRotated is removed. */
  private async rotate(file: string): Promise<void> {
    const base = file.replace(/\.log$/, '');
    const numbered = (n: number) => `${base}-${n}.log`;
    const ignoreMissing = (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    };
    await fs.rm(numbered(this.keepRotated), { force: true });
    for (let n = this.keepRotated - 1; n >= 1; n -= 1) await fs.rename(numbered(n), numbered(n + 1)).catch(ignoreMissing);
    await fs.rename(file, numbered(1)).catch(ignoreMissing);
  }

  private maybeSweep(folder: string, retentionDays: number): void {
    const now = this.now().getTime();
    const last = this.lastSweep.get(folder);
    if (last !== undefined && now - last < SWEEP_EVERY_MS && now >= last) return;
    this.lastSweep.set(folder, now);
    const cutoff = now - Math.max(1, retentionDays) * DAY_MS;
    this.enqueueTask(() => this.sweep(folder, cutoff));
  }

  /** Removes our own log files last written before `cutoff`; nothing else in the folder is touched. */
  private async sweep(folder: string, cutoff: number): Promise<void> {
    let names: string[];
    try {
      names = await fs.readdir(folder);
    } catch {
      // A missing or unreadable folder is reported by the writes, not here.
      return;
    }
    for (const name of names) {
      if (!LOG_FILE.test(name)) continue;
      const file = path.join(folder, name);
      try {
        const stat = await fs.lstat(file);
        if (stat.isFile() && stat.mtimeMs < cutoff) await fs.rm(file, { force: true });
      } catch {
        // Gone already, or locked by a reader: the next sweep tries again.
      }
    }
  }

  private async runCheck(): Promise<DebugStatus> {
    let configured = '';
    try {
      configured = this.options.settings().path;
    } catch {
      configured = '';
    }
    const folder = this.usableFolder(configured);
    if (!folder) return this.status();
    this.learnt(folder, await this.probe(folder, false));
    return this.status();
  }

  /** A folder typed in the dialog, saved or not. */
  private async checkTyped(typed: string, create: boolean): Promise<DebugStatus> {
    let enabled = false;
    let configured = '';
    try {
      ({ enabled, path: configured } = this.options.settings());
    } catch {
      /* the typed folder is checked all the same */
    }
    const folder = typed.trim();
    const checkedAt = this.now();
    if (folder === '') return { enabled, path: typed, writable: false, error: 'No debug folder is set' };
    if (!path.isAbsolute(folder)) return { enabled, path: typed, writable: false, error: 'This is not a full folder path on this computer' };
    const found = await this.probe(folder, create);
    // What is learnt counts for the saved folder (a warning can go once it is fixed), and for this
    // one once it is saved: a save right after knows what the admin was just shown.
    this.rememberTyped({ folder, writable: found.writable, checkedAt, ...(found.missing ? { missing: true } : {}), ...(found.error ? { error: found.error } : {}) });
    if (folder === configured.trim()) this.learnt(folder, found);
    return {
      enabled,
      path: typed,
      writable: found.writable,
      ...(found.missing ? { missing: true } : {}),
      ...(found.error ? { error: found.error } : {}),
      lastCheckedAt: checkedAt.toISOString(),
    };
  }

  /** What a check of the folder in use found: kept for status(), and a folder found writable is tried again at once. */
  private learnt(folder: string, found: { writable: boolean; missing?: boolean; error?: string }): void {
    this.record(folder, found.writable, found.error, found.missing);
    if (found.writable) this.retryAt.delete(folder);
  }

  /** Writes and removes a probe file in the folder, creating the folder first only when told to. */
  private async probe(folder: string, create: boolean): Promise<{ writable: boolean; missing?: boolean; error?: string }> {
    try {
      return await within(
        (async () => {
          if (create) await fs.mkdir(folder, { recursive: true, mode: 0o700 });
          else {
            const stat = await fs.stat(folder).catch((error: NodeJS.ErrnoException) => {
              if (error.code === 'ENOENT') return null;
              throw error;
            });
            if (stat === null) return { writable: false, missing: true, error: FOLDER_MISSING };
            if (!stat.isDirectory()) return { writable: false, error: 'This is a file, not a folder' };
          }
          const probe = path.join(folder, `.mailroom-probe-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
          await fs.writeFile(probe, 'Mailroom checks that it can write its debug log here.\n', { flag: 'wx', mode: 0o600 });
          await fs.rm(probe, { force: true });
          return { writable: true };
        })(),
        this.checkTimeoutMs,
      );
    } catch (error) {
      return { writable: false, error: error instanceof TimeoutError ? this.silentFolder(folder) : describeFolderError(error) };
    }
  }

  /** Why a folder that never answered did not: a network share's server, or the drive itself. */
  private silentFolder(folder: string): string {
    const seconds = Math.round(this.checkTimeoutMs / 1000);
    return /^(?:\\\\|\/\/)/.test(folder)
      ? `The network share did not answer within ${seconds} s: check that its server is on and this computer can reach it`
      : `The folder did not answer within ${seconds} s: the drive may be disconnected or busy`;
  }
}

const NODEMAILER_LEVELS: Record<keyof NodemailerLogger, NoteLevel> = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
};

const LABEL: Record<MaskedLine['direction'], string> = { client: 'C:', server: 'S:', note: '--' };

class FileTranscript implements Transcript {
  readonly id = randomBytes(4).toString('hex');
  private readonly masker: ConversationMasker;
  private readonly profile: string;
  private readonly startedAt: number;
  private ended = false;

  constructor(
    private readonly sink: (at: Date, line: string) => void,
    private readonly now: () => Date,
    readonly level: LogLevel,
    meta: ConversationMeta,
  ) {
    this.masker = new ConversationMasker(meta.secrets ?? []);
    this.profile = `"${this.masker.note(meta.profileName).replace(/"/g, "'")}"`;
    this.startedAt = Date.now();
    this.note('info', `Conversation started: ${meta.kind}${meta.messageId ? `, message ${meta.messageId}` : ''}`);
  }

  private get traffic(): boolean {
    return this.level === 'debug';
  }

  private write(lines: MaskedLine[]): void {
    for (const line of lines) {
      const at = this.now();
      const text = `${localTimestamp(at)} ${this.profile} ${this.id} ${LABEL[line.direction]} ${line.text}`;
      // The last pass runs over exactly what is written, prefix included.
      this.sink(at, `${this.masker.redact(text)}\n`);
    }
  }

  private guard(fn: () => void): void {
    if (this.ended) return;
    try {
      fn();
    } catch {
      // Logging must never break the conversation it describes.
    }
  }

  addSecret(secret: string | undefined | null): void {
    this.guard(() => this.masker.addSecret(secret));
  }

  content(bytes: number): void {
    this.guard(() => this.masker.content(bytes));
  }

  client(line: string): void {
    this.guard(() => {
      const lines = this.masker.client(line);
      if (this.traffic) this.write(lines);
    });
  }

  server(text: string): void {
    this.guard(() => {
      const lines = this.masker.server(text);
      if (this.traffic) this.write(lines);
    });
  }

  note(level: NoteLevel, text: string): void {
    this.guard(() => {
      if (RANK[level] > RANK[this.level]) return;
      this.write([{ direction: 'note', text: `${level}: ${this.masker.note(text)}` }]);
    });
  }

  end(): void {
    this.guard(() => {
      const open = this.masker.finish();
      if (this.traffic) this.write(open);
      this.note('info', `Conversation ended after ${Date.now() - this.startedAt} ms`);
      this.ended = true;
    });
  }

  nodemailerLogger(): NodemailerLogger {
    const at = (level: keyof NodemailerLogger) => (...args: unknown[]) => this.guard(() => this.fromNodemailer(level, args));
    return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal') };
  }

  private fromNodemailer(level: keyof NodemailerLogger, args: unknown[]): void {
    const fields = args.length > 0 && typeof args[0] === 'object' && args[0] !== null ? (args.shift() as Record<string, unknown>) : {};
    const tnx = typeof fields.tnx === 'string' ? fields.tnx : '';
    // Only the message text is used: the fields can hold error objects and other detail.
    const [message, ...rest] = args;
    if (tnx === 'message') {
      if (level === 'debug' || level === 'trace') {
        // A piece of the message itself: counted, never written.
        this.masker.content(typeof message === 'string' ? Buffer.byteLength(message, 'latin1') : 0);
        return;
      }
      const total = typeof fields.outByteCount === 'number' ? fields.outByteCount : undefined;
      const closed = this.masker.endContent(total);
      if (this.traffic) this.write(closed);
    }
    if (tnx === 'client' && (level === 'debug' || level === 'trace')) return this.client(String(message ?? ''));
    if (tnx === 'server' && (level === 'debug' || level === 'trace')) return this.server(String(message ?? ''));
    const text = typeof message === 'string' ? format(message, ...rest) : format('%s', message ?? '');
    this.note(NODEMAILER_LEVELS[level], text);
  }
}
