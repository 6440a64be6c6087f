// The one gate: who may do what, in the words every shell shows.
import { describe, expect, it } from 'vitest';
import { authorize, type Identity } from '../../../main/services/access';
import { newUser } from '../../../preload/contract';

const boss: Identity = { account: 'CONTOSO\\boss', user: { ...newUser('boss', 'CONTOSO\\boss'), admin: true }, admin: true };
const clerk: Identity = { account: 'CONTOSO\\clerk', user: newUser('clerk', 'CONTOSO\\clerk'), admin: false };
const stranger: Identity = { account: 'intruder', admin: false };
const locked: Identity = { account: 'CONTOSO\\boss', admin: false, readOnly: 'The settings file was damaged; restore it from a backup.' };

const ADMIN_ONLY = ['settings.change', 'profile.password.set', 'profile.detect', 'oauth.sign-in', 'oauth.sign-out'] as const;

describe('authorize', () => {
  it('lets an administrator do everything', () => {
    for (const action of [...ADMIN_ONLY, 'settings.import', 'user.own.change', 'outbox.retry', 'outbox.cancel'] as const) {
      expect(authorize(boss, action), action).toEqual({ ok: true, value: undefined });
    }
    expect(authorize(boss, { kind: 'user.password.set', userId: 'clerk' }).ok).toBe(true);
  });

  it('refuses a user who is not an administrator, saying who they are', () => {
    for (const action of ADMIN_ONLY) {
      expect(authorize(clerk, action), action).toEqual({
        ok: false,
        error: { code: 'forbidden', message: 'Only an administrator can change system settings. You are signed in to this computer as CONTOSO\\clerk, who is not an administrator.' },
      });
    }
    expect(authorize(clerk, 'settings.import')).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('says when the account is not one of the system users at all', () => {
    expect(authorize(stranger, 'settings.change')).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('intruder, who is not one of the system users') } });
    expect(authorize(stranger, 'user.own.change')).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('an administrator can add you on the Users tab') } });
    expect(authorize(stranger, { kind: 'user.password.set', userId: 'clerk' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('while the settings are locked, refuses changes with the reason, and leaves an import to the settings service', () => {
    expect(authorize(locked, 'settings.change')).toEqual({ ok: false, error: { code: 'forbidden', message: locked.readOnly } });
    expect(authorize(locked, 'settings.import').ok).toBe(true);
  });

  it('lets a user set their own password and choices, never another user\'s password', () => {
    expect(authorize(clerk, { kind: 'user.password.set', userId: 'clerk' }).ok).toBe(true);
    expect(authorize(clerk, { kind: 'user.password.set', userId: 'boss' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: "Only an administrator can set another user's password." } });
    expect(authorize(clerk, 'user.own.change').ok).toBe(true);
  });

  it('lets anyone retry or cancel a message in the outbox', () => {
    expect(authorize(clerk, 'outbox.retry').ok).toBe(true);
    expect(authorize(stranger, 'outbox.cancel').ok).toBe(true);
  });
});
