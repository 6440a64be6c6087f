// The connection test against real servers on loopback: what the user sees for each situation.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Diagnosis, type DiagnosisStepId } from '../../preload/contract';
import { diagnose, type ConnectionConfig } from '../../main/services/mail/diagnose';
import {
  TEST_PASSWORD,
  TEST_USER,
  closedPort,
  createTestCerts,
  startScriptedServer,
  startSmtpServer,
  type RunningServer,
  type ScriptedServerOptions,
  type SmtpServerOptions,
  type TestCerts,
} from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';

let certs: TestCerts;
const servers: RunningServer[] = [];

beforeAll(() => {
  certs = createTestCerts();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function smtp(options: SmtpServerOptions): Promise<RunningServer> {
  const server = await startSmtpServer(certs, options);
  servers.push(server);
  return server;
}

async function scripted(options: ScriptedServerOptions = {}): Promise<RunningServer> {
  const server = await startScriptedServer(options);
  servers.push(server);
  return server;
}

function configFor(server: { host: string; port: number }, overrides: Partial<ConnectionConfig> = {}): ConnectionConfig {
  return {
    profileName: 'Office',
    host: server.host,
    port: server.port,
    security: 'none',
    minTls: '1.2',
    verifyCert: true,
    ca: certs.ca.cert,
    auth: 'required',
    username: TEST_USER,
    password: TEST_PASSWORD,
    fromAddress: 'alice@example.test',
    timeoutSeconds: 2,
    clientName: 'pc1.example.test',
    ...overrides,
  };
}

const SECRETS = [
  TEST_PASSWORD,
  Buffer.from(`\0${TEST_USER}\0${TEST_PASSWORD}`).toString('base64'),
  Buffer.from(TEST_PASSWORD).toString('base64'),
  'wrong password',
];

async function run(config: ConnectionConfig, options: Parameters<typeof diagnose>[1] = {}): Promise<Diagnosis> {
  const result = await diagnose(config, options);
  // The diagnosis crosses the bridge: it must match the contract, and never carry a secret.
  expect(Diagnosis.safeParse(result).success).toBe(true);
  const text = JSON.stringify(result);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
  return result;
}

function statuses(d: Diagnosis): Partial<Record<DiagnosisStepId, string>> {
  return Object.fromEntries(d.steps.map((s) => [s.id, s.status]));
}

function step(d: Diagnosis, id: DiagnosisStepId) {
  const found = d.steps.find((s) => s.id === id);
  if (!found) throw new Error(`no ${id} step in ${JSON.stringify(statuses(d))}`);
  return found;
}

function detail(d: Diagnosis, id: DiagnosisStepId, label: string): string {
  return step(d, id).details.find((x) => x.label === label)?.value ?? '';
}

describe('a working server', () => {
  it('plain (no encryption): every step passes, and the unencrypted sign-in is called out', async () => {
    const server = await smtp({ mode: 'plain' });
    const d = await run(configFor(server));
    expect(d.ok).toBe(true);
    expect(d.failure).toBeUndefined();
    expect(statuses(d)).toEqual({
      dns: 'skipped',
      tcp: 'passed',
      tls: 'skipped',
      greeting: 'passed',
      ehlo: 'passed',
      starttls: 'skipped',
      auth: 'warning',
      sender: 'passed',
    });
    expect(d.steps.map((s) => s.id)).toEqual(['dns', 'tcp', 'tls', 'greeting', 'ehlo', 'starttls', 'auth', 'sender']);
    expect(d.steps.every((s) => s.durationMs >= 0)).toBe(true);
    expect(detail(d, 'auth', 'Warning')).toMatch(/unencrypted/);
    expect(detail(d, 'ehlo', 'STARTTLS offered')).toBe('No');
    expect(detail(d, 'ehlo', 'Sign-in methods (AUTH)')).toBe('PLAIN LOGIN');
    expect(server.log.authAttempts).toEqual([{ method: 'PLAIN', username: TEST_USER, accepted: true }]);
    expect(server.log.mailFrom).toEqual(['alice@example.test']);
    // Nothing was sent: the transaction is reset and the session ends politely.
    expect(server.log.commands).toEqual(['EHLO', 'AUTH', 'MAIL FROM', 'RSET', 'QUIT']);
    expect(d.target).toBe(`127.0.0.1:${server.port}`);
  });

  it('looks the name up and shows the addresses', async () => {
    const server = await smtp({ mode: 'plain', authOptional: true });
    const d = await run(configFor(server, { host: 'localhost', auth: 'none' }));
    expect(d.ok).toBe(true);
    expect(step(d, 'dns').status).toBe('passed');
    expect(detail(d, 'dns', 'Addresses')).toContain('127.0.0.1');
    expect(step(d, 'auth').status).toBe('skipped');
  });

  it('STARTTLS: reports the protocol, the certificate and its issuer, then signs in encrypted', async () => {
    const server = await smtp({ mode: 'starttls', size: 25 * 1048576 });
    const d = await run(configFor(server, { security: 'starttls' }));
    expect(d.ok).toBe(true);
    expect(statuses(d)).toMatchObject({ tls: 'skipped', ehlo: 'passed', starttls: 'passed', auth: 'passed', sender: 'passed' });
    expect(detail(d, 'starttls', 'Protocol')).toMatch(/^TLSv1\.[23]$/);
    expect(detail(d, 'starttls', 'Issuer')).toContain('Mailroom Test CA');
    expect(detail(d, 'starttls', 'Certificate verified')).toBe('Yes');
    expect(detail(d, 'starttls', 'Certificate issued to')).toContain('localhost');
    expect(detail(d, 'starttls', 'Valid until')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(detail(d, 'ehlo', 'STARTTLS offered')).toBe('Yes');
    expect(detail(d, 'ehlo', 'Size limit')).toMatch(/^25 MB/);
    expect(step(d, 'auth').summary).toMatch(/Signed in as alice@example\.test with PLAIN/);
    expect(server.log.tlsProtocols).toHaveLength(1);
    expect(server.log.authAttempts.map((a) => a.accepted)).toEqual([true]);
  });

  it('implicit TLS (SSL/TLS): encrypted from the first byte', async () => {
    const server = await smtp({ mode: 'tls' });
    const d = await run(configFor(server, { security: 'tls' }));
    expect(d.ok).toBe(true);
    expect(statuses(d)).toMatchObject({ tls: 'passed', greeting: 'passed', starttls: 'skipped', auth: 'passed', sender: 'passed' });
    expect(detail(d, 'tls', 'Protocol')).toMatch(/^TLSv1\.[23]$/);
    expect(detail(d, 'tls', 'Issuer')).toContain('Mailroom Test CA');
    expect(step(d, 'starttls').summary).toMatch(/encrypted from the start/);
  });

  it('signs in with LOGIN when PLAIN is not offered', async () => {
    const server = await smtp({ mode: 'starttls', authMethods: ['LOGIN'] });
    const d = await run(configFor(server, { security: 'starttls-required' }));
    expect(d.ok).toBe(true);
    expect(detail(d, 'auth', 'Method')).toBe('LOGIN');
    expect(server.log.authAttempts).toEqual([{ method: 'LOGIN', username: TEST_USER, accepted: true }]);
  });

  it('signs in with PLAIN when offered', async () => {
    const server = await smtp({ mode: 'tls', authMethods: ['LOGIN', 'PLAIN'] });
    const d = await run(configFor(server, { security: 'tls' }));
    expect(detail(d, 'auth', 'Method')).toBe('PLAIN');
    expect(server.log.authAttempts).toEqual([{ method: 'PLAIN', username: TEST_USER, accepted: true }]);
  });

  it('Authorisation optional without a password: no sign-in, the sender is still checked', async () => {
    const server = await smtp({ mode: 'plain', authOptional: true });
    const d = await run(configFor(server, { auth: 'optional', password: undefined }));
    expect(d.ok).toBe(true);
    expect(step(d, 'auth')).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/no password set/i) });
    expect(server.log.authCommandSeen).toBe(false);
  });

  it('Authorisation required with the user name or password left empty: every step before signing in runs, and the empty field is named', async () => {
    const server = await smtp({ mode: 'plain' });
    const noUser = await run(configFor(server, { username: '', password: undefined }));
    expect(statuses(noUser)).toMatchObject({ tcp: 'passed', greeting: 'passed', ehlo: 'passed', auth: 'failed' });
    expect(noUser.failure).toMatchObject({ step: 'auth', code: 'config-invalid', field: { path: 'username', message: 'Required when Authorisation is Required' } });
    const noPassword = await run(configFor(server, { password: undefined }));
    expect(noPassword.failure).toMatchObject({ step: 'auth', code: 'auth-no-password', field: { path: 'password' } });
    expect(server.log.authCommandSeen).toBe(false);
  });

  it('STARTTLS if offered, not offered, and the profile signs in: stops there, the password never sent', async () => {
    const server = await smtp({ mode: 'plain' });
    const d = await run(configFor(server, { security: 'starttls' }));
    expect(d.ok).toBe(false);
    expect(d.failure).toMatchObject({ step: 'starttls', code: 'encryption-not-offered' });
    expect(d.failure?.title).toMatch(/did not offer encryption; your password was not sent/);
    expect(step(d, 'starttls').summary).toMatch(/password was not sent/);
    expect(d.steps.map((s) => s.id)).not.toContain('auth');
    expect(server.log.authCommandSeen).toBe(false);
    expect(server.log.authAttempts).toEqual([]);
  });

  it('STARTTLS if offered, not offered, no sign-in: continues unencrypted with a warning', async () => {
    const server = await smtp({ mode: 'plain', authOptional: true });
    const d = await run(configFor(server, { security: 'starttls', auth: 'none' }));
    expect(d.ok).toBe(true);
    expect(step(d, 'starttls').status).toBe('warning');
    expect(detail(d, 'starttls', 'Warning')).toMatch(/Mail will cross the network unencrypted/);
    expect(step(d, 'auth').status).toBe('skipped');
    expect(step(d, 'sender').status).toBe('passed');
    expect(server.log.authCommandSeen).toBe(false);
  });

  it('STARTTLS if offered, not offered, Authorisation optional: goes on without signing in, as sending does', async () => {
    const relay = await smtp({ mode: 'plain', authOptional: true });
    const d = await run(configFor(relay, { security: 'starttls', auth: 'optional' }));
    expect(d.ok).toBe(true);
    expect(step(d, 'starttls').status).toBe('warning');
    expect(detail(d, 'starttls', 'Warning')).toMatch(/without signing in/);
    expect(step(d, 'auth')).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/password was not sent/) });
    expect(relay.log.authCommandSeen).toBe(false);

    // A server that wants the sign-in after all: told why the password stayed home.
    const strict = await smtp({ mode: 'plain' });
    const refused = await run(configFor(strict, { security: 'starttls', auth: 'optional' }));
    expect(refused.failure).toMatchObject({ step: 'sender', code: 'encryption-not-offered' });
    expect(refused.failure?.serverReply).toMatch(/^530/);
    expect(strict.log.authCommandSeen).toBe(false);
  });
});

