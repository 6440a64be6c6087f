// Machine policy as the service reads it: which place wins, how registry and plist values become
// settings, and that a bad value or an unknown path is reported by path and ignored, never a crash.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MachinePolicy, readMachinePolicy } from '../../../main/services/policy/policy-service';
import { POLICY_PATHS, flattenPolicy } from '../../../main/services/policy/policy-paths';
import { LINUX_POLICY_FILE } from '../../../main/services/policy/linux';
import { readWindowsPolicy } from '../../../main/services/policy/windows';
import { readMacPolicy } from '../../../main/services/policy/macos';
import type { RawPolicy } from '../../../main/services/policy/raw-policy';
import { defaultSettings, newProfile, policyPathOf, type Settings } from '../../../preload/contract';
import { tempDir } from '../../helpers/temp-dir';

const HKLM = 'HKLM\\SOFTWARE\\Policies\\Mailroom';
const HKCU = 'HKCU\\SOFTWARE\\Policies\\Mailroom';

function raw(source: string, values: Record<string, unknown>, problems: RawPolicy['problems'] = []): RawPolicy {
  return { source, found: true, values, problems };
}

function withProfile(id = 'office'): Settings {
  const s = defaultSettings();
  s.smtp.profiles = [{ ...newProfile(id, 'Office'), host: 'smtp.saved.example' }];
  s.general.defaultProfile = id;
  return s;
}

