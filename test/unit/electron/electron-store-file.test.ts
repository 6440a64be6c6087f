// Electron (electron-store) and browser mode / CLI (conf) must read and write the very same file.
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;

vi.mock('electron', () => {
  const electron = {
    app: {
      getPath: () => dir,
      getVersion: () => '0.0.0',
      getName: () => 'Mailroom',
      on: () => undefined,
      whenReady: () => Promise.resolve(),
    },
    ipcMain: { on: () => undefined, handle: () => undefined },
    shell: {},
  };
  return { ...electron, default: electron };
});

const { createElectronStoreFile } = await import('../../../main/electron/electron-store-file');
const { createConfFile } = await import('../../../main/services/conf-file');
const { createServices } = await import('../../../main/services');
const { defaultSettings } = await import('../../../preload/contract');

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('settings file shared by Electron and plain Node', () => {
  it('is written by one and read by the other, byte for byte the same format', () => {
    const settings = defaultSettings();
    settings.general.organisationName = 'Acme';
    settings.general.alertFrom = 'alerts@acme.example';

    const electronSide = createServices({ dataDir: dir, shell: 'electron', version: 't', createFile: createElectronStoreFile });
    expect(electronSide.settings.save(settings).ok).toBe(true);
    const writtenByElectron = fs.readFileSync(electronSide.settings.file, 'utf8');

    const nodeSide = createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile });
    expect(nodeSide.settings.read()).toEqual(settings);
    expect(nodeSide.settings.save(settings).ok).toBe(true);
    expect(fs.readFileSync(nodeSide.settings.file, 'utf8')).toBe(writtenByElectron);

    settings.general.organisationName = 'Acme Two';
    nodeSide.settings.save(settings);
    expect(electronSide.settings.read().general.organisationName).toBe('Acme Two');
  });
});
