// `Mailroom --cli …`: the installed app answering the command line. Which starts are command line
// calls (cliArguments), how one ends (answerCommandLine), and main.ts run for real against a fake
// electron: runCli's output on stdout, its exit code through app.exit, no window, no lock.
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/temp-dir';

const state = vi.hoisted(() => ({
  exitCodes: [] as number[],
  lockRequests: 0,
  lockGranted: true,
  quits: 0,
  dockHidden: 0,
  hardwareAccelerationOff: 0,
  windows: 0,
  errorBoxes: [] as [string, string][],
}));

vi.mock('electron', () => {
  const electron = {
    app: {
      isPackaged: true,
      getPath: () => '',
      setPath: () => undefined,
      enableSandbox: () => undefined,
      requestSingleInstanceLock: () => {
        state.lockRequests++;
        return state.lockGranted;
      },
      on: () => undefined,
      once: () => undefined,
      whenReady: () => Promise.resolve(),
      quit: () => {
        state.quits++;
      },
      exit: (code: number) => state.exitCodes.push(code),
      disableHardwareAcceleration: () => {
        state.hardwareAccelerationOff++;
      },
      dock: {
        hide: () => {
          state.dockHidden++;
        },
      },
    },
    BrowserWindow: class {
      constructor() {
        state.windows++;
      }
    },
    dialog: { showErrorBox: (title: string, message: string) => state.errorBoxes.push([title, message]) },
    protocol: { registerSchemesAsPrivileged: () => undefined, handle: () => undefined },
    session: { defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined } },
    shell: { openPath: () => Promise.resolve(''), openExternal: () => Promise.resolve() },
    ipcMain: { on: () => undefined, handle: () => undefined, removeHandler: () => undefined },
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (plain: string) => Buffer.from(`keychain:${plain}`),
      decryptString: (data: Buffer) => data.toString().slice('keychain:'.length),
    },
    Menu: { buildFromTemplate: () => ({}), setApplicationMenu: () => undefined },
  };
  return { ...electron, default: electron };
});

const { CLI_SWITCH, answerCommandLine, cliArguments } = await import('../../../main/electron/cli-mode');
const { PolicyView } = await import('../../../preload/contract');

(globalThis as { MAILROOM_VERSION?: string }).MAILROOM_VERSION = '9.8.7-test';

describe('which starts are command line calls', () => {
  const packaged = { defaultApp: false };

  it('takes everything after --cli when it is the first of the app’s arguments', () => {
    expect(CLI_SWITCH).toBe('--cli');
    expect(cliArguments(['C:\\Program Files\\Mailroom\\Mailroom.exe', '--cli', 'policy', 'show', '--json'], packaged)).toEqual(['policy', 'show', '--json']);
    expect(cliArguments(['/Applications/Mailroom.app/Contents/MacOS/Mailroom', '--cli', '--version'], packaged)).toEqual(['--version']);
    // Nothing after it: runCli's own answer to no command (its help, exit 2).
    expect(cliArguments(['mailroom', '--cli'], packaged)).toEqual([]);
    // As typed, --cli again included: the command line decides what it means.
    expect(cliArguments(['mailroom', '--cli', 'settings', 'set', 'general.organisationName', '--cli'], packaged)).toEqual(['settings', 'set', 'general.organisationName', '--cli']);
  });

  it('lets the switches Chromium reads for itself come first', () => {
    expect(cliArguments(['mailroom', '--no-sandbox', '--cli', 'whoami'], packaged)).toEqual(['whoami']);
    expect(cliArguments(['Mailroom', '-psn_0_12345', '--cli', 'whoami'], packaged)).toEqual(['whoami']);
  });

  it('starts the dialog otherwise, --cli further on included', () => {
    expect(cliArguments(['Mailroom.exe'], packaged)).toBeNull();
    expect(cliArguments(['Mailroom.exe', '--remote-debugging-port=0'], packaged)).toBeNull();
    expect(cliArguments(['Mailroom.exe', 'C:\\some file', '--cli', 'whoami'], packaged)).toBeNull();
    expect(cliArguments(['Mailroom.exe', '--', '--cli', 'whoami'], packaged)).toBeNull();
    expect(cliArguments(['Mailroom.exe', '--cli=whoami'], packaged)).toBeNull();
    expect(cliArguments(['Mailroom.exe', '--CLI', 'whoami'], packaged)).toBeNull();
  });

  it('skips the app’s path when started as `electron path/to/app`', () => {
    const dev = { defaultApp: true };
    expect(cliArguments(['/x/electron', '/work/app', '--cli', 'policy', 'show'], dev)).toEqual(['policy', 'show']);
    expect(cliArguments(['/x/electron', '--no-sandbox', '.', '--cli', '--version'], dev)).toEqual(['--version']);
    expect(cliArguments(['/x/electron', '.'], dev)).toBeNull();
    expect(cliArguments(['/x/electron'], dev)).toBeNull();
    // Without the app path, --cli would be read as it: the app's own arguments start after it.
    expect(cliArguments(['/x/electron', '--cli', 'whoami'], dev)).toBeNull();
  });
});

