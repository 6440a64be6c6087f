// MSAL's network module over node:https: the same deadline and trusted CAs as every other
// request Mailroom makes to Microsoft. It also keeps the identity provider's own error answers,
// because MSAL often passes on only a code of its own (post_request_failed, endpoints_resolution_error)
// or the bare error word, and the provider's `error`, `error_description` and AADSTS number are what
// tell the user what to change.
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { httpsRequest } from '../net/https-request';

/** An OAuth2 error answer (RFC 6749 section 5.2), as the identity provider gave it. */
export interface ProviderError {
  /** The `error` word: invalid_client, unauthorized_client, invalid_grant, access_denied… */
  error: string;
  /** The `error_description`; Entra's begins "AADSTS<number>: ". */
  description: string;
  status: number;
}

/** The error words of RFC 6749, RFC 8628 and OpenID Connect, and Entra's own invalid_tenant. */
export const OAUTH_ERROR_WORDS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  'interaction_required',
  'login_required',
  'consent_required',
  'account_selection_required',
  'expired_token',
  'authorization_declined',
  'bad_verification_code',
  'invalid_tenant',
  'invalid_resource',
]);

export interface WatchedNetworkModule extends INetworkModule {
  /** The identity provider's last error answer since the last reset. */
  lastProviderError(): ProviderError | undefined;
  resetLastError(): void;
  /**
   * Asks the authorization endpoint about a sign-in address before a browser is sent there. A
   * provider refuses an unknown client ID (or tenant) on an error page of its own and never calls
   * the app back (RFC 6749 section 4.1.2.1), so without this the app could only wait. Returns the
   * provider's error when it refused, undefined when the address looks fine or could not be checked.
   */
  checkSignInAddress(url: string): Promise<ProviderError | undefined>;
}

export function msalNetworkModule(options: { ca?: string; timeoutMs: number }): WatchedNetworkModule {
  let last: ProviderError | undefined;
  const request = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | undefined, timeout?: number) =>
    httpsRequest({
      method,
      url,
      headers,
      ...(method === 'POST' ? { body: body ?? '' } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      timeoutMs: timeout && timeout > 0 ? Math.min(timeout, options.timeoutMs) : options.timeoutMs,
    });

  const send = async <T>(method: 'GET' | 'POST', url: string, req?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
    const res = await request(method, url, req?.headers ?? {}, req?.body, timeout);
    const text = res.body.toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page, say): keep the words for the error message.
      body = { error: 'invalid_response', error_description: `HTTP ${res.status} from ${new URL(url).host}: ${text.slice(0, 300)}` };
    }
    const found = providerErrorOf(res.status, body);
    if (found) last = found;
    return { status: res.status, headers: res.headers, body: body as T };
  };

  return {
    lastProviderError: () => last,
    resetLastError: () => {
      last = undefined;
    },
    sendGetRequestAsync: (url, req, timeout) => send('GET', url, req, timeout),
    sendPostRequestAsync: (url, req) => send('POST', url, req),
    checkSignInAddress: async (url) => {
      let res;
      try {
        res = await request('GET', url, { accept: 'application/json, text/html;q=0.5' }, undefined, Math.min(options.timeoutMs, 10_000));
      } catch {
        return undefined; // the browser may still get through (another proxy); let it try
      }
      // A sign-in page, or a redirect to one: nothing was refused. An error page from a proxy
      // that names no OAuth error is left to the browser too.
      if (res.status < 400) return undefined;
      const text = res.body.toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = pageError(text);
      }
      const found = providerErrorOf(res.status, body);
      if (!found || (!OAUTH_ERROR_WORDS.has(found.error) && !/AADSTS\d+/.test(found.description))) return undefined;
      last = found;
      return found;
    },
  };
}

/**
 * The provider's error in an answer, whatever shape it came in: any status of 400 or more, and a
 * 200 that carries an `error` (some device-code endpoints). Polling answers that only mean
 * "not yet" are not errors.
 */
export function providerErrorOf(status: number, body: unknown): ProviderError | undefined {
  if (!body || typeof body !== 'object') return status >= 400 ? { error: `http_${status}`, description: '', status } : undefined;
  const b = body as { error?: unknown; error_description?: unknown; error_codes?: unknown; message?: unknown };
  const word = typeof b.error === 'string' ? b.error : '';
  if (word === 'authorization_pending' || word === 'slow_down') return undefined;
  if (status < 400 && !word) return undefined;
  let description = typeof b.error_description === 'string' ? b.error_description : typeof b.message === 'string' ? b.message : '';
  // Entra lists its numbers apart too; keep one in the words when the description lost it.
  const codes = Array.isArray(b.error_codes) ? b.error_codes.filter((c): c is number => Number.isInteger(c)) : [];
  if (codes.length > 0 && !/AADSTS\d+/.test(description)) description = `AADSTS${codes[0]}: ${description}`.trim();
  return { error: word || `http_${status}`, description, status };
}

/** The error an identity provider's HTML error page shows: an AADSTS line, or an OAuth error word. */
function pageError(html: string): { error?: string; error_description?: string } {
  const text = html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  const aadsts = /AADSTS\d+:?[^]*$/.exec(text)?.[0];
  const word = [...OAUTH_ERROR_WORDS].find((w) => new RegExp(`\\b${w}\\b`).test(text));
  if (!aadsts && !word) return {};
  const description = (aadsts ?? text.slice(text.indexOf(word as string))).slice(0, 400);
  return { ...(word ? { error: word } : {}), error_description: description.replace(new RegExp(`^${word ?? '\\0'}:?\\s*`), '') };
}
