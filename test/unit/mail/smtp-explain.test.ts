// The advice the user reads for each failure, and the escaping of everything a server says.
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Advice } from '../../../preload/contract';
import {
  ADVICE_CODES,
  enhancedStatus,
  explainCertificate,
  explainNodemailerError,
  explainReply,
  explainSocketError,
  type ExplainContext,
} from '../../../main/services/mail/smtp-explain';
import { escapeServerText } from '../../../main/services/text/server-text';
import {
  TEST_PASSWORD,
  TEST_USER,
  closedPort,
  createTestCerts,
  startScriptedServer,
  startSmtpServer,
  type RunningServer,
  type TestCerts,
} from '../../helpers/smtp-servers';

function valid(advice: Advice): Advice {
  expect(Advice.safeParse(advice).success).toBe(true);
  expect(ADVICE_CODES).toContain(advice.code);
  return advice;
}

describe('escapeServerText', () => {
  it('leaves ordinary text alone', () => {
    expect(escapeServerText('250 2.0.0 OK queued as 4Xy — merci, 日本 ✉️')).toBe('250 2.0.0 OK queued as 4Xy — merci, 日本 ✉️');
  });

  it('joins the lines of a multi-line reply with " | " and drops the final line break', () => {
    expect(escapeServerText('250-smtp.example.com\r\n250-SIZE 1000\r\n250 AUTH PLAIN\r\n')).toBe('250-smtp.example.com | 250-SIZE 1000 | 250 AUTH PLAIN');
    expect(escapeServerText('a\nb\rc')).toBe('a | b | c');
  });

  it('shows terminal escapes and other control characters as \\xNN', () => {
    expect(escapeServerText('220 \x1b[2J\x1b]0;owned\x07 hi')).toBe('220 \\x1b[2J\\x1b]0;owned\\x07 hi');
    expect(escapeServerText('nul\x00 tab\t del\x7f csi\x9b31m')).toBe('nul\\x00 tab\\x09 del\\x7f csi\\x9b31m');
    expect(escapeServerText('ok\u202egnp.exe \u200b')).toBe('ok\\u202egnp.exe \\u200b');
  });

  it('never leaves a raw control character in the output', () => {
    let all = '';
    for (let c = 0; c < 0xa0; c++) all += String.fromCharCode(c);
    // eslint-disable-next-line no-control-regex
    expect(escapeServerText(all, 10_000)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('truncates to the limit with "…", never inside an escape', () => {
    const out = escapeServerText('x'.repeat(8) + '\x1b\x1b', 12);
    expect(out.length).toBeLessThanOrEqual(12);
    expect(out).toBe('xxxxxxxx…');
    expect(escapeServerText('y'.repeat(700))).toHaveLength(600);
    expect(escapeServerText('y'.repeat(700)).endsWith('…')).toBe(true);
    expect(escapeServerText('short', 5)).toBe('short');
  });

  it('copes with a megabyte-long reply quickly', () => {
    const started = performance.now();
    const out = escapeServerText('\x1b'.repeat(1_000_000));
    expect(out.length).toBeLessThanOrEqual(600);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('explainReply', () => {
  it('reads the enhanced status code from any reply line', () => {
    expect(enhancedStatus('535 5.7.139 Authentication unsuccessful')).toBe('5.7.139');
    expect(enhancedStatus('535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 https://support.google.com')).toBe('5.7.8');
    expect(enhancedStatus('5.7.3 Authentication unsuccessful')).toBe('5.7.3');
    expect(enhancedStatus('550 Requested action not taken')).toBeUndefined();
    expect(enhancedStatus('554 Your IP 5.5.5.5 is listed')).toBeUndefined();
  });

  it.each<[number, string, string, string]>([
    [535, '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.', 'AUTH LOGIN', 'auth-disabled-for-tenant'],
    [535, '5.7.139 Authentication unsuccessful, user is locked by your organization\'s security defaults policy.', 'AUTH LOGIN', 'auth-disabled-for-tenant'],
    [535, '5.7.3 Authentication unsuccessful [BN0PR04CA0001.namprd04.prod.outlook.com]', 'AUTH LOGIN', 'auth-rejected-exchange'],
    [535, '5.7.8 Username and Password not accepted. https://support.google.com/mail/?p=BadCredentials - gsmtp', 'AUTH PLAIN', 'auth-bad-credentials'],
    [535, 'Incorrect authentication data', 'AUTH PLAIN', 'auth-failed'],
    [534, '5.7.9 Application-specific password required.', 'AUTH PLAIN', 'auth-app-password-required'],
    [534, '5.7.14 <https://accounts.google.com/signin/continue> Please log in via your web browser', 'AUTH PLAIN', 'auth-web-login-required'],
    [454, '4.7.0 Temporary authentication failure', 'AUTH PLAIN', 'auth-temporary-failure'],
    [504, '5.5.4 Unrecognized authentication type', 'AUTH PLAIN', 'auth-mechanism-unsupported'],
    [538, '5.7.11 Encryption required for requested authentication mechanism', 'AUTH PLAIN', 'auth-encryption-required'],
    [454, '4.7.0 TLS not available due to local problem', 'STARTTLS', 'starttls-failed'],
    [502, '5.5.1 Unrecognized command', 'STARTTLS', 'starttls-not-offered'],
    [530, '5.7.0 Authentication required', 'MAIL FROM', 'auth-required'],
    [530, '5.7.57 Client not authenticated to send mail', 'MAIL FROM', 'auth-required'],
    [530, '5.7.0 Must issue a STARTTLS command first', 'MAIL FROM', 'starttls-required-by-server'],
    [421, '4.7.0 Too many connections from your host', 'greeting', 'server-unavailable'],
    [421, '4.3.2 Service not available, closing transmission channel', 'DATA', 'server-unavailable'],
    [554, '5.7.1 No SMTP service here', 'greeting', 'connection-rejected'],
    [501, '5.5.4 Invalid EHLO hostname', 'EHLO', 'ehlo-rejected'],
    [451, '4.3.0 Temporary local problem - please try later', 'DATA', 'server-temporary-error'],
    [451, '4.7.1 Greylisted, please try again in 300 seconds', 'RCPT TO', 'greylisted'],
    [452, '4.5.3 Too many recipients', 'RCPT TO', 'too-many-recipients'],
    [550, '5.7.1 Relaying denied', 'RCPT TO', 'relay-denied'],
    [554, '5.7.1 <bob@elsewhere.test>: Relay access denied', 'RCPT TO', 'relay-denied'],
    [550, '5.7.60 SMTP; Client does not have permissions to send as this sender', 'MAIL FROM', 'sender-rejected'],
    [553, '5.7.1 <ceo@example.test>: Sender address rejected: not owned by user alice', 'MAIL FROM', 'sender-rejected'],
    [550, '5.1.8 Bad sender domain', 'MAIL FROM', 'sender-rejected'],
    [550, '5.1.1 <nobody@example.test>: Recipient address rejected: User unknown', 'RCPT TO', 'recipient-unknown'],
    [550, 'Requested action not taken: mailbox unavailable', 'DATA', 'mailbox-unavailable'],
    [552, '5.3.4 Message size exceeds fixed maximum message size', 'DATA', 'message-too-large'],
    [552, '5.2.2 Mailbox full', 'RCPT TO', 'storage-exceeded'],
    [554, '5.7.1 Message rejected as spam by Content Filtering', 'DATA', 'rejected-as-spam'],
    [554, '5.7.1 Service unavailable; Client host [203.0.113.9] blocked using zen.spamhaus.org', 'RCPT TO', 'ip-blocked'],
    [550, '5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.', 'MAIL FROM', 'ip-blocked'],
    [554, 'Transaction failed', 'DATA', 'transaction-failed'],
    [503, '5.5.1 Bad sequence of commands', 'RCPT TO', 'protocol-error'],
  ])('%i %s (%s) → %s', (code, text, command, expected) => {
    const advice = valid(explainReply(code, text, command));
    expect(advice.code).toBe(expected);
    expect(advice.serverReply).toBe(`${code} ${text}`);
  });

  it('gives the Microsoft 365 fix for 5.7.139', () => {
    const advice = explainReply(535, '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.', 'AUTH LOGIN');
    expect(advice.cause).toMatch(/this mailbox/);
    expect(advice.fix).toMatch(/Authenticated SMTP/);
    expect(advice.fix).toMatch(/OAuth2/);
  });

  it('tells Gmail users about app passwords and MFA', () => {
    const advice = explainReply(535, '535-5.7.8 Username and Password not accepted.\n535 5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp', 'AUTH PLAIN');
    expect(advice.cause).toMatch(/2-step verification/);
    expect(advice.cause).toMatch(/multi-factor/);
    expect(advice.fix).toMatch(/app password/);
    expect(advice.serverReply).toBe('535-5.7.8 Username and Password not accepted. | 535 5.7.8 https://support.google.com/mail/?p=BadCredentials - gsmtp');
  });

  it('530 tells the user to set Authorisation to Required', () => {
    expect(explainReply(530, 'Error: authentication Required', 'MAIL FROM').fix).toMatch(/Authorisation to Required/);
  });

  it('escapes the server words', () => {
    const advice = explainReply(554, '554 \x1b[31mblocked\x1b[0m\r\n', 'greeting');
    expect(advice.serverReply).toBe('554 \\x1b[31mblocked\\x1b[0m');
  });
});

describe('explainSocketError and explainCertificate', () => {
  const ctx: ExplainContext = { host: 'smtp.example.com', port: 465, security: 'tls', minTls: '1.2', timeoutSeconds: 30 };
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });

  it.each<[Error, Parameters<typeof explainSocketError>[1], string]>([
    [err('ERR_SSL_WRONG_VERSION_NUMBER', 'error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/x.c:350:'), 'tls', 'tls-wrong-mode-use-starttls'],
    [err('ERR_SSL_PACKET_LENGTH_TOO_LONG', 'SSL routines:ssl3_get_record:packet length too long'), 'tls', 'tls-wrong-mode-use-starttls'],
    [err('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'SSL routines:ssl3_read_bytes:tlsv1 alert protocol version'), 'tls', 'tls-version-mismatch'],
    [err('ERR_SSL_UNSUPPORTED_PROTOCOL', 'SSL routines:tls_construct_client_hello:unsupported protocol'), 'starttls', 'tls-version-mismatch'],
    [err('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'SSL routines:ssl3_read_bytes:sslv3 alert handshake failure'), 'tls', 'tls-handshake-failed'],
    [err('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), 'tls', 'cert-untrusted'],
    [err('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'tls', 'cert-self-signed'],
    [err('CERT_HAS_EXPIRED', 'certificate has expired'), 'tls', 'cert-expired'],
    [err('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), 'tls', 'cert-name-mismatch'],
    [err('ENOTFOUND', 'getaddrinfo ENOTFOUND smtp.exmaple.com'), 'dns', 'dns-not-found'],
    [err('EAI_AGAIN', 'getaddrinfo EAI_AGAIN smtp.example.com'), 'dns', 'dns-unavailable'],
    [err('ECONNREFUSED', 'connect ECONNREFUSED 192.0.2.1:465'), 'tcp', 'tcp-refused'],
    [err('ETIMEDOUT', 'connect ETIMEDOUT 192.0.2.1:465'), 'tcp', 'tcp-timeout'],
    [err('EHOSTUNREACH', 'connect EHOSTUNREACH 192.0.2.1:465'), 'tcp', 'network-unreachable'],
    [err('EACCES', 'connect EACCES 192.0.2.1:465'), 'tcp', 'connection-blocked-locally'],
    [err('ECONNRESET', 'read ECONNRESET'), 'tls', 'tls-handshake-failed'],
    [err('ECONNRESET', 'read ECONNRESET'), 'smtp', 'connection-reset'],
  ])('%s at %s → %s', (error, stage, expected) => {
    expect(valid(explainSocketError(error, stage, ctx)).code).toBe(expected);
  });

  it('wrong TLS mode: SSL/TLS against a STARTTLS port suggests STARTTLS on 587', () => {
    const advice = explainSocketError(err('ERR_SSL_WRONG_VERSION_NUMBER', 'SSL routines:ssl3_get_record:wrong version number'), 'tls', { ...ctx, port: 587 });
    expect(advice.cause).toMatch(/wrong version number/);
    expect(advice.cause).not.toMatch(/deps/);
    expect(advice.cause).toMatch(/Port 587 normally expects STARTTLS/);
    expect(advice.fix).toMatch(/STARTTLS and Port to 587/);
  });

  it('an old server: lower the minimum TLS version, marked insecure', () => {
    const advice = explainSocketError(err('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version'), 'tls', ctx);
    expect(advice.fix).toMatch(/Minimum TLS version/);
    expect(advice.fix).toMatch(/insecure/);
  });

  it('names a known intercepting product and the CA file', () => {
    const advice = explainCertificate('SELF_SIGNED_CERT_IN_CHAIN', { issuer: 'Avast Web/Mail Shield Root' }, { ...ctx, caFile: 'C:\\certs\\corp.pem' });
    expect(advice.code).toBe('cert-untrusted');
    expect(advice.cause).toMatch(/Avast Web\/Mail Shield Root/);
    expect(advice.cause).toMatch(/security product/);
    expect(advice.fix).toMatch(/corp\.pem/);
    expect(advice.cause).toMatch(/before sending any password/);
  });

  it('escapes certificate text', () => {
    expect(explainCertificate('UNABLE_TO_GET_ISSUER_CERT_LOCALLY', { issuer: 'Evil\x1b[2J CA' }).cause).toContain('Evil\\x1b[2J CA');
  });

  it('an expired certificate names the date and the clock', () => {
    const advice = explainCertificate('CERT_HAS_EXPIRED', { validTo: '2024-01-31' }, ctx);
    expect(advice.cause).toMatch(/2024-01-31/);
    expect(advice.fix).toMatch(/date and time/);
  });
});

describe('explainNodemailerError (shapes)', () => {
  const ctx: ExplainContext = { host: 'smtp.example.com', port: 587, security: 'starttls', minTls: '1.2', timeoutSeconds: 30 };
  const nm = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? 'failed')), fields);

  it.each<[Record<string, unknown>, string]>([
    [{ code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT', command: 'CONN' }, 'tcp-timeout'],
    [{ code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT', command: 'CONN' }, 'greeting-timeout'],
    [{ code: 'ETIMEDOUT', timeoutType: 'UPGRADE_TIMEOUT', command: 'CONN' }, 'tls-handshake-timeout'],
    [{ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }, 'server-stopped-answering'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.', command: 'AUTH LOGIN' }, 'auth-disabled-for-tenant'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.3 Authentication unsuccessful', command: 'AUTH LOGIN' }, 'auth-rejected-exchange'],
    [{ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 Error: authentication failed', command: 'AUTH PLAIN' }, 'auth-bad-credentials'],
    [{ code: 'EAUTH', responseCode: 534, response: '534 5.7.9 Application-specific password required', command: 'AUTH PLAIN' }, 'auth-app-password-required'],
    [{ code: 'ENOAUTH', message: 'Authentication info was not provided' }, 'auth-no-password'],
    [{ code: 'EAUTH', message: 'Missing credentials for "PLAIN"', command: 'API' }, 'auth-no-password'],
    [{ code: 'ETLS', responseCode: 502, response: '502 5.5.2 Error: command not recognized', command: 'STARTTLS' }, 'starttls-not-offered'],
    [{ code: 'ECONNECTION', responseCode: 500, response: '500 unknown', command: 'EHLO', message: 'EHLO failed but HELO does not support required STARTTLS. response=500 unknown' }, 'starttls-not-offered'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN', message: 'connect ECONNREFUSED 192.0.2.1:587' }, 'tcp-refused'],
    [{ code: 'EDNS', originalCode: 'ENOTFOUND', command: 'CONN', message: 'getaddrinfo ENOTFOUND smtp.exmaple.com' }, 'dns-not-found'],
    [{ code: 'ESOCKET', originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER', command: 'CONN', message: 'SSL routines:ssl3_get_record:wrong version number' }, 'tls-wrong-mode-use-starttls'],
    [{ code: 'ESOCKET', originalCode: 'SELF_SIGNED_CERT_IN_CHAIN', command: 'CONN', message: 'self-signed certificate in certificate chain' }, 'cert-untrusted'],
    [{ code: 'ECONNECTION', command: 'CONN', message: 'Connection closed unexpectedly' }, 'connection-closed'],
    [{ code: 'EENVELOPE', responseCode: 530, response: '530 5.7.0 Authentication required', command: 'MAIL FROM' }, 'auth-required'],
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.7.1 Relaying denied', command: 'RCPT TO' }, 'relay-denied'],
    [{ code: 'EENVELOPE', message: 'No recipients defined', command: 'API' }, 'envelope-invalid'],
    [{ code: 'EMESSAGE', responseCode: 552, response: '552 5.3.4 Message size exceeds fixed limit', command: 'DATA' }, 'message-too-large'],
    [{ code: 'EMESSAGE', responseCode: 451, response: '451 4.3.0 Error: queue file write error', command: 'DATA' }, 'server-temporary-error'],
    [{ code: 'EMESSAGE', responseCode: 554, response: '554 5.7.1 Message rejected as spam', command: 'DATA' }, 'rejected-as-spam'],
    [{ code: 'EMESSAGE', message: 'Message size larger than allowed 10485760', command: 'MAIL FROM' }, 'message-too-large'],
    [{ code: 'EABORT', name: 'AbortError', message: 'Message sending aborted' }, 'cancelled'],
    [{ code: 'ECONFIG', message: 'Invalid configuration' }, 'config-invalid'],
  ])('%o → %s', (fields, expected) => {
    expect(valid(explainNodemailerError(nm(fields), ctx)).code).toBe(expected);
  });

  it('a silent greeting on a STARTTLS profile suggests SSL/TLS on 465', () => {
    const advice = explainNodemailerError(nm({ code: 'ETIMEDOUT', timeoutType: 'GREETING_TIMEOUT' }), ctx);
    expect(advice.cause).toMatch(/implicit TLS/);
    expect(advice.fix).toMatch(/SSL\/TLS \(port 465\)/);
  });

  it('an idle timeout on port 465 without SSL/TLS is read as the wrong mode', () => {
    const advice = explainNodemailerError(nm({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }), { ...ctx, port: 465 });
    expect(advice.code).toBe('greeting-timeout');
  });

  it('an idle timeout otherwise warns that the message may have arrived', () => {
    const advice = explainNodemailerError(nm({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }), ctx);
    expect(advice.cause).toMatch(/may have been delivered/);
    expect(advice.fix).toMatch(/duplicates/);
  });

  it('the oversize message names the limit', () => {
    expect(explainNodemailerError(nm({ code: 'EMESSAGE', message: 'Message size larger than allowed 10485760' })).cause).toMatch(/10\.0 MB/);
  });

  it('escapes the response', () => {
    const advice = explainNodemailerError(nm({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 \x1b]8;;http://evil\x07click\x1b]8;;\x07', command: 'AUTH PLAIN' }));
    expect(advice.serverReply).toBe('535 5.7.8 \\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07');
  });

  it('never throws on odd values', () => {
    for (const odd of [undefined, null, 'text', 42, {}, { code: 7 }, new Error('boom')]) {
      expect(valid(explainNodemailerError(odd)).code).toBe('unknown-error');
    }
  });
});

describe('explainNodemailerError (real nodemailer errors)', () => {
  let certs: TestCerts;
  const servers: RunningServer[] = [];
  const start = async <T extends RunningServer>(s: Promise<T>) => {
    const server = await s;
    servers.push(server);
    return server;
  };

  beforeAll(() => {
    certs = createTestCerts();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  async function failure(options: Record<string, unknown>): Promise<unknown> {
    const transport = nodemailer.createTransport({ host: '127.0.0.1', connectionTimeout: 1500, greetingTimeout: 700, socketTimeout: 1500, ...options });
    try {
      await transport.sendMail({ from: 'alice@example.test', to: 'bob@example.test', subject: 'Test', text: 'Hello' });
      return undefined;
    } catch (error) {
      return error;
    } finally {
      transport.close();
    }
  }
  const auth = { user: TEST_USER, pass: TEST_PASSWORD };

  it('SSL/TLS against a plain server', async () => {
    const server = await start(startSmtpServer(certs, { mode: 'plain' }));
    const advice = explainNodemailerError(await failure({ port: server.port, secure: true }), { port: server.port, security: 'tls' });
    expect(advice.code).toBe('tls-wrong-mode-use-starttls');
  });

  it('STARTTLS against an implicit-TLS server: the greeting never comes', async () => {
    const server = await start(startSmtpServer(certs, { mode: 'tls' }));
    const advice = explainNodemailerError(await failure({ port: server.port, secure: false }), { port: server.port, security: 'starttls' });
    expect(advice.code).toBe('greeting-timeout');
    expect(advice.fix).toMatch(/465/);
  });

  it('connection refused', async () => {
    const port = await closedPort();
    expect(explainNodemailerError(await failure({ port })).code).toBe('tcp-refused');
  });

  it('an untrusted certificate', async () => {
    const server = await start(startSmtpServer(certs, { mode: 'tls', tlsCert: certs.foreign }));
    expect(explainNodemailerError(await failure({ port: server.port, secure: true, tls: { ca: certs.ca.cert }, auth })).code).toBe('cert-untrusted');
  });

  it('535 5.7.139 from Microsoft 365', async () => {
    const server = await start(startScriptedServer({ replyAt: { stage: 'auth', reply: '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.' } }));
    expect(explainNodemailerError(await failure({ port: server.port, auth })).code).toBe('auth-disabled-for-tenant');
  });

  it('requireTLS against a server without STARTTLS', async () => {
    const server = await start(startSmtpServer(certs, { mode: 'plain' }));
    expect(explainNodemailerError(await failure({ port: server.port, requireTLS: true, auth })).code).toBe('starttls-not-offered');
    expect(server.log.authCommandSeen).toBe(false);
  });

  it('MAIL FROM 530 and DATA 552', async () => {
    const plain = await start(startSmtpServer(certs, { mode: 'plain' }));
    expect(explainNodemailerError(await failure({ port: plain.port })).code).toBe('auth-required');
    const big = await start(startScriptedServer({ replyAt: { stage: 'data-end', reply: '552 5.3.4 Message size exceeds fixed limit' } }));
    expect(explainNodemailerError(await failure({ port: big.port })).code).toBe('message-too-large');
  });

  it('no answer after the data', async () => {
    const server = await start(startScriptedServer({ silentAt: 'data-end' }));
    const advice = explainNodemailerError(await failure({ port: server.port, socketTimeout: 500 }), { port: server.port, security: 'starttls' });
    expect(advice.code).toBe('server-stopped-answering');
  });
});

describe('advice codes', () => {
  it('are stable kebab-case names, each listed once', () => {
    for (const code of ADVICE_CODES) expect(code).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(ADVICE_CODES).size).toBe(ADVICE_CODES.length);
  });
});
