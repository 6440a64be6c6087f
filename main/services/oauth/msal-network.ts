// MSAL's network module over node:https: the same deadline and trusted CAs as every other
// request Mailroom makes to Microsoft.
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { httpsRequest } from './https-request';

export function msalNetworkModule(options: { ca?: string; timeoutMs: number }): INetworkModule {
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
    return { status: res.status, headers: res.headers, body: body as T };
  };
  return {
    sendGetRequestAsync: (url, req, timeout) => send('GET', url, req, timeout),
    sendPostRequestAsync: (url, req) => send('POST', url, req),
  };
}
