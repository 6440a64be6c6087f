// One HTTPS request with a deadline, trusting extra certificate authorities when given. Used for
// the identity provider (through MSAL's network module) and for Microsoft Graph.
import https from 'node:https';
import http from 'node:http';
import tls from 'node:tls';
import type { LookupFunction } from 'node:net';

export interface HttpsRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Extra trusted CA certificates (PEM), on top of the system's. */
  ca?: string;
  /** The whole exchange must finish within this. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Stop reading and fail (ETOOBIG) once the body passes this many bytes; 16 MB when absent. */
  maxResponseBytes?: number;
  /** How the host name becomes an address (a resolver of one's own); the system's when absent. */
  lookup?: LookupFunction;
}

export interface HttpsResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class HttpRequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

export function httpsRequest(req: HttpsRequest): Promise<HttpsResponse> {
  const url = new URL(req.url);
  // Plain HTTP only for loopback (a local test endpoint); tokens never cross a network unencrypted.
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return Promise.reject(new HttpRequestError(`Refusing to send a request to ${url.origin}: only https is allowed`, 'EPROTO'));
  }
  const lib = url.protocol === 'https:' ? https : http;
  const maxBytes = req.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const request = lib.request(
      url,
      {
        method: req.method,
        headers: { ...(req.headers ?? {}), ...(body ? { 'Content-Length': String(body.length) } : {}) },
        // Adding a CA must not drop the system's: pass both.
        ...(req.ca && url.protocol === 'https:' ? { ca: [...tls.rootCertificates, req.ca] } : {}),
        ...(req.lookup ? { lookup: req.lookup } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy();
            done(() => reject(new HttpRequestError(`The answer from ${url.host} is larger than ${maxBytes} bytes`, 'ETOOBIG')));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          done(() => resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) }));
        });
        res.on('error', (error) => done(() => reject(wrap(error, url))));
      },
    );
    const timer = setTimeout(() => {
      request.destroy();
      done(() => reject(new HttpRequestError(`${url.host} did not answer within ${Math.round(req.timeoutMs / 1000)} s`, 'ETIMEDOUT')));
    }, req.timeoutMs);
    const onAbort = () => {
      request.destroy();
      done(() => reject(new HttpRequestError('Cancelled', 'ECANCELLED')));
    };
    req.signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => done(() => reject(wrap(error, url))));
    request.end(body);
  });
}

function wrap(error: Error, url: URL): HttpRequestError {
  const code = (error as NodeJS.ErrnoException).code ?? 'EIO';
  return new HttpRequestError(`Could not reach ${url.host}: ${error.message}`, code);
}
