// smtp:detect through the one dispatch both shells use: only those who may set profiles up may
// ask, the address is checked by the service with the field named, and nothing is saved.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../main/api/handlers';
import { createDispatch, type Dispatch } from '../../../main/api/dispatch';
import { createServices, type FileServices } from '../../../main/services';
import { createConfFile } from '../../../main/services/conf-file';
import { defaultSettings, newUser, type Settings } from '../../../preload/contract';
import { tempDir } from '../../helpers/temp-dir';

let cleanup: () => void;
let me: string;
let services: FileServices;
let dispatch: Dispatch;
const ctx = { shell: 'browser' as const };

function seeded(): Settings {
  const s = defaultSettings();
  s.general.organisationName = 'Contoso';
  s.general.alertFrom = 'alerts@contoso.test';
  s.users = [{ ...newUser('admin', 'CONTOSO\\boss'), admin: true }, newUser('clerk', 'CONTOSO\\clerk')];
  return s;
}

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  me = 'CONTOSO\\boss';
  services = createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile, osUser: () => me });
  expect(services.settings.save(seeded()).ok).toBe(true);
  dispatch = createDispatch(createHandlers(services));
});
afterEach(() => cleanup());

describe('smtp:detect', () => {
  it('proposes settings to an administrator and saves nothing', async () => {
    const before = services.settings.revision();
    const result = await dispatch('smtp:detect', { address: 'boss@icloud.com' }, ctx);
    expect(result).toMatchObject({ ok: true, value: { domain: 'icloud.com', proposal: { host: { value: 'smtp.mail.me.com', source: 'built-in table: iCloud Mail' }, port: { value: 587 } } } });
    expect(services.settings.revision()).toBe(before);
    expect(services.settings.read().smtp.profiles).toEqual([]);
  });

  it('refuses someone who may not set profiles up, before asking anyone', async () => {
    me = 'CONTOSO\\clerk';
    expect(await dispatch('smtp:detect', { address: 'clerk@icloud.com' }, ctx)).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('Only an administrator') } });
  });

  it('names the address field when it is not one address', async () => {
    expect(await dispatch('smtp:detect', { address: 'a@b@c' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'address' }] } });
    expect(await dispatch('smtp:detect', { address: '' }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'address', message: 'Required' }] } });
    expect(await dispatch('smtp:detect', { address: 'x'.repeat(700) }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'address' }] } });
    expect(await dispatch('smtp:detect', { address: 'a@example.com', save: true }, ctx)).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'save', message: 'Unknown field' }] } });
  });
});