/** A stream that hands each write on only after `delayMs`, as a pipe to a slow reader does. */
function slowStream(delayMs: number): Writable & { text: string; events: string[] } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        stream.text += chunk.toString();
        stream.events.push(`wrote ${JSON.stringify(chunk.toString())}`);
        callback();
      }, delayMs);
    },
  }) as Writable & { text: string; events: string[] };
  stream.text = '';
  stream.events = [];
  return stream;
}

describe('how a command line call ends', () => {
  it('exits with the command’s code once everything written has been handed on', async () => {
    const stdout = slowStream(20);
    const stderr = slowStream(5);
    const exits: number[] = [];
    await answerCommandLine(
      async () => {
        stdout.write('{"ok": true}\n');
        stderr.write('warning: something\n');
        return 3;
      },
      { stdout, stderr, ready: () => Promise.resolve(), exit: (code) => (exits.push(code), stdout.events.push(`exit ${code}`)) },
    );
    expect(exits).toEqual([3]);
    expect(stdout.text).toBe('{"ok": true}\n');
    expect(stderr.text).toBe('warning: something\n');
    expect(stdout.events.at(-1)).toBe('exit 3');
  });

  it('waits for the app to be ready before exiting', async () => {
    const order: string[] = [];
    let ready!: () => void;
    const done = answerCommandLine(async () => 0, {
      stdout: slowStream(0),
      stderr: slowStream(0),
      ready: () => new Promise<void>((resolve) => (ready = () => (order.push('ready'), resolve()))),
      exit: (code) => order.push(`exit ${code}`),
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    ready();
    await done;
    expect(order).toEqual(['ready', 'exit 0']);
  });

  it('says an unexpected error on stderr and exits 1, as the mailroom command does', async () => {
    const stdout = slowStream(0);
    const stderr = slowStream(0);
    const exits: number[] = [];
    await answerCommandLine(() => Promise.reject(new Error('the disk went away')), { stdout, stderr, ready: () => Promise.resolve(), exit: (code) => exits.push(code) });
    expect(exits).toEqual([1]);
    expect(stderr.text).toBe('error: the disk went away\n');
    expect(stdout.text).toBe('');
  });

  it('takes a reader that stops early as the end, not a failure, and exits once only', async () => {
    const stdout = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const stderr = slowStream(0);
    const exits: number[] = [];
    await answerCommandLine(
      async () => {
        stdout.write('line 1\n');
        await new Promise((resolve) => setTimeout(resolve, 10));
        return 0;
      },
      { stdout, stderr, ready: () => Promise.resolve(), exit: (code) => exits.push(code) },
    );
    expect(exits).toEqual([0]);
  });
});

describe('main.ts started with --cli', () => {
  let work: ReturnType<typeof tempDir>;
  let stdout = '';
  let stderr = '';
  const saved = { argv: process.argv, env: { ...process.env } };
  let listenersBefore: NodeJS.UncaughtExceptionListener[] = [];

  beforeEach(() => {
    work = tempDir('electron-cli-');
    Object.assign(state, { exitCodes: [], lockRequests: 0, lockGranted: true, quits: 0, dockHidden: 0, hardwareAccelerationOff: 0, windows: 0, errorBoxes: [] });
    stdout = '';
    stderr = '';
    listenersBefore = process.listeners('uncaughtException');
    for (const [stream, append] of [
      [process.stdout, (s: string) => (stdout += s)],
      [process.stderr, (s: string) => (stderr += s)],
    ] as const) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
        append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        if (callback) setImmediate(callback);
        return true;
      });
    }
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const listener of process.listeners('uncaughtException')) if (!listenersBefore.includes(listener)) process.off('uncaughtException', listener);
    process.argv = saved.argv;
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
    work.cleanup();
  });

  /** Loads main.ts as the packaged app would start with `args`, and waits for it to exit. */
  async function startWith(args: string[]): Promise<number | undefined> {
    process.argv = ['/opt/Mailroom/mailroom', ...args];
    process.env.MAILROOM_DATA_DIR = path.join(work.dir, 'data');
    process.env.MAILROOM_POLICY_FILE = path.join(work.dir, 'policy.json');
    vi.resetModules();
    await import('../../../main/electron/main');
    for (let i = 0; i < 500 && state.exitCodes.length === 0 && state.quits === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return state.exitCodes[0];
  }

  it('prints the version and exits 0, with no window, no single-instance lock and no Dock icon', async () => {
    expect(await startWith(['--cli', '--version'])).toBe(0);
    expect(stdout).toBe('9.8.7-test\n');
    expect(state.exitCodes).toEqual([0]);
    expect(state.lockRequests).toBe(0);
    expect(state.windows).toBe(0);
    expect(state.dockHidden).toBe(1);
    expect(state.hardwareAccelerationOff).toBe(1);
    expect(state.errorBoxes).toEqual([]);
  });

  it('answers policy show --json with one JSON document on stdout', async () => {
    fs.writeFileSync(path.join(work.dir, 'policy.json'), JSON.stringify({ general: { organisationName: 'Example Ltd' } }));
    expect(await startWith(['--cli', 'policy', 'show', '--json'])).toBe(0);
    const view = PolicyView.parse(JSON.parse(stdout));
    expect(view.entries).toContainEqual({ path: 'general.organisationName', value: 'Example Ltd', source: path.join(work.dir, 'policy.json') });
    expect(state.windows).toBe(0);
  });

  it('says what is wrong with a bad command on stderr, and exits 2', async () => {
    expect(await startWith(['--cli', 'polcy', 'show'])).toBe(2);
    expect(stderr).toMatch(/^error: Unknown command "polcy"/);
    expect(stdout).toBe('');
  });

  it('keeps --json output one document when the command fails', async () => {
    expect(await startWith(['--cli', 'settings', 'get', 'general.nothing', '--json'])).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: { code: expect.any(String) } });
    expect(stderr).not.toBe('');
  });

  it('keeps secrets where the mailroom command keeps them: the key file, not the keychain', async () => {
    expect(await startWith(['--cli', 'settings', 'set', 'general.organisationName', 'Acme'])).toBe(0);
    state.exitCodes = [];
    vi.spyOn(process, 'stdin', 'get').mockReturnValue(Readable.from(['s3cret\n']) as unknown as typeof process.stdin);
    const profile = ['profile', 'set', 'Office', '--host', 'smtp.acme.example', '--username', 'u', '--from-address', 'a@acme.example', '--password-stdin'];
    expect(await startWith(['--cli', ...profile]), stderr).toBe(0);
    const secrets = JSON.parse(fs.readFileSync(path.join(work.dir, 'data', 'secrets.json'), 'utf8')) as { entries: Record<string, string> };
    const saved = Object.values(secrets.entries);
    expect(saved).toHaveLength(1);
    // Sealed with the owner-only key file, as dist/cli.cjs seals it: the fake keychain would say "keychain:".
    expect(saved[0]).toMatch(/^aes256gcm:/);
    expect(saved[0]).not.toContain('s3cret');
    expect(fs.existsSync(path.join(work.dir, 'data', 'keys', 'secrets.key'))).toBe(true);
  });

  it('starts the dialog, taking the lock, without --cli', async () => {
    state.lockGranted = false;
    await startWith(['policy', 'show']);
    expect(state.lockRequests).toBe(1);
    expect(state.quits).toBe(1);
    expect(state.dockHidden).toBe(0);
    expect(stdout).toBe('');
  });
});