describe('machine policy: reading the places', () => {
  it('says the same for nested objects and dot paths', () => {
    expect(flattenPolicy({ general: { debug: { enabled: true } }, 'mail.compose': 'builtin', smtp: { profiles: [{ id: 'a' }] } })).toEqual([
      { path: 'general.debug.enabled', value: true },
      { path: 'mail.compose', value: 'builtin' },
      { path: 'smtp.profiles', value: [{ id: 'a' }] },
    ]);
    const nested = MachinePolicy.from([raw(HKLM, { general: { debug: { enabled: true } } })]).entries;
    const flat = MachinePolicy.from([raw(HKLM, { 'general.debug.enabled': true })]).entries;
    expect(nested).toEqual(flat);
  });

  it('lets the first place win: HKLM over HKCU', () => {
    const policy = MachinePolicy.from([
      raw(HKLM, { 'general.alertFrom': 'it@example.com' }),
      raw(HKCU, { 'general.alertFrom': 'me@example.com', 'general.organisationName': 'Mine Ltd' }),
    ]);
    expect(policy.lockOf('general.alertFrom')).toEqual({ path: 'general.alertFrom', value: 'it@example.com', source: HKLM });
    // What the first place leaves out, the next one may set.
    expect(policy.lockOf('general.organisationName')).toEqual({ path: 'general.organisationName', value: 'Mine Ltd', source: HKCU });
    expect(policy.view().problems).toEqual([]);
  });

  it('ignores a bad value where it stands, so the next place with a good one wins', () => {
    const policy = MachinePolicy.from([raw(HKLM, { 'outbox.retryForHours': 'forever' }), raw(HKCU, { 'outbox.retryForHours': 12 })]);
    expect(policy.lockOf('outbox.retryForHours')).toMatchObject({ value: 12, source: HKCU });
    expect(policy.view().problems).toEqual([{ source: HKLM, path: 'outbox.retryForHours', message: expect.stringContaining('Enter a number of hours') }]);
  });

  it('reads registry values as the setting needs them: DWORD 1/0 as on/off, text as numbers', () => {
    const policy = MachinePolicy.from([
      raw(HKLM, {
        'general.debug.enabled': 1,
        'mail.composeUserSelectable': 0,
        'mail.sendUserSelectable': 'true',
        'mail.allowM365Web': 'FALSE',
        'smtp.profiles.office.port': '587',
        'smtp.profiles.office.maxAttachmentsMb': ' 12.5 ',
        'smtp.profiles.office.verifyCert': 1,
        // A DWORD where text is expected: an organisation called 2024.
        'general.organisationName': 2024,
      }),
    ]);
    const values = Object.fromEntries(policy.entries.map((e) => [e.path, e.value]));
    expect(values).toEqual({
      'general.debug.enabled': true,
      'mail.composeUserSelectable': false,
      'mail.sendUserSelectable': true,
      'mail.allowM365Web': false,
      'smtp.profiles.office.port': 587,
      'smtp.profiles.office.maxAttachmentsMb': 12.5,
      'smtp.profiles.office.verifyCert': true,
      'general.organisationName': '2024',
    });
    expect(policy.view().problems).toEqual([]);
  });

  it('checks every value against the setting’s own rules and reports each bad one by path', () => {
    const policy = MachinePolicy.from([
      raw(HKLM, {
        'general.alertFrom': 'not an address',
        'general.debug.enabled': 2,
        'general.debug.level': 'loud',
        'smtp.profiles.office.port': '99999',
        'smtp.profiles.office.security': 'tls',
        'mail.compose': ['builtin'],
      }),
    ]);
    expect(policy.entries.map((e) => e.path)).toEqual(['smtp.profiles.office.security']);
    const byPath = Object.fromEntries(policy.view().problems.map((p) => [p.path, p.message]));
    expect(byPath).toEqual({
      'general.alertFrom': expect.stringContaining('Enter one email address'),
      'general.debug.enabled': expect.stringContaining('Expected true or false'),
      'general.debug.level': expect.stringContaining('Choose one of: error, warn, info, debug'),
      'smtp.profiles.office.port': expect.stringContaining('Use a port from 1 to 65535'),
      'mail.compose': expect.stringContaining('Choose one of'),
    });
    expect(byPath['smtp.profiles.office.port']).toContain('(the policy gives "99999")');
  });

  it('reports a path that is not a setting, and never repeats an address that holds a password', () => {
    const policy = MachinePolicy.from([
      raw(HKLM, {
        'general.colour': 'blue',
        users: [],
        'smtp.profiles.office.id': 'other',
        'smtp.profiles.office.password': 'hunter2',
        'smtp.profiles.bad id!.host': 'x.example',
        'smtp.profiles.office': 'whole',
        'office.databaseUrl': 'postgres://ada:hunter2@db.example/mailroom',
      }),
    ]);
    expect(policy.entries).toEqual([]);
    const byPath = Object.fromEntries(policy.view().problems.map((p) => [p.path, p.message]));
    expect(byPath['general.colour']).toBe('Not a setting a policy can set');
    expect(byPath.users).toBe('Not a setting a policy can set');
    expect(byPath['smtp.profiles.office.id']).toMatch(/^Not a profile field/);
    expect(byPath['smtp.profiles.office.password']).toMatch(/^Not a profile field/);
    expect(byPath['smtp.profiles.bad id!.host']).toMatch(/profile id/);
    expect(byPath['smtp.profiles.office']).toMatch(/smtp\.profiles\.<profile id>\.<field>/);
    expect(byPath['office.databaseUrl']).toMatch(/Leave the password out/);
    expect(JSON.stringify(policy.view())).not.toContain('hunter2');
  });

  it('reports a date, bytes or a huge integer where a setting is, never a crash', () => {
    const policy = MachinePolicy.from([raw(HKLM, { general: { organisationName: new Date(0), alertFrom: new Uint8Array([1, 2]) }, 'general.debug.retentionDays': 2n ** 64n })]);
    expect(policy.entries).toEqual([]);
    expect(policy.view().problems.map((p) => p.path)).toEqual(['general.organisationName', 'general.alertFrom', 'general.debug.retentionDays']);
  });

  it('reads a whole profile list, as JSON text (a registry string) or as a list', () => {
    const list = [
      { id: 'head-office', name: 'Head office', host: 'smtp.example.com', port: '465', security: 'tls' },
      { name: 'Branch Relay #2', host: 'relay.example.com' },
      { host: 'nameless.example.com' },
      'not a profile',
    ];
    for (const value of [JSON.stringify(list), list]) {
      const policy = MachinePolicy.from([raw(HKLM, { 'smtp.profiles': value })]);
      expect(policy.entries.map((e) => [e.path, e.value])).toEqual([
        ['smtp.profiles.head-office.name', 'Head office'],
        ['smtp.profiles.head-office.host', 'smtp.example.com'],
        ['smtp.profiles.head-office.port', 465],
        ['smtp.profiles.head-office.security', 'tls'],
        ['smtp.profiles.branch-relay-2.name', 'Branch Relay #2'],
        ['smtp.profiles.branch-relay-2.host', 'relay.example.com'],
      ]);
      expect(policy.view().problems.map((p) => p.path)).toEqual(['smtp.profiles[2]', 'smtp.profiles[3]']);
    }
    // A multi-string registry value holds the text over its lines.
    const lines = MachinePolicy.from([raw(HKLM, { 'smtp.profiles': ['[', '  {"id": "relay", "host": "relay.example.com"}', ']'] })]);
    expect(lines.entries).toEqual([{ path: 'smtp.profiles.relay.host', value: 'relay.example.com', source: HKLM }]);
    const broken = MachinePolicy.from([raw(HKLM, { 'smtp.profiles': '[{"id": ' })]);
    expect(broken.view().problems).toEqual([{ source: HKLM, path: 'smtp.profiles', message: expect.stringMatching(/^Not valid JSON/) }]);
  });

  it('keeps what a reader could not read, by path, and lists every place looked at', () => {
    const policy = MachinePolicy.from([
      { source: HKLM, found: false, values: {}, problems: [] },
      { source: HKCU, found: true, values: { 'mail.compose': 'builtin' }, problems: [{ path: 'mail.send', message: 'REG_BINARY is not read' }] },
    ]);
    expect(policy.view()).toEqual({
      sources: [
        { location: HKLM, found: false },
        { location: HKCU, found: true },
      ],
      entries: [{ path: 'mail.compose', value: 'builtin', source: HKCU }],
      problems: [{ source: HKCU, path: 'mail.send', message: 'REG_BINARY is not read' }],
    });
  });

  it('names every path the templates may use', () => {
    expect(POLICY_PATHS).toContain('general.debug.retentionDays');
    expect(POLICY_PATHS).toContain('mail.sendUserSelectable');
    expect(POLICY_PATHS).toContain('outbox.retryForHours');
    expect(POLICY_PATHS).toContain('office.databaseUrl');
    expect(POLICY_PATHS).toContain('smtp.profiles');
    expect(POLICY_PATHS).toContain('smtp.profiles.<id>.host');
    expect(POLICY_PATHS).not.toContain('general.debug');
    expect(POLICY_PATHS).not.toContain('smtp.profiles.<id>.id');
  });
});

