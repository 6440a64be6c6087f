// The Electron shell's own decisions, with electron itself replaced: the keychain only where it
// really protects secrets, no developer tools in a packaged build, and a clean stop when the
// settings cannot be read. main.ts runs for real against the fake; only the runtime is missing.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/temp-dir';

type Listener = (...args: unknown[]) => unknown;

const state = vi.hoisted(() => ({
  packaged: false,
  encryptionAvailable: true,
  backend: 'gnome_libsecret',
  userData: '',
  windows: [] as { options: Record<string, unknown>; webContents: Record<string, Listener[]> }[],
  menus: [] as unknown[],
  appListeners: {} as Record<string, Listener[]>,
  handlers: new Map<string, Listener>(),
  errorBoxes: [] as [string, string][],
  exitCodes: [] as number[],
  keychainCalls: 0,
  quits: 0,
}));

vi.mock('electron', () => {
  const on = (map: Record<string, Listener[]>) => (event: string, listener: Listener) => {
    (map[event] ??= []).push(listener);
  };
  class BrowserWindow {
    readonly webContents: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      const listeners: Record<string, Listener[]> = {};
      state.windows.push({ options, webContents: listeners });
      this.webContents = { id: 1, on: on(listeners), setWindowOpenHandler: () => undefined };
    }
    on() {}
    once() {}
    show() {}
    loadURL() {
      return Promise.resolve();
    }
  }
  const electron = {
    app: {
      get isPackaged() {
        return state.packaged;
      },
      getPath: () => state.userData,
      setPath: (_name: string, value: string) => {
        state.userData = value;
      },
      getVersion: () => '0.0.0',
      getName: () => 'Mailroom',
      enableSandbox: () => undefined,
      requestSingleInstanceLock: () => true,
      on: on(state.appListeners),
      whenReady: () => Promise.resolve(),
      quit: () => {
        state.quits++;
      },
      exit: (code: number) => state.exitCodes.push(code),
    },
    BrowserWindow,
    Menu: {
      buildFromTemplate: (template: unknown) => {
        state.menus.push(template);
        return template;
      },
      setApplicationMenu: () => undefined,
    },
    dialog: {
      showErrorBox: (title: string, message: string) => state.errorBoxes.push([title, message]),
      showMessageBoxSync: () => 1,
    },
    protocol: { registerSchemesAsPrivileged: () => undefined, handle: () => undefined },
    session: { defaultSession: { setPermissionRequestHandler: () => undefined, setPermissionCheckHandler: () => undefined } },
    shell: { openPath: () => Promise.resolve(''), openExternal: () => Promise.resolve() },
    ipcMain: {
      on: () => undefined,
      handle: (channel: string, listener: Listener) => state.handlers.set(channel, listener),
      removeHandler: (channel: string) => state.handlers.delete(channel),
    },
    safeStorage: {
      isEncryptionAvailable: () => state.encryptionAvailable,
      getSelectedStorageBackend: () => state.backend,
      encryptString: (plain: string) => {
        state.keychainCalls++;
        return Buffer.from(`keychain:${plain}`);
      },
      decryptString: (data: Buffer) => data.toString().slice('keychain:'.length),
    },
  };
  return { ...electron, default: electron };
});

const { chooseKeychain } = await import('../../../main/electron/keychain');
const { isDevToolsShortcut, menuTemplate } = await import('../../../main/electron/menu');
const { APP_URL } = await import('../../../main/electron/trusted-sender');
const { IPC_PREFIX, defaultSettings, newProfile } = await import('../../../preload/contract');

(globalThis as { MAILROOM_VERSION?: string }).MAILROOM_VERSION = 'test';

let work: ReturnType<typeof tempDir>;
const savedDataDir = process.env.MAILROOM_DATA_DIR;

