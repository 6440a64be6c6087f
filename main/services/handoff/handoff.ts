// Hands a finished message to the user's own mail program: Outlook (classic) by COM, the default
// client by Full or Simple MAPI, or the OS default client by a draft .eml or a mailto: link.
// Every call answers with success or a coded, readable failure, and removes its temp files (see
// temp-folder.ts for when).
import fs from 'node:fs';
import path from 'node:path';
import { runCommand, type CommandRunner } from './command-runner';
import { detectHandoffMode, type Detection } from './detect';
import { buildDraftEml } from './eml';
import { type HandoffAction, type HandoffErrorCode, type HandoffFailure, type HandoffMessage, type HandoffMode, normalizeMessage } from './handoff-message';
import { mailtoFor } from './mailto';
import type { MapiSendMailW } from './mapi';
import { openWithDefaultApp, type Opener, type OpenResult } from './os-open';
import { runOutlookHandoff } from './powershell';
import { copyAttachments, createHandoffFolder, DEFAULT_CLEANUP_DELAY_MS, removeFolder, scheduleRemoval } from './temp-folder';

export { sweepStaleHandoffFolders, whenCleanedUp, DEFAULT_CLEANUP_DELAY_MS } from './temp-folder';
export type { HandoffMessage, HandoffMode, HandoffAction, HandoffErrorCode } from './handoff-message';
export type { Detection, DetectionStep } from './detect';

export interface HandoffRunners {
  /** Runs powershell.exe for Outlook. */
  powershell?: CommandRunner;
  /** Runs reg.exe for Autodetect. */
  reg?: CommandRunner;
  /** MAPISendMailW; loaded from MAPI32.DLL when absent. */
  mapiSendMail?: MapiSendMailW;
  /** Opens a file or URL with the OS default handler (Electron may pass shell.openPath / openExternal). */
  open?: Opener;
}

export interface HandoffOptions {
  mode: HandoffMode | 'autodetect';
  action: HandoffAction;
  platform?: NodeJS.Platform;
  arch?: string;
  env?: NodeJS.ProcessEnv;
  runners?: HandoffRunners;
  /** Parent of the hand-off folders; os.tmpdir() when absent. */
  tempRoot?: string;
  /** How long files stay for a client that reads them after the call returns. */
  cleanupDelayMs?: number;
  /** HWND of the app window, as parent of a MAPI dialog. */
  parentWindow?: bigint;
}

export type HandoffResult =
  | { ok: true; mode: HandoffMode; detail: string; detection?: Detection }
  | { ok: false; mode: HandoffMode | 'autodetect'; code: HandoffErrorCode; reason: string; detection?: Detection };

const MODE_LABEL: Record<HandoffMode, string> = {
  outlook: 'Outlook (classic)',
  'full-mapi': 'Full MAPI',
  'simple-mapi': 'Simple MAPI',
  'os-default': 'The default mail client',
};

