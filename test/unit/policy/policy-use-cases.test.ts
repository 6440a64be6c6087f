// Machine policy through the services, as the dialog, browser mode and the command line reach it:
// everyone reads the settings with the policy laid over them, every way of changing a locked
// setting is refused (to an administrator too), and profiles the policy names are created at start.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../main/api/handlers';
import { createDispatch } from '../../../main/api/dispatch';
import { MachinePolicy, createServices, type FileServices } from '../../../main/services';
import { createConfFile } from '../../../main/services/conf-file';
import type { RawPolicy } from '../../../main/services/policy/raw-policy';
import { defaultSettings, newProfile, newUser, type Settings } from '../../../preload/contract';
import { tempDir } from '../../helpers/temp-dir';

const SOURCE = '/etc/mailroom/policy.json';
const ctx = { shell: 'browser' as const };

let dir: string;
let cleanup: () => void;
let me: string;

function policyOf(values: Record<string, unknown>): MachinePolicy {
  const raw: RawPolicy = { source: SOURCE, found: true, values, problems: [] };
  return MachinePolicy.from([raw]);
}

function open(policy: MachinePolicy): FileServices {
  return createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile, osUser: () => me, policy });
}

function seeded(): Settings {
  const s = defaultSettings();
  s.general.organisationName = 'Contoso';
  s.general.alertFrom = 'alerts@contoso.test';
  s.smtp.profiles = [{ ...newProfile('p1', 'Office'), host: 'smtp.contoso.test', username: 'u', fromAddress: 'a@contoso.test' }];
  s.general.defaultProfile = 'p1';
  s.users = [
    { ...newUser('admin', 'CONTOSO\\boss'), name: 'Boss', admin: true },
    { ...newUser('clerk', 'CONTOSO\\clerk'), name: 'Clerk' },
  ];
  return s;
}

/** The settings as saved on disk, without the policy. */
function onDisk(): Settings {
  return JSON.parse(fs.readFileSync(path.join(dir, 'settings.json'), 'utf8')) as Settings;
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  me = 'CONTOSO\\boss';
  expect(open(MachinePolicy.none()).settings.save(seeded()).ok).toBe(true);
});
afterEach(() => cleanup());

describe('the settings everyone reads', () => {
  it('are the saved settings with the policy laid over them, for the dialog, the sender and the command line', async () => {
    const services = open(policyOf({ 'general.alertFrom': 'it@contoso.test', 'smtp.profiles.p1.host': 'relay.contoso.test', 'smtp.profiles.p1.port': '2525' }));
    expect(services.settings.read().general.alertFrom).toBe('it@contoso.test');
    expect(services.settings.readShared().smtp.profiles[0]).toMatchObject({ host: 'relay.contoso.test', port: 2525 });
    expect(services.settings.readWithRevision().settings.general.alertFrom).toBe('it@contoso.test');
    expect(services.settings.getPath('general.alertFrom')).toEqual({ ok: true, value: 'it@contoso.test' });
    expect(services.mail.savedProfile('p1')).toMatchObject({ host: 'relay.contoso.test', port: 2525 });
    const dispatch = createDispatch(createHandlers(services));
    expect(await dispatch('settings:get', undefined, ctx)).toMatchObject({ ok: true, value: { general: { alertFrom: 'it@contoso.test' } } });
    // The file keeps what was saved.
    expect(onDisk().general.alertFrom).toBe('alerts@contoso.test');
  });

  it('tell the dialog the locks in its first answer and on policy:show', async () => {
    const services = open(policyOf({ 'general.alertFrom': 'it@contoso.test', 'general.bogus': 1 }));
    const dispatch = createDispatch(createHandlers(services));
    const expected = {
      sources: [{ location: SOURCE, found: true }],
      entries: [{ path: 'general.alertFrom', value: 'it@contoso.test', source: SOURCE }],
      problems: [{ source: SOURCE, path: 'general.bogus', message: 'Not a setting a policy can set' }],
    };
    expect(await dispatch('policy:show', undefined, ctx)).toEqual({ ok: true, value: expected });
    expect(await dispatch('app:start-up', undefined, ctx)).toMatchObject({ ok: true, value: { policy: expected } });
  });
});

