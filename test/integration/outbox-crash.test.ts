// The outbox's promise, tested the hard way: a batch of 500 is sent by a process that is killed
// (SIGKILL) at random moments, at least 20 times, and restarted. The server counts what arrived
// by Message-ID: nothing may be lost, and a copy may arrive twice only if it was in flight at a
// kill (at most the connection cap per kill), and then the outbox must say so.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { defaultSettings, newProfile } from '../../preload/contract';
import { CLI, ensureBuilt } from '../helpers/cli';
import { startSink, type Sink } from '../helpers/sink-server';
import { tempDir } from '../helpers/temp-dir';

const MESSAGES = 500;
const KILLS = 20;
const CONNECTIONS = 4;

let sink: Sink;
let data: ReturnType<typeof tempDir>;

beforeAll(async () => {
  ensureBuilt();
  // A few milliseconds per reply keeps the batch running long enough to be killed in the middle.
  sink = await startSink({ delayMs: 12 });
  data = tempDir();
});
afterAll(async () => {
  await sink.close();
  data.cleanup();
});

function runOutbox(killAfterMs: number | null): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'outbox', 'run', '--json'], { env: { ...process.env, MAILROOM_DATA_DIR: data.dir } });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.resume();
    const timer = killAfterMs === null ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout });
    });
  });
}

describe('outbox crash safety', () => {
  it(`loses nothing across ${KILLS} kills during a batch of ${MESSAGES}, and marks every possible duplicate`, async () => {
    const services = createServices({ dataDir: data.dir, shell: 'browser', version: 't', createFile: createConfFile });
    const settings = defaultSettings();
    settings.general.organisationName = 'Acme';
    settings.general.alertFrom = 'alerts@acme.example';
    const profile = { ...newProfile('crash', 'Crash'), host: sink.host, port: sink.port, security: 'none' as const, auth: 'none' as const, fromAddress: 'invoices@acme.example', maxConnections: CONNECTIONS, timeoutSeconds: 5 };
    settings.smtp.profiles.push(profile);
    expect(services.settings.save(settings).ok).toBe(true);
    const queued = await services.outbox.queue(
      profile,
      Array.from({ length: MESSAGES }, (_, i) => ({ to: [`client${i}@example.com`], cc: [], bcc: [], subject: `Statement ${i}`, text: `Statement number ${i}.`, attachments: [] })),
    );
    await services.outbox.stop();
    const expectedIds = queued.map((e) => e.messageId);
    expect(new Set(expectedIds).size).toBe(MESSAGES);

    let kills = 0;
    let attempts = 0;
    while (kills < KILLS && attempts < KILLS * 3) {
      attempts++;
      // Node and the CLI take ~150 ms to start; kill anywhere from just before to well into sending.
      const run = await runOutbox(120 + Math.floor(Math.random() * 500));
      if (run.signal === 'SIGKILL') kills++;
      else break;
    }
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(sink.received.size, 'the kills came during the batch, not after it').toBeLessThan(MESSAGES);
    expect(sink.received.size, 'the killed runs were sending').toBeGreaterThan(0);

    const final = await runOutbox(null);
    expect(final.code, final.stdout).toBe(0);

    const lost = expectedIds.filter((id) => !sink.received.has(id));
    expect(lost, 'messages lost').toEqual([]);

    const reopened = createServices({ dataDir: data.dir, shell: 'browser', version: 't', createFile: createConfFile });
    await reopened.outbox.open();
    const entries = new Map(reopened.outbox.store.entries().map((e) => [e.messageId, e]));
    const duplicates = expectedIds.filter((id) => (sink.received.get(id) ?? 0) > 1);
    const extraCopies = duplicates.reduce((sum, id) => sum + (sink.received.get(id) ?? 0) - 1, 0);
    expect(extraCopies, 'duplicates beyond the messages in flight at each kill').toBeLessThanOrEqual(kills * CONNECTIONS);
    for (const id of duplicates) expect(entries.get(id)?.possibleDuplicate, `duplicate ${id} is marked`).toBe(true);
    for (const e of entries.values()) expect(e.state).toBe('sent');
    await reopened.outbox.stop();
    console.log(`crash test: ${kills} kills, ${sink.total()} copies received for ${MESSAGES} messages, ${duplicates.length} duplicated (all marked)`);
  }, 120_000);
});
