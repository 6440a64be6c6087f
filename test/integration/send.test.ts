// Sending for real through the profile's transport, against real servers on loopback: every
// security mode, both sign-in methods, certificates, and the refusals a user must understand.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { defaultSettings, newProfile, type OutgoingMessage, type SendOutcome, type SmtpProfile } from '../../preload/contract';
import { TEST_PASSWORD, TEST_USER, createTestCerts, startScriptedServer, startSmtpServer, type RunningServer, type TestCerts } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';

let certs: TestCerts;
let dir: string;
let cleanup: () => void;
let services: FileServices;
let caFile: string;
const servers: RunningServer[] = [];

beforeAll(() => {
  certs = createTestCerts();
});
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, certs.ca.cert);
  services = createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile });
  const s = defaultSettings();
  s.general.organisationName = 'Acme';
  s.general.alertFrom = 'alerts@acme.example';
  s.general.bouncedAlerts = 'bounces@acme.example';
  services.settings.save(s);
});
afterEach(async () => {
  await services.outbox.stop();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  cleanup();
});
afterAll(() => undefined);

async function server(start: Promise<RunningServer>): Promise<RunningServer> {
  const s = await start;
  servers.push(s);
  return s;
}

function profileFor(srv: RunningServer, over: Partial<SmtpProfile> = {}): SmtpProfile {
  return {
    ...newProfile('p1', 'Test'),
    host: srv.host,
    port: srv.port,
    username: TEST_USER,
    fromAddress: 'invoices@acme.example',
    fromName: 'Acme Accounts',
    caFile,
    timeoutSeconds: 3,
    ...over,
  };
}

const message: OutgoingMessage = { to: ['client@example.com'], cc: [], bcc: [], subject: 'Invoice 42', text: 'Attached.', attachments: [] };

/** One attempt through the outbox, as a test email is sent: the first outcome, no retries. */
async function send(profile: SmtpProfile, password: string | undefined = TEST_PASSWORD): Promise<SendOutcome> {
  const { outcome } = await services.outbox.sendNow(profile, message, 'test', { password: password ?? null });
  return outcome;
}

function expectSent(outcome: SendOutcome, srv: RunningServer): void {
  if (!outcome.ok) throw new Error(`not sent: ${outcome.advice.title}: ${outcome.advice.cause}`);
  const got = srv.log.messages.find((m) => m.raw.includes(outcome.receipt.messageId));
  expect(got, 'the server has the message').toBeDefined();
  expect(got!.from).toBe('bounces@acme.example');
  expect(got!.to).toEqual(['client@example.com']);
  expect(got!.raw).toContain('From: Acme Accounts <invoices@acme.example>');
}

