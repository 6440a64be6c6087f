// The sender service as an office runs it: set up by mailroom office init (its sender key), the
// shared password and a user's own password sealed to that key, signing in over STARTTLS to a real
// smtp-server; and what a refusal does to a message, as in file mode (5xx fails at once, 4xx is
// tried again after the backoff).
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newProfile, type SmtpProfile } from '../../preload/contract';
import { userPasswordKey } from '../../main/services/mail/mail-service';
import { addUser, initOffice } from '../../main/services/office/office-admin';
import { OfficeOutbox } from '../../main/services/office/office-outbox';
import { OfficeStore } from '../../main/services/office/office-store';
import { senderFromEnvironment, type SenderService } from '../../main/services/office/sender-service';
import { startPostgres, type PgCluster } from '../helpers/postgres';
import { officeRoles } from '../helpers/office-roles';
import { TEST_PASSWORD, TEST_USER, createTestCerts, startScriptedServer, startSmtpServer, type RunningServer } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';

const PASSWORDS: Record<string, string> = { ada: 'ada pw', tess: 'tess pw', sid: 'sid pw' };
const TESS_SMTP = { user: 'tess@example.test', password: 'Tess-Own-SMTP-Pa55' };

let cluster: PgCluster;
let work: { dir: string; cleanup: () => void };
let keyFile: string;
let caFile: string;
let server: RunningServer;
let refusing: RunningServer;
let deferring: RunningServer;
let accepting: RunningServer;
let sender: SenderService;
const events: string[] = [];

const { connect } = officeRoles(() => ({ cluster, homedir: work.dir }), (role) => PASSWORDS[role]);

async function owner<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client(connect(cluster.superuser).config);
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function profiles(): SmtpProfile[] {
  const base = { ...newProfile('shared', 'Relay'), host: '127.0.0.1', port: server.port, security: 'starttls-required' as const, caFile, username: TEST_USER, fromAddress: 'invoices@acme.example', timeoutSeconds: 5 };
  return [
    base,
    { ...base, id: 'own', name: 'Own mailbox', credentials: 'per-user', username: '' },
    { ...newProfile('refuses', 'Refuses'), host: '127.0.0.1', port: refusing.port, security: 'none', auth: 'none', fromAddress: 'invoices@acme.example', timeoutSeconds: 5 },
    { ...newProfile('defers', 'Defers'), host: '127.0.0.1', port: deferring.port, security: 'none', auth: 'none', fromAddress: 'invoices@acme.example', timeoutSeconds: 5 },
    { ...newProfile('limited', 'Three a minute'), host: '127.0.0.1', port: accepting.port, security: 'none', auth: 'none', fromAddress: 'invoices@acme.example', perMinute: 3 },
  ];
}

