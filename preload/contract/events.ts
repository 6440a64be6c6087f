// Every notice main pushes to the renderer, defined once like the channels: name and payload.
// Pushed so that an open dialog learns of a change at once instead of asking again and again.
import { z } from 'zod';

/** An opaque label of one saved settings document: equal revisions mean equal settings, in any process. */
export const SettingsRevision = z.string().min(1).max(100);
export type SettingsRevision = z.infer<typeof SettingsRevision>;

export const events = {
  /** Something in the outbox changed (queued, sent, failed, retried, cancelled), here or in another process. */
  'outbox:changed': z.object({}),
  /** The saved settings are now this revision; sent too when a window connects, so it can tell whether it missed one. */
  'settings:changed': z.object({ revision: SettingsRevision }),
  /** A notice was added or dismissed. */
  'notices:changed': z.object({}),
} as const satisfies Record<string, z.ZodType>;

export type Events = typeof events;
export type AppEvent = keyof Events;
export type EventPayload<E extends AppEvent> = z.output<Events[E]>;
export type EventListener<E extends AppEvent> = (payload: EventPayload<E>) => void;
/** Hears every event, for the shells that pass them all on. */
export type AnyEventListener = <E extends AppEvent>(name: E, payload: EventPayload<E>) => void;

export const EVENT_NAMES = Object.keys(events) as AppEvent[];

export function isAppEvent(name: unknown): name is AppEvent {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** Prefix of every pushed IPC message in the Electron shell, apart from the request channels. */
export const EVENT_PREFIX = 'mailroom-event:';
