import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { resolveDataDir } from '../../main/services/data-dir';

describe('data folder', () => {
  it('follows MAILROOM_DATA_DIR on every platform, made absolute', () => {
    expect(resolveDataDir({ env: { MAILROOM_DATA_DIR: '/srv/mailroom' }, platform: 'linux', homedir: '/home/a' })).toBe('/srv/mailroom');
    expect(resolveDataDir({ env: { MAILROOM_DATA_DIR: 'rel/dir' }, platform: 'linux', homedir: '/home/a' })).toBe(path.resolve('rel/dir'));
  });

  it('matches Electron userData for an app named Mailroom otherwise', () => {
    expect(resolveDataDir({ env: {}, platform: 'linux', homedir: '/home/a' })).toBe('/home/a/.config/Mailroom');
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux', homedir: '/home/a' })).toBe('/x/Mailroom');
    expect(resolveDataDir({ env: {}, platform: 'darwin', homedir: '/Users/a' })).toBe('/Users/a/Library/Application Support/Mailroom');
    expect(resolveDataDir({ env: { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, platform: 'win32', homedir: 'C:\\Users\\a' })).toBe('C:\\Users\\a\\AppData\\Roaming\\Mailroom');
  });

  it('ignores an empty override', () => {
    expect(resolveDataDir({ env: { MAILROOM_DATA_DIR: '  ' }, platform: 'linux', homedir: '/home/a' })).toBe('/home/a/.config/Mailroom');
  });
});
