// Runs a helper program (reg.exe, powershell.exe) without a shell; injectable so tests can record argv.
import { execFile } from 'node:child_process';

export interface CommandResult {
  /** Exit code; null when the program could not start or was stopped. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Why it did not start or finish (ENOENT, timed out), when that happened. */
  error?: string;
}

export interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export type CommandRunner = (file: string, args: string[], options?: CommandOptions) => Promise<CommandResult>;

export const runCommand: CommandRunner = (file, args, options = {}) =>
  new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 30_000, windowsHide: true, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8', shell: false },
      (error, stdout, stderr) => {
        if (!error) return resolve({ code: 0, stdout, stderr });
        const err = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
        if (typeof err.code === 'number') return resolve({ code: err.code, stdout, stderr });
        resolve({ code: null, stdout, stderr, error: err.killed ? 'timed out' : String(err.code ?? err.message) });
      },
    );
    // powershell.exe waits on an open stdin before it exits.
    child.stdin?.end();
  });

/** Control characters (terminal escapes included) from another program's output, made visible and harmless. */
export function printable(text: string, max = 500): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\r\n|[\r\n]/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').trim();
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