describe('a change to a locked setting', () => {
  const policy = () => policyOf({ 'general.alertFrom': 'it@contoso.test', 'smtp.profiles.p1.host': 'relay.contoso.test', 'mail.compose': 'builtin' });

  it('is refused to an administrator on every way of changing settings, and nothing changes', async () => {
    const services = open(policy());
    expect(services.identity().admin).toBe(true);
    const cases = services.useCases.settings;
    const dispatch = createDispatch(createHandlers(services));
    const before = JSON.stringify(onDisk());
    const inForce = services.settings.read();
    const changed = structuredClone(inForce);
    changed.general.alertFrom = 'mine@contoso.test';
    const { revision } = services.settings.readWithRevision();
    const refusals = [
      await cases.save(changed),
      await cases.import(changed),
      await cases.set('general.alertFrom', 'mine@contoso.test'),
      await cases.set('smtp.profiles.p1.host', 'mine.contoso.test'),
      await cases.set('mail.compose', 'autodetect'),
      await cases.setProfile('Office', { change: { host: 'mine.contoso.test' } }),
      await cases.removeProfile('Office'),
      await dispatch('settings:save', changed, ctx),
      await dispatch('settings:save-if-unchanged', { settings: changed, baseRevision: revision }, ctx),
    ];
    for (const refused of refusals) {
      expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining(`(${SOURCE})`) } });
    }
    expect(refusals[0]).toMatchObject({ error: { message: expect.stringContaining('general.alertFrom'), fields: [{ path: 'general.alertFrom' }] } });
    expect(refusals[3]).toMatchObject({ error: { fields: [{ path: 'smtp.profiles.p1.host', message: `Set by your organisation (${SOURCE})` }] } });
    expect(refusals[6]).toMatchObject({ error: { fields: [{ path: 'smtp.profiles.p1.host' }] } });
    expect(JSON.stringify(onDisk())).toBe(before);
  });

  it('is not needed for a save that leaves locked settings as they are', async () => {
    const services = open(policy());
    const cases = services.useCases.settings;
    const edited = services.settings.read();
    edited.general.organisationName = 'Contoso Group';
    expect(await cases.save(edited)).toMatchObject({ ok: true });
    expect(await cases.set('general.systemNotification', 'it@contoso.test')).toMatchObject({ ok: true });
    expect(await cases.setProfile('Office', { change: { username: 'mailer' } })).toMatchObject({ ok: true, value: { profile: { host: 'relay.contoso.test', username: 'mailer' } } });
    // Setting a locked value to what the policy says changes nothing, so it passes.
    expect(await cases.set('general.alertFrom', 'it@contoso.test')).toMatchObject({ ok: true });
    expect(services.settings.read()).toMatchObject({ general: { organisationName: 'Contoso Group', alertFrom: 'it@contoso.test', systemNotification: 'it@contoso.test' } });
  });

  it('writes down what was saved, not the policy, so lifting the policy gives the saved settings back', async () => {
    const services = open(policy());
    const cases = services.useCases.settings;
    const edited = services.settings.read();
    edited.general.organisationName = 'Contoso Group';
    expect(await cases.save(edited)).toMatchObject({ ok: true, value: { general: { alertFrom: 'it@contoso.test' } } });
    expect(await cases.setProfile('Office', { change: { username: 'mailer' } })).toMatchObject({ ok: true });
    expect(await cases.set('general.systemNotification', 'it@contoso.test')).toMatchObject({ ok: true });
    // In force: the policy's values; on disk: the edits, around the values saved before the policy.
    expect(services.settings.read()).toMatchObject({ general: { organisationName: 'Contoso Group', alertFrom: 'it@contoso.test' }, mail: { compose: 'builtin' } });
    expect(onDisk()).toMatchObject({ general: { organisationName: 'Contoso Group', alertFrom: 'alerts@contoso.test', systemNotification: 'it@contoso.test' } });
    expect(onDisk().smtp.profiles[0]).toMatchObject({ host: 'smtp.contoso.test', username: 'mailer' });
    expect(onDisk().mail.compose).toBe(defaultSettings().mail.compose);
    // The policy lifted: what was saved, with every edit made meanwhile.
    const lifted = open(MachinePolicy.none()).settings.read();
    expect(lifted).toMatchObject({ general: { organisationName: 'Contoso Group', alertFrom: 'alerts@contoso.test' } });
    expect(lifted.smtp.profiles[0]).toMatchObject({ host: 'smtp.contoso.test', username: 'mailer' });
  });

  it('is refused for a user’s own choice where the policy turned the choice off', async () => {
    const services = open(policyOf({ 'mail.composeUserSelectable': 0 }));
    me = 'CONTOSO\\clerk';
    const refused = await services.useCases.settings.setOwn({ compose: 'autodetect' });
    expect(refused).toEqual({
      ok: false,
      error: {
        code: 'forbidden',
        message: `Set by your organisation, so nobody can change it here: mail.composeUserSelectable (${SOURCE}). Nothing was changed.`,
        fields: [{ path: 'mail.composeUserSelectable', message: `Set by your organisation (${SOURCE})` }],
      },
    });
    // Their SMTP username is still theirs.
    expect(await services.useCases.settings.setOwn({ smtpUsername: 'clerk@contoso.test' })).toMatchObject({ ok: true });
  });

  it('is refused for the office database address, which the policy then names', async () => {
    const url = 'postgres://db.contoso.test/mailroom';
    const services = open(policyOf({ office: { databaseUrl: url } }));
    const dispatch = createDispatch(createHandlers(services));
    expect(await dispatch('office:link-status', undefined, ctx)).toMatchObject({ ok: true, value: { url } });
    const save = await dispatch('office:link-save', { url: 'postgres://elsewhere.test/mailroom' }, ctx);
    expect(save).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining(`office.databaseUrl (${SOURCE})`) } });
    expect(await dispatch('office:link-clear', undefined, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(fs.existsSync(path.join(dir, 'office-database.json'))).toBe(false);
  });
});

