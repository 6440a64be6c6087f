// Where Mailroom keeps its data. One rule for Electron, browser mode and the CLI, so all three share one file.
import path from 'node:path';

export const APP_DIR_NAME = 'Mailroom';
export const DATA_DIR_ENV = 'MAILROOM_DATA_DIR';

export interface DataDirInput {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
}

/** The same folder Electron's app.getPath('userData') gives for an app named Mailroom, unless MAILROOM_DATA_DIR moves it. */
export function resolveDataDir({ env, platform, homedir }: DataDirInput): string {
  const override = env[DATA_DIR_ENV]?.trim();
  if (override) return path.resolve(override);
  switch (platform) {
    case 'win32':
      return path.win32.join(env.APPDATA ?? path.win32.join(homedir, 'AppData', 'Roaming'), APP_DIR_NAME);
    case 'darwin':
      return path.posix.join(homedir, 'Library', 'Application Support', APP_DIR_NAME);
    default:
      return path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(homedir, '.config'), APP_DIR_NAME);
  }
}