describe('TLS versions and certificates', () => {
  it('a TLS 1.0/1.1-only server works with Minimum TLS 1.0, flagged as outdated', async () => {
    const server = await smtp({ mode: 'tls', legacyTlsOnly: true });
    const d = await run(configFor(server, { security: 'tls', minTls: '1.0' }));
    expect(d.ok).toBe(true);
    expect(step(d, 'tls').status).toBe('warning');
    expect(detail(d, 'tls', 'Protocol')).toMatch(/^TLSv1(\.1)?$/);
    expect(step(d, 'tls').summary).toMatch(/outdated/);
    expect(server.log.tlsProtocols[0]).toMatch(/^TLSv1(\.1)?$/);
  });

  it('a TLS 1.0/1.1-only server fails with Minimum TLS 1.2, advising to lower it', async () => {
    const server = await smtp({ mode: 'tls', legacyTlsOnly: true });
    const d = await run(configFor(server, { security: 'tls', minTls: '1.2' }));
    expect(d.ok).toBe(false);
    expect(d.failure).toMatchObject({ step: 'tls', code: 'tls-version-mismatch' });
    expect(d.failure?.fix).toMatch(/Minimum TLS version/);
    expect(d.failure?.fix).toMatch(/insecure/);
    expect(d.steps.map((s) => s.id)).toEqual(['dns', 'tcp', 'tls']);
    expect(server.log.authCommandSeen).toBe(false);
  });

  it('a certificate from an unknown CA fails at tls, before any password, with the interception advice', async () => {
    const server = await smtp({ mode: 'tls', tlsCert: certs.foreign });
    const d = await run(configFor(server, { security: 'tls' }));
    expect(d.ok).toBe(false);
    expect(d.failure).toMatchObject({ step: 'tls', code: 'cert-untrusted' });
    expect(d.failure?.cause).toMatch(/Untrusted Other CA/);
    expect(d.failure?.cause).toMatch(/antivirus|proxy/);
    expect(d.failure?.fix).toMatch(/CA file/);
    expect(detail(d, 'tls', 'Certificate verified')).toMatch(/^No/);
    expect(server.log.authCommandSeen).toBe(false);

    const trusted = await run(configFor(server, { security: 'tls', ca: certs.otherCa.cert, caFile: 'company-root.pem' }));
    expect(trusted.ok).toBe(true);
    expect(detail(trusted, 'tls', 'Certificate verified')).toBe('Yes');
    expect(detail(trusted, 'tls', 'Extra CA file')).toBe('company-root.pem');
  });

  it('a self-signed certificate fails at starttls; with it as the CA it passes', async () => {
    const server = await smtp({ mode: 'starttls', tlsCert: certs.selfSigned });
    const d = await run(configFor(server, { security: 'starttls-required' }));
    expect(d.failure).toMatchObject({ step: 'starttls', code: 'cert-self-signed' });
    expect(d.failure?.cause).toMatch(/signed itself/);
    expect(d.failure?.cause).toMatch(/No password|before sending any password/i);
    expect(server.log.authCommandSeen).toBe(false);

    const trusted = await run(configFor(server, { security: 'starttls-required', ca: certs.selfSigned.cert }));
    expect(trusted.ok).toBe(true);
  });

  it('with verification off, an untrusted certificate is a warning, not a failure', async () => {
    const server = await smtp({ mode: 'tls', tlsCert: certs.foreign });
    const d = await run(configFor(server, { security: 'tls', verifyCert: false }));
    expect(d.ok).toBe(true);
    expect(step(d, 'tls').status).toBe('warning');
    expect(step(d, 'tls').summary).toMatch(/certificate not verified/);
  });
});

