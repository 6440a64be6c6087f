// The outbox's promise, tested the hard way: a batch of 500 is sent by a process that is killed
// (SIGKILL) at least 20 times in the middle of sending, and restarted. Each kill waits for what the
// server sees, not for a clock, so it lands mid-batch however slow the machine: after a random 1 to
// 12 more messages arrived since the restart, or (one run in five) as soon as the restarted sender
// connects, before its first message is through. The server counts what arrived by Message-ID:
// nothing may be lost, and a copy may arrive twice only if it was in flight at a kill (at most the
// connection cap per kill), and then the outbox must say so.
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

/** When to kill a run: once this many more messages arrived, or (0) once it has connected. */
type KillAt = { messages: number } | { connected: true } | null;

/** True while any process of the group is left, zombies included. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function runOutbox(killAt: KillAt): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  const startMessages = sink.total();
  const startConnections = sink.connections();
  // A group of its own, so the kill reaches everything the sender started.
  const child = spawn(process.execPath, [CLI, 'outbox', 'run', '--json'], { env: { ...process.env, MAILROOM_DATA_DIR: data.dir }, detached: true });
  const pgid = child.pid!;
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.resume();
    const due = () =>
      killAt !== null &&
      ('connected' in killAt ? sink.connections() > startConnections : sink.total() - startMessages >= killAt.messages);
    const stop = sink.watch(() => {
      if (!due()) return;
      stop();
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    });
    child.on('error', (error) => {
      stop();
      reject(error);
    });
    child.on('close', (code, signal) => {
      stop();
      resolve({ code, signal, stdout });
    });
  });
  // The next sender may take the lock over at once only when this one is gone for good.
  await expect.poll(() => groupAlive(pgid), { timeout: 10_000, interval: 20 }).toBe(false);
  return result;
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
    const plan: string[] = [];
    while (kills < KILLS) {
      const killAt: KillAt = Math.random() < 0.2 ? { connected: true } : { messages: 1 + Math.floor(Math.random() * 12) };
      plan.push('connected' in killAt ? 'c' : String(killAt.messages));
      const run = await runOutbox(killAt);
      if (run.signal === 'SIGKILL') kills++;
      else break;
    }
    expect(kills, `kills at ${plan.join(',')}: a run ended before its kill`).toBe(KILLS);
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
    console.log(`crash test: ${kills} kills (at ${plan.join(',')}), ${sink.total()} copies received for ${MESSAGES} messages, ${duplicates.length} duplicated (all marked)`);
  }, 120_000);
});
