// The private temp folder of one hand-off, and its removal.
//
// Policy: every hand-off writes into a fresh folder os.tmpdir()/mailroom-handoff-<ms>-<random>
// (0700 on POSIX). When the mail client has finished with the files by the time the call returns
// (Outlook: Attachments.Add copies each file into the item; Simple MAPI: the modal window has
// closed; any failure), the folder is removed at once. When the client reads the files later
// (an .eml opened by the OS, a modeless Full MAPI window) the folder is removed after a delay
// (DEFAULT_CLEANUP_DELAY_MS) by an unref'd timer; if the process ends first, the next start's
// sweepStaleHandoffFolders() removes every such folder older than that delay.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const HANDOFF_DIR_PREFIX = 'mailroom-handoff-';
/** Long enough for a cold start of a mail client (with a profile prompt) to read the draft. */
export const DEFAULT_CLEANUP_DELAY_MS = 10 * 60_000;

const pending = new Set<Promise<void>>();

export function createHandoffFolder(root: string = os.tmpdir(), now: number = Date.now()): string {
  fs.mkdirSync(root, { recursive: true });
  return fs.mkdtempSync(path.join(root, `${HANDOFF_DIR_PREFIX}${now}-`));
}

/** Removes a hand-off folder; false when it could not (a file still locked on Windows). */
export function removeFolder(dir: string): boolean {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 100 });
    return true;
  } catch {
    return false;
  }
}

/** Removes the folder after delayMs without keeping the process alive for it. */
export function scheduleRemoval(dir: string, delayMs: number): void {
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      removeFolder(dir);
      resolve();
    }, Math.max(0, delayMs));
    timer.unref();
  });
  pending.add(done);
  void done.then(() => pending.delete(done));
}

/** Resolves once every removal scheduled so far has run. */
export async function whenCleanedUp(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

/** Removes hand-off folders left by an earlier run that are older than maxAgeMs; returns what it removed. */
export function sweepStaleHandoffFolders(root: string = os.tmpdir(), maxAgeMs: number = DEFAULT_CLEANUP_DELAY_MS, now: number = Date.now()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = /^mailroom-handoff-(\d+)-/.exec(name);
    if (!match || now - Number(match[1]) < maxAgeMs) continue;
    const dir = path.join(root, name);
    try {
      if (!fs.lstatSync(dir).isDirectory()) continue;
    } catch {
      continue;
    }
    if (removeFolder(dir)) removed.push(dir);
  }
  return removed;
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** A file name that is safe on every platform and keeps the extension; the recipient-facing name lives elsewhere. */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  let safe = name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_').replace(/[. ]+$/, '').trim();
  if (safe === '' || /^\.+$/.test(safe)) safe = 'attachment';
  if (WINDOWS_RESERVED.test(safe)) safe = `_${safe}`;
  if (safe.length > 150) {
    const ext = path.extname(safe).slice(0, 20);
    safe = safe.slice(0, 150 - ext.length) + ext;
  }
  return safe;
}

export interface CopiedAttachment {
  /** The recipient-facing name, as in the message. */
  filename: string;
  /** The private copy inside the hand-off folder. */
  path: string;
  contentType?: string;
}

/** Copies each attachment into its own sub-folder (so equal names cannot collide), under a safe file name. */
export async function copyAttachments(dir: string, attachments: { filename: string; path: string; contentType?: string }[]): Promise<{ ok: true; value: CopiedAttachment[] } | { ok: false; message: string }> {
  const copies: CopiedAttachment[] = [];
  for (const [i, a] of attachments.entries()) {
    try {
      const stat = await fs.promises.stat(a.path);
      if (!stat.isFile()) return { ok: false, message: `Attachment "${a.filename}" is not a file.` };
      const sub = path.join(dir, `attachment-${i + 1}`);
      await fs.promises.mkdir(sub);
      const dest = path.join(sub, safeFileName(a.filename));
      await fs.promises.copyFile(a.path, dest);
      copies.push({ filename: a.filename, path: dest, ...(a.contentType ? { contentType: a.contentType } : {}) });
    } catch (error) {
      return { ok: false, message: `Attachment "${a.filename}" could not be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.` };
    }
  }
  return { ok: true, value: copies };
}
