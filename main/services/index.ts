// Builds every service from what the shell passes in. Nothing here imports electron: Electron-only
// pieces (electron-store, safeStorage, shell.openPath) arrive as arguments.
import path from 'node:path';
import type { AppInfo, Shell } from '../../preload/contract';
import { NoticeService } from './notices';
import { SettingsService, type DocumentFileFactory } from './settings/settings-service';

export interface ServiceOptions {
  dataDir: string;
  shell: Shell;
  version: string;
  createFile: DocumentFileFactory;
  platform?: NodeJS.Platform;
  now?: () => Date;
  onRecovered?: (message: string) => void;
}

export interface Services {
  readonly dataDir: string;
  readonly settings: SettingsService;
  readonly notices: NoticeService;
  info(): AppInfo;
}

export function createServices(options: ServiceOptions): Services {
  const dataDir = path.resolve(options.dataDir);
  const notices = new NoticeService(dataDir, options.now);
  const settings = new SettingsService({ dataDir, createFile: options.createFile, notices, now: options.now, onRecovered: options.onRecovered });
  return {
    dataDir,
    settings,
    notices,
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