beforeEach(() => {
  work = tempDir('electron-main-');
  Object.assign(state, { packaged: false, encryptionAvailable: true, backend: 'gnome_libsecret', userData: '', windows: [], menus: [], appListeners: {}, errorBoxes: [], exitCodes: [], keychainCalls: 0, quits: 0 });
  state.handlers.clear();
});
afterEach(async () => {
  // Stop the outbox the shell started, as quitting the app would.
  const quitting = state.appListeners['before-quit'] ?? [];
  for (const listener of quitting) listener({ preventDefault: () => undefined });
  for (let i = 0; i < 500 && quitting.length > 0 && state.quits === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (savedDataDir === undefined) delete process.env.MAILROOM_DATA_DIR;
  else process.env.MAILROOM_DATA_DIR = savedDataDir;
  work.cleanup();
});

/** Runs main.ts as Electron would, up to the window (or the error box). */
async function startShell(dataDir = path.join(work.dir, 'data')): Promise<void> {
  process.env.MAILROOM_DATA_DIR = dataDir;
  vi.resetModules();
  await import('../../../main/electron/main');
  for (let i = 0; i < 100 && state.windows.length === 0 && state.errorBoxes.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

function invoke(channel: string, input: unknown): Promise<unknown> {
  const handler = state.handlers.get(IPC_PREFIX + channel)!;
  return Promise.resolve(handler({ sender: { id: 1 }, senderFrame: { url: APP_URL, parent: null } }, input));
}

async function savePassword(): Promise<string> {
  const settings = defaultSettings();
  settings.general.organisationName = 'Acme';
  settings.general.alertFrom = 'alerts@acme.example';
  settings.smtp.profiles = [{ ...newProfile('p1', 'Office'), host: 'smtp.acme.example', username: 'u', fromAddress: 'a@acme.example' }];
  expect(await invoke('settings:save', settings)).toMatchObject({ ok: true });
  expect(await invoke('secrets:set-profile-password', { profileId: 'p1', password: 'pw' })).toMatchObject({ ok: true });
  const secrets = JSON.parse(fs.readFileSync(path.join(work.dir, 'data', 'secrets.json'), 'utf8')) as { entries: Record<string, string> };
  return secrets.entries['smtp-password:p1']!;
}

describe('the keychain decision', () => {
  it('uses the keychain only when encryption is available and, on Linux, a real keyring backs it', () => {
    expect(chooseKeychain({ platform: 'win32', encryptionAvailable: true })).toEqual({ use: 'keychain' });
    expect(chooseKeychain({ platform: 'darwin', encryptionAvailable: true })).toEqual({ use: 'keychain' });
    expect(chooseKeychain({ platform: 'win32', encryptionAvailable: false })).toMatchObject({ use: 'key-file' });
    for (const backend of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) {
      expect(chooseKeychain({ platform: 'linux', encryptionAvailable: true, linuxBackend: backend })).toEqual({ use: 'keychain' });
    }
    for (const backend of ['basic_text', 'unknown', undefined]) {
      expect(chooseKeychain({ platform: 'linux', encryptionAvailable: true, ...(backend ? { linuxBackend: backend } : {}) })).toMatchObject({ use: 'key-file', reason: expect.stringContaining('no keyring') });
    }
    expect(chooseKeychain({ platform: 'linux', encryptionAvailable: false, linuxBackend: 'gnome_libsecret' })).toMatchObject({ use: 'key-file' });
  });

  it.skipIf(process.platform !== 'linux')("keeps passwords out of Electron's built-in key when Linux has no keyring", async () => {
    state.backend = 'basic_text';
    await startShell();
    expect(await savePassword()).toMatch(/^aes256gcm:/);
    expect(state.keychainCalls).toBe(0);
  });

  it.skipIf(process.platform !== 'linux')('uses the keyring when there is one', async () => {
    state.backend = 'gnome_libsecret';
    await startShell();
    expect(await savePassword()).toMatch(/^safestorage:/);
    expect(state.keychainCalls).toBe(1);
  });
});

describe('developer tools', () => {
  const key = (k: string, mods: Partial<Record<'control' | 'meta' | 'alt' | 'shift', boolean>> = {}) => ({
    type: 'keyDown' as const,
    key: k,
    control: false,
    meta: false,
    alt: false,
    shift: false,
    ...mods,
  });

  it('knows the shortcuts that open them, and nothing else', () => {
    expect(isDevToolsShortcut(key('F12'))).toBe(true);
    expect(isDevToolsShortcut(key('I', { control: true, shift: true }))).toBe(true);
    expect(isDevToolsShortcut(key('j', { control: true, shift: true }))).toBe(true);
    expect(isDevToolsShortcut(key('i', { meta: true, alt: true }))).toBe(true);
    expect(isDevToolsShortcut(key('c', { control: true }))).toBe(false);
    expect(isDevToolsShortcut(key('i', { control: true }))).toBe(false);
    expect(isDevToolsShortcut({ ...key('F12'), type: 'keyUp' })).toBe(false);
  });

  it('are off in a packaged build: the window cannot open them, their keys are swallowed, the menu has no entry', async () => {
    state.packaged = true;
    await startShell();
    const [win] = state.windows;
    expect((win!.options.webPreferences as Record<string, unknown>).devTools).toBe(false);
    const [onInput] = win!.webContents['before-input-event'] ?? [];
    expect(onInput).toBeDefined();
    let prevented = 0;
    const event = { preventDefault: () => prevented++ };
    onInput!(event, key('F12'));
    onInput!(event, key('I', { control: true, shift: true }));
    onInput!(event, key('a', { control: true }));
    expect(prevented).toBe(2);
    const menu = JSON.stringify(state.menus.at(-1));
    expect(menu).not.toMatch(/toggleDevTools|viewMenu|reload/i);
    expect(menu).toContain('zoomIn');
  });

  it('are there while developing', async () => {
    state.packaged = false;
    await startShell();
    const [win] = state.windows;
    expect((win!.options.webPreferences as Record<string, unknown>).devTools).toBe(true);
    expect(win!.webContents['before-input-event']).toBeUndefined();
    expect(JSON.stringify(menuTemplate('linux', false))).toContain('viewMenu');
  });
});

describe('starting with data it cannot read', () => {
  it('shows why and quits, opening no window', async () => {
    const blocker = path.join(work.dir, 'a-file');
    fs.writeFileSync(blocker, '');
    await startShell(path.join(blocker, 'data'));
    expect(state.errorBoxes).toEqual([['Mailroom cannot start', expect.stringContaining(`Mailroom cannot create its data folder ${path.join(blocker, 'data')}`)]]);
    expect(state.exitCodes).toEqual([1]);
    expect(state.windows).toEqual([]);
    expect(state.handlers.size).toBe(0);
  });
});