describe('machine policy: the settings in force', () => {
  it('lays policy values over the saved settings, profiles by id, and leaves the saved copy alone', () => {
    const saved = withProfile();
    const policy = MachinePolicy.from([raw(HKLM, { 'general.alertFrom': 'it@example.com', 'smtp.profiles.office.host': 'smtp.policy.example', 'smtp.profiles.other.host': 'x.example' })]);
    const inForce = policy.inForce(saved);
    expect(inForce.general.alertFrom).toBe('it@example.com');
    expect(inForce.smtp.profiles[0]!.host).toBe('smtp.policy.example');
    // A profile the settings do not have is created at start (provision), not made up here.
    expect(inForce.smtp.profiles).toHaveLength(1);
    expect(saved.general.alertFrom).toBe('');
    expect(saved.smtp.profiles[0]!.host).toBe('smtp.saved.example');
  });

  it('leaves out a value that breaks a rule across fields while it does, and says so', () => {
    const policy = MachinePolicy.from([raw(HKLM, { 'mail.compose': 'm365-web', 'general.defaultProfile': 'nowhere', 'general.alertFrom': 'it@example.com' })]);
    const inForce = policy.inForce(defaultSettings());
    expect(inForce.mail.compose).toBe('builtin');
    expect(inForce.general.defaultProfile).toBe('');
    expect(inForce.general.alertFrom).toBe('it@example.com');
    expect(policy.lockOf('mail.compose')).toBeUndefined();
    expect(policy.view().problems.map((p) => [p.path, p.message]).sort()).toEqual([
      ['general.defaultProfile', expect.stringContaining('Choose one of the server profiles')],
      ['mail.compose', expect.stringContaining('Turn on Allow Microsoft 365 web')],
    ]);
    expect(policy.view().problems[0]?.message).toMatch(/; left out until the other settings allow it$/);
    // Once the saved settings allow it, it is in force and locked.
    const allowed = defaultSettings();
    allowed.mail.allowM365Web = true;
    expect(policy.inForce(allowed).mail.compose).toBe('m365-web');
    expect(policy.lockOf('mail.compose')).toMatchObject({ value: 'm365-web' });
  });

  it('refuses a change to a locked value, naming the path and its source, and lets the rest through', () => {
    const policy = MachinePolicy.from([raw(HKLM, { 'general.alertFrom': 'it@example.com', 'smtp.profiles.office.port': 465 })]);
    const before = policy.inForce(withProfile());
    const unlocked = structuredClone(before);
    unlocked.general.organisationName = 'Contoso';
    unlocked.smtp.profiles[0]!.username = 'mailer';
    expect(policy.check(before, unlocked)).toEqual({ ok: true, value: undefined });

    const locked = structuredClone(before);
    locked.general.alertFrom = 'me@example.com';
    locked.smtp.profiles[0]!.port = 25;
    const refused = policy.check(before, locked);
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: `Set by your organisation, so nobody can change them here: general.alertFrom (${HKLM}), smtp.profiles.office.port (${HKLM}). Nothing was changed.`,
        fields: [
          { path: 'general.alertFrom', message: `Set by your organisation (${HKLM})` },
          { path: 'smtp.profiles.office.port', message: `Set by your organisation (${HKLM})` },
        ],
      },
    });
    // Removing the profile changes its locked port too.
    const removed = structuredClone(before);
    removed.smtp.profiles = [];
    expect(policy.check(before, removed)).toMatchObject({ ok: false, error: { fields: [{ path: 'smtp.profiles.office.port' }] } });
  });

  it('names a profile field of the dialog’s draft by the profile’s id', () => {
    const s = withProfile('head-office');
    expect(policyPathOf('smtp.profiles.0.host', s)).toBe('smtp.profiles.head-office.host');
    expect(policyPathOf('smtp.profiles.3.host', s)).toBe('smtp.profiles.3.host');
    expect(policyPathOf('general.alertFrom', s)).toBe('general.alertFrom');
  });
});

