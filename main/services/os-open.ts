// The one way Mailroom asks the operating system to open something: a folder in the file manager,
// a file with its default program, a web address in the browser. No shell is involved. Windows runs
// rundll32 url.dll,FileProtocolHandler from %SystemRoot%\System32 by its absolute path, never from
// PATH; macOS `open` and Linux and the BSDs `xdg-open` are found on PATH (so a test can put a
// recording opener first). Electron passes its own shell.openPath/openExternal instead.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fail, ok, type Result } from '../../preload/contract';

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

/** Opens something; the value says how it went ("Opened with xdg-open."). */
export type SystemOpener = (target: string) => Promise<Result<string>>;

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

/** %SystemRoot%\System32\<program>, by its absolute path. */
export function system32(program: string, env: NodeJS.ProcessEnv = process.env): string {
  return path.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', program);
}

/** The program and arguments that open `target`; or the name of the opener this platform lacks. */
export function openerCommand(target: string, platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): { command: string; args: string[] } | { missing: string } {
  if (platform === 'win32') return { command: system32('rundll32.exe', env), args: ['url.dll,FileProtocolHandler', target] };
  const name = platform === 'darwin' ? 'open' : 'xdg-open';
  const found = findOnPath(name, env, platform);
  return found ? { command: found, args: [target] } : { missing: name };
}

/** Opens a file, folder or URL with the platform's default handler. */
export function openWithSystem(target: string, options: OpenOptions = {}): Promise<Result<string>> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  // Targets are our own absolute paths and encoded URLs; one starting with '-' would be read as an option.
  if (target === '' || target.startsWith('-')) return Promise.resolve(fail('invalid-input', 'Nothing valid to open.'));
  const cmd = openerCommand(target, platform, env);
  if ('missing' in cmd) return Promise.resolve(fail('unavailable', `No "${cmd.missing}" was found to open it with; install xdg-utils or open it yourself.`));
  return run(cmd.command, cmd.args, { platform, env, waitMs: options.waitMs ?? DEFAULT_OPEN_WAIT_MS });
}

/**
 * A web address in the system browser: $BROWSER when set (its "%s" replaced by the address, else
 * the address appended), otherwise the platform's opener. Only http and https addresses.
 */
export function openUrlWithSystem(url: string, options: OpenOptions = {}): Promise<Result<string>> {
  if (!/^https?:\/\//i.test(url)) return Promise.resolve(fail('invalid-input', 'Not a web address.'));
  const env = options.env ?? process.env;
  const browser = env.BROWSER?.trim();
  if (!browser) return openWithSystem(url, options);
  const [command, ...rest] = browser.split(/\s+/) as [string, ...string[]];
  const args = rest.some((a) => a.includes('%s')) ? rest.map((a) => a.replace('%s', url)) : [...rest, url];
  return run(command, args, { platform: options.platform ?? process.platform, env, waitMs: options.waitMs ?? DEFAULT_OPEN_WAIT_MS });
}

/**
 * Wraps an opener so that it is only ever handed an existing folder, by its resolved path: never a
 * file (which the OS would open, or run), nor a path that leads nowhere. A UNC path on Windows
 * passes the same test or is refused the same way.
 */
export function openFolderOnly(opener: SystemOpener): SystemOpener {
  return async (folder) => {
    // Refusals are 'io-error' like any other folder that cannot be opened: the path is the problem.
    if (!path.isAbsolute(folder)) return fail('io-error', 'use the full path of a folder');
    let real: string;
    try {
      real = await fs.promises.realpath(path.resolve(folder));
      if (!(await fs.promises.stat(real)).isDirectory()) return fail('io-error', 'that is a file, not a folder; only a folder can be opened');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return fail('io-error', code === 'ENOENT' ? 'there is no folder there; check the path' : (code ?? (error as Error).message));
    }
    return opener(real);
  };
}

/** A shell's own opener (Electron's shell.openPath: '' on success, else the error), as a SystemOpener. */
export function fromShellOpener(open: (target: string) => Promise<string>): SystemOpener {
  return async (target) => {
    const problem = await open(target).catch((error: Error) => error.message);
    return problem ? fail('io-error', problem) : ok('Opened.');
  };
}

function run(command: string, args: string[], options: Required<OpenOptions>): Promise<Result<string>> {
  const name = path.basename(command);
  return new Promise((resolve) => {
    let settled = false;
    let stderr = '';
    const state: { timer?: NodeJS.Timeout } = {};
    const finish = (result: Result<string>) => {
      if (settled) return;
      settled = true;
      if (state.timer) clearTimeout(state.timer);
      resolve(result);
    };
    let child: ReturnType<typeof spawn>;
    try {
      // detached: what it opens must outlive us (a CLI run ends right after this).
      child = spawn(command, args, { env: options.env, stdio: ['ignore', 'ignore', 'pipe'], detached: options.platform !== 'win32', windowsHide: true, shell: false });
    } catch (error) {
      return finish(fail('unavailable', `${name} could not start: ${(error as Error).message}`));
    }
    state.timer = setTimeout(() => {
      child.unref();
      (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
      finish(ok(`Handed to ${name}.`));
    }, options.waitMs);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code === 'ENOENT' || error.code === 'EACCES' ? 'unavailable' : 'io-error';
      finish(fail(code, `${name} could not start (${error.code ?? error.message}).`));
    });
    // 'exit', not 'close': a launched app may inherit stderr and hold it open for hours.
    child.on('exit', (code, signal) => {
      if (code === 0) return finish(ok(`Opened with ${name}.`));
      const why = code !== null ? `exit code ${code}` : `signal ${signal}`;
      if (state.timer) clearTimeout(state.timer);
      // A moment for the last of stderr to arrive.
      setTimeout(() => finish(fail('io-error', `${name} failed (${why})${stderr ? `: ${printable(stderr)}` : ''}.`)), 50);
    });
  });
}

/** Program output made safe to show on one line: control characters replaced, at most 500 characters. */
function printable(text: string, max = 500): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\r\n|[\r\n]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
