// The outbox against real servers on loopback, with a clock the test moves: retries and backoff,
// permanent failures and alerts, partial recipients, size limits, the rate window across restarts.
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { Outbox } from '../../main/services/outbox/outbox';
import { defaultSettings, newProfile, type OutgoingMessage, type SmtpProfile } from '../../preload/contract';
import { startScriptedServer, type RunningServer } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';
import { busiestWindow, slotTimes } from '../helpers/rate-window';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

let dir: string;
let cleanup: () => void;
let services: FileServices;
let now: number;
const closers: (() => Promise<void>)[] = [];
const outboxes: Outbox[] = [];

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  now = Date.parse('2026-11-21T10:00:00Z');
  services = createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile });
});
afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((o) => o.stop()));
  await Promise.all(closers.splice(0).map((c) => c()));
  cleanup();
});

function openOutbox(): Outbox {
  const outbox = new Outbox({ dataDir: dir, settings: services.settings, mail: services.mail, now: () => now, random: () => 0.5, idleWait: async (ms) => void (now += ms) });
  outboxes.push(outbox);
  return outbox;
}

/** smtp-server that keeps what it accepts; `hooks` decide replies. */
async function mailServer(hooks: Partial<Pick<SMTPServerOptions, 'onRcptTo' | 'onData' | 'size'>> = {}): Promise<{ port: number; received: Received[]; rcpts: string[] }> {
  const received: Received[] = [];
  const rcpts: string[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    ...(hooks.size ? { size: hooks.size } : {}),
    onRcptTo(address, session, cb) {
      rcpts.push(address.address);
      if (hooks.onRcptTo) return hooks.onRcptTo(address, session, cb);
      cb();
    },
    onData(stream, session, cb) {
      if (hooks.onData) return hooks.onData(stream, session, cb);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.server.address() as AddressInfo).port, received, rcpts };
}

function saveProfile(port: number, over: Partial<SmtpProfile> = {}): SmtpProfile {
  const settings = defaultSettings();
  settings.general.organisationName = 'Acme';
  settings.general.alertFrom = 'alerts@acme.example';
  settings.general.systemNotification = 'it@acme.example';
  const profile: SmtpProfile = { ...newProfile('p1', 'Office'), host: '127.0.0.1', port, security: 'none', auth: 'none', fromAddress: 'invoices@acme.example', timeoutSeconds: 2, ...over };
  settings.smtp.profiles.push(profile);
  settings.outbox.retryForHours = 1;
  expect(services.settings.save(settings).ok).toBe(true);
  return profile;
}

function message(i = 1, over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { to: [`client${i}@example.com`], cc: [], bcc: [], subject: `Invoice ${i}`, text: `Invoice ${i} attached.`, attachments: [], ...over };
}

const tempFail = (err: string, code: number) => Object.assign(new Error(err), { responseCode: code });

