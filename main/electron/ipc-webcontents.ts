// The only way main pushes to a window: contract events, typed by name, to our own page only.
import type { WebContents } from 'electron';
import { EVENT_PREFIX, type AnyEventListener, type AppEvent, type EventPayload } from '../../preload/contract';
import { isTrustedSender } from './trusted-sender';

export type EventTarget = Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'getURL'>;

/** Sends one event to a window, if it still shows our page; a window gone or navigated elsewhere hears nothing. */
export function sendEvent<E extends AppEvent>(target: EventTarget, trustedIds: ReadonlySet<number>, name: E, payload: EventPayload<E>): boolean {
  if (target.isDestroyed()) return false;
  if (!isTrustedSender({ url: target.getURL(), isMainFrame: true }, target.id, trustedIds)) return false;
  target.send(EVENT_PREFIX + name, payload);
  return true;
}

/**
 * Passes every event the services raise on to the window that `target` names at the moment
 * (none between windows). Returns the way to stop.
 */
export function forwardEvents(
  subscribe: (listener: AnyEventListener) => () => void,
  target: () => EventTarget | null,
  trustedIds: ReadonlySet<number>,
): () => void {
  return subscribe((name, payload) => {
    const window = target();
    if (window) sendEvent(window, trustedIds, name, payload);
  });
}
