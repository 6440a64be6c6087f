// The Electron shell: one window, the app:// protocol, IPC, and nothing else; or, started with
// --cli, the mailroom command line with no window (cli-mode.ts). Every service it starts runs in
// plain Node; this file only passes in the Electron pieces.
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
import { answerCommandLine, cliArguments } from './cli-mode';
import { runCli } from '../cli/index';

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

const cliArgs = cliArguments(process.argv, { defaultApp: process.defaultApp === true });
if (cliArgs) {
  // Not the single instance: a command line call answers while the dialog is open.
  answerCli(cliArgs);
} else if (!app.requestSingleInstanceLock()) {
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

/**
 * `Mailroom --cli COMMAND [options]`: the mailroom command's runCli, as dist/cli.cjs runs it, on
 * this process's standard streams, then exit with its code. No window and no Dock icon. Secrets are
 * kept as the mailroom command keeps them (the owner-only key file), so both read the same ones.
 */
function answerCli(args: string[]): void {
  app.dock?.hide();
  app.disableHardwareAcceleration();
  // Said on stderr with exit 1, never in Electron's error box: a script on a desktop would wait on it.
  process.on('uncaughtException', (error) => {
    process.stderr.write(`error: ${error.message}\n`);
    app.exit(1);
  });
  // Standard input only when a command reads it (--password-stdin, a batch from -).
  const io = { stdout: process.stdout, stderr: process.stderr, get stdin() { return process.stdin; }, env: process.env, cwd: process.cwd() };
  void answerCommandLine(() => runCli(args, io, { version: MAILROOM_VERSION, rendererDir, stopSignal: cliStopSignal }), {
    stdout: process.stdout,
    stderr: process.stderr,
    ready: () => app.whenReady(),
    exit: (code) => app.exit(code),
  });
}

/** For the commands that run until stopped (serve, outbox serve): Ctrl+C, SIGTERM, or Electron's own quit. */
function cliStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    // Electron quits on those signals too: hold the quit until the command has stopped cleanly.
    app.once('before-quit', (event) => {
      event.preventDefault();
      resolve('SIGTERM');
    });
  });
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