describe('machine policy: the places of each platform', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it('reads the JSON file MAILROOM_POLICY_FILE names instead of /etc/mailroom/policy.json', async () => {
    const file = write('policy.json', JSON.stringify({ general: { alertFrom: 'it@example.com' } }));
    const raws = await readMachinePolicy({ platform: 'linux', env: { MAILROOM_POLICY_FILE: file } });
    expect(raws).toEqual([{ source: file, found: true, values: { general: { alertFrom: 'it@example.com' } }, problems: [] }]);
  });

  it('looks at /etc/mailroom/policy.json on Linux and other systems', async () => {
    const asked: string[] = [];
    const json = async (file: string): Promise<RawPolicy> => (asked.push(file), { source: file, found: false, values: {}, problems: [] });
    await readMachinePolicy({ platform: 'linux', env: {}, readers: { json } });
    await readMachinePolicy({ platform: 'freebsd', env: {}, readers: { json } });
    expect(asked).toEqual([LINUX_POLICY_FILE, LINUX_POLICY_FILE]);
  });

  it('takes a missing file for no policy, and a damaged one for a problem of the whole place', async () => {
    const missing = path.join(dir, 'none.json');
    expect(await readMachinePolicy({ platform: 'linux', env: { MAILROOM_POLICY_FILE: missing } })).toEqual([{ source: missing, found: false, values: {}, problems: [] }]);
    const bad = write('bad.json', '{ "general": ');
    const [read] = await readMachinePolicy({ platform: 'linux', env: { MAILROOM_POLICY_FILE: bad } });
    expect(read).toMatchObject({ source: bad, found: true, values: {}, problems: [{ path: '', message: expect.stringMatching(/^Not valid JSON/) }] });
    const list = write('list.json', '[1, 2]');
    const [notObject] = await readMachinePolicy({ platform: 'linux', env: { MAILROOM_POLICY_FILE: list } });
    expect(notObject?.problems[0]?.message).toMatch(/^Expected one JSON object/);
    const policy = MachinePolicy.from([read!]);
    expect(policy.view().problems).toEqual([{ source: bad, path: '', message: expect.stringMatching(/^Not valid JSON/) }]);
  });

  it('reads the registry on Windows and managed preferences on macOS first, then a named JSON file', async () => {
    const file = write('policy.json', JSON.stringify({ 'general.alertFrom': 'json@example.com', 'general.organisationName': 'From JSON' }));
    const windows = async () => [raw(HKLM, { 'general.alertFrom': 'hklm@example.com' }), raw(HKCU, {})];
    const mac = async () => [raw('/Library/Managed Preferences/ada/com.mailroom.desktop.plist', { 'general.alertFrom': 'user@example.com' })];
    const onWindows = MachinePolicy.from(await readMachinePolicy({ platform: 'win32', env: { MAILROOM_POLICY_FILE: file }, readers: { windows } }));
    expect(onWindows.view().sources.map((s) => s.location)).toEqual([HKLM, HKCU, file]);
    expect(onWindows.lockOf('general.alertFrom')?.value).toBe('hklm@example.com');
    expect(onWindows.lockOf('general.organisationName')?.value).toBe('From JSON');
    const onMac = MachinePolicy.from(await readMachinePolicy({ platform: 'darwin', env: {}, readers: { mac } }));
    expect(onMac.lockOf('general.alertFrom')?.value).toBe('user@example.com');
    expect(onMac.view().sources).toHaveLength(1);
  });

  it('reads no Linux file on Windows or macOS unless MAILROOM_POLICY_FILE names one', async () => {
    const asked: string[] = [];
    const json = async (file: string): Promise<RawPolicy> => (asked.push(file), { source: file, found: false, values: {}, problems: [] });
    const windows = async () => [raw(HKLM, {})];
    expect(await readMachinePolicy({ platform: 'win32', env: {}, readers: { windows, json } })).toEqual([raw(HKLM, {})]);
    expect(await readMachinePolicy({ platform: 'darwin', env: {}, readers: { mac: async () => [], json } })).toEqual([]);
    expect(asked).toEqual([]);
  });

  it('reads the managed preferences of the user, then of the computer, on macOS by default', async () => {
    const raws = await readMachinePolicy({ platform: 'darwin', env: {} });
    expect(raws.map((r) => r.source)).toEqual([
      `/Library/Managed Preferences/${os.userInfo().username}/com.mailroom.desktop.plist`,
      '/Library/Managed Preferences/com.mailroom.desktop.plist',
    ]);
  });

  it('turns a reader that fails into a problem, never a crash', async () => {
    const windows = async (): Promise<RawPolicy[]> => {
      throw new Error('reg.exe was not found');
    };
    const raws = await readMachinePolicy({ platform: 'win32', env: {}, readers: { windows } });
    expect(raws).toEqual([{ source: 'the Windows registry', found: false, values: {}, problems: [{ path: '', message: 'Could not be read: reg.exe was not found' }] }]);
  });
});