beforeAll(async () => {
  work = tempDir('mailroom-office-sending-');
  const certs = createTestCerts();
  caFile = path.join(work.dir, 'ca.pem');
  fs.writeFileSync(caFile, certs.ca.cert);
  [cluster, server, refusing, deferring, accepting] = await Promise.all([
    startPostgres(),
    startSmtpServer(certs, { mode: 'starttls', users: { [TEST_USER]: TEST_PASSWORD, [TESS_SMTP.user]: TESS_SMTP.password } }),
    startScriptedServer({ replyAt: { stage: 'rcpt', reply: '550 5.1.1 No such user here' } }),
    startScriptedServer({ replyAt: { stage: 'rcpt', reply: '451 4.7.1 Greylisted, try again later' } }),
    startScriptedServer(),
  ]);
  keyFile = path.join(work.dir, 'sender.key');
  const init = await initOffice({ connection: connect(cluster.superuser), adminRole: 'ada', adminPassword: PASSWORDS.ada!, senderKeyOut: keyFile });
  if (!init.ok) throw new Error(init.error.message);
  for (const [role, kind] of [['tess', 'staff'], ['sid', 'sender']] as const) {
    const added = await addUser({ connection: connect('ada'), role, kind, password: PASSWORDS[role]! });
    if (!added.ok) throw new Error(added.error.message);
  }
  const admin = new OfficeStore(connect('ada'));
  try {
    const read = await admin.readSettings();
    if (!read.ok) throw new Error(read.error.message);
    const settings = { ...read.value.settings, smtp: { ...read.value.settings.smtp, profiles: profiles() } };
    settings.general = { ...settings.general, organisationName: 'Acme', alertFrom: 'alerts@acme.example' };
    const saved = await admin.saveSettings(settings, read.value.revision);
    if (!saved.ok) throw new Error(saved.error.message);
    const secret = await admin.setSharedSecret('smtp-password:shared', TEST_PASSWORD);
    if (!secret.ok) throw new Error(secret.error.message);
  } finally {
    await admin.close();
  }
  const tess = new OfficeStore(connect('tess'));
  try {
    const me = await tess.whoami();
    if (!me.ok || !me.value.user) throw new Error('tess is not a user');
    const own = await tess.setMySecret(userPasswordKey(me.value.user.id), TESS_SMTP.password);
    if (!own.ok) throw new Error(own.error.message);
    const choices = await tess.setMyChoices({ smtpUsername: TESS_SMTP.user });
    if (!choices.ok) throw new Error(choices.error.message);
  } finally {
    await tess.close();
  }
  const setup = senderFromEnvironment({ url: cluster.url('sid', PASSWORDS.sid), keyFile, env: {}, homedir: work.dir, options: { onEvent: (e) => events.push(`${e.kind}: ${e.message}`) } });
  if (!setup.ok) throw new Error(setup.error.message);
  sender = setup.value.service;
  const started = await sender.start();
  if (!started.ok) throw new Error(started.error.message);
}, 60_000);

afterAll(async () => {
  await sender?.stop();
  await Promise.all([server?.close(), refusing?.close(), deferring?.close(), accepting?.close()]);
  await cluster?.stop();
  work?.cleanup();
});

async function queueOne(profileId: string, subject: string) {
  const box = new OfficeOutbox(connect('tess'));
  try {
    const profile = profiles().find((p) => p.id === profileId)!;
    const queued = await box.queue(profile, [{ to: ['customer@example.com'], cc: [], bcc: [], subject, text: 'Invoice attached.', attachments: [] }]);
    if (!queued.ok) throw new Error(queued.error.message);
    return queued.value[0]!;
  } finally {
    await box.close();
  }
}

async function settled(id: string, done: (state: string, attempts: number) => boolean) {
  const box = new OfficeOutbox(connect('tess'));
  try {
    const end = Date.now() + 15_000;
    for (;;) {
      const entry = await box.get(id);
      if (!entry.ok) throw new Error(entry.error.message);
      if (done(entry.value.state, entry.value.attempts)) return entry.value;
      if (Date.now() > end) throw new Error(`message still ${entry.value.state}; sender said: ${events.join('; ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await box.close();
  }
}

describe('the sender service with the office\'s own secrets', () => {
  it('signs in with the shared password and with the owner\'s own, each opened with the sender key, only after STARTTLS', async () => {
    const shared = await queueOne('shared', 'Shared mailbox');
    const own = await queueOne('own', 'Own mailbox');
    const sent = await Promise.all([settled(shared.id, (s) => s !== 'queued' && s !== 'sending'), settled(own.id, (s) => s !== 'queued' && s !== 'sending')]);
    expect(sent.map((e) => e.state)).toEqual(['sent', 'sent']);
    const byMessage = new Map(server.log.messages.map((m) => [/^Message-ID:\s*(<[^>]+>)/im.exec(m.raw)?.[1], m.user]));
    expect(byMessage.get(shared.messageId)).toBe(TEST_USER);
    expect(byMessage.get(own.messageId)).toBe(TESS_SMTP.user);
    // AUTH never crossed in clear text: every command read before STARTTLS is listed here.
    expect(server.log.commands).not.toContain('AUTH');
    expect(server.log.tlsProtocols.length).toBeGreaterThan(0);
    expect(events.join('\n')).not.toContain(TEST_PASSWORD);
  });

  it('fails a message the server refuses for good at once, and tries one refused for now again after the backoff', async () => {
    const refused = await queueOne('refuses', 'Refused');
    const deferred = await queueOne('defers', 'Greylisted');
    const failed = await settled(refused.id, (s) => s === 'failed');
    expect(failed).toMatchObject({ state: 'failed', reason: 'permanent', attempts: 1 });
    expect(failed.lastReply).toContain('550');
    expect(failed.recipients).toEqual([expect.objectContaining({ address: 'customer@example.com', state: 'rejected' })]);
    const waiting = await settled(deferred.id, (s, attempts) => s === 'queued' && attempts === 1);
    expect(waiting.lastReply).toContain('451');
    expect(waiting.recipients).toEqual([expect.objectContaining({ address: 'customer@example.com', state: 'pending' })]);
    // The first backoff is 30 s with ±20% jitter.
    const wait = Date.parse(waiting.nextAttemptAt!) - Date.now();
    expect(wait).toBeGreaterThan(20_000);
    expect(wait).toBeLessThanOrEqual(36_000);
    // The user may try again now: it goes back to the senders at once.
    const box = new OfficeOutbox(connect('tess'));
    try {
      // (A sender may claim it before the answer is read back: queued, or already on its way.)
      const retried = await box.retry(refused.id);
      expect(retried.ok && ['queued', 'sending', 'failed'].includes(retried.value.state)).toBe(true);
      const again = await settled(refused.id, (s, attempts) => s === 'failed' && attempts === 2);
      expect(again.reason).toBe('permanent');
    } finally {
      await box.close();
    }
    const rows = await owner((c) => c.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom.outbox WHERE state = 'sending'`));
    expect(Number(rows.rows[0]?.n)).toBe(0);
  });
});

