import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type FileServices } from '../../../main/services';
import { createConfFile } from '../../../main/services/conf-file';
import { DataUnreadableError, type DocumentFileFactory } from '../../../main/services/settings/settings-service';
import { defaultSettings, newUser, type Settings } from '../../../preload/contract';
import { tempDir } from '../../helpers/temp-dir';

const NOW = new Date('2026-11-21T10:20:30.456Z');
let dir: string;
let cleanup: () => void;
let recovered: string[];
let me: string;

function open(createFile: DocumentFileFactory = createConfFile): FileServices {
  return createServices({ dataDir: dir, shell: 'browser', version: 'test', createFile, now: () => NOW, onRecovered: (m) => recovered.push(m), osUser: () => me });
}

function filled(): Settings {
  const s = defaultSettings();
  s.general.organisationName = 'Acme Ltd';
  s.general.alertFrom = 'alerts@acme.example';
  s.general.systemNotification = 'it@acme.example';
  return s;
}

const settingsFile = () => path.join(dir, 'settings.json');

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  recovered = [];
  me = 'CONTOSO\\boss';
});
afterEach(() => cleanup());

describe('settings service', () => {
  it('starts with defaults and writes nothing until saved', () => {
    expect(open().settings.read()).toEqual(defaultSettings());
    expect(fs.existsSync(settingsFile())).toBe(false);
  });

  it('saves to settings.json readable only by its owner, and reads it back in a new process', () => {
    const saved = open().settings.save(filled());
    expect(saved).toEqual({ ok: true, value: filled() });
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8'))).toEqual(filled());
    if (process.platform !== 'win32') expect(fs.statSync(settingsFile()).mode & 0o777).toBe(0o600);
    expect(open().settings.read()).toEqual(filled());
  });

  it('refuses an invalid save, names each field, and leaves the saved file byte for byte', () => {
    const services = open();
    services.settings.save(filled());
    const before = fs.readFileSync(settingsFile());
    const bad = filled();
    bad.general.alertFrom = 'alerts at acme';
    bad.general.organisationName = '';
    const result = services.settings.save(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-input');
    expect(result.error.fields).toEqual([
      { path: 'general.alertFrom', message: 'Enter one email address, like accounts@example.com' },
      { path: 'general.organisationName', message: 'Required' },
    ]);
    expect(fs.readFileSync(settingsFile())).toEqual(before);
  });

  it('leaves no temporary files behind after saves', () => {
    const services = open();
    for (let i = 0; i < 5; i++) {
      const s = filled();
      s.general.organisationName = `Acme ${i}`;
      services.settings.save(s);
    }
    expect(fs.readdirSync(dir)).toEqual(['settings.json']);
  });

  it('sets a damaged file aside with a timestamp, starts with defaults and tells the user once', () => {
    fs.writeFileSync(settingsFile(), '{"version": 1, "general": {');
    const first = open();
    expect(first.settings.read()).toEqual(defaultSettings());
    const kept = path.join(dir, 'settings.corrupt-20261121T102030Z.json');
    expect(fs.readFileSync(kept, 'utf8')).toBe('{"version": 1, "general": {');
    expect(fs.existsSync(settingsFile())).toBe(false);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toContain('not valid JSON');
    expect(recovered[0]).toContain(kept);

    // The dialog learns of it from the notices, however many times the file is read afterwards.
    first.settings.read();
    const second = open();
    second.settings.read();
    const notices = second.notices.list();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: 'warning', title: 'Settings were reset' });
    expect(second.notices.dismiss(notices[0]!.id)).toEqual([]);
    expect(open().notices.list()).toEqual([]);
    expect(recovered).toHaveLength(1);
  });

  it('treats a well-formed file with the wrong layout as damaged', () => {
    fs.writeFileSync(settingsFile(), JSON.stringify({ version: 1, general: { organisationName: 42 } }));
    expect(open().settings.read()).toEqual(defaultSettings());
    expect(recovered[0]).toContain('does not match the settings layout');
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('settings.corrupt-'))).toHaveLength(1);
  });

  it('keeps a file written by a newer version aside instead of overwriting it', () => {
    const newer = JSON.stringify({ version: 7, general: {}, future: true });
    fs.writeFileSync(settingsFile(), newer);
    const services = open();
    expect(services.settings.read()).toEqual(defaultSettings());
    expect(recovered[0]).toContain('newer version');
    services.settings.save(filled());
    expect(fs.readFileSync(path.join(dir, 'settings.corrupt-20261121T102030Z.json'), 'utf8')).toBe(newer);
  });

  it('reads a document without a version and stores it upgraded', () => {
    const { version: _v, ...legacy } = filled();
    fs.writeFileSync(settingsFile(), JSON.stringify(legacy));
    expect(open().settings.read()).toEqual(filled());
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8')).version).toBe(5);
    expect(recovered).toEqual([]);
  });

  it('upgrades a version 1 file written before server profiles existed', () => {
    const v1 = { version: 1, general: { ...filled().general, defaultProfile: undefined } };
    fs.writeFileSync(settingsFile(), JSON.stringify(v1));
    expect(open().settings.read()).toEqual(filled());
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8'))).toEqual(filled());
  });

  it('recovers when a folder stands where the file should be', () => {
    fs.mkdirSync(settingsFile());
    expect(open().settings.read()).toEqual(defaultSettings());
    expect(recovered[0]).toContain('folder');
    expect(fs.statSync(path.join(dir, 'settings.corrupt-20261121T102030Z.json')).isDirectory()).toBe(true);
  });

  describe('one value at a time', () => {
    it('reads values as the type the setting has', () => {
      const services = open();
      expect(services.settings.setPath('general.organisationName', '123').ok).toBe(true);
      expect(services.settings.read().general.organisationName).toBe('123');
      expect(services.settings.setPath('general.debug.retentionDays', '30').ok).toBe(true);
      expect(services.settings.setPath('general.debug.path', '/var/log/mailroom').ok).toBe(true);
      expect(services.settings.setPath('general.debug.enabled', 'true').ok).toBe(true);
      expect(services.settings.read().general.debug).toEqual({ enabled: true, path: '/var/log/mailroom', level: 'info', retentionDays: 30 });
    });

    it('lets a fresh install be filled in field by field, but never empties a required field', () => {
      const services = open();
      expect(services.settings.setPath('general.debug.level', 'debug').ok).toBe(true);
      expect(services.settings.missingRequired().map((f) => f.path)).toEqual(['general.organisationName', 'general.alertFrom']);
      services.settings.setPath('general.organisationName', 'Acme');
      const emptied = services.settings.setPath('general.organisationName', '  ');
      expect(emptied).toMatchObject({ ok: false, error: { fields: [{ path: 'general.organisationName', message: 'Required' }] } });
      const debugOn = services.settings.setPath('general.debug.enabled', 'true');
      expect(debugOn).toMatchObject({ ok: false, error: { fields: [{ path: 'general.debug.path', message: 'Required while debug logging is on' }] } });
      expect(services.settings.read().general.debug.enabled).toBe(false);
    });

    it('refuses bad values and unknown paths without touching the file', () => {
      const services = open();
      services.settings.save(filled());
      const before = fs.readFileSync(settingsFile());
      expect(services.settings.setPath('general.debug.retentionDays', 'abc')).toMatchObject({ ok: false, error: { fields: [{ path: 'general.debug.retentionDays' }] } });
      expect(services.settings.setPath('general.debug.enabled', 'yes')).toMatchObject({ ok: false, error: { fields: [{ path: 'general.debug.enabled' }] } });
      expect(services.settings.setPath('general.nope', 'x')).toMatchObject({ ok: false, error: { code: 'not-found' } });
      expect(services.settings.setPath('general', 'x')).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      expect(fs.readFileSync(settingsFile())).toEqual(before);
    });
  });

  describe('import', () => {
    it('validates the whole document first and names every bad field', () => {
      const services = open();
      services.settings.save(filled());
      const before = fs.readFileSync(settingsFile());
      const doc = { ...filled(), general: { ...filled().general, alertFrom: 'x', debug: { enabled: true, path: '', level: 'info', retentionDays: -1 } } };
      const result = services.settings.import(doc);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.fields?.map((f) => f.path).sort()).toEqual(['general.alertFrom', 'general.debug.path', 'general.debug.retentionDays']);
      expect(fs.readFileSync(settingsFile())).toEqual(before);
    });

    it('migrates an older document and refuses a newer one by its version field', () => {
      const services = open();
      const { version: _v, ...legacy } = filled();
      expect(services.settings.import(legacy)).toEqual({ ok: true, value: filled() });
      expect(services.settings.import({ ...filled(), version: 6 })).toMatchObject({ ok: false, error: { fields: [{ path: 'version' }] } });
    });
  });

  describe('a file that cannot be read is not a damaged one', () => {
    /** The settings file as another account's (or a locked) file looks to conf: reading it fails with this code. */
    function refusing(code: string): DocumentFileFactory {
      return (options) => {
        const error = Object.assign(new Error(`${code}: cannot open ${path.join(options.cwd, 'settings.json')}`), { code });
        throw error;
      };
    }

    it('stops the start with an error that names the file and the reason, and changes or moves nothing', () => {
      open().settings.save(withUsers());
      const before = fs.readFileSync(settingsFile());
      const listing = fs.readdirSync(dir).sort();
      expect(() => open(refusing('EACCES'))).toThrow(DataUnreadableError);
      expect(() => open(refusing('EACCES'))).toThrow(`Mailroom cannot read ${settingsFile()}: permission denied (it belongs to another account?)`);
      expect(() => open(refusing('EPERM'))).toThrow(/permission denied/);
      expect(() => open(refusing('EBUSY'))).toThrow(/locked by another program/);
      expect(fs.readFileSync(settingsFile())).toEqual(before);
      expect(fs.readdirSync(dir).sort()).toEqual(listing);
      expect(recovered).toEqual([]);
      // The owner still reads it as it was, with its administrator.
      expect(open().identity()).toMatchObject({ admin: true, user: { id: 'boss' } });
    });

    it('does so on a fresh install too: no defaults and no administrator for whoever asked', () => {
      expect(() => open(refusing('EACCES'))).toThrow(DataUnreadableError);
      expect(fs.readdirSync(dir)).toEqual([]);
    });
  });

  describe('a damaged file after users were defined', () => {
    const guardFile = () => path.join(dir, 'users-defined.json');

    it('is set aside, and the settings turn read-only with nobody an administrator', () => {
      expect(open().settings.save(withUsers()).ok).toBe(true);
      expect(fs.existsSync(guardFile())).toBe(true);
      if (process.platform !== 'win32') expect(fs.statSync(guardFile()).mode & 0o777).toBe(0o600);
      fs.writeFileSync(settingsFile(), 'garbage, not settings');

      const services = open();
      expect(services.settings.read().users).toEqual([]);
      expect(fs.readFileSync(path.join(dir, 'settings.corrupt-20261121T102030Z.json'), 'utf8')).toBe('garbage, not settings');
      for (const account of ['CONTOSO\\boss', 'CONTOSO\\clerk', 'stranger']) {
        me = account;
        expect(services.identity()).toMatchObject({ account, admin: false, readOnly: expect.stringContaining('read-only') });
      }
      expect(recovered).toHaveLength(1);
      expect(recovered[0]).toContain('nobody has administrator rights');
      expect(services.notices.list()).toMatchObject([{ level: 'error', title: 'Settings are locked', message: expect.stringContaining('mailroom settings import FILE') }]);

      // Nothing changes the settings: not a save, not one value, not an import that would open them to everyone.
      expect(services.settings.save(filled())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(services.settings.setPath('general.organisationName', 'Mine now')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(services.settings.import(filled(), 'stranger')).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'users' }] } });
      expect(fs.existsSync(settingsFile())).toBe(false);

      // The next start is just as locked, and says so once.
      const again = open();
      me = 'CONTOSO\\boss';
      expect(again.identity().admin).toBe(false);
      expect(again.notices.list()).toHaveLength(1);
    });

    it('is brought back by an import that names the caller as an administrator, and only by that', () => {
      open().settings.save(withUsers());
      fs.writeFileSync(settingsFile(), JSON.stringify({ version: 99 }));
      const services = open();
      expect(recovered[0]).toContain('newer version');

      // Naming someone else as the administrator, or not naming the caller at all, is refused.
      me = 'CONTOSO\\clerk';
      expect(services.settings.import(withUsers(), me)).toMatchObject({ ok: false, error: { fields: [{ path: 'users', message: 'CONTOSO\\clerk must be an administrator' }] } });
      expect(services.settings.import(withUsers())).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(services.identity().admin).toBe(false);

      me = 'CONTOSO\\boss';
      expect(services.settings.import(withUsers(), me)).toEqual({ ok: true, value: withUsers() });
      expect(services.identity()).toEqual({ account: 'CONTOSO\\boss', user: withUsers().users[0], admin: true });
      expect(open().identity().admin).toBe(true);
      me = 'CONTOSO\\clerk';
      expect(open().identity().admin).toBe(false);
    });

    it('is also lifted by restoring a good settings.json by hand', () => {
      open().settings.save(withUsers());
      const good = fs.readFileSync(settingsFile());
      fs.writeFileSync(settingsFile(), '{');
      const services = open();
      expect(services.identity().admin).toBe(false);
      fs.writeFileSync(settingsFile(), good);
      expect(services.identity().admin).toBe(true);
    });

    it('treats a settings file that went missing like a damaged one', () => {
      open().settings.save(withUsers());
      fs.rmSync(settingsFile());
      const services = open();
      expect(services.identity()).toMatchObject({ admin: false, readOnly: expect.stringContaining('is missing') });
      expect(services.notices.list()).toMatchObject([{ title: 'Settings are locked' }]);
    });

    it('remembers users from a good settings file written before this guard existed', () => {
      const s = withUsers();
      fs.writeFileSync(settingsFile(), JSON.stringify(s));
      expect(open().identity().admin).toBe(true);
      expect(fs.existsSync(guardFile())).toBe(true);
      fs.writeFileSync(settingsFile(), 'garbage');
      expect(open().identity().admin).toBe(false);
    });

    it('goes back to "whoever runs it sets it up" only when an administrator saves without any users', () => {
      const services = open();
      services.settings.save(withUsers());
      expect(services.settings.save(filled()).ok).toBe(true);
      expect(fs.existsSync(guardFile())).toBe(false);
      fs.writeFileSync(settingsFile(), 'garbage');
      me = 'anyone';
      expect(open().identity()).toMatchObject({ admin: true });
      expect(recovered.at(-1)).toContain('started with default settings');
    });
  });

  describe('never locking the caller out', () => {
    it('refuses an import that would leave the caller no administrator, and one by a non-administrator', () => {
      const services = open();
      services.settings.save(withUsers());
      const before = fs.readFileSync(settingsFile());
      const demoted = withUsers();
      demoted.users = demoted.users.map((u) => ({ ...u, admin: u.id === 'clerk' }));
      expect(services.settings.import(demoted, 'CONTOSO\\boss')).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'users', message: 'CONTOSO\\boss must be an administrator' }] } });
      expect(services.settings.import(withUsers(), 'CONTOSO\\clerk')).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('not an administrator') } });
      expect(fs.readFileSync(settingsFile())).toEqual(before);
      expect(services.settings.import(withUsers(), 'CONTOSO\\boss').ok).toBe(true);
    });
  });

  describe('the data folder', () => {
    it.skipIf(process.platform === 'win32')('is made readable only by its owner, and tightened when others could look in', () => {
      const fresh = path.join(dir, 'fresh', 'Mailroom');
      createServices({ dataDir: fresh, shell: 'browser', version: 'test', createFile: createConfFile });
      expect(fs.statSync(fresh).mode & 0o777).toBe(0o700);
      const loose = path.join(dir, 'loose');
      fs.mkdirSync(loose, { mode: 0o755 });
      fs.chmodSync(loose, 0o755);
      createServices({ dataDir: loose, shell: 'browser', version: 'test', createFile: createConfFile });
      expect(fs.statSync(loose).mode & 0o777).toBe(0o700);
    });
  });
});

function withUsers(): Settings {
  const s = filled();
  s.users = [
    { ...newUser('boss', 'CONTOSO\\boss'), name: 'Boss', admin: true },
    { ...newUser('clerk', 'CONTOSO\\clerk'), name: 'Clerk' },
  ];
  return s;
}
