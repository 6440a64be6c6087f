// Main's pushes to the window: prefixed contract events, to our own page only.
import { describe, expect, it } from 'vitest';
import { forwardEvents, sendEvent, type EventTarget } from '../../../main/electron/ipc-webcontents';
import { APP_URL } from '../../../main/electron/trusted-sender';
import { EVENT_PREFIX, type AnyEventListener } from '../../../preload/contract';

function window(url = APP_URL, id = 1, destroyed = false) {
  const sent: [string, unknown][] = [];
  const target: EventTarget = { id, getURL: () => url, isDestroyed: () => destroyed, send: (channel: string, ...args: unknown[]) => void sent.push([channel, args[0]]) };
  return { target, sent };
}

describe('sendEvent', () => {
  it('sends under the event prefix to our own page', () => {
    const { target, sent } = window();
    expect(sendEvent(target, new Set([1]), 'settings:changed', { revision: 'abc' })).toBe(true);
    expect(sent).toEqual([[`${EVENT_PREFIX}settings:changed`, { revision: 'abc' }]]);
  });

  it('sends nothing to a window that is gone, not ours, or shows another page', () => {
    for (const { target, sent } of [window(APP_URL, 1, true), window(APP_URL, 2), window('https://evil.example/')]) {
      expect(sendEvent(target, new Set([1]), 'outbox:changed', {})).toBe(false);
      expect(sent).toEqual([]);
    }
  });
});

describe('forwardEvents', () => {
  it('passes every event on to the window of the moment, and stops when told', () => {
    let listener: AnyEventListener | undefined;
    const subscribe = (l: AnyEventListener) => {
      listener = l;
      return () => (listener = undefined);
    };
    const { target, sent } = window();
    let current: EventTarget | null = null;
    const stop = forwardEvents(subscribe, () => current, new Set([1]));
    listener!('notices:changed', {});
    current = target;
    listener!('outbox:changed', {});
    expect(sent).toEqual([[`${EVENT_PREFIX}outbox:changed`, {}]]);
    stop();
    expect(listener).toBeUndefined();
  });
});