describe('a profile at its per-minute limit, with the real 60-second window', () => {
  it('sends the first three at once and gives the rest back untried, due when the window has room again', async () => {
    const queued = await Promise.all(Array.from({ length: 5 }, (_, i) => queueOne('limited', `Statement ${i}`)));
    const box = new OfficeOutbox(connect('tess'));
    try {
      const end = Date.now() + 10_000;
      let states: { state: string; attempts: number; nextAttemptAt: string | null; createdAt: string; updatedAt: string }[] = [];
      // A message over the limit is either given back, due when the window has room, or (queued
      // once this sender already knows the profile is full) left unclaimed until then.
      const heldBack = (e: (typeof states)[number]) =>
        e.state === 'queued' && ((e.nextAttemptAt !== null && Date.parse(e.nextAttemptAt) > Date.now() + 30_000) || e.updatedAt === e.createdAt);
      for (;;) {
        states = [];
        for (const m of queued) {
          const e = await box.get(m.id);
          if (!e.ok) throw new Error(e.error.message);
          states.push(e.value);
        }
        if (states.filter((e) => e.state === 'sent').length === 3 && states.every((e) => e.state === 'sent' || heldBack(e))) break;
        if (Date.now() > end) throw new Error(`not as expected: ${JSON.stringify(states)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      // The two left were never tried: no attempt counted, nothing reached the server for them.
      expect(states.filter((e) => e.state === 'queued').map((e) => e.attempts)).toEqual([0, 0]);
      expect(accepting.log.commands.filter((c) => c === 'DATA')).toHaveLength(3);
      const givenBack = states.filter((e) => e.state === 'queued' && e.updatedAt !== e.createdAt).length;
      expect(sender.stats.released).toBeGreaterThanOrEqual(givenBack);
      // And they stay back: a second later, still three sent and the other two untried.
      await new Promise((r) => setTimeout(r, 1000));
      expect(accepting.log.commands.filter((c) => c === 'DATA')).toHaveLength(3);
      for (const m of queued.filter((_, i) => states[i]?.state === 'queued')) {
        const e = await box.get(m.id);
        expect(e.ok && e.value.state === 'queued' && e.value.attempts === 0).toBe(true);
      }
      const slots = await owner((c) => c.query<{ n: string }>(`SELECT count(*) AS n FROM mailroom.send_slots WHERE profile_id = 'limited'`));
      expect(Number(slots.rows[0]?.n)).toBe(3);
    } finally {
      await box.close();
    }
  });
});
