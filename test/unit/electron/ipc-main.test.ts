// The Electron wiring, with electron itself replaced: the runtime cannot run here, the wiring can.
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (event: unknown, input: unknown) => unknown;
const handlers = new Map<string, Listener>();

vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, listener: Listener) => handlers.set(channel, listener),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));

const { registerChannels } = await import('../../../main/electron/ipc-main');
const { isTrustedSender, APP_URL } = await import('../../../main/electron/trusted-sender');
const { CHANNEL_NAMES, IPC_PREFIX } = await import('../../../preload/contract');

function event(url: string, senderId = 1, parent: unknown = null) {
  return { sender: { id: senderId }, senderFrame: { url, parent } };
}

describe('trusted sender', () => {
  const trusted = new Set([1]);
  it('trusts only our window, its top frame, showing our page', () => {
    expect(isTrustedSender({ url: APP_URL, isMainFrame: true }, 1, trusted)).toBe(true);
    expect(isTrustedSender({ url: 'app://mailroom/other/route', isMainFrame: true }, 1, trusted)).toBe(true);
    expect(isTrustedSender({ url: APP_URL, isMainFrame: false }, 1, trusted)).toBe(false);
    expect(isTrustedSender({ url: APP_URL, isMainFrame: true }, 2, trusted)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isMainFrame: true }, 1, trusted)).toBe(false);
    expect(isTrustedSender({ url: 'app://mailroom.evil/', isMainFrame: true }, 1, trusted)).toBe(false);
    expect(isTrustedSender({ url: 'file:///etc/passwd', isMainFrame: true }, 1, trusted)).toBe(false);
    expect(isTrustedSender({ url: 'not a url', isMainFrame: true }, 1, trusted)).toBe(false);
    expect(isTrustedSender(null, 1, trusted)).toBe(false);
  });
});

describe('registerChannels', () => {
  beforeEach(() => handlers.clear());

  it('registers exactly the contract channels under the prefix, and removes them again', () => {
    const unregister = registerChannels(async () => ({ ok: true, value: null }), new Set([1]));
    expect([...handlers.keys()].sort()).toEqual(CHANNEL_NAMES.map((c) => IPC_PREFIX + c).sort());
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('passes trusted calls to dispatch and refuses foreign frames without calling it', async () => {
    const calls: unknown[] = [];
    registerChannels(async (channel, input, ctx) => {
      calls.push([channel, input, ctx]);
      return { ok: true, value: 'fine' };
    }, new Set([1]));
    const get = handlers.get(IPC_PREFIX + 'settings:get')!;
    expect(await get(event(APP_URL), undefined)).toEqual({ ok: true, value: 'fine' });
    expect(calls).toEqual([['settings:get', undefined, { shell: 'electron' }]]);

    expect(await get(event('https://evil.example/'), undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await get(event(APP_URL, 1, { url: APP_URL }), undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await get(event(APP_URL, 9), undefined)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls).toHaveLength(1);
  });
});