describe('machine policy from what the readers give', () => {
  it('reads Group Policy’s registry values: a DWORD 1 is on, the text "587" a port, a subkey a part of the path', async () => {
    const hklm = [
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mailroom',
      '    general.debug.enabled    REG_DWORD    0x1',
      '    smtp.profiles.organisation.port    REG_SZ    587',
      '    smtp.profiles.organisation.host    REG_SZ    smtp.contoso.test',
      '',
      'HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mailroom\\mail',
      '    composeUserSelectable    REG_DWORD    0x0',
      '',
    ].join('\r\n');
    const hkcu = ['HKEY_CURRENT_USER\\SOFTWARE\\Policies\\Mailroom', '    general.debug.enabled    REG_DWORD    0x0', '    general.alertFrom    REG_SZ    me@contoso.test', ''].join('\r\n');
    const run = async (_file: string, args: string[]) => ({ stdout: args.some((a) => a.includes('HKLM')) ? hklm : hkcu, code: 0 });
    const policy = MachinePolicy.from(await readWindowsPolicy(run));
    expect(policy.entries).toEqual([
      { path: 'general.debug.enabled', value: true, source: HKLM },
      { path: 'smtp.profiles.organisation.port', value: 587, source: HKLM },
      { path: 'smtp.profiles.organisation.host', value: 'smtp.contoso.test', source: HKLM },
      { path: 'mail.composeUserSelectable', value: false, source: HKLM },
      { path: 'general.alertFrom', value: 'me@contoso.test', source: HKCU },
    ]);
    expect(policy.view().problems).toEqual([]);
  });

  it('reads managed preferences: the user’s over the computer’s, nested dictionaries as dot paths', async () => {
    const plist = (body: string) =>
      new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd"><plist version="1.0"><dict>${body}</dict></plist>`);
    const files: Record<string, Uint8Array> = {
      '/Library/Managed Preferences/ada/com.mailroom.desktop.plist': plist('<key>mail.compose</key><string>autodetect</string>'),
      '/Library/Managed Preferences/com.mailroom.desktop.plist': plist(
        '<key>mail.compose</key><string>builtin</string><key>general</key><dict><key>debug</key><dict><key>enabled</key><true/><key>retentionDays</key><string>30</string></dict></dict>',
      ),
    };
    const readFile = async (file: string) => {
      const bytes = files[file];
      if (!bytes) throw Object.assign(new Error('not there'), { code: 'ENOENT' });
      return bytes;
    };
    const policy = MachinePolicy.from(await readMacPolicy({ user: 'ada', readFile }));
    expect(Object.fromEntries(policy.entries.map((e) => [e.path, [e.value, e.source.split('/').at(-2)]]))).toEqual({
      'mail.compose': ['autodetect', 'ada'],
      'general.debug.enabled': [true, 'Managed Preferences'],
      'general.debug.retentionDays': [30, 'Managed Preferences'],
    });
    expect(policy.view().problems).toEqual([]);
  });
});