describe('sending through a profile', () => {
  it('sends over a plain connection with AUTH PLAIN, the bounce mailbox as envelope sender', async () => {
    const srv = await server(startSmtpServer(certs, { mode: 'plain', authMethods: ['PLAIN'] }));
    expectSent(await send(profileFor(srv, { security: 'none' })), srv);
    expect(srv.log.authAttempts).toEqual([{ method: 'PLAIN', username: TEST_USER, accepted: true }]);
  });

  it('sends with AUTH LOGIN when that is all the server offers', async () => {
    const srv = await server(startSmtpServer(certs, { mode: 'plain', authMethods: ['LOGIN'] }));
    expectSent(await send(profileFor(srv, { security: 'none' })), srv);
    expect(srv.log.authAttempts[0]).toMatchObject({ method: 'LOGIN', accepted: true });
  });

  it('upgrades with STARTTLS and verifies the server with the profile CA file', async () => {
    const srv = await server(startSmtpServer(certs, { mode: 'starttls' }));
    expectSent(await send(profileFor(srv, { security: 'starttls-required' })), srv);
    expect(srv.log.tlsProtocols[0]).toMatch(/^TLSv1\.[23]$/);
    expect(srv.log.commands).not.toContain('AUTH');
  });

  it('speaks TLS from the first byte on an SSL/TLS profile', async () => {
    const srv = await server(startSmtpServer(certs, { mode: 'tls' }));
    expectSent(await send(profileFor(srv, { security: 'tls' })), srv);
  });

  it('reaches a server that only speaks TLS 1.0/1.1 when the minimum allows it, and refuses otherwise', async () => {
    const srv = await server(startSmtpServer(certs, { mode: 'tls', legacyTlsOnly: true }));
    const refused = await send(profileFor(srv, { security: 'tls', minTls: '1.2' }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.advice.code).toBe('tls-version-mismatch');
    expectSent(await send(profileFor(srv, { security: 'tls', minTls: '1.0' })), srv);
    expect(srv.log.tlsProtocols.at(-1)).toMatch(/^TLSv1(\.1)?$/);
  });

  it('refuses an untrusted certificate, then sends once the CA file is given', async () => {
    const srv = await server(startSmtpServer(certs, { mode: 'starttls', tlsCert: certs.foreign }));
    const refused = await send(profileFor(srv, { security: 'starttls-required' }));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.advice.code).toMatch(/^cert-/);
    expect(srv.log.authCommandSeen).toBe(false);
    const otherCaFile = path.join(dir, 'other-ca.pem');
    fs.writeFileSync(otherCaFile, certs.otherCa.cert);
    expectSent(await send(profileFor(srv, { security: 'starttls-required', caFile: otherCaFile })), srv);
  });

  it('never signs in when STARTTLS is required and the server does not offer it', async () => {
    const srv = await server(startSmtpServer(certs, { mode: 'plain' }));
    const outcome = await send(profileFor(srv, { security: 'starttls-required' }));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.advice.code).toMatch(/starttls/);
    expect(srv.log.authCommandSeen).toBe(false);
    expect(srv.log.messages).toEqual([]);
  });

  it('explains a wrong password', async () => {
    const srv = await server(startSmtpServer(certs, { mode: 'starttls' }));
    const outcome = await send(profileFor(srv, { security: 'starttls-required' }), 'wrong');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.advice.code).toMatch(/^auth-/);
      expect(outcome.advice.serverReply).toContain('535');
    }
  });

  it('gives up on a server that never greets within the timeout', async () => {
    const srv = await server(startScriptedServer({ greeting: null }));
    const started = Date.now();
    const outcome = await send(profileFor(srv, { security: 'none', timeoutSeconds: 1 }));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.advice.code).toMatch(/greeting|tls-wrong-mode/);
  });

  it('gives up on a server that drips its greeting a byte at a time', async () => {
    const srv = await server(startScriptedServer({ dripMs: 200 }));
    const started = Date.now();
    const outcome = await send(profileFor(srv, { security: 'none', timeoutSeconds: 1 }));
    expect(outcome.ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(6000);
  });

  describe('refusals the user must understand', () => {
    it.each([
      ['greeting', '421 4.3.2 Service not available, closing channel', 'server-unavailable'],
      ['data-end', '451 4.3.0 Temporary local problem, try again later', 'server-temporary-error'],
      ['rcpt', '550 5.1.1 The email account that you tried to reach does not exist', 'recipient-unknown'],
      ['mail', '550 5.7.1 Relaying denied', 'relay-denied'],
      ['data-end', '552 5.3.4 Message size exceeds fixed maximum message size', 'message-too-large'],
    ] as const)('%s answered "%s"', async (stage, reply, code) => {
      const srv = await server(startScriptedServer({ replyAt: { stage, reply } }));
      const outcome = await send(profileFor(srv, { security: 'none', auth: 'none' }));
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.advice.code).toBe(code);
      expect(outcome.advice.serverReply).toContain(reply.slice(0, 3));
      expect(outcome.advice.cause.length).toBeGreaterThan(10);
      expect(outcome.advice.fix.length).toBeGreaterThan(10);
    });
  });
});
