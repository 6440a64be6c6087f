// Starts a packaged Mailroom the way a user's double-click does, plus Chromium's remote debugging on a
// free port, and connects Playwright to its window over CDP.
//
// Not Playwright's _electron.launch: it drives the main process through the Node inspector
// (--inspect), which the shipped app refuses (the EnableNodeCliInspectArguments fuse), so it would
// only work on a binary with weaker fuses than the one users get.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from '@playwright/test';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The unpacked app `npm run dist` leaves in release/ for this machine, or MAILROOM_PACKAGED_APP:
 * the executable on Windows and Linux, the .app's executable on macOS.
 */
export function packagedExecutable(env: NodeJS.ProcessEnv = process.env, platform = process.platform, arch = process.arch): string {
  if (env.MAILROOM_PACKAGED_APP) return path.resolve(env.MAILROOM_PACKAGED_APP);
  const release = path.join(ROOT, 'release');
  const suffix = arch === 'x64' ? '' : `-${arch}`;
  switch (platform) {
    case 'win32':
      return path.join(release, `win${suffix}-unpacked`, 'Mailroom.exe');
    case 'darwin':
      return path.join(release, `mac${suffix}`, 'Mailroom.app', 'Contents', 'MacOS', 'Mailroom');
    default:
      return path.join(release, `linux${suffix}-unpacked`, 'mailroom');
  }
}

export interface Started {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** The DevTools WebSocket address once the app listens, or null if it exited first. */
  devtools: Promise<string | null>;
  /** Ends the app and waits for it to go. */
  stop(): Promise<void>;
}

/** Starts `executable` with its own data folder and remote debugging on a port the OS chooses. */
export function startPackaged(executable: string, options: { dataDir: string; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Started {
  const args = ['--remote-debugging-port=0', ...(process.platform === 'linux' ? ['--no-sandbox'] : []), ...(options.args ?? [])];
  const child = spawn(executable, args, {
    env: { ...process.env, MAILROOM_DATA_DIR: options.dataDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      output += `\n[spawn failed: ${error.message}]`;
      exited = true;
      resolve();
    });
  });

  const devtools = new Promise<string | null>((resolve) => {
    const deadline = setTimeout(() => finish(null), options.timeoutMs ?? 60_000);
    // Chromium prints the address on stderr; it also writes DevToolsActivePort into the data folder,
    // which is read too in case the platform does not hand the app's stderr through.
    const portFile = path.join(options.dataDir, 'DevToolsActivePort');
    const poll = setInterval(() => {
      try {
        const [port, wsPath] = fs.readFileSync(portFile, 'utf8').split('\n');
        if (port && wsPath) finish(`ws://127.0.0.1:${port.trim()}${wsPath.trim()}`);
      } catch {
        // Not written yet.
      }
    }, 250);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /DevTools listening on (ws:\/\/\S+)/.exec(output);
      if (match?.[1]) finish(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exit.then(() => finish(null));
    function finish(address: string | null) {
      clearTimeout(deadline);
      clearInterval(poll);
      resolve(address);
    }
  });

  return {
    child,
    output: () => output,
    devtools,
    async stop() {
      if (exited) return;
      child.kill();
      const killed = await Promise.race([exit.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 15_000))]);
      if (!killed) {
        child.kill('SIGKILL');
        await exit;
      }
    },
  };
}

/** Starts the app and connects to it; throws with the app's output when it does not come up. */
export async function launchPackaged(executable: string, options: Parameters<typeof startPackaged>[1]): Promise<Started & { browser: Browser }> {
  const started = startPackaged(executable, options);
  const address = await started.devtools;
  if (!address) {
    await started.stop();
    throw new Error(`${executable} did not start a DevTools endpoint (exit ${String(started.child.exitCode)}):\n${started.output()}`);
  }
  const browser = await chromium.connectOverCDP(address);
  return {
    ...started,
    browser,
    async stop() {
      await browser.close().catch(() => undefined);
      await started.stop();
    },
  };
}

export interface Answer {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the packaged app as IT runs it from a script, `executable --cli ARGS…`, with pipes for its
 * output, and waits for it to exit. With `script`, runs that file instead (mailroom.cmd on Windows,
 * through cmd.exe as a script runs it), which adds --cli itself.
 */
export function runPackagedCli(executable: string, args: string[], options: { dataDir: string; env?: NodeJS.ProcessEnv; script?: string; timeoutMs?: number }): Promise<Answer> {
  const spawnOptions: SpawnOptions = { env: { ...process.env, MAILROOM_DATA_DIR: options.dataDir, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] };
  // Chromium's own switches go before --cli; on Linux the sandbox helper is not set up in release/.
  const child = options.script
    ? spawn([options.script, ...args].map((a) => `"${a}"`).join(' '), { ...spawnOptions, shell: true })
    : spawn(executable, [...(process.platform === 'linux' ? ['--no-sandbox'] : []), '--cli', ...args], spawnOptions);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill();
      reject(new Error(`${options.script ?? executable} ${args.join(' ')} did not exit within ${options.timeoutMs ?? 60_000} ms:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(deadline);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}
