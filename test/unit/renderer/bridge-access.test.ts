// Browser mode without this start's token: the bridge says so at once, asks nothing it cannot be
// answered, and hears it from a 401 when the token is from an earlier start.
import { describe, expect, it, vi } from 'vitest';
import { createHttpBridge } from '../../../renderer/src/bridge';

const neverSource = () => {
  throw new Error('no event stream is opened in these tests');
};

describe('the HTTP bridge without a usable token', () => {
  it('asks nothing when the page has no token, and says so', async () => {
    const fetchImpl = vi.fn<typeof fetch>();
    const noToken = vi.fn();
    const answer = await createHttpBridge(null, fetchImpl, neverSource, noToken).invoke('app:get-info', undefined);
    expect(answer.ok).toBe(false);
    expect(fetchImpl).not.toHaveBeenCalled();
    expect(noToken).toHaveBeenCalledTimes(1);
  });

  it('hears of a token from another start from the 401, and not from another refusal', async () => {
    const noToken = vi.fn();
    const reply = (status: number) => vi.fn<typeof fetch>(async () => new Response(JSON.stringify({ ok: false, error: { code: 'forbidden', message: 'x' } }), { status }));
    await createHttpBridge('old-token', reply(403), neverSource, noToken).invoke('settings:get', undefined);
    expect(noToken).not.toHaveBeenCalled();
    await createHttpBridge('old-token', reply(401), neverSource, noToken).invoke('settings:get', undefined);
    expect(noToken).toHaveBeenCalledTimes(1);
  });
});