export async function handOff(message: HandoffMessage, options: HandoffOptions): Promise<HandoffResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const runners = options.runners ?? {};
  const normalized = normalizeMessage(message, options.action);
  if (!normalized.ok) return { ok: false, mode: options.mode, code: normalized.error.code, reason: normalized.error.message };
  const msg = normalized.value;

  let detection: Detection | undefined;
  let mode: HandoffMode;
  if (options.mode === 'autodetect') {
    detection = await detectHandoffMode({ platform, env, reg: runners.reg ?? runCommand, ...(options.arch ? { arch: options.arch } : { arch: process.arch }) });
    mode = detection.mode;
  } else {
    mode = options.mode;
  }
  const fail = (error: HandoffFailure): HandoffResult => ({ ok: false, mode, code: error.code, reason: error.message, ...(detection ? { detection } : {}) });
  const succeed = (detail: string): HandoffResult => ({ ok: true, mode, detail, ...(detection ? { detection } : {}) });

  if (mode !== 'os-default' && platform !== 'win32') return fail({ code: 'unsupported-platform', message: `${MODE_LABEL[mode]} is available only on Windows.` });
  if (mode === 'os-default' && options.action === 'send') {
    return fail({ code: 'send-unsupported', message: 'The default mail client can only open the message for you to send; use Compose, or Outlook or MAPI to send directly.' });
  }
  const open: Opener = runners.open ?? ((target) => openWithDefaultApp(target, { platform, env }));

  if (mode === 'os-default') {
    const url = mailtoFor(msg);
    if (url) {
      const opened = await open(url);
      return opened.ok ? succeed('Opened a new message in the default mail client (mailto:).') : fail({ code: opened.code, message: opened.message });
    }
  }

  let folder: string;
  try {
    folder = createHandoffFolder(options.tempRoot);
  } catch (error) {
    return fail({ code: 'temp-failed', message: `No temporary folder could be made: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.` });
  }
  let readLater = false;
  try {
    if (mode === 'os-default') {
      let eml: Buffer;
      try {
        eml = await buildDraftEml(msg);
      } catch (error) {
        return fail({ code: 'attachment-unreadable', message: `The draft could not be built: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.` });
      }
      const file = path.join(folder, 'message.eml');
      await fs.promises.writeFile(file, eml, { mode: 0o600 });
      const opened = await open(file);
      if (!opened.ok) return fail({ code: opened.code, message: opened.message });
      readLater = true;
      return succeed('Opened a draft in the default mail client.');
    }

    const copies = await copyAttachments(folder, msg.attachments);
    if (!copies.ok) return fail({ code: 'attachment-unreadable', message: copies.message });

    if (mode === 'outlook') {
      const result = await runOutlookHandoff({ message: msg, attachments: copies.value, action: options.action, folder, runner: runners.powershell ?? runCommand, env });
      return result.ok ? succeed(result.detail) : fail(result.error);
    }

    const mapi = await import('./mapi');
    const level = mode === 'full-mapi' ? 'full' : 'simple';
    let bodyFile: string | undefined;
    if (level === 'full' && msg.html !== undefined) {
      const dir = path.join(folder, 'body');
      await fs.promises.mkdir(dir);
      bodyFile = path.join(dir, mapi.FULL_MAPI_BODY_NAME);
      await fs.promises.writeFile(bodyFile, msg.html, { encoding: 'utf8', mode: 0o600 });
    }
    let send: MapiSendMailW;
    try {
      send = runners.mapiSendMail ?? mapi.loadMapiSendMailW();
    } catch (error) {
      return fail({ code: 'mapi-unavailable', message: `MAPI is not available: ${(error as Error).message}` });
    }
    const result = await mapi.sendWithMapi(mapi.buildMapiMessage(msg, copies.value, level, bodyFile), mapi.mapiFlags(level, options.action), send, options.parentWindow);
    if (!result.ok) return fail(result.error);
    readLater = mapi.mapiReadsLater(level, options.action);
    if (options.action === 'send') return succeed(`Sent through the default mail client (${MODE_LABEL[mode]}).`);
    return succeed(`Handed to the default mail client (${MODE_LABEL[mode]}).`);
  } catch (error) {
    return fail({ code: 'temp-failed', message: `The hand-off files could not be written: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.` });
  } finally {
    if (readLater) scheduleRemoval(folder, options.cleanupDelayMs ?? DEFAULT_CLEANUP_DELAY_MS);
    else removeFolder(folder);
  }
}

/** Opens a Microsoft 365 draft (a Graph message's webLink) in Outlook on the web. */
export async function openWebLink(webLink: string, options: { platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv; open?: Opener } = {}): Promise<OpenResult> {
  let url: URL;
  try {
    url = new URL(webLink);
  } catch {
    return { ok: false, code: 'opener-failed', message: 'The draft link is not a web address.' };
  }
  if (url.protocol !== 'https:' || url.username || url.password) return { ok: false, code: 'opener-failed', message: 'The draft link is not a plain https address.' };
  const open = options.open ?? ((target: string) => openWithDefaultApp(target, { ...(options.platform ? { platform: options.platform } : {}), ...(options.env ? { env: options.env } : {}) }));
  return open(url.href);
}
