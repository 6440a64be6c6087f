import { describe, expect, it } from 'vitest';
import {
  MailOptions,
  defaultMailOptions,
  effectiveModes,
  findUser,
  isAdmin,
  modeUnavailable,
  newUser,
  fieldErrors,
  type MailOptions as Options,
  type SystemUser,
} from '../../../preload/contract';

const user = (over: Partial<SystemUser> = {}): SystemUser => ({ ...newUser('u1', 'alice'), ...over });
const options = (over: Partial<Options> = {}): Options => ({ ...defaultMailOptions(), ...over });

describe('effective compose and send modes', () => {
  it("are the system's when the admin does not allow selection, whatever the user chose", () => {
    expect(effectiveModes(options({ compose: 'autodetect', send: 'smtp' }), user({ compose: 'outlook', send: 'simple-mapi' }))).toEqual({
      compose: 'autodetect',
      send: 'smtp',
      composeFrom: 'system',
      sendFrom: 'system',
    });
  });

  it("are the user's own where allowed and chosen, each independently", () => {
    const o = options({ composeUserSelectable: true, sendUserSelectable: false, send: 'smtp' });
    expect(effectiveModes(o, user({ compose: 'outlook', send: 'full-mapi' }))).toEqual({ compose: 'outlook', send: 'smtp', composeFrom: 'user', sendFrom: 'system' });
    expect(effectiveModes(o, user({ compose: null }))).toMatchObject({ compose: 'builtin', composeFrom: 'system' });
    expect(effectiveModes(o, undefined)).toMatchObject({ compose: 'builtin', composeFrom: 'system' });
  });

  it('drop a Microsoft 365 choice once Allow Microsoft 365 web is off', () => {
    const on = options({ allowM365Web: true, composeUserSelectable: true, sendUserSelectable: true });
    const u = user({ compose: 'm365-web', send: 'm365-graph' });
    expect(effectiveModes(on, u)).toMatchObject({ compose: 'm365-web', send: 'm365-graph' });
    expect(effectiveModes({ ...on, allowM365Web: false }, u)).toMatchObject({ compose: 'builtin', send: 'smtp', composeFrom: 'system', sendFrom: 'system' });
  });
});

describe('mail options', () => {
  it('refuse a Microsoft 365 mode without Allow Microsoft 365 web, naming the field', () => {
    const r = MailOptions.safeParse(options({ compose: 'm365-web', send: 'm365-graph' }));
    expect(fieldErrors(r.error!).map((e) => e.path)).toEqual(['compose', 'send']);
    expect(MailOptions.safeParse(options({ allowM365Web: true, compose: 'm365-web', send: 'm365-graph' })).success).toBe(true);
  });

  it('say why a mode is not available here', () => {
    expect(modeUnavailable('outlook', { platform: 'linux', allowM365Web: true })).toMatch(/Only on Windows/);
    expect(modeUnavailable('outlook', { platform: 'win32', allowM365Web: false })).toBeNull();
    expect(modeUnavailable('m365-web', { platform: 'win32', allowM365Web: false })).toMatch(/Allow Microsoft 365 web/);
    expect(modeUnavailable('builtin', { platform: 'darwin', allowM365Web: false })).toBeNull();
  });
});

describe('system users', () => {
  const users = [user({ id: 'a', account: 'CONTOSO\\alice', admin: true }), user({ id: 'b', account: 'bob' })];
  it('are found by OS account, case-insensitive, with or without the domain', () => {
    expect(findUser(users, 'contoso\\ALICE')?.id).toBe('a');
    expect(findUser(users, 'alice')?.id).toBe('a');
    expect(findUser(users, 'CONTOSO\\bob')?.id).toBe('b');
    expect(findUser(users, 'OTHER\\alice')).toBeUndefined();
    expect(findUser(users, 'carol')).toBeUndefined();
  });

  it('admins: everyone while no users exist, then only those marked', () => {
    expect(isAdmin([], 'anyone')).toBe(true);
    expect(isAdmin(users, 'alice')).toBe(true);
    expect(isAdmin(users, 'bob')).toBe(false);
    expect(isAdmin(users, 'carol')).toBe(false);
  });
});