describe('profiles a policy names', () => {
  it('are created on first start with no click, locked where given, and the only one becomes the default', () => {
    fs.rmSync(path.join(dir, 'settings.json'));
    fs.rmSync(path.join(dir, 'users-defined.json'), { force: true });
    const policy = () =>
      policyOf({
        'smtp.profiles': JSON.stringify([{ id: 'head-office', name: 'Head office', host: 'smtp.contoso.test', port: '465', security: 'tls' }]),
        'smtp.profiles.head-office.fromAddress': 'invoices@contoso.test',
      });
    const services = open(policy());
    const [profile, ...others] = onDisk().smtp.profiles;
    expect(others).toEqual([]);
    expect(profile).toEqual({ ...newProfile('head-office', 'Head office'), host: 'smtp.contoso.test', port: 465, security: 'tls', fromAddress: 'invoices@contoso.test' });
    expect(onDisk().general.defaultProfile).toBe('head-office');
    expect(services.policy.lockOf('smtp.profiles.head-office.host')).toMatchObject({ value: 'smtp.contoso.test' });
    expect(services.policy.lockOf('smtp.profiles.head-office.username')).toBeUndefined();
    // The next start finds it there and adds nothing.
    open(policy());
    expect(onDisk().smtp.profiles).toHaveLength(1);
    expect(services.policy.view().problems).toEqual([]);
  });

  it('join the profiles there are without taking the default from them', () => {
    const services = open(policyOf({ smtp: { profiles: { relay: { host: 'relay.contoso.test' } } } }));
    expect(onDisk().smtp.profiles.map((p) => [p.id, p.name, p.host])).toEqual([
      ['p1', 'Office', 'smtp.contoso.test'],
      ['relay', 'relay', 'relay.contoso.test'],
    ]);
    expect(services.settings.read().general.defaultProfile).toBe('p1');
  });

  it('are reported by path when they cannot be created', () => {
    // A profile name that another profile has already.
    const services = open(policyOf({ 'smtp.profiles': [{ id: 'twin', name: 'Office' }] }));
    expect(onDisk().smtp.profiles).toHaveLength(1);
    expect(services.policy.view().problems).toEqual([{ source: SOURCE, path: 'smtp.profiles.twin', message: expect.stringContaining('The profile could not be created') }]);
  });
});

describe('settings get and set by a profile’s id', () => {
  it('read and change one field of one profile, as policy names it', async () => {
    const services = open(MachinePolicy.none());
    expect(services.settings.getPath('smtp.profiles.p1.host')).toEqual({ ok: true, value: 'smtp.contoso.test' });
    expect(services.settings.getPath('smtp.profiles.p1')).toMatchObject({ ok: true, value: { id: 'p1', name: 'Office' } });
    expect(services.settings.getPath('smtp.profiles.nope.host')).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: 'Unknown setting "smtp.profiles.nope.host". Known here: smtp.profiles.p1' },
    });
    expect(services.settings.getPath('smtp.profiles.p1.colour')).toMatchObject({ ok: false, error: { message: expect.stringContaining('Known here: smtp.profiles.p1.id') } });
    expect(await services.useCases.settings.set('smtp.profiles.p1.port', '2525')).toMatchObject({ ok: true, value: { value: 2525 } });
    expect(onDisk().smtp.profiles[0]!.port).toBe(2525);
    expect(await services.useCases.settings.set('smtp.profiles.p1', '{}')).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
});
