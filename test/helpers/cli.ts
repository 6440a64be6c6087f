// Runs the mailroom CLI the way IT scripts do: in this process through runCli (fast, the same code
// the binary runs), or as a real process where the binary itself is what is tested.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../main/cli';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = path.join(ROOT, 'bin', 'mailroom.cjs');

/** Builds the Node side once if this test run starts from a tree without dist/. */
export function ensureBuilt(): void {
  if (fs.existsSync(path.join(ROOT, 'dist', 'cli.cjs'))) return;
  const out = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build-node.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`build failed: ${out.stderr}`);
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  dataDir: string;
  /** Standard input, all at once, then end of input. */
  input?: string;
  /** Added to the environment (PATH, TMPDIR, BROWSER, MAILROOM_MS_LOGIN_URL...). */
  env?: Record<string, string>;
  /** Called with all of standard error so far each time more arrives (a device code, say). */
  onStderr?: (stderrSoFar: string) => void;
}

/** A real `node bin/mailroom.cjs …` process with its working folder in the data folder. */
export function mailroomProcess(args: string[], opts: CliRunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.dataDir,
      env: { ...process.env, MAILROOM_DATA_DIR: opts.dataDir, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      opts.onStderr?.(stderr);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

let running = false;

/**
 * The same command through runCli in this process, as bin.ts wires it: the exit code it returns,
 * what it wrote to its stdout and stderr, the data folder as working folder. The environment is
 * given to runCli and, for the code below it that reads process.env (PATH for the OS opener,
 * TMPDIR), laid over process.env for the call and put back after; so calls run one at a time.
 */
export async function mailroom(args: string[], opts: CliRunOptions): Promise<CliRun> {
  if (running) throw new Error('mailroom(): one in-process CLI call at a time (they share process.env)');
  running = true;
  const env: NodeJS.ProcessEnv = { ...process.env, MAILROOM_DATA_DIR: opts.dataDir, ...opts.env };
  const saved = { ...process.env };
  const exitCode = process.exitCode;
  let stdout = '';
  let stderr = '';
  const sink = (onText: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        onText(chunk.toString());
        done();
      },
    });
  try {
    Object.assign(process.env, opts.env ?? {}, { MAILROOM_DATA_DIR: opts.dataDir });
    const code = await runCli(
      args,
      {
        stdout: sink((t) => (stdout += t)),
        stderr: sink((t) => {
          stderr += t;
          opts.onStderr?.(stderr);
        }),
        stdin: Readable.from([Buffer.from(opts.input ?? '')]),
        env,
        cwd: opts.dataDir,
      },
      { version: 'test', rendererDir: path.join(ROOT, 'dist', 'renderer') },
    );
    // runCli returns its code and leaves the process alone; prove it stays that way.
    if (process.exitCode !== exitCode) throw new Error(`runCli set process.exitCode to ${String(process.exitCode)}`);
    return { code, stdout, stderr };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    running = false;
  }
}
