// Opens a file or URL with the OS default handler, without a shell: Windows rundll32
// url.dll,FileProtocolHandler (from System32, never from PATH), macOS `open`, Linux and the BSDs
// `xdg-open` (both found on PATH, so a test can put a recording opener first).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { printable } from './command-runner';

export type OpenResult = { ok: true; detail: string } | { ok: false; code: 'opener-missing' | 'opener-failed'; message: string };
export type Opener = (target: string) => Promise<OpenResult>;

export interface OpenOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  /**
   * How long to wait for the opener to exit. An opener that exits non-zero in that time has failed;
   * one still running then has handed over (some xdg-open back-ends stay until the app closes).
   */
  waitMs?: number;
}

export const DEFAULT_OPEN_WAIT_MS = 5_000;

/** The executable named `name` on the PATH of `env`, or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | null {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const exts = platform === 'win32' ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').filter(Boolean)] : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = p.join(dir, name + ext);
      try {
        const stat = fs.statSync(candidate);
        if (!stat.isFile()) continue;
        if (platform !== 'win32') fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** The program and arguments that open `target`; null when this platform has none. */
export function openerCommand(target: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): { command: string; args: string[] } | { missing: string } {
  if (platform === 'win32') {
    return { command: path.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'rundll32.exe'), args: ['url.dll,FileProtocolHandler', target] };
  }
  const name = platform === 'darwin' ? 'open' : 'xdg-open';
  const found = findOnPath(name, env, platform);
  return found ? { command: found, args: [target] } : { missing: name };
}

export function openWithDefaultApp(target: string, options: OpenOptions = {}): Promise<OpenResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  // Targets are our own absolute paths and encoded URLs; one starting with '-' would be read as an option.
  if (target === '' || target.startsWith('-')) return Promise.resolve({ ok: false, code: 'opener-failed', message: 'Nothing valid to open.' });
  const cmd = openerCommand(target, platform, env);
  if ('missing' in cmd) return Promise.resolve({ ok: false, code: 'opener-missing', message: `No "${cmd.missing}" was found to open the default mail client.` });
  return new Promise((resolve) => {
    let settled = false;
    let stderr = '';
    const state: { timer?: NodeJS.Timeout } = {};
    const finish = (result: OpenResult) => {
      if (settled) return;
      settled = true;
      if (state.timer) clearTimeout(state.timer);
      resolve(result);
    };
    let child: ReturnType<typeof spawn>;
    try {
      // detached: the mail client must outlive us (a CLI run ends right after this).
      child = spawn(cmd.command, cmd.args, { env, stdio: ['ignore', 'ignore', 'pipe'], detached: platform !== 'win32', windowsHide: true, shell: false });
    } catch (error) {
      return finish({ ok: false, code: 'opener-missing', message: `${path.basename(cmd.command)} could not start: ${(error as Error).message}` });
    }
    state.timer = setTimeout(() => {
      child.unref();
      (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
      finish({ ok: true, detail: `Handed to ${path.basename(cmd.command)}.` });
    }, options.waitMs ?? DEFAULT_OPEN_WAIT_MS);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code === 'ENOENT' || error.code === 'EACCES' ? 'opener-missing' : 'opener-failed';
      finish({ ok: false, code, message: `${path.basename(cmd.command)} could not start (${error.code ?? error.message}).` });
    });
    // 'exit', not 'close': a launched app may inherit stderr and hold it open for hours.
    child.on('exit', (code, signal) => {
      if (code === 0) return finish({ ok: true, detail: `Opened with ${path.basename(cmd.command)}.` });
      const why = code !== null ? `exit code ${code}` : `signal ${signal}`;
      if (state.timer) clearTimeout(state.timer);
      // A moment for the last of stderr to arrive.
      setTimeout(() => finish({ ok: false, code: 'opener-failed', message: `${path.basename(cmd.command)} failed (${why})${stderr ? `: ${printable(stderr)}` : ''}.` }), 50);
    });
  });
}