describe('the outbox', () => {
  it('has every message on disk, queued, before anything is sent', async () => {
    const srv = await mailServer();
    const profile = saveProfile(srv.port);
    const queued = await openOutbox().queue(profile, [message(1), message(2)]);
    const reopened = openOutbox();
    await reopened.open();
    expect(reopened.store.entries().map((e) => [e.messageId, e.state])).toEqual(queued.map((e) => [e.messageId, 'queued']));
    expect(srv.received).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'outbox', 'batches'))).toHaveLength(1);
  });

  it('retries a temporary failure with backoff, keeping one Message-ID, then sends it', async () => {
    let calls = 0;
    const received: string[] = [];
    const srv = await mailServer({
      onData(stream, _s, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          calls++;
          if (calls === 1) return cb(tempFail('4.3.0 Temporary local problem', 451));
          received.push(Buffer.concat(chunks).toString('utf8'));
          cb();
        });
      },
    });
    const profile = saveProfile(srv.port);
    const outbox = openOutbox();
    const [entry] = await outbox.queue(profile, [message()]);
    const started = now;
    await outbox.runUntilIdle();
    const afterFirst = outbox.store.get(entry!.id)!;
    expect(afterFirst).toMatchObject({ state: 'queued', attempts: 1 });
    expect(afterFirst.lastReply).toContain('451');
    // 30 s base, jitter ±20% (random fixed at 0.5 → exactly 30 s here).
    expect(Date.parse(afterFirst.nextAttemptAt!) - started).toBe(30_000);
    now += 30_000;
    await outbox.runUntilIdle();
    expect(outbox.store.get(entry!.id)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(received).toHaveLength(1);
    expect(received[0]).toContain(`Message-ID: ${entry!.messageId}`);
  });

  it('fails a permanent refusal at once with the server words, and alerts from the Alert From mailbox', async () => {
    const srv = await mailServer({ onRcptTo: (_a, _s, cb) => cb(tempFail('5.1.1 No such user here', 550)) });
    const profile = saveProfile(srv.port);
    const outbox = openOutbox();
    const [entry] = await outbox.queue(profile, [message(7)]);
    await outbox.runUntilIdle();
    const failed = outbox.store.get(entry!.id)!;
    expect(failed).toMatchObject({ state: 'failed', reason: 'permanent', attempts: 1 });
    expect(failed.recipients).toMatchObject([{ address: 'client7@example.com', state: 'rejected' }]);
    expect(failed.recipients[0]!.reply).toContain('No such user here');
    const alert = outbox.store.entries().find((e) => e.kind === 'alert')!;
    expect(alert).toBeDefined();
    expect(alert.to).toEqual(['it@acme.example']);
    expect(alert.subject).toBe('Not sent: Invoice 7');
    const raw = outbox.store.readRaw(alert.id).toString('utf8');
    expect(raw).toContain('From: Acme alerts <alerts@acme.example>');
    expect(raw).toContain('client7@example.com');
    expect(raw).toContain(entry!.messageId);
  });

  it('sends again only to the recipients that were refused for now', async () => {
    let laterRefusals = 0;
    const srv = await mailServer({
      onRcptTo(address, _s, cb) {
        if (address.address === 'later@example.com' && laterRefusals++ === 0) return cb(tempFail('4.2.1 Mailbox busy, try later', 450));
        cb();
      },
    });
    const profile = saveProfile(srv.port);
    const outbox = openOutbox();
    const [entry] = await outbox.queue(profile, [message(1, { to: ['now@example.com', 'later@example.com'] })]);
    await outbox.runUntilIdle();
    expect(outbox.store.get(entry!.id)!.recipients.map((r) => [r.address, r.state])).toEqual([
      ['now@example.com', 'accepted'],
      ['later@example.com', 'pending'],
    ]);
    now += 60_000;
    await outbox.runUntilIdle();
    expect(outbox.store.get(entry!.id)!.state).toBe('sent');
    expect(srv.received.map((m) => m.to)).toEqual([['now@example.com'], ['later@example.com']]);
    expect(srv.received[0]!.raw).toContain(`Message-ID: ${entry!.messageId}`);
    expect(srv.received[1]!.raw).toContain(`Message-ID: ${entry!.messageId}`);
  });

  it('gives up once the retry period is over', async () => {
    const srv = await mailServer({ onData: (s, _x, cb) => { s.resume(); s.on('end', () => cb(tempFail('4.3.2 System not accepting messages', 421))); } });
    const profile = saveProfile(srv.port);
    const outbox = openOutbox();
    const [entry] = await outbox.queue(profile, [message()]);
    for (let i = 0; i < 12 && outbox.store.get(entry!.id)!.state === 'queued'; i++) {
      await outbox.runUntilIdle();
      const next = outbox.store.get(entry!.id)!.nextAttemptAt;
      if (next) now = Math.max(now, Date.parse(next));
    }
    const done = outbox.store.get(entry!.id)!;
    expect(done).toMatchObject({ state: 'failed', reason: 'expired' });
    expect(done.attempts).toBeGreaterThan(2);
    expect(Date.parse(done.updatedAt) - Date.parse(done.createdAt)).toBeLessThanOrEqual(3_600_000);
  });

  it('marks a message unknown when the server never answers the end of data', async () => {
    const srv = await startScriptedServer({ silentAt: 'data-end' });
    closers.push(() => srv.close());
    const profile = saveProfile(srv.port, { timeoutSeconds: 1 });
    const outbox = openOutbox();
    const [entry] = await outbox.queue(profile, [message()]);
    await outbox.runUntilIdle();
    expect(outbox.store.get(entry!.id)).toMatchObject({ state: 'unknown', attempts: 1 });
  });

  it('refuses attachments over the profile maximum and tells the Notify user both sizes', async () => {
    const srv = await mailServer();
    const profile = saveProfile(srv.port, { maxAttachmentsMb: 1, notifyUser: 'office-manager@acme.example' });
    const outbox = openOutbox();
    const big = Buffer.alloc(1_500_000, 7).toString('base64');
    const [entry] = await outbox.queue(profile, [message(9, { to: ['a@example.com', 'b@example.com'], attachments: [{ filename: 'statement.pdf', contentBase64: big }] })]);
    await outbox.runUntilIdle();
    expect(outbox.store.get(entry!.id)).toMatchObject({ state: 'failed', reason: 'too-large', attempts: 0 });
    expect(srv.received.filter((m) => m.raw.includes(`Message-ID: ${entry!.messageId}`))).toEqual([]);
    const notice = srv.received.find((m) => m.to.includes('office-manager@acme.example'))!;
    expect(notice).toBeDefined();
    expect(notice.raw).toContain('Subject: Too large to send: Invoice 9');
    expect(notice.raw).toContain('a@example.com, b@example.com');
    expect(notice.raw).toContain('1.43 MB');
    expect(notice.raw).toContain('1.00 MB');
    expect(notice.from).toBe('alerts@acme.example');
  });

  it('treats a message over the SIZE the server advertises as too large, without uploading it', async () => {
    const uploads: number[] = [];
    const srv = await mailServer({ size: 50_000, onData: (s, _x, cb) => { let n = 0; s.on('data', (c: Buffer) => (n += c.length)); s.on('end', () => { uploads.push(n); cb(); }); } });
    const profile = saveProfile(srv.port, { maxAttachmentsMb: 0 });
    const outbox = openOutbox();
    const [entry] = await outbox.queue(profile, [message(1, { attachments: [{ filename: 'a.bin', contentBase64: Buffer.alloc(100_000).toString('base64') }] })]);
    await outbox.runUntilIdle();
    expect(outbox.store.get(entry!.id)).toMatchObject({ state: 'failed', reason: 'too-large' });
    // Refused at MAIL FROM by its declared SIZE: only the small notice about it was uploaded.
    expect(uploads.every((n) => n < 50_000)).toBe(true);
  });

  it('never exceeds the per-minute rate in any 60-second window, across a restart', async () => {
    const srv = await mailServer();
    const profile = saveProfile(srv.port, { perMinute: 10, maxConnections: 3 });
    const first = openOutbox();
    await first.queue(profile, Array.from({ length: 14 }, (_, i) => message(i)));
    await first.runUntilIdle();
    await first.stop();
    outboxes.splice(outboxes.indexOf(first), 1);
    // A new process 10 s later, with more to send: the window from before still counts.
    now += 10_000;
    const second = openOutbox();
    await second.queue(profile, Array.from({ length: 12 }, (_, i) => message(100 + i)));
    await second.runUntilIdle();
    expect(second.store.entries().filter((e) => e.state === 'sent')).toHaveLength(26);
    const slots = slotTimes(dir);
    expect(slots).toHaveLength(26);
    const busiest = busiestWindow(slots);
    expect(busiest).toBe(10);
  });

  it('lets the user cancel a queued message and retry a failed one', async () => {
    const srv = await mailServer({ onRcptTo: (_a, _s, cb) => cb(tempFail('5.7.1 Relaying denied', 550)) });
    const profile = saveProfile(srv.port);
    const outbox = openOutbox();
    const [a, b] = await outbox.queue(profile, [message(1), message(2)]);
    expect((await outbox.cancel(b!.id))?.state).toBe('cancelled');
    await outbox.runUntilIdle();
    expect(outbox.store.get(a!.id)?.state).toBe('failed');
    expect(outbox.store.get(b!.id)?.state).toBe('cancelled');
    expect((await outbox.retry(a!.id))?.state).toBe('queued');
  });
});