describe('wrong security settings', () => {
  it('STARTTLS required against a server without it: fails at starttls and no AUTH is ever sent', async () => {
    const server = await smtp({ mode: 'plain' });
    const d = await run(configFor(server, { security: 'starttls-required' }));
    expect(d.ok).toBe(false);
    expect(d.failure).toMatchObject({ step: 'starttls', code: 'starttls-not-offered' });
    expect(step(d, 'starttls').summary).toMatch(/password was not sent/);
    expect(d.failure?.cause).toMatch(/password was not sent/);
    expect(d.steps.map((s) => s.id)).not.toContain('auth');
    expect(server.log.authCommandSeen).toBe(false);
    expect(server.log.commands).not.toContain('AUTH');
    expect(server.log.commands).toContain('EHLO');
  });

  it('SSL/TLS against a plain server: "wrong version number", use STARTTLS on 587', async () => {
    const server = await smtp({ mode: 'plain' });
    const d = await run(configFor(server, { security: 'tls' }));
    expect(d.failure).toMatchObject({ step: 'tls', code: 'tls-wrong-mode-use-starttls' });
    expect(d.failure?.cause).toMatch(/wrong version number|plain text/);
    expect(d.failure?.fix).toMatch(/STARTTLS/);
    expect(d.failure?.fix).toMatch(/587/);
  });

  it('STARTTLS against an implicit-TLS server: the silent server is recognised, use SSL/TLS on 465', async () => {
    const server = await smtp({ mode: 'tls' });
    const started = Date.now();
    const d = await run(configFor(server, { security: 'starttls', timeoutSeconds: 1 }));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'tls-wrong-mode-use-ssl' });
    expect(d.failure?.fix).toMatch(/SSL\/TLS/);
    expect(d.failure?.fix).toMatch(/465/);
    expect(detail(d, 'greeting', 'TLS check')).toMatch(/expects SSL\/TLS/);
  });

  it('an OAuth2 profile, STARTTLS if offered, not offered: the access token is never sent', async () => {
    const server = await scripted({ capabilities: ['AUTH PLAIN LOGIN XOAUTH2'] });
    const token = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.secret-access-token';
    const d = await run(configFor(server, { security: 'starttls', accessToken: token, password: undefined }));
    expect(d.failure).toMatchObject({ step: 'starttls', code: 'encryption-not-offered' });
    expect(d.failure?.title).toMatch(/access token was not sent/);
    expect(server.log.authCommandSeen).toBe(false);
    expect(JSON.stringify(d)).not.toContain(token);
  });

  it('after EHLO is refused and HELO accepted, never signs in, though the server would take AUTH', async () => {
    const server = await scripted({ replyAt: { stage: 'ehlo', reply: '500 5.5.1 Command unrecognized' } });
    const required = await run(configFor(server));
    expect(required.failure).toMatchObject({ step: 'auth', code: 'auth-not-offered' });
    const optional = await run(configFor(server, { auth: 'optional' }));
    expect(optional.ok).toBe(true);
    expect(step(optional, 'auth').status).toBe('warning');
    expect(server.log.commands).not.toContain('AUTH');
    expect(server.log.authCommandSeen).toBe(false);

    // With STARTTLS if offered, the HELO server cannot encrypt: stopped before sign-in.
    const starttls = await run(configFor(server, { security: 'starttls' }));
    expect(starttls.failure).toMatchObject({ step: 'starttls', code: 'encryption-not-offered' });
    expect(server.log.authCommandSeen).toBe(false);
  });

  it('Authorisation required, but the server offers no sign-in', async () => {
    const server = await smtp({ mode: 'starttls', noAuth: true, authOptional: true });
    const d = await run(configFor(server, { security: 'starttls' }));
    expect(d.failure).toMatchObject({ step: 'auth', code: 'auth-not-offered' });
    expect(d.failure?.fix).toMatch(/Authorisation to None/);
  });
});

