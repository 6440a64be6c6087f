import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../main/services';
import { createConfFile } from '../../../main/services/conf-file';
import { defaultSettings, type Settings } from '../../../preload/contract';
import { tempDir } from '../../helpers/temp-dir';

const NOW = new Date('2026-11-21T10:20:30.456Z');
let dir: string;
let cleanup: () => void;
let recovered: string[];

function open(): Services {
  return createServices({ dataDir: dir, shell: 'browser', version: 'test', createFile: createConfFile, now: () => NOW, onRecovered: (m) => recovered.push(m) });
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
});
