// A fresh Mailroom in browser mode for every test: its own data folder, its own server process,
// its own token. Teardown stops the server with SIGTERM, checks it exited cleanly and removes the folder.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test as base, expect } from '@playwright/test';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO_ROOT, 'bin', 'mailroom.cjs');

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

export interface MailroomServer {
  /** The address the CLI printed, token included: http://127.0.0.1:PORT/#token=... */
  url: string;
  /** http://127.0.0.1:PORT */
  origin: string;
  port: number;
  token: string;
  /** The MAILROOM_DATA_DIR of this server. */
  dataDir: string;
  /** Where the server keeps the settings document. */
  settingsFile: string;
  /** The settings file as parsed JSON, or null while none was written. */
  readSettingsFile(): unknown;
  /** Everything the server wrote to stderr so far. */
  stderr(): string;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Waits for the one JSON line `serve --json` prints when it is ready. */
function readUrl(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const failWith = (why: string) => {
      cleanup();
      reject(new Error(`mailroom serve ${why}.\nstdout: ${buffered.trim() || '(nothing)'}\nstderr: ${stderr().trim() || '(nothing)'}`));
    };
    let scanned = 0;
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      // Anything else it prints (an error document, say) is kept for the failure message.
      for (let newline = buffered.indexOf('\n', scanned); newline !== -1; newline = buffered.indexOf('\n', scanned)) {
        const line = buffered.slice(scanned, newline);
        scanned = newline + 1;
        let url: unknown;
        try {
          url = (JSON.parse(line) as { url?: unknown } | null)?.url;
        } catch {
          continue;
        }
        if (typeof url === 'string') {
          cleanup();
          resolve(url);
          return;
        }
      }
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) =>
      failWith(`exited before it was ready (code ${String(code)}, signal ${String(signal)})`);
    const onError = (error: Error) => failWith(`could not be started: ${error.message}`);
    const timer = setTimeout(() => failWith(`printed no URL within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

/**
 * Starts `mailroom serve --json` on a data folder; extraArgs go after it (say, --port N), extraEnv
 * is added to its environment (say, MAILROOM_MS_LOGIN_URL for a test identity provider).
 */
export async function startServer(
  dataDir: string,
  extraArgs: readonly string[] = [],
  extraEnv: Readonly<NodeJS.ProcessEnv> = {},
): Promise<{ server: MailroomServer; stop(): Promise<Exit> }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, MAILROOM_DATA_DIR: dataDir };
  // The built renderer next to the CLI, whatever the calling shell has set.
  delete env.MAILROOM_RENDERER_DIR;
  const child = spawn(process.execPath, [CLI, 'serve', '--json', ...extraArgs], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = exitOf(child);

  let url: string;
  try {
    url = await readUrl(child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw error;
  }
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token');
  if (!token) throw new Error(`mailroom serve printed a URL without a token: ${url}`);
  const settingsFile = path.join(dataDir, 'settings.json');

  const server: MailroomServer = {
    url,
    origin: parsed.origin,
    port: Number(parsed.port),
    token,
    dataDir,
    settingsFile,
    readSettingsFile: () => (fs.existsSync(settingsFile) ? (JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as unknown) : null),
    stderr: () => stderr,
  };

  const stop = async (): Promise<Exit> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
    });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`mailroom serve did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM.\nstderr: ${stderr.trim() || '(nothing)'}`);
    }
    return result;
  };

  return { server, stop };
}

/**
 * A fixture's whole life of a server: a fresh data folder, `mailroom serve` on it (its environment
 * may be worked out from the folder, say to place a CA file there), the test, then a clean exit on
 * SIGTERM checked and the folder removed.
 */
export async function serveWhileUsed(
  use: (server: MailroomServer) => Promise<void>,
  env: Readonly<NodeJS.ProcessEnv> | ((dataDir: string) => Readonly<NodeJS.ProcessEnv>) = {},
): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-e2e-'));
  try {
    const { server, stop } = await startServer(dataDir, [], typeof env === 'function' ? env(dataDir) : env);
    try {
      await use(server);
    } finally {
      const exit = await stop();
      expect(exit, `mailroom serve should exit cleanly on SIGTERM; stderr:\n${server.stderr()}`).toEqual({ code: 0, signal: null });
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export const test = base.extend<{ mailroom: MailroomServer }>({
  // Playwright reads a fixture's dependencies from this pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  mailroom: async ({}, use) => serveWhileUsed(use),
});

export { expect };