describe('connection failures', () => {
  it('connection refused on a closed port', async () => {
    const port = await closedPort();
    const d = await run(configFor({ host: '127.0.0.1', port }));
    expect(d.failure).toMatchObject({ step: 'tcp', code: 'tcp-refused' });
    expect(d.failure?.cause).toMatch(/wrong port|firewall/);
    expect(d.steps.map((s) => s.id)).toEqual(['dns', 'tcp']);
  });

  it('an unknown host name', async () => {
    const d = await run(configFor({ host: 'no-such-host.invalid', port: 587 }));
    expect(d.failure?.step).toBe('dns');
    expect(['dns-not-found', 'dns-unavailable']).toContain(d.failure?.code);
  });

  it('a server that never greets is given up on within the timeout, mentioning implicit TLS', async () => {
    const server = await scripted({ greeting: null });
    const started = Date.now();
    const d = await run(configFor(server, { security: 'starttls', timeoutSeconds: 1 }));
    expect(Date.now() - started).toBeLessThan(1000 + 1500);
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'greeting-timeout' });
    expect(d.failure?.cause).toMatch(/SSL\/TLS/);
    expect(d.failure?.fix).toMatch(/465/);
    expect(detail(d, 'greeting', 'TLS check')).toBe('No TLS answer either');
  });

  it('a server dripping its greeting a byte at a time is given up on at the deadline', async () => {
    const server = await scripted({ dripMs: 300 });
    const started = Date.now();
    const d = await run(configFor(server, { timeoutSeconds: 1 }));
    expect(Date.now() - started).toBeLessThan(1000 + 1500);
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'reply-timeout' });
    expect(d.failure?.serverReply).toMatch(/^22/);
  });

  it('greeting 421: the service is not available', async () => {
    const server = await scripted({ greeting: '421 4.3.2 Too many connections from your IP, try later' });
    const d = await run(configFor(server));
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'server-unavailable' });
    expect(d.failure?.serverReply).toBe('421 4.3.2 Too many connections from your IP, try later');
    expect(d.failure?.fix).toMatch(/try again/i);
  });

  it('greeting 554: the server refuses this address', async () => {
    const server = await scripted({ greeting: '554 5.7.1 Your IP is listed at zen.spamhaus.org' });
    const d = await run(configFor(server));
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'connection-rejected' });
  });

  it('server text is escaped: terminal escapes in the greeting are shown, not executed', async () => {
    const server = await scripted({ greeting: '220 evil.test \x1b[2J\x1b]0;pwned\x07 ESMTP\u202e' });
    const d = await run(configFor(server, { auth: 'none', fromAddress: '' }));
    expect(d.ok).toBe(true);
    const said = detail(d, 'greeting', 'Server says');
    expect(said).toBe('220 evil.test \\x1b[2J\\x1b]0;pwned\\x07 ESMTP\\u202e');
    expect(JSON.stringify(d)).not.toMatch(/\\u001b|\\u0007/);
    expect(step(d, 'sender').status).toBe('skipped');
  });

  it('EHLO refused: falls back to HELO and says so', async () => {
    const server = await scripted({ replyAt: { stage: 'ehlo', reply: '500 5.5.1 Command unrecognized' } });
    const d = await run(configFor(server, { auth: 'none' }));
    expect(d.ok).toBe(true);
    expect(step(d, 'ehlo').status).toBe('warning');
    expect(step(d, 'ehlo').summary).toMatch(/HELO/);
    expect(server.log.commands.slice(0, 2)).toEqual(['EHLO', 'HELO']);
  });

  it('cancelling stops at once with a cancelled advice', async () => {
    const server = await scripted({ greeting: null });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const d = await run(configFor(server, { timeoutSeconds: 10 }), { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'cancelled' });
  });
});

