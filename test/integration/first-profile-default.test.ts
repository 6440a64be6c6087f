// The first server profile saved becomes the default, through the same use cases the dialog's Save
// and `mailroom settings import` go through (`profile set` is in cli-profile.test.ts).
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { defaultSettings, newProfile, type Settings, type SmtpProfile } from '../../preload/contract';
import { tempDir } from '../helpers/temp-dir';

let cleanup: () => void;
let services: FileServices;

beforeEach(() => {
  let dir: string;
  ({ dir, cleanup } = tempDir());
  services = createServices({ dataDir: path.join(dir, 'data'), shell: 'browser', version: 't', createFile: createConfFile });
});
afterEach(async () => {
  await services.outbox.stop();
  cleanup();
});

function relay(id: string, name: string): SmtpProfile {
  return { ...newProfile(id, name), host: 'relay.acme.example', security: 'none', auth: 'none', fromAddress: 'accounts@acme.example' };
}

function settingsWith(profiles: SmtpProfile[]): Settings {
  const s = defaultSettings();
  s.general.organisationName = 'Acme';
  s.general.alertFrom = 'alerts@acme.example';
  s.smtp.profiles = profiles;
  return s;
}

describe('the first profile saved', () => {
  it('becomes the default when saved with none chosen; a later save keeps the administrator’s choice of none', async () => {
    const first = await services.useCases.settings.save(settingsWith([relay('p-first', 'First')]));
    expect(first.ok && first.value.general.defaultProfile).toBe('p-first');
    const both = await services.useCases.settings.save(settingsWith([relay('p-first', 'First'), relay('p-second', 'Second')]));
    expect(both.ok && both.value.general.defaultProfile).toBe('');
  });

  it('becomes the default when a file naming none is imported over no profiles, and the import says so', async () => {
    const imported = await services.useCases.settings.import(settingsWith([relay('p-first', 'First')]));
    expect(imported.ok && imported.value.madeDefault?.name).toBe('First');
    expect(services.settings.read().general.defaultProfile).toBe('p-first');
    const again = await services.useCases.settings.import(settingsWith([relay('p-first', 'First')]));
    expect(again.ok && again.value.madeDefault).toBeUndefined();
  });
});
