// The Electron shell: one window, the app:// protocol, IPC, and nothing else. Every service it
// starts runs in plain Node; this file only passes in the Electron pieces.
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { app, BrowserWindow, dialog, protocol, safeStorage, session, shell } from 'electron';
import { openServices, type Services } from '../services';
import { safeStorageCodec } from '../services/secrets/codecs';
import { resolveDataDir } from '../services/data-dir';
import { createDispatch } from '../api/dispatch';
import { createHandlers } from '../api/handlers';
import { CONTENT_SECURITY_POLICY, contentType, rendererFile } from '../host/static-files';
import { registerChannels } from './ipc-main';
import { forwardEvents } from './ipc-webcontents';
import { createElectronStoreFile } from './electron-store-file';
import { installMenu, isDevToolsShortcut } from './menu';
import { chooseKeychain } from './keychain';
import { APP_HOST, APP_ORIGIN, APP_SCHEME, APP_URL } from './trusted-sender';

declare const MAILROOM_VERSION: string;

const rendererDir = path.join(__dirname, '..', 'renderer');
const preloadFile = path.join(__dirname, '..', 'preload', 'preload.cjs');

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

// MAILROOM_DATA_DIR moves everything, Electron's own files included; otherwise this is userData as usual.
const dataDir = resolveDataDir({ env: process.env, platform: process.platform, homedir: os.homedir() });
app.setPath('userData', dataDir);
app.enableSandbox();

let mainWindow: BrowserWindow | null = null;
const trustedIds = new Set<number>();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) mainWindow.restore();
      mainWindow.focus();
    }
  });
  void app.whenReady().then(start);
  app.on('window-all-closed', () => app.quit());
}

async function start(): Promise<void> {
  // The OS keychain where there is a real one; otherwise the owner-only key file, as in browser mode.
  const keychain = chooseKeychain({
    platform: process.platform,
    encryptionAvailable: safeStorage.isEncryptionAvailable(),
    ...(process.platform === 'linux' ? { linuxBackend: safeStorage.getSelectedStorageBackend() } : {}),
  });
  let services: Services;
  try {
    const opened = await openServices({
      dataDir,
      shell: 'electron',
      version: MAILROOM_VERSION,
      createFile: createElectronStoreFile,
      secretCodecs: keychain.use === 'keychain' ? [safeStorageCodec(safeStorage)] : [],
      openPath: (folder) => shell.openPath(folder),
      // Sign-in always happens in the user's own browser, never in a window of this app.
      openUrl: (url) =>
        /^https:\/\//.test(url)
          ? shell.openExternal(url).then(
              () => '',
              (error: Error) => error.message,
            )
          : Promise.resolve('not an https address'),
    });
    if (!opened.ok) throw new Error(opened.error.message);
    services = opened.value;
  } catch (error) {
    // Settings it cannot read (another account's, or locked by another program): say so and stop,
    // rather than start on defaults that would make whoever runs it an administrator.
    dialog.showErrorBox('Mailroom cannot start', error instanceof Error ? error.message : String(error));
    app.exit(1);
    return;
  }
  // In office mode the office's sender services send; this computer only queues.
  if (!services.office) services.outbox.start();
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping) return;
    // Let messages in flight finish being recorded before the process goes.
    stopping = true;
    event.preventDefault();
    services.oauth.close();
    services.live.close();
    void Promise.all([services.outbox.stop(), services.office?.close()]).finally(() => app.quit());
  });
  // Changes the window should show at once (the outbox, settings saved by the CLI, notices).
  forwardEvents((listener) => services.live.subscribe(listener), () => mainWindow?.webContents ?? null, trustedIds);
  registerChannels(createDispatch(createHandlers(services), { onInternalError: (channel, error) => console.error(`internal error on ${channel}:`, error) }), trustedIds);

  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? rendererFile(rendererDir, url.pathname) : null;
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const data = await fs.promises.readFile(file);
      return new Response(data, {
        headers: { 'Content-Type': contentType(file), 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });

  // Mailroom needs no camera, microphone, notifications or anything else a page may ask for.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);

  installMenu(process.platform, app.isPackaged);
  createWindow();
}

function createWindow(): void {
  const win = new BrowserWindow({
    width: 980,
    height: 760,
    minWidth: 720,
    minHeight: 560,
    title: 'Email settings — Mailroom',
    show: false,
    webPreferences: {
      preload: preloadFile,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
      devTools: !app.isPackaged,
    },
  });
  mainWindow = win;
  const id = win.webContents.id;
  trustedIds.add(id);
  win.on('closed', () => {
    trustedIds.delete(id);
    mainWindow = null;
  });
  win.once('ready-to-show', () => win.show());

  // No navigation away from the app and no new windows; web links open in the system browser.
  win.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(APP_ORIGIN + '/')) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  // A packaged build has no developer tools; their shortcuts do nothing rather than reach the page.
  if (app.isPackaged) {
    win.webContents.on('before-input-event', (event, input) => {
      if (isDevToolsShortcut(input)) event.preventDefault();
    });
  }
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The renderer asks before leaving with unsaved changes (beforeunload); Electron needs us to ask the user.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Leave without saving', 'Stay'],
      defaultId: 1,
      cancelId: 1,
      title: 'Unsaved changes',
      message: 'You have unsaved changes.',
      detail: 'If you leave now, the changes you made are lost.',
    });
    if (choice === 0) event.preventDefault();
  });

  void win.loadURL(APP_URL);
}