describe('replies that break the protocol are never taken as an answer', () => {
  it.each([
    ['ehlo', '250-scripted.test\n554 5.0.0 No', 'ehlo'],
    ['mail', '250-2.1.0 Sender OK\n554 5.7.1 Not OK', 'sender'],
    ['mail', '650 2.1.0 Sender OK', 'sender'],
    ['mail', '099 Sender OK', 'sender'],
    ['mail', '250-2.1.0 Sender OK\nSender OK', 'sender'],
    ['auth', '235-2.7.0 Accepted\n535 5.7.8 Rejected', 'auth'],
  ] as const)('at %s: %j', async (stage, reply, failedStep) => {
    const server = await scripted({ replyAt: { stage, reply } });
    const d = await run(configFor(server, { auth: stage === 'auth' ? 'required' : 'none' }));
    expect(d.ok).toBe(false);
    expect(d.failure).toMatchObject({ step: failedStep, code: 'protocol-error' });
    expect(d.failure?.cause).toMatch(/does not take such an answer as acceptance/);
    expect(step(d, failedStep).status).toBe('failed');
  });

  it('a second reply glued to the greeting is not taken as the answer to EHLO', async () => {
    const server = await scripted({ greeting: '220 scripted.test ESMTP ready\n250 OK' });
    const d = await run(configFor(server, { auth: 'none' }));
    expect(d.failure).toMatchObject({ step: 'ehlo', code: 'protocol-error' });
    expect(d.failure?.cause).toMatch(/nobody asked for/);
    expect(server.log.commands).toEqual([]);
  });

  it('a service that does not speak SMTP is named as such', async () => {
    const server = await scripted({ greeting: 'HTTP/1.1 400 Bad Request' });
    const d = await run(configFor(server));
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'not-smtp' });
  });
});

