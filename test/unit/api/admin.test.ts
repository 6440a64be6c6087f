// Only administrators change system settings: enforced in main, on every channel that changes
// them, whatever the UI shows; users change only their own choices, within what the admin allows.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../main/api/handlers';
import { createDispatch, type Dispatch } from '../../../main/api/dispatch';
import { createServices, type FileServices } from '../../../main/services';
import { createConfFile } from '../../../main/services/conf-file';
import { defaultSettings, newProfile, newUser, type Settings } from '../../../preload/contract';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
let me: string;
let services: FileServices;
let dispatch: Dispatch;
const ctx = { shell: 'browser' as const };

function seeded(): Settings {
  const s = defaultSettings();
  s.general.organisationName = 'Contoso';
  s.general.alertFrom = 'alerts@contoso.test';
  s.smtp.profiles = [{ ...newProfile('p1', 'Office'), host: 'smtp.contoso.test', username: 'u', fromAddress: 'a@contoso.test' }];
  s.users = [
    { ...newUser('admin', 'CONTOSO\\boss'), name: 'Boss', admin: true },
    { ...newUser('clerk', 'CONTOSO\\clerk'), name: 'Clerk', email: 'clerk@contoso.test' },
  ];
  s.mail = { ...s.mail, composeUserSelectable: true, sendUserSelectable: false };
  return s;
}

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  me = 'CONTOSO\\boss';
  services = createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile, osUser: () => me });
  expect(services.settings.save(seeded()).ok).toBe(true);
  dispatch = createDispatch(createHandlers(services));
});
afterEach(() => cleanup());

describe('who may change what', () => {
  it('tells the renderer who is using it and the modes in force', async () => {
    me = 'clerk';
    expect(await dispatch('app:whoami', undefined, ctx)).toMatchObject({
      ok: true,
      value: { account: 'clerk', admin: false, user: { id: 'clerk' }, modes: { compose: 'builtin', send: 'smtp', composeFrom: 'system' } },
    });
  });

  it('refuses every settings-changing channel to a non-admin, and changes nothing', async () => {
    me = 'CONTOSO\\clerk';
    const before = JSON.stringify(services.settings.read());
    const attempts = [
      dispatch('settings:save', { ...seeded(), general: { ...seeded().general, organisationName: 'Hijacked' } }, ctx),
      dispatch('secrets:set-profile-password', { profileId: 'p1', password: 'x' }, ctx),
      dispatch('oauth:sign-out', { profileId: 'p1' }, ctx),
      dispatch('oauth:sign-in-start', { profile: { ...newProfile('p1', 'Office'), authModel: 'oauth2', clientId: '11111111-2222-3333-4444-555555555555' }, method: 'device-code' }, ctx),
      dispatch('users:set-password', { userId: 'admin', password: 'x' }, ctx),
    ];
    for (const result of await Promise.all(attempts)) expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(JSON.stringify(services.settings.read())).toBe(before);
    expect(services.mail.passwordSet('p1')).toBe(false);
  });

  it('refuses an account that is not a system user at all', async () => {
    me = 'intruder';
    expect(await dispatch('settings:save', seeded(), ctx)).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('not one of the system users') } });
    expect(await dispatch('users:set-own', { compose: 'outlook' }, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it("lets a user set their own choice where allowed, refuses it where not, and never touches others' records", async () => {
    me = 'clerk';
    expect(await dispatch('users:set-own', { compose: 'autodetect', smtpUsername: 'clerk-smtp' }, ctx)).toMatchObject({ ok: true, value: { id: 'clerk', compose: 'autodetect', smtpUsername: 'clerk-smtp' } });
    const refused = await dispatch('users:set-own', { send: 'simple-mapi' }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'forbidden', fields: [{ path: 'send' }] } });
    const users = services.settings.read().users;
    expect(users.find((u) => u.id === 'clerk')).toMatchObject({ compose: 'autodetect', send: null });
    expect(users.find((u) => u.id === 'admin')).toEqual(seeded().users[0]);
    // Their own password, yes; someone else's, no.
    expect(await dispatch('users:set-password', { userId: 'clerk', password: 'pw' }, ctx)).toMatchObject({ ok: true, value: { userPasswords: { clerk: true, admin: false } } });
  });

  it('an admin turning selection off makes the user choice read-only: kept on record, no longer in force', async () => {
    me = 'clerk';
    await dispatch('users:set-own', { compose: 'autodetect' }, ctx);
    me = 'CONTOSO\\boss';
    const off = { ...services.settings.read(), mail: { ...services.settings.read().mail, composeUserSelectable: false } };
    expect(await dispatch('settings:save', off, ctx)).toMatchObject({ ok: true });
    me = 'clerk';
    expect(await dispatch('app:whoami', undefined, ctx)).toMatchObject({ ok: true, value: { modes: { compose: 'builtin', composeFrom: 'system' } } });
    expect(await dispatch('users:set-own', { compose: 'outlook' }, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden', fields: [{ path: 'compose' }] } });
  });

  it('stops an admin from saving themselves out of the admins', async () => {
    const s = seeded();
    s.users = s.users.map((u) => ({ ...u, admin: u.id === 'clerk' }));
    expect(await dispatch('settings:save', s, ctx)).toMatchObject({ ok: false, error: { fields: [{ path: 'users' }] } });
    s.users = [s.users[1]!];
    expect(await dispatch('settings:save', s, ctx)).toMatchObject({ ok: false, error: { fields: [{ path: 'users' }] } });
  });

  it('a per-user profile signs in with the current user\'s own SMTP credentials', async () => {
    const s = seeded();
    s.smtp.profiles[0]!.credentials = 'per-user';
    expect(services.settings.save(s).ok).toBe(true);
    me = 'clerk';
    expect(services.mail.credentials(services.settings.read().smtp.profiles[0]!)).toMatchObject({ ok: false, error: { fields: [{ path: 'credentials' }] } });
    await dispatch('users:set-own', { smtpUsername: 'clerk@contoso.test' }, ctx);
    await dispatch('users:set-password', { userId: 'clerk', password: 'clerk-pw' }, ctx);
    expect(services.mail.credentials(services.settings.read().smtp.profiles[0]!)).toEqual({ ok: true, value: { username: 'clerk@contoso.test', password: 'clerk-pw' } });
    expect(JSON.stringify(await dispatch('settings:get', undefined, ctx))).not.toContain('clerk-pw');
  });
});
