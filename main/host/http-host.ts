// Browser mode: the same services and renderer behind a loopback HTTP server. A fresh secret token
// per launch guards the API; Host and Origin checks keep other web pages (and DNS rebinding) out.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Dispatch } from '../api/dispatch';
import type { AnyEventListener } from '../../preload/contract';
import { CONTENT_SECURITY_POLICY, contentType, rendererFile } from './static-files';

export const API_PATH = '/api/invoke';
/**
 * Server-Sent Events: what main pushes to the page. EventSource cannot send headers, so this one
 * endpoint also takes the token as ?token=, compared in constant time like the header.
 */
export const EVENTS_PATH = '/api/events';
const KEEP_ALIVE_MS = 15_000;
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface HostOptions {
  dispatch: Dispatch;
  rendererDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  token?: string;
  /** Where pushed events come from; without it the events endpoint answers 404. `replay` asks for the current state at once. */
  subscribe?: (listener: AnyEventListener, options: { replay: boolean }) => () => void;
  /** How often an idle event stream gets a comment, so proxies and the browser keep it open. */
  keepAliveMs?: number;
}

export interface RunningHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const rendererDir = path.resolve(options.rendererDir);

  const server = http.createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'Internal error' } });
      else res.destroy();
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // A page on another site that resolves its own name to 127.0.0.1 still sends its own Host.
    if (!allowedHosts().has(req.headers.host ?? '')) {
      return sendText(res, 421, 'Unknown host');
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname.startsWith('/api/')) return handleApi(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    return serveStatic(res, url.pathname, req.method === 'HEAD');
  }

  function tokenMatches(given: string): boolean {
    const got = Buffer.from(given);
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const queryToken = url.pathname === EVENTS_PATH ? url.searchParams.get('token') : null;
    const authorised = tokenMatches(req.headers.authorization ?? '') || (queryToken !== null && tokenMatches(`Bearer ${queryToken}`));
    if (!authorised) {
      // A copied or bookmarked address, or one from an earlier start: the page says to open the address this start printed.
      return sendJson(res, 401, { ok: false, error: { code: 'forbidden', message: 'Missing or wrong token: open the address mailroom serve printed when it started' } });
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      return sendJson(res, 403, { ok: false, error: { code: 'forbidden', message: 'Requests from other origins are refused' } });
    }
    // A page of another site never gets here with the token; a browser that says where it came from must say "here".
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return sendJson(res, 403, { ok: false, error: { code: 'forbidden', message: 'Requests from other sites are refused' } });
    }
    if (url.pathname === EVENTS_PATH) return streamEvents(req, res);
    if (url.pathname !== API_PATH) return sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'No such endpoint' } });
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'invalid-input', message: 'Use POST' } });
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, { ok: false, error: { code: 'invalid-input', message: 'Send JSON' } });
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (error) {
      const tooLarge = error instanceof BodyTooLarge;
      return sendJson(res, tooLarge ? 413 : 400, {
        ok: false,
        error: { code: 'invalid-input', message: tooLarge ? 'Request too large' : 'The request body is not valid JSON' },
      });
    }
    const { channel, input } = (typeof body === 'object' && body !== null ? body : {}) as { channel?: unknown; input?: unknown };
    const result = await options.dispatch(channel, input, { shell: 'browser' });
    // A request this user may not make is refused as such; every other answer is a result object.
    sendJson(res, !result.ok && result.error.code === 'forbidden' ? 403 : 200, result);
  }

  function streamEvents(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (req.method !== 'GET') return sendJson(res, 405, { ok: false, error: { code: 'invalid-input', message: 'Use GET' } });
    if (!options.subscribe) return sendJson(res, 404, { ok: false, error: { code: 'not-found', message: 'No such endpoint' } });
    res.writeHead(200, { ...securityHeaders(), 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    // Reconnect soon after a drop; the replayed revision then says whether a save was missed.
    res.write('retry: 2000\n\n');
    const unsubscribe = options.subscribe(
      (name, payload) => {
        if (!res.writableEnded) res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`);
      },
      { replay: true },
    );
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), options.keepAliveMs ?? KEEP_ALIVE_MS);
    const stop = () => {
      clearInterval(keepAlive);
      unsubscribe();
    };
    req.once('close', stop);
    res.once('close', stop);
  }

  function serveStatic(res: http.ServerResponse, pathname: string, headOnly: boolean): void {
    const file = rendererFile(rendererDir, pathname);
    if (!file) return sendText(res, 404, 'Not found');
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch {
      if (file.endsWith('index.html')) return sendText(res, 500, 'The renderer is not built. Run: npm run build');
      return sendText(res, 404, 'Not found');
    }
    res.writeHead(200, {
      ...securityHeaders(),
      'Content-Type': contentType(file),
      'Content-Length': data.length,
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'public, max-age=31536000, immutable',
    });
    res.end(headOnly ? undefined : data);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': data.length, 'Cache-Control': 'no-store' });
  res.end(data);
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}