describe('sign-in and sender refusals', () => {
  it('a wrong password: 535 with the credentials advice', async () => {
    const server = await smtp({ mode: 'starttls' });
    const d = await run(configFor(server, { security: 'starttls', password: 'wrong password' }));
    // A bare 535 (no enhanced status code): the generic sign-in advice.
    expect(d.failure).toMatchObject({ step: 'auth', code: 'auth-failed', serverReply: '535 Invalid username or password' });
    expect(d.failure?.fix).toMatch(/retype the password/);
    expect(d.failure?.fix).toMatch(/app password/);
    expect(d.steps.map((s) => s.id)).not.toContain('sender');
    expect(server.log.authAttempts).toEqual([{ method: 'PLAIN', username: TEST_USER, accepted: false }]);
  });

  it.each([
    [
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.',
      'auth-disabled-for-tenant',
      /Authenticated SMTP.*OAuth2/s,
    ],
    ['535 5.7.3 Authentication unsuccessful [AM0PR01CA0001.eurprd01.prod.exchangelabs.com]', 'auth-rejected-exchange', /full email address/],
    [
      '535-5.7.8 Username and Password not accepted. For more information, go to\n535 5.7.8  https://support.google.com/mail/?p=BadCredentials x1-20020a.34 - gsmtp',
      'auth-bad-credentials',
      /app password/,
    ],
  ])('maps %s', async (reply, code, fix) => {
    const server = await scripted({ replyAt: { stage: 'auth', reply } });
    const d = await run(configFor(server));
    expect(d.failure).toMatchObject({ step: 'auth', code });
    expect(d.failure?.fix).toMatch(fix);
    expect(d.failure?.serverReply).toContain(reply.split('\n')[0]?.slice(0, 30));
    expect(server.log.authAttempts[0]?.username).toBe(TEST_USER);
  });

  it('MAIL FROM 530: the server wants a sign-in', async () => {
    const server = await smtp({ mode: 'plain' });
    const d = await run(configFor(server, { auth: 'none' }));
    expect(d.failure).toMatchObject({ step: 'sender', code: 'auth-required' });
    expect(d.failure?.fix).toMatch(/Authorisation to Required/);
    expect(d.failure?.serverReply).toMatch(/^530/);
  });

  it('MAIL FROM 550 5.7.1 relay: sign in or check the From address', async () => {
    const server = await scripted({ replyAt: { stage: 'mail', reply: '550 5.7.1 Relaying denied' } });
    const d = await run(configFor(server, { auth: 'none' }));
    expect(d.failure).toMatchObject({ step: 'sender', code: 'relay-denied' });
    expect(d.failure?.fix).toMatch(/sign in/);
    expect(d.failure?.fix).toMatch(/From address/);
  });

  it('MAIL FROM 550: this sender is not allowed', async () => {
    const server = await smtp({ mode: 'plain', mailFromReply: { code: 550, message: 'Sender not allowed for this account' } });
    const d = await run(configFor(server));
    expect(d.failure).toMatchObject({ step: 'sender', code: 'sender-rejected' });
    expect(d.failure?.serverReply).toMatch(/^550/);
    expect(server.log.mailFrom).toEqual(['alice@example.test']);
  });
});

