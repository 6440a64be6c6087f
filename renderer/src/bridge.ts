// The renderer's one way to reach main: the preload API in Electron, the loopback HTTP API in browser mode.
import type { AppEvent, Channel, ChannelInput, ChannelOutput, EventListener, MailroomApi, Result } from '../../preload/contract';
import { loadValidators } from './load-validators';

declare global {
  interface Window {
    mailroom?: MailroomApi;
  }
}

const TOKEN_KEY = 'mailroom.token';
const API_PATH = '/api/invoke';
const EVENTS_PATH = '/api/events';

/** Reads the per-launch token from the URL once, then keeps it for reloads and hides it from the address bar. */
function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

/**
 * Events pushed by main over one Server-Sent Events stream, opened with the first listener and
 * closed with the last. EventSource cannot send headers, so the token goes in the address of this
 * one request (same origin, never logged, never sent elsewhere). EventSource reconnects by itself.
 * Each payload is checked against the contract's schema for its event, which loads after the first
 * paint: an event that comes sooner waits for it, and events keep their order.
 */
function httpEvents(token: string | null, createSource: (url: string) => EventSource) {
  const listeners = new Map<AppEvent, Set<(payload: unknown) => void>>();
  let source: EventSource | null = null;
  /** The events the open stream is listened to for: each is added with its first listener. */
  let heard = new Set<AppEvent>();
  const count = () => [...listeners.values()].reduce((n, set) => n + set.size, 0);
  const listen = (name: AppEvent) => {
    if (!source || heard.has(name)) return;
    heard.add(name);
    source.addEventListener(name, (message) => {
      let data: unknown;
      try {
        data = JSON.parse((message as MessageEvent<string>).data);
      } catch {
        return;
      }
      loadValidators().then(
        ({ events }) => {
          const parsed = events[name].safeParse(data);
          if (!parsed.success) return;
          for (const listener of [...(listeners.get(name) ?? [])]) listener(parsed.data);
        },
        () => undefined,
      );
    });
  };
  const open = () => {
    if (source || !token) return;
    source = createSource(`${EVENTS_PATH}?token=${encodeURIComponent(token)}`);
    heard = new Set();
    for (const name of listeners.keys()) listen(name);
  };
  return function onEvent<E extends AppEvent>(name: E, listener: EventListener<E>): () => void {
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set);
    const wrapped = (payload: unknown) => listener(payload as Parameters<EventListener<E>>[0]);
    set.add(wrapped);
    open();
    listen(name);
    return () => {
      set.delete(wrapped);
      if (count() === 0) {
        source?.close();
        source = null;
      }
    };
  };
}

/**
 * Whether this page may reach Mailroom at all: 'no-token' when browser mode's page was opened
 * without the token of this start (a copied or bookmarked address, or one from an earlier start),
 * which no request can put right. The dialog then shows one page saying how to open it.
 */
export type BridgeAccess = 'granted' | 'no-token';

let access: BridgeAccess = 'granted';
const accessListeners = new Set<() => void>();

function noToken(): void {
  if (access === 'no-token') return;
  access = 'no-token';
  for (const listener of [...accessListeners]) listener();
}

export function bridgeAccess(): BridgeAccess {
  getBridge();
  return access;
}

export function onBridgeAccess(listener: () => void): () => void {
  accessListeners.add(listener);
  return () => accessListeners.delete(listener);
}

export function createHttpBridge(
  token: string | null,
  fetchImpl: typeof fetch = fetch,
  createSource: (url: string) => EventSource = (url) => new EventSource(url),
  /** Told when the server does not know the token (401): it is from another start, or missing. */
  onNoToken: () => void = () => undefined,
): MailroomApi {
  return {
    onEvent: httpEvents(token, createSource),
    async invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
      if (!token) {
        onNoToken();
        return { ok: false, error: { code: 'forbidden', message: 'This page was opened without its access token. Open the full address Mailroom printed when it started.' } };
      }
      let response: Response;
      try {
        response = await fetchImpl(API_PATH, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ channel, input }),
        });
      } catch {
        return { ok: false, error: { code: 'io-error', message: 'Mailroom is not running any more. Start it again and reload this page.' } };
      }
      if (response.status === 401) onNoToken();
      try {
        return (await response.json()) as Result<ChannelOutput<C>>;
      } catch {
        return { ok: false, error: { code: 'internal', message: `Unexpected answer from Mailroom (HTTP ${response.status})` } };
      }
    },
  };
}

let bridge: MailroomApi | undefined;

export function getBridge(): MailroomApi {
  if (!bridge) {
    const token = window.mailroom ? null : takeToken();
    // Without a token nothing can be asked: say so before anyone tries.
    if (!window.mailroom && token === null) access = 'no-token';
    bridge = window.mailroom ?? createHttpBridge(token, fetch, (url) => new EventSource(url), noToken);
  }
  return bridge;
}
