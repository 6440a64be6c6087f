// Builds every service from what the shell passes in. Nothing here imports electron: Electron-only
// pieces (electron-store, safeStorage, shell.openPath) arrive as arguments.
import path from 'node:path';
import type { AppInfo, Shell } from '../../preload/contract';
import { NoticeService } from './notices';
import { SettingsService, type DocumentFileFactory } from './settings/settings-service';
import { keyFileCodec, type SecretCodec } from './secrets/codecs';
import { SecretStore } from './secrets/secret-store';
import { MailService } from './mail/mail-service';

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
}

export function keyFilePath(dataDir: string): string {
  return path.join(dataDir, 'keys', 'secrets.key');
}

export interface Services {
  readonly dataDir: string;
  readonly settings: SettingsService;
  readonly notices: NoticeService;
  readonly secrets: SecretStore;
  readonly mail: MailService;
  info(): AppInfo;
}

export function createServices(options: ServiceOptions): Services {
  const dataDir = path.resolve(options.dataDir);
  const notices = new NoticeService(dataDir, options.now);
  const settings = new SettingsService({ dataDir, createFile: options.createFile, notices, now: options.now, onRecovered: options.onRecovered });
  const secrets = new SecretStore(dataDir, [...(options.secretCodecs ?? []), keyFileCodec(keyFilePath(dataDir))]);
  const mail = new MailService({ settings, secrets });
  return {
    dataDir,
    settings,
    notices,
    secrets,
    mail,
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
