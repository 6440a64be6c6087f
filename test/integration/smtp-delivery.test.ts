// The sender against well-behaved real servers (smtp-server with real TLS and AUTH): every security
// mode delivers, sign-in happens only when it may, the data arrives byte for byte, and a pool
// reuses its connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type net from 'node:net';
import { SmtpPool, dataPieces, deliverOnce, type SmtpEndpoint } from '../../main/services/mail/smtp-delivery';
import { createTestCerts, startSmtpServer, TEST_PASSWORD, TEST_USER, type RunningServer, type TestCerts } from '../helpers/smtp-servers';

let certs: TestCerts;
const servers: RunningServer[] = [];

beforeAll(() => {
  certs = createTestCerts();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function server(options: Parameters<typeof startSmtpServer>[1]): Promise<RunningServer> {
  const s = await startSmtpServer(certs, options);
  servers.push(s);
  return s;
}

function endpoint(s: RunningServer, over: Partial<SmtpEndpoint> = {}): SmtpEndpoint {
  return {
    host: 'localhost',
    port: s.port,
    security: 'starttls-required',
    minTls: '1.2',
    verifyCert: true,
    ca: certs.ca.cert,
    timeoutSeconds: 5,
    auth: 'required',
    credentials: { username: TEST_USER, password: TEST_PASSWORD },
    ...over,
  };
}

function raw(subject: string, body = 'Hello.\r\n'): Buffer {
  return Buffer.from(`From: a@example.test\r\nTo: b@example.test\r\nSubject: ${subject}\r\nMessage-ID: <${subject}@example.test>\r\n\r\n${body}`);
}

describe('delivering to a well-behaved server', () => {
  it('delivers over STARTTLS after signing in, and says which envelope it used', async () => {
    const s = await server({ mode: 'starttls' });
    const outcome = await deliverOnce(endpoint(s), { envelope: { from: 'a@example.test', to: ['b@example.test', 'c@example.test'] }, raw: raw('starttls') });
    expect(outcome.state).toBe('delivered');
    expect(outcome.envelope).toEqual({ from: 'a@example.test', to: ['b@example.test', 'c@example.test'] });
    expect(outcome.recipients.map((r) => r.state)).toEqual(['accepted', 'accepted']);
    expect(outcome.reply).toMatch(/^250/);
    expect(s.log.messages).toHaveLength(1);
    expect(s.log.messages[0]!.user).toBe(TEST_USER);
    expect(s.log.tlsProtocols.length).toBe(1);
  });

  it('delivers over implicit TLS and with no encryption when the profile says None', async () => {
    const tlsServer = await server({ mode: 'tls' });
    expect((await deliverOnce(endpoint(tlsServer, { security: 'tls' }), { envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw: raw('tls') })).state).toBe('delivered');
    const plain = await server({ mode: 'plain', authOptional: true });
    const outcome = await deliverOnce(endpoint(plain, { security: 'none', auth: 'none', credentials: undefined }), { envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw: raw('plain') });
    expect(outcome.state).toBe('delivered');
    expect(plain.log.authCommandSeen).toBe(false);
  });

  it('signs in with LOGIN when PLAIN is not offered', async () => {
    const s = await server({ mode: 'starttls', authMethods: ['LOGIN'] });
    const outcome = await deliverOnce(endpoint(s), { envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw: raw('login') });
    expect(outcome.state).toBe('delivered');
    expect(s.log.authAttempts).toEqual([{ method: 'LOGIN', username: TEST_USER, accepted: true }]);
  });

  it('fails a wrong password for good, with the server words', async () => {
    const s = await server({ mode: 'starttls' });
    const outcome = await deliverOnce(endpoint(s, { credentials: { username: TEST_USER, password: 'wrong' } }), { envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw: raw('wrong') });
    expect(outcome.state).toBe('failed');
    expect(outcome.failure).toBe('config');
    expect(outcome.advice?.serverReply).toMatch(/535/);
    expect(s.log.messages).toHaveLength(0);
  });

  it('keeps the message byte for byte: lines starting with a dot, bare line feeds, no final line break', async () => {
    const s = await server({ mode: 'starttls' });
    const body = '.leading dot\r\n..two dots\r\nbare\nline feed\n.\nafter a lone dot\r\n.';
    const outcome = await deliverOnce(endpoint(s), { envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw: raw('dots', body) });
    expect(outcome.state).toBe('delivered');
    const text = (await simpleParser(s.log.messages[0]!.raw)).text ?? '';
    expect(text).toContain('.leading dot\n..two dots\nbare\nline feed\n.\nafter a lone dot\n.');
    expect(s.log.messages).toHaveLength(1);
  });

  it('takes a message that needs no change as it is, and ends it with the dot line', () => {
    const clean = Buffer.from('Subject: x\r\n\r\nbody\r\n');
    const pieces = dataPieces(clean);
    expect(pieces[0]).toBe(clean);
    expect(Buffer.concat(pieces).toString()).toBe('Subject: x\r\n\r\nbody\r\n.\r\n');
    expect(Buffer.concat(dataPieces(Buffer.from('a\n.b'))).toString()).toBe('a\r\n..b\r\n.\r\n');
  });

  it('declares SIZE= when the server advertises SIZE, and is refused before uploading an oversize message', async () => {
    const s = await server({ mode: 'starttls', size: 1000 });
    const outcome = await deliverOnce(endpoint(s), { envelope: { from: 'a@example.test', to: ['b@example.test'] }, raw: raw('big', 'x'.repeat(5000)) });
    expect(outcome.state).toBe('failed');
    expect(outcome.advice?.code).toBe('message-too-large');
    expect(outcome.dataSent).toBe(false);
  });

  it('delivers to the recipients the server takes and reports the others with their replies', async () => {
    const refused = new Map([['gone@example.test', 550], ['later@example.test', 451]]);
    const smtp = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onRcptTo(address, _session, callback) {
        const code = refused.get(address.address);
        if (code) callback(Object.assign(new Error(code >= 500 ? 'No such user' : 'Try later'), { responseCode: code }));
        else callback();
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    const port = (smtp.server.address() as net.AddressInfo).port;
    try {
      const outcome = await deliverOnce(
        { host: '127.0.0.1', port, security: 'none', minTls: '1.2', verifyCert: true, timeoutSeconds: 5, auth: 'none' },
        { envelope: { from: 'a@example.test', to: ['ok@example.test', 'gone@example.test', 'later@example.test'] }, raw: raw('mixed') },
      );
      // One recipient may still get it later: the attempt is not over for them.
      expect(outcome.state).toBe('retry');
      expect(outcome.recipients.map((r) => [r.address, r.state])).toEqual([
        ['ok@example.test', 'accepted'],
        ['gone@example.test', 'rejected'],
        ['later@example.test', 'deferred'],
      ]);
      expect(outcome.recipients[1]!.reply).toMatch(/^550/);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('reuses pooled connections, never more than the cap, and delivers every message once', async () => {
    const s = await server({ mode: 'starttls' });
    const pool = new SmtpPool(endpoint(s), { maxConnections: 2 });
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => pool.deliver({ envelope: { from: 'a@example.test', to: [`r${i}@example.test`] }, raw: raw(`pool${i}`) })),
    );
    pool.close();
    expect(outcomes.every((o) => o.state === 'delivered')).toBe(true);
    expect(s.log.messages).toHaveLength(12);
    expect(s.log.connections).toBeLessThanOrEqual(2);
    expect(s.log.authAttempts.length).toBe(s.log.connections);
  });
});
