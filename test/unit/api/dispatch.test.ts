import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch } from '../../../main/api/dispatch';
import { createHandlers, type Handlers } from '../../../main/api/handlers';
import { createServices } from '../../../main/services';
import { createConfFile } from '../../../main/services/conf-file';
import { defaultSettings, newProfile, type StartUp } from '../../../preload/contract';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
const ctx = { shell: 'browser' as const };

beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function realHandlers(): Handlers {
  return createHandlers(createServices({ dataDir: dir, shell: 'browser', version: '1.2.3', createFile: createConfFile }));
}

describe('dispatch', () => {
  it('answers a known channel with a result', async () => {
    const dispatch = createDispatch(realHandlers());
    expect(await dispatch('settings:get', undefined, ctx)).toEqual({ ok: true, value: defaultSettings() });
    const info = await dispatch('app:get-info', undefined, ctx);
    expect(info).toMatchObject({ ok: true, value: { name: 'Mailroom', version: '1.2.3', shell: 'browser', dataDir: dir } });
  });

  it('answers the first paint in one call with what each channel would say on its own', async () => {
    const dispatch = createDispatch(realHandlers());
    const profile = { ...newProfile('p1', 'Office'), host: 'smtp.example.com', fromAddress: 'office@example.com', username: 'office' };
    const base = defaultSettings();
    const settings = { ...base, general: { ...base.general, organisationName: 'Contoso', alertFrom: 'alerts@example.com' }, smtp: { ...base.smtp, profiles: [profile] } };
    const saved = await dispatch('settings:save', settings, ctx);
    expect(saved, JSON.stringify(saved)).toMatchObject({ ok: true });
    expect(await dispatch('secrets:set-profile-password', { profileId: 'p1', password: 'hunter2' }, ctx)).toMatchObject({ ok: true });
    const answer = await dispatch('app:start-up', undefined, ctx);
    if (!answer.ok) throw new Error(answer.error.message);
    const startUp = answer as { ok: true; value: StartUp };
    const each = async (channel: 'app:get-info' | 'app:whoami' | 'settings:get-with-revision' | 'app:list-notices' | 'secrets:status' | 'policy:show') => {
      const answer = await dispatch(channel, undefined, ctx);
      if (!answer.ok) throw new Error(answer.error.message);
      return answer.value;
    };
    expect(startUp.value).toEqual({
      info: await each('app:get-info'),
      whoami: await each('app:whoami'),
      settings: await each('settings:get-with-revision'),
      notices: await each('app:list-notices'),
      secrets: await each('secrets:status'),
      policy: await each('policy:show'),
    });
    expect(startUp.value.secrets.profilePasswords).toEqual({ p1: true });
    expect(JSON.stringify(startUp.value)).not.toContain('hunter2');
  });

  it('refuses an unknown channel, including names from Object.prototype', async () => {
    const dispatch = createDispatch(realHandlers());
    for (const name of ['settings:delete-everything', 'toString', '__proto__', 42, null]) {
      expect(await dispatch(name, undefined, ctx)).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
  });

  it('validates input before any handler runs, with field paths', async () => {
    const dispatch = createDispatch(realHandlers());
    const result = await dispatch('settings:save', { version: 1, general: { organisationName: 5 } }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    if (!result.ok) expect(result.error.fields?.map((f) => f.path)).toContain('general.organisationName');
    expect(await dispatch('app:get-info', { sneaky: true }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await dispatch('app:dismiss-notice', { id: '' }, ctx)).toMatchObject({ ok: false, error: { fields: [{ path: 'id' }] } });
  });

  it('turns a thrown error into a result and reports it without the input', async () => {
    const reported: string[] = [];
    const handlers = { ...realHandlers(), 'settings:get': () => { throw new Error('disk on fire'); } } as Handlers;
    const dispatch = createDispatch(handlers, { onInternalError: (channel, error) => reported.push(`${channel}: ${(error as Error).message}`) });
    expect(await dispatch('settings:get', undefined, ctx)).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong in settings:get: disk on fire' } });
    expect(reported).toEqual(['settings:get: disk on fire']);
  });

  it('never lets an answer that breaks the contract out', async () => {
    const handlers = { ...realHandlers(), 'settings:get': () => ({ ok: true, value: { version: 1, general: {}, password: 'hunter2' } }) } as unknown as Handlers;
    const result = await createDispatch(handlers)('settings:get', undefined, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });
});

describe('secret and SMTP channels', () => {
  function services() {
    return createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile });
  }

  function savedWithProfile() {
    const s = services();
    const settings = defaultSettings();
    settings.general.organisationName = 'Acme';
    settings.general.alertFrom = 'alerts@acme.example';
    settings.smtp.profiles.push({ ...newProfile('p1', 'Office'), host: 'smtp.acme.example', username: 'u', fromAddress: 'a@acme.example' });
    expect(s.settings.save(settings).ok).toBe(true);
    return s;
  }

  it('sets a password write-only: the status says whether one is set, never what it is', async () => {
    const s = savedWithProfile();
    const dispatch = createDispatch(createHandlers(s));
    expect(await dispatch('secrets:status', undefined, ctx)).toEqual({ ok: true, value: { profilePasswords: { p1: false }, userPasswords: {} } });
    const set = await dispatch('secrets:set-profile-password', { profileId: 'p1', password: 'hunter2-secret' }, ctx);
    expect(set).toEqual({ ok: true, value: { profilePasswords: { p1: true }, userPasswords: {} } });
    expect(JSON.stringify(await dispatch('settings:get', undefined, ctx))).not.toContain('hunter2');
    expect(s.mail.credentials(s.settings.read().smtp.profiles[0]!)).toEqual({ ok: true, value: { username: 'u', password: 'hunter2-secret' } });
    expect(await dispatch('secrets:set-profile-password', { profileId: 'p1', password: null }, ctx)).toEqual({ ok: true, value: { profilePasswords: { p1: false }, userPasswords: {} } });
  });

  it('refuses a password for a profile that is not saved', async () => {
    const dispatch = createDispatch(createHandlers(services()));
    expect(await dispatch('secrets:set-profile-password', { profileId: 'ghost', password: 'x' }, ctx)).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('forgets the password of a profile deleted by a save', async () => {
    const s = savedWithProfile();
    const dispatch = createDispatch(createHandlers(s));
    await dispatch('secrets:set-profile-password', { profileId: 'p1', password: 'pw' }, ctx);
    const without = s.settings.read();
    without.smtp.profiles = [];
    expect((await dispatch('settings:save', without, ctx)).ok).toBe(true);
    expect(s.secrets.names()).toEqual([]);
  });

  it('validates a profile sent for testing, field by field', async () => {
    const dispatch = createDispatch(createHandlers(services()));
    const bad = { ...newProfile('p1', 'Office'), host: 'smtp example', port: 0 };
    const result = await dispatch('smtp:test-connection', { profile: bad }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    if (!result.ok) expect(result.error.fields?.map((f) => f.path).sort()).toEqual(['profile.host', 'profile.port']);
  });

  it('says which field is missing before trying to connect', async () => {
    const dispatch = createDispatch(createHandlers(services()));
    const profile = { ...newProfile('p1', 'Office'), host: '127.0.0.1', port: 9, username: 'u', fromAddress: 'a@acme.example' };
    // A test needs the server; a missing password is its sign-in step's finding, not a refusal.
    expect(await dispatch('smtp:test-connection', { profile: { ...profile, host: '' } }, ctx)).toMatchObject({ ok: false, error: { fields: [{ path: 'host' }] } });
    const withCa = { ...profile, caFile: '/nonexistent/ca.pem' };
    expect(await dispatch('smtp:test-connection', { profile: withCa, password: 'x' }, ctx)).toMatchObject({ ok: false, error: { fields: [{ path: 'caFile', message: 'The file does not exist' }] } });
  });
});
