// Builds every service from what the shell passes in. Nothing here imports electron: Electron-only
// pieces (electron-store, safeStorage, shell.openPath) arrive as arguments.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { findUser, isAdmin, type AppInfo, type Shell, type SystemUser } from '../../preload/contract';
import { NoticeService } from './notices';
import { SettingsService, type DocumentFileFactory } from './settings/settings-service';
import { keyFileCodec, type SecretCodec } from './secrets/codecs';
import { SecretStore } from './secrets/secret-store';
import { MailService } from './mail/mail-service';
import { DebugLog } from './debug-log/debug-log';
import { Outbox } from './outbox/outbox';
import { OAuthService } from './oauth/oauth-service';
import { microsoftCloudFromEnv, type MicrosoftCloud } from './oauth/microsoft-cloud';
import { DraftStore } from './compose/drafts';
import { ComposeService, type HandOff } from './compose/compose-service';
import { platformHandOff } from './compose/platform-handoff';

export interface ServiceOptions {
  dataDir: string;
  shell: Shell;
  version: string;
  createFile: DocumentFileFactory;
  platform?: NodeJS.Platform;
  now?: () => Date;
  onRecovered?: (message: string) => void;
  /** How secrets are encrypted, preferred first; the key file is always added last so its values stay readable. */
  secretCodecs?: SecretCodec[];
  /** Told when the outbox changes, for live views. */
  onOutboxChange?: () => void;
  /** Opens a folder in the OS file manager; resolves to an error message, or '' on success. Electron passes shell.openPath. */
  openPath?: (folder: string) => Promise<string>;
  /** Opens a web address in the system browser; resolves to an error message, or '' on success. Electron passes shell.openExternal. */
  openUrl?: (url: string) => Promise<string>;
  /** Where Microsoft sign-in and Graph live; from the environment when absent. */
  microsoftCloud?: MicrosoftCloud;
  /** The OS account running Mailroom; os.userInfo() when absent. */
  osUser?: () => string;
  /** Hands messages to other mail clients; the platform's own when absent. */
  handOff?: HandOff;
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'secrets.key');
}

export interface Identity {
  account: string;
  user?: SystemUser;
  admin: boolean;
}

/** The signed-in OS account: DOMAIN\\name on Windows when the domain is known, else the login name. */
export function osAccount(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  const name = os.userInfo().username;
  return platform === 'win32' && env.USERDOMAIN ? `${env.USERDOMAIN}\\${name}` : name;
}

export interface Services {
  readonly dataDir: string;
  readonly settings: SettingsService;
  readonly notices: NoticeService;
  readonly secrets: SecretStore;
  readonly mail: MailService;
  readonly outbox: Outbox;
  readonly debugLog: DebugLog;
  readonly oauth: OAuthService;
  readonly drafts: DraftStore;
  readonly compose: ComposeService;
  /** Who is using Mailroom: the OS account, the system user it maps to, and whether it may change settings. */
  identity(): Identity;
  openPath(folder: string): Promise<string>;
  info(): AppInfo;
}

export function createServices(options: ServiceOptions): Services {
  const dataDir = path.resolve(options.dataDir);
  const notices = new NoticeService(dataDir, options.now);
  const settings = new SettingsService({ dataDir, createFile: options.createFile, notices, now: options.now, onRecovered: options.onRecovered });
  const secrets = new SecretStore(dataDir, [...(options.secretCodecs ?? []), keyFileCodec(keyFilePath(dataDir))]);
  const debugLog = new DebugLog({ settings: () => settings.readShared().general.debug, ...(options.now ? { now: options.now } : {}) });
  const cloud = options.microsoftCloud ?? microsoftCloudFromEnv();
  const oauth = new OAuthService({ secrets, cloud, openUrl: options.openUrl ?? openUrlWithSystem });
  const osUser = options.osUser ?? (() => osAccount());
  const mail = new MailService({ settings, secrets, debugLog, oauth, cloud, osUser });
  const outbox = new Outbox({ dataDir, settings, mail, ...(options.now ? { now: () => options.now!().getTime() } : {}), ...(options.onOutboxChange ? { onChange: options.onOutboxChange } : {}) });
  const identity = (): Identity => {
    const account = osUser();
    const users = settings.read().users;
    const user = findUser(users, account);
    return { account, ...(user ? { user } : {}), admin: isAdmin(users, account) };
  };
  const drafts = new DraftStore(dataDir, options.now);
  const compose = new ComposeService({
    settings,
    outbox,
    drafts,
    identity,
    handOff: options.handOff ?? platformHandOff(),
    platform: options.platform ?? process.platform,
    mail,
    openUrl: options.openUrl ?? openUrlWithSystem,
  });
  return {
    dataDir,
    settings,
    drafts,
    compose,
    notices,
    secrets,
    mail,
    outbox,
    oauth,
    identity,
    openPath: options.openPath ?? openWithSystem,
    debugLog,
    info: () => ({
      name: 'Mailroom',
      version: options.version,
      shell: options.shell,
      platform: options.platform ?? process.platform,
      dataDir,
      settingsFile: settings.file,
    }),
  };
}

/** The platform's own opener, for browser mode (which runs on the user's machine). */
function openWithSystem(folder: string): Promise<string> {
  if (!fs.existsSync(folder)) return Promise.resolve('the folder does not exist');
  const [command, args] =
    process.platform === 'win32' ? ['explorer.exe', [folder]] : process.platform === 'darwin' ? ['open', [folder]] : ['xdg-open', [folder]];
  return new Promise((resolve) => {
    const child = spawn(command, args as string[], { detached: true, stdio: 'ignore' });
    child.once('error', (error) => resolve(error.message));
    child.once('spawn', () => {
      child.unref();
      resolve('');
    });
  });
}

/**
 * The system browser, for browser mode and the command line: $BROWSER when set (its "%s" replaced
 * by the address, else the address appended), otherwise the platform's opener. No shell is involved.
 */
export function openUrlWithSystem(url: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (!/^https?:\/\//i.test(url)) return Promise.resolve('not a web address');
  let command: string;
  let args: string[];
  const browser = env.BROWSER?.trim();
  if (browser) {
    const parts = browser.split(/\s+/);
    command = parts[0]!;
    args = parts.slice(1);
    args = args.some((a) => a.includes('%s')) ? args.map((a) => a.replace('%s', url)) : [...args, url];
  } else if (process.platform === 'win32') {
    [command, args] = ['rundll32.exe', ['url.dll,FileProtocolHandler', url]];
  } else if (process.platform === 'darwin') {
    [command, args] = ['open', [url]];
  } else {
    [command, args] = ['xdg-open', [url]];
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore' });
    child.once('error', (error) => resolve(error.message));
    child.once('spawn', () => {
      child.unref();
      resolve('');
    });
  });
}
