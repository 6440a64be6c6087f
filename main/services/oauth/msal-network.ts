// MSAL's network module over node:https: the same deadline and trusted CAs as every other
// request Mailroom makes to Microsoft.
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { httpsRequest } from './https-request';

export interface WatchedNetworkModule extends INetworkModule {
  /**
   * The identity provider's last error answer ("error: description"), since the last reset. MSAL
   * keeps only the error code of some failures; Entra's description holds the AADSTS number.
   */
  lastError(): string | undefined;
  resetLastError(): void;
}

export function msalNetworkModule(options: { ca?: string; timeoutMs: number }): WatchedNetworkModule {
  let lastError: string | undefined;
  const send = async <T>(method: 'GET' | 'POST', url: string, req?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const res = await httpsRequest({
      method,
      url,
      headers: req?.headers ?? {},
      ...(method === 'POST' ? { body: req?.body ?? '' } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      timeoutMs: timeout && timeout > 0 ? Math.min(timeout, options.timeoutMs) : options.timeoutMs,
    });
    const text = res.body.toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page, say): keep the words for the error message.
      body = { error: 'invalid_response', error_description: `HTTP ${res.status} from ${new URL(url).host}: ${text.slice(0, 300)}` };
    }
    if (res.status >= 400 && body && typeof body === 'object') {
      const { error, error_description: description } = body as { error?: unknown; error_description?: unknown };
      // Polling answers that only mean "not yet" are not errors.
      if (typeof error === 'string' && error !== 'authorization_pending' && error !== 'slow_down') {
        lastError = `${error}: ${typeof description === 'string' ? description : ''}`.trim();
      }
    }
    return { status: res.status, headers: res.headers, body: body as T };
  };
  return {
    lastError: () => lastError,
    resetLastError: () => {
      lastError = undefined;
    },
    sendGetRequestAsync: (url, req, timeout) => send('GET', url, req, timeout),
    sendPostRequestAsync: (url, req) => send('POST', url, req),
  };
}