describe.skipIf(process.platform === 'win32')('ping', () => {
  it('is informational, and skipped without a ping program', async () => {
    const server = await smtp({ mode: 'plain', authOptional: true });
    const bin = tempDir();
    const savedPath = process.env.PATH;
    try {
      process.env.PATH = bin.dir;
      const missing = await run(configFor(server, { auth: 'none' }), { ping: true });
      expect(step(missing, 'ping')).toMatchObject({ status: 'skipped', summary: expect.stringMatching(/No ping program/) });

      const fake = path.join(bin.dir, 'ping');
      fs.writeFileSync(fake, '#!/bin/sh\necho "64 bytes from $5: icmp_seq=1 ttl=64 time=0.045 ms"\nexit 0\n', { mode: 0o755 });
      const replied = await run(configFor(server, { auth: 'none' }), { ping: true });
      expect(step(replied, 'ping')).toMatchObject({ status: 'info', summary: expect.stringMatching(/0\.045 ms/) });
      expect(replied.ok).toBe(true);

      fs.writeFileSync(fake, '#!/bin/sh\nexit 1\n', { mode: 0o755 });
      const silent = await run(configFor(server, { auth: 'none' }), { ping: true });
      expect(step(silent, 'ping').status).toBe('info');
      expect(step(silent, 'ping').summary).toMatch(/not a fault/);
      expect(silent.ok).toBe(true);
    } finally {
      process.env.PATH = savedPath;
      bin.cleanup();
    }
  });
});
