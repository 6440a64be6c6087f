// Live updates in browser mode, for real on loopback: the event stream's token and origin checks,
// and a change saved by another process reaching an open stream; a save based on an old revision refused.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatch } from '../../main/api/dispatch';
import { createHandlers } from '../../main/api/handlers';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { API_PATH, EVENTS_PATH, startHost, type RunningHost } from '../../main/host/http-host';
import { defaultSettings, type Result, type SettingsWithRevision } from '../../preload/contract';
import { tempDir } from '../helpers/temp-dir';

let host: RunningHost;
let services: FileServices;
let data: ReturnType<typeof tempDir>;
let renderer: ReturnType<typeof tempDir>;

beforeAll(async () => {
  data = tempDir();
  renderer = tempDir();
  fs.writeFileSync(path.join(renderer.dir, 'index.html'), '<!doctype html><title>Mailroom</title>');
  services = createServices({ dataDir: data.dir, shell: 'browser', version: 't', createFile: createConfFile });
  host = await startHost({
    dispatch: createDispatch(createHandlers(services)),
    rendererDir: renderer.dir,
    subscribe: (listener, options) => services.live.subscribe(listener, options),
    keepAliveMs: 100,
  });
});

afterAll(async () => {
  services.live.close();
  await host.close();
  data.cleanup();
  renderer.cleanup();
});

interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Events received so far, in order. */
  events: { name: string; data: unknown }[];
  raw(): string;
  /** Resolves with the first event (from now on, or already received when `since` is 0) matching. */
  next(name: string, since?: number, timeoutMs?: number): Promise<unknown>;
  close(): void;
}

/** Opens the event stream with raw headers, so the test controls Host, Origin and the token. */
function openStream(query: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: host.port, path: EVENTS_PATH + query, headers: { Host: `127.0.0.1:${host.port}`, ...headers } }, (res) => {
      let text = '';
      const events: Stream['events'] = [];
      const waiters = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        let end: number;
        while ((end = text.indexOf('\n\n')) !== -1) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          raw += block + '\n\n';
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const body = /^data: (.*)$/m.exec(block)?.[1];
          if (name && body !== undefined) events.push({ name, data: JSON.parse(body) });
          for (const wake of [...waiters]) wake();
        }
      });
      let raw = '';
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        raw: () => raw,
        next(name, since = events.length, timeoutMs = 2000) {
          return new Promise((done, fail) => {
            const look = () => {
              const found = events.slice(since).find((e) => e.name === name);
              if (!found) return false;
              waiters.delete(check);
              clearTimeout(timer);
              done(found.data);
              return true;
            };
            const check = () => void look();
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no ${name} event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
            }, timeoutMs);
            if (!look()) waiters.add(check);
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

function invoke<T>(channel: string, input?: unknown): Promise<Result<T>> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: host.port,
        method: 'POST',
        path: API_PATH,
        headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Result<T>));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ channel, input }));
  });
}

/** Another process on the same data folder, as the CLI would be: its own services, its own reads and writes. */
function otherProcess(): FileServices {
  return createServices({ dataDir: data.dir, shell: 'browser', version: 't', createFile: createConfFile });
}

const token = () => `?token=${encodeURIComponent(host.token)}`;

describe('the event stream', () => {
  it('refuses a missing or wrong token, and says nothing', async () => {
    for (const query of ['', '?token=', `?token=${host.token.slice(0, -1)}x`, `?token=${host.token}${host.token}`]) {
      const stream = await openStream(query);
      expect(stream.status, query).toBe(401);
      expect(stream.headers['content-type']).toMatch(/application\/json/);
      stream.close();
    }
  });

  it('refuses the right token from a foreign Origin or another site', async () => {
    const refused: Record<string, string>[] = [{ Origin: 'http://evil.example' }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'cross-site' }];
    for (const headers of refused) {
      const stream = await openStream(token(), headers);
      expect(stream.status, JSON.stringify(headers)).toBe(403);
      stream.close();
    }
    // The token in the address counts for the event stream only.
    const elsewhere = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: host.port, method: 'POST', path: API_PATH + token(), headers: { Host: `127.0.0.1:${host.port}`, 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify({ channel: 'settings:get' }));
    });
    expect(elsewhere).toBe(401);
  });

  it('tells the current revision at once, keeps the stream alive, and stops listening when it closes', async () => {
    const before = services.live.listenerCount;
    const stream = await openStream(token(), { Origin: `http://127.0.0.1:${host.port}` });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(await stream.next('settings:changed', 0)).toEqual({ revision: services.settings.revision() });
    await new Promise((r) => setTimeout(r, 250));
    expect(stream.raw()).toContain(': keep-alive');
    expect(services.live.listenerCount).toBe(before + 1);
    stream.close();
    await expect.poll(() => services.live.listenerCount).toBe(before);
  });

  it('delivers a settings change saved by another process within 2 s, and a notice it added', async () => {
    const stream = await openStream(token());
    await stream.next('settings:changed', 0);
    const cli = otherProcess();
    const started = Date.now();
    const since = stream.events.length;
    const set = cli.settings.setPath('outbox.retryForHours', '12');
    expect(set.ok).toBe(true);
    const told = (await stream.next('settings:changed', since)) as { revision: string };
    expect(Date.now() - started).toBeLessThan(2000);
    expect(told.revision).toBe(cli.settings.revision());
    expect(services.settings.read().outbox.retryForHours).toBe(12);

    const beforeNotice = stream.events.length;
    cli.notices.add({ level: 'info', title: 'Hello', message: 'From elsewhere' });
    await stream.next('notices:changed', beforeNotice);
    stream.close();
  });
});

describe('saving over a revision', () => {
  it('refuses a save based on an old revision with a clear message and changes nothing; saves over the current one', async () => {
    const opened = await invoke<SettingsWithRevision>('settings:get-with-revision');
    if (!opened.ok) throw new Error(opened.error.message);
    const draft = structuredClone(opened.value.settings);
    draft.general.organisationName = 'Mine';
    draft.general.alertFrom = 'alerts@example.com';

    // Someone else saves first.
    expect(otherProcess().settings.setPath('outbox.retryForHours', '30').ok).toBe(true);
    const onDisk = fs.readFileSync(services.settings.file, 'utf8');

    const stale = await invoke<SettingsWithRevision>('settings:save-if-unchanged', { settings: draft, baseRevision: opened.value.revision });
    expect(stale.ok).toBe(false);
    if (stale.ok) return;
    expect(stale.error.code).toBe('conflict');
    expect(stale.error.message).toMatch(/changed elsewhere .* since you opened them/);
    expect(fs.readFileSync(services.settings.file, 'utf8')).toBe(onDisk);

    const now = await invoke<SettingsWithRevision>('settings:get-with-revision');
    if (!now.ok) throw new Error(now.error.message);
    expect(now.value.settings.outbox.retryForHours).toBe(30);
    const saved = await invoke<SettingsWithRevision>('settings:save-if-unchanged', { settings: draft, baseRevision: now.value.revision });
    if (!saved.ok) throw new Error(saved.error.message);
    expect(saved.value.settings.general.organisationName).toBe('Mine');
    expect(saved.value.revision).not.toBe(now.value.revision);
    expect(saved.value.revision).toBe(otherProcess().settings.revision());
  });

  it('keeps settings:save as it was: it saves over whatever is there', async () => {
    const doc = { ...defaultSettings(), general: { ...defaultSettings().general, organisationName: 'Plain', alertFrom: 'alerts@example.com' } };
    const saved = await invoke('settings:save', doc);
    expect(saved.ok).toBe(true);
  });
});
