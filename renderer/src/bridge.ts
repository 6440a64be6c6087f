// The renderer's one way to reach main: the preload API in Electron, the loopback HTTP API in browser mode.
import type { Channel, ChannelInput, ChannelOutput, MailroomApi, Result } from '../../preload/contract';

declare global {
  interface Window {
    mailroom?: MailroomApi;
  }
}

const TOKEN_KEY = 'mailroom.token';
const API_PATH = '/api/invoke';

/** Reads the per-launch token from the URL once, then keeps it for reloads and hides it from the address bar. */
function takeToken(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(match[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function createHttpBridge(token: string | null, fetchImpl: typeof fetch = fetch): MailroomApi {
  return {
    async invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
      if (!token) {
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
  bridge ??= window.mailroom ?? createHttpBridge(takeToken());
  return bridge;
}
