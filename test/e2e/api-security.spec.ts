// The browser-mode API lets in only the page it served: the token, the Origin and the Host header
// are each checked, and a page on another origin cannot read anything even when it knows the token.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, type MailroomServer } from './fixtures';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request with exactly the headers given (fetch would not let a test choose Host). */
function invoke(mailroom: MailroomServer, body: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: mailroom.port,
        method: 'POST',
        path: '/api/invoke',
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

const COMPLETE_SETTINGS = {
  version: 5,
  general: {
    organisationName: 'Intruder Ltd',
    alertFrom: 'intruder@evil.example',
    systemNotification: '',
    bouncedAlerts: '',
    debug: { enabled: false, path: '', level: 'info', retentionDays: 14 },
    defaultProfile: '',
  },
  smtp: { profiles: [] },
  outbox: { retryForHours: 48 },
  mail: { allowM365Web: false, compose: 'builtin', composeUserSelectable: false, send: 'smtp', sendUserSelectable: false },
  users: [],
};

test('no token, or the wrong one: 401', async ({ mailroom }) => {
  const get = { channel: 'settings:get' };
  const none = await invoke(mailroom, get);
  expect(none.status).toBe(401);
  expect(JSON.parse(none.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });

  const wrong = await invoke(mailroom, get, bearer(`${mailroom.token.slice(0, -1)}${mailroom.token.endsWith('A') ? 'B' : 'A'}`));
  expect(wrong.status).toBe(401);

  const bare = await invoke(mailroom, get, { Authorization: mailroom.token });
  expect(bare.status, 'the token without "Bearer"').toBe(401);

  const save = await invoke(mailroom, { channel: 'settings:save', input: COMPLETE_SETTINGS }, bearer('not-the-token'));
  expect(save.status).toBe(401);
  expect(mailroom.readSettingsFile()).toBeNull();
});

test('the right token from a foreign Origin: 403, and nothing saved', async ({ mailroom }) => {
  const save = await invoke(mailroom, { channel: 'settings:save', input: COMPLETE_SETTINGS }, {
    ...bearer(mailroom.token),
    Origin: 'https://evil.example',
  });
  expect(save.status).toBe(403);
  expect(JSON.parse(save.body)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  expect(save.headers['access-control-allow-origin'], 'no CORS grant').toBeUndefined();
  expect(mailroom.readSettingsFile()).toBeNull();

  // Another port on the same machine is another origin too.
  const otherPort = await invoke(mailroom, { channel: 'settings:get' }, {
    ...bearer(mailroom.token),
    Origin: `http://127.0.0.1:${mailroom.port === 65535 ? 65534 : mailroom.port + 1}`,
  });
  expect(otherPort.status).toBe(403);

  const nullOrigin = await invoke(mailroom, { channel: 'settings:get' }, { ...bearer(mailroom.token), Origin: 'null' });
  expect(nullOrigin.status, 'a sandboxed or file: page').toBe(403);
});

test('the right token from the app itself: 200', async ({ mailroom }) => {
  for (const origin of [undefined, mailroom.origin, `http://localhost:${mailroom.port}`]) {
    const response = await invoke(mailroom, { channel: 'settings:get' }, { ...bearer(mailroom.token), ...(origin ? { Origin: origin } : {}) });
    expect(response.status, `Origin ${origin ?? '(none)'}`).toBe(200);
    const result = JSON.parse(response.body) as { ok: boolean; value?: { version?: unknown } };
    expect(result).toMatchObject({ ok: true, value: { version: COMPLETE_SETTINGS.version } });
  }

  const save = await invoke(mailroom, { channel: 'settings:save', input: COMPLETE_SETTINGS }, { ...bearer(mailroom.token), Origin: mailroom.origin });
  expect(save.status).toBe(200);
  expect(JSON.parse(save.body)).toMatchObject({ ok: true });
  expect(mailroom.readSettingsFile()).toEqual(COMPLETE_SETTINGS);
});

test('a foreign Host header (DNS rebinding): 421, token or not', async ({ mailroom }) => {
  for (const host of ['evil.example', `evil.example:${mailroom.port}`, `127.0.0.1.nip.io:${mailroom.port}`]) {
    const response = await invoke(mailroom, { channel: 'settings:save', input: COMPLETE_SETTINGS }, { ...bearer(mailroom.token), Host: host });
    expect(response.status, `Host ${host}`).toBe(421);
  }
  expect(mailroom.readSettingsFile()).toBeNull();

  // The page itself is not served to a foreign Host either.
  const page = await new Promise<number>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: mailroom.port, path: '/', headers: { Host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
  expect(page).toBe(421);
});

test('a page on another origin that knows the token gets nothing', async ({ page, mailroom }) => {
  // A tiny site on another loopback port, standing in for any web page the user has open.
  const site = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Elsewhere</title><h1>Elsewhere</h1>');
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  try {
    const siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    await page.goto(siteOrigin);

    const attempt = await page.evaluate(
      async ({ api, token, settings }) => {
        const tryFetch = async (init: RequestInit) => {
          try {
            const response = await fetch(api, init);
            return { type: response.type, status: response.status, body: await response.text() };
          } catch (error) {
            return { error: String(error) };
          }
        };
        return {
          // With the token: a CORS request, preflighted because of Authorization.
          read: await tryFetch({
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
            body: JSON.stringify({ channel: 'settings:get' }),
          }),
          write: await tryFetch({
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
            body: JSON.stringify({ channel: 'settings:save', input: settings }),
          }),
          // A "simple" request needs no preflight, but then the browser drops the Authorization header.
          blind: await tryFetch({
            method: 'POST',
            mode: 'no-cors',
            headers: { 'Content-Type': 'text/plain', Authorization: `Bearer ${token}` },
            body: JSON.stringify({ channel: 'settings:save', input: settings }),
          }),
        };
      },
      { api: `${mailroom.origin}/api/invoke`, token: mailroom.token, settings: COMPLETE_SETTINGS },
    );

    expect(attempt.read).toEqual({ error: expect.stringContaining('Failed to fetch') });
    expect(attempt.write).toEqual({ error: expect.stringContaining('Failed to fetch') });
    // Even the opaque answer is withheld: the server marks its responses Cross-Origin-Resource-Policy: same-origin.
    expect(attempt.blind).toEqual({ error: expect.stringContaining('Failed to fetch') });
    expect(mailroom.readSettingsFile(), 'nothing was saved').toBeNull();
  } finally {
    await new Promise<void>((resolve) => {
      site.close(() => resolve());
      site.closeAllConnections();
    });
  }

  // The same requests from the app's own page do work, so the refusals above were about the origin.
  await page.goto(mailroom.url);
  await expect(page.getByRole('textbox', { name: 'Organisation name' })).toBeEditable();
  const own = await page.evaluate(async (token) => {
    const response = await fetch('/api/invoke', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ channel: 'settings:get' }),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }, mailroom.token);
  expect(own).toMatchObject({ status: 200, body: { ok: true, value: { version: COMPLETE_SETTINGS.version } } });
});
