// Browser mode's server, for real on loopback: the token, the Host and Origin checks, the static files.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatch } from '../../main/api/dispatch';
import { createHandlers } from '../../main/api/handlers';
import { createServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { API_PATH, startHost, type RunningHost } from '../../main/host/http-host';
import { defaultSettings } from '../../preload/contract';
import { tempDir } from '../helpers/temp-dir';

let host: RunningHost;
let data: ReturnType<typeof tempDir>;
let renderer: ReturnType<typeof tempDir>;

beforeAll(async () => {
  data = tempDir();
  renderer = tempDir();
  fs.writeFileSync(path.join(renderer.dir, 'index.html'), '<!doctype html><title>Mailroom</title>');
  fs.mkdirSync(path.join(renderer.dir, 'assets'));
  fs.writeFileSync(path.join(renderer.dir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(data.dir, 'secret.txt'), 'do not serve');
  const services = createServices({ dataDir: data.dir, shell: 'browser', version: 't', createFile: createConfFile });
  host = await startHost({ dispatch: createDispatch(createHandlers(services)), rendererDir: renderer.dir });
});

afterAll(async () => {
  await host.close();
  data.cleanup();
  renderer.cleanup();
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Raw requests, so the test controls every header (fetch would set Host and Origin itself). */
function request(method: string, urlPath: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: host.port, method, path: urlPath, headers: { Host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const invoke = (headers: Record<string, string>, channel = 'settings:get', input?: unknown) =>
  request('POST', API_PATH, { 'Content-Type': 'application/json', ...headers }, JSON.stringify({ channel, input }));

describe('browser mode host', () => {
  it('listens on 127.0.0.1 only, with a long random token in the URL fragment', () => {
    expect(host.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${host.port}/#token=[A-Za-z0-9_-]{43}$`));
    expect(host.token).toHaveLength(43);
  });

  it('answers the app with the right token', async () => {
    const reply = await invoke({ Authorization: `Bearer ${host.token}`, Origin: host.origin });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ ok: true, value: defaultSettings() });
  });

  it('answers 403 with the reason when this user may not make the request', async () => {
    // No system users are defined, so this account has no own settings to change.
    const reply = await invoke({ Authorization: `Bearer ${host.token}`, Origin: host.origin }, 'users:set-own', { compose: 'outlook' });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('not one of the system users') } });
  });

  it('gives 401 to a request without the token or with a wrong one', async () => {
    for (const auth of [undefined, '', `Bearer ${host.token}x`, `Bearer ${host.token.slice(0, -1)}`, host.token, `Basic ${host.token}`]) {
      const reply = await invoke(auth === undefined ? {} : { Authorization: auth });
      expect(reply.status, String(auth)).toBe(401);
      expect(reply.body).not.toContain('"version"');
    }
  });

  it('refuses a foreign Origin even with the right token, and changes nothing', async () => {
    const settings = defaultSettings();
    settings.general.organisationName = 'Evil';
    settings.general.alertFrom = 'evil@evil.example';
    for (const origin of ['https://evil.example', 'http://127.0.0.1:1', 'null', `http://127.0.0.1:${host.port}.evil.example`]) {
      const reply = await invoke({ Authorization: `Bearer ${host.token}`, Origin: origin }, 'settings:save', settings);
      expect(reply.status, origin).toBe(403);
    }
    expect(fs.existsSync(path.join(data.dir, 'settings.json'))).toBe(false);
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const reply = await request('POST', API_PATH, { Host: `evil.example:${host.port}`, Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/json' }, '{}');
    expect(reply.status).toBe(421);
    expect((await request('GET', '/', { Host: 'evil.example' })).status).toBe(421);
  });

  it('answers a CORS preflight from another site with a refusal and no CORS headers', async () => {
    const reply = await request('OPTIONS', API_PATH, { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' });
    expect(reply.status).toBeGreaterThanOrEqual(400);
    expect(reply.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('turns bad bodies into clear errors', async () => {
    const auth = { Authorization: `Bearer ${host.token}` };
    expect((await request('POST', API_PATH, { ...auth, 'Content-Type': 'application/json' }, '{nope')).status).toBe(400);
    expect((await request('POST', API_PATH, { ...auth, 'Content-Type': 'text/plain' }, '{}')).status).toBe(415);
    expect((await request('GET', API_PATH, auth)).status).toBe(405);
    const unknown = await invoke(auth, 'settings:drop');
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
  });

  it('serves the renderer with a strict CSP, and nothing outside it', async () => {
    const index = await request('GET', '/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>Mailroom</title>');
    expect(index.headers['content-security-policy']).toContain("default-src 'none'");
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['x-frame-options']).toBe('DENY');
    expect((await request('GET', '/assets/app.js')).headers['content-type']).toContain('text/javascript');
    expect((await request('GET', '/some/route')).body).toContain('<title>Mailroom</title>');
    for (const escape of ['/../secret.txt', '/..%2f..%2fsecret.txt', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%5c..%5csecret.txt', '/%00.js', '/%E0%A4%A']) {
      const reply = await request('GET', escape);
      expect(reply.body, escape).not.toContain('do not serve');
      expect(reply.body, escape).not.toContain('root:');
    }
    expect((await request('GET', '/missing.js')).status).toBe(404);
  });
});
