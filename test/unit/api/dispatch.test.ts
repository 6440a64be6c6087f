import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch } from '../../../main/api/dispatch';
import { createHandlers, type Handlers } from '../../../main/api/handlers';
import { createServices } from '../../../main/services';
import { createConfFile } from '../../../main/services/conf-file';
import { defaultSettings } from '../../../preload/contract';
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