describe('outbox in a crash', () => {
  it('queues a message found in flight again, marked as a possible duplicate', async () => {
    const srv: RunningServer = await startScriptedServer();
    closers.push(() => srv.close());
    const profile = saveProfile(srv.port);
    const outbox = openOutbox();
    const [entry] = await outbox.queue(profile, [message()]);
    // What a crash leaves: the entry recorded as sending, and nothing after.
    await outbox.store.update([{ ...entry!, state: 'sending', attempts: 1 }]);
    await outbox.store.close();
    outboxes.splice(outboxes.indexOf(outbox), 1);
    const restarted = openOutbox();
    await restarted.open();
    expect(restarted.store.get(entry!.id)).toMatchObject({ state: 'queued', possibleDuplicate: true, attempts: 1 });
    await restarted.runUntilIdle();
    expect(restarted.store.get(entry!.id)).toMatchObject({ state: 'sent', possibleDuplicate: true, attempts: 2 });
  });
});

describe('retrying a refused message', () => {
  it('gives the refused recipients another chance once the user retries', async () => {
    let mailboxExists = false;
    const srv = await mailServer({ onRcptTo: (_a, _s, cb) => (mailboxExists ? cb() : cb(tempFail('5.1.1 No such user', 550))) });
    const profile = saveProfile(srv.port);
    const outbox = openOutbox();
    const [entry] = await outbox.queue(profile, [message(3)]);
    await outbox.runUntilIdle();
    expect(outbox.store.get(entry!.id)?.state).toBe('failed');
    mailboxExists = true;
    await outbox.retry(entry!.id);
    await outbox.runUntilIdle();
    expect(outbox.store.get(entry!.id)).toMatchObject({ state: 'sent', attempts: 2 });
    expect(srv.received.filter((m) => m.raw.includes(`Message-ID: ${entry!.messageId}`))).toHaveLength(1);
  });
});
