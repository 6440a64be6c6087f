// Real mail servers on 127.0.0.1 for the tests: smtp-server in each security mode, and small
// hand-written servers that misbehave on purpose (never greet, drip bytes, refuse at a chosen step).
// Each records what it saw, so a test can check what the client did and did not send.
import crypto from 'node:crypto';
import net from 'node:net';
import forge from 'node-forge';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { createTestCa, type KeyPair, type TestCa } from './test-ca';

export const TEST_USER = 'alice@example.test';
export const TEST_PASSWORD = 'correct horse battery staple';
const LOOPBACK = '127.0.0.1';
const HOSTNAMES = ['localhost', LOOPBACK];

// ---- certificates -------------------------------------------------------------------------------

export interface TestCerts {
  ca: TestCa;
  /** Issued by `ca` for localhost and 127.0.0.1. */
  server: KeyPair;
  /** A second CA, trusted by nobody. */
  otherCa: TestCa;
  /** Issued by `otherCa`: what a server with a private CA (or an intercepting proxy) presents. */
  foreign: KeyPair;
  /** Signed by its own key, for localhost and 127.0.0.1. */
  selfSigned: KeyPair;
}

function selfSignedCert(hostnames: string[]): KeyPair {
  // Node generates the key natively (fast); forge writes the certificate.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 86_400_000);
  const attrs = [{ name: 'commonName', value: hostnames[0] ?? 'localhost' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hostnames.map((h) => (net.isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { key: pem, cert: forge.pki.certificateToPem(cert) };
}

/** RSA key generation is slow: make these once per test file. */
export function createTestCerts(): TestCerts {
  const ca = createTestCa('Mailroom Test CA');
  const otherCa = createTestCa('Untrusted Other CA');
  return {
    ca,
    server: ca.issue(HOSTNAMES),
    otherCa,
    foreign: otherCa.issue(HOSTNAMES),
    selfSigned: selfSignedCert(HOSTNAMES),
  };
}

// ---- what a server saw ----------------------------------------------------------------------------

export interface ServerLog {
  connections: number;
  /** Command verbs received in clear text, upper-case, in order (never their arguments). */
  commands: string[];
  /** True as soon as any AUTH command arrived, valid or not, encrypted or not. */
  authCommandSeen: boolean;
  authAttempts: { method: string; username: string; accepted: boolean }[];
  mailFrom: string[];
  /** The TLS protocol of each encrypted session (smtp-server only). */
  tlsProtocols: string[];
  /** Messages accepted (smtp-server only): envelope and raw content. */
  messages: { from: string; to: string[]; raw: string; user?: string }[];
}

function newLog(): ServerLog {
  return { connections: 0, commands: [], authCommandSeen: false, authAttempts: [], mailFrom: [], tlsProtocols: [], messages: [] };
}

function verbOf(line: string): string {
  const upper = line.trim().toUpperCase();
  if (upper.startsWith('MAIL FROM')) return 'MAIL FROM';
  if (upper.startsWith('RCPT TO')) return 'RCPT TO';
  return upper.split(/\s+/)[0] ?? '';
}

export interface RunningServer {
  host: string;
  port: number;
  log: ServerLog;
  close(): Promise<void>;
}

// ---- smtp-server ------------------------------------------------------------------------------

export interface SmtpServerOptions {
  /** plain: no STARTTLS; starttls: STARTTLS offered; tls: implicit TLS from the first byte. */
  mode: 'plain' | 'starttls' | 'tls';
  /** Certificate for starttls/tls; defaults to one from the test CA (`certs.server`). */
  tlsCert?: KeyPair;
  /** Speak only TLS 1.0 and 1.1, like an old server. */
  legacyTlsOnly?: boolean;
  authMethods?: ('PLAIN' | 'LOGIN')[];
  /** Accept mail without signing in; default false (sign-in required, MAIL FROM answers 530). */
  authOptional?: boolean;
  /** Announce no AUTH at all. */
  noAuth?: boolean;
  users?: Record<string, string>;
  /** Refuse MAIL FROM with this reply (e.g. { code: 550, message: '5.7.1 Sender not allowed' }). */
  mailFromReply?: { code: number; message: string };
  size?: number;
}

/** smtp-server on 127.0.0.1, a free port, with fixed users (TEST_USER / TEST_PASSWORD by default). */
export async function startSmtpServer(certs: TestCerts, options: SmtpServerOptions): Promise<RunningServer> {
  const log = newLog();
  const users = options.users ?? { [TEST_USER]: TEST_PASSWORD };
  const cert = options.tlsCert ?? certs.server;
  const serverOptions: SMTPServerOptions = {
    logger: false,
    secure: options.mode === 'tls',
    ...(options.mode === 'plain' ? {} : { key: cert.key, cert: cert.cert }),
    ...(options.legacyTlsOnly ? { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
    disabledCommands: [...(options.mode === 'plain' ? ['STARTTLS'] : []), ...(options.noAuth ? ['AUTH'] : [])],
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN'],
    authOptional: options.authOptional ?? false,
    ...(options.size ? { size: options.size } : {}),
    closeTimeout: 200,
    onSecure(socket, _session, callback) {
      if ('getProtocol' in socket) log.tlsProtocols.push(socket.getProtocol() ?? 'unknown');
      callback();
    },
    onAuth(auth, _session, callback) {
      log.authCommandSeen = true;
      const accepted = users[auth.username ?? ''] !== undefined && users[auth.username ?? ''] === auth.password;
      log.authAttempts.push({ method: auth.method, username: auth.username ?? '', accepted });
      if (accepted) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onMailFrom(address, _session, callback) {
      log.mailFrom.push(address.address);
      const reply = options.mailFromReply;
      if (reply) callback(Object.assign(new Error(reply.message), { responseCode: reply.code }));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const user = typeof session.user === 'string' ? session.user : undefined;
        log.messages.push({ from, to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), ...(user ? { user } : {}) });
        callback();
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => undefined);

  // Listen to the raw connection for what arrives in clear text (before any STARTTLS).
  if (options.mode !== 'tls') {
    server.server.on('connection', (socket: net.Socket) => {
      log.connections += 1;
      let pending = '';
      const tap = (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const verb = verbOf(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
          log.commands.push(verb);
          if (verb === 'AUTH') log.authCommandSeen = true;
          // What follows STARTTLS is encrypted: stop reading it.
          if (verb === 'STARTTLS') return socket.off('data', tap);
        }
      };
      socket.on('data', tap);
    });
  } else {
    server.server.on('connection', () => {
      log.connections += 1;
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.server.address() as net.AddressInfo;
  return {
    host: LOOPBACK,
    port: address.port,
    log,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---- hand-written servers ---------------------------------------------------------------------

export type ScriptStage = 'greeting' | 'ehlo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'data-end';

export interface ScriptedServerOptions {
  /** The greeting; null never greets. Default "220 scripted.test ESMTP ready". */
  greeting?: string | null;
  /** Send the greeting one byte at a time, every this many ms, over and over. */
  dripMs?: number;
  /** EHLO capability lines after the first; default PIPELINING, 8BITMIME, AUTH PLAIN LOGIN, SIZE. */
  capabilities?: string[];
  /** Answer the command of this stage with `reply` (may hold several lines) instead of success. */
  replyAt?: { stage: ScriptStage; reply: string };
  /** Say nothing at all from this stage on (the connection stays open). */
  silentAt?: ScriptStage;
}

function toWire(reply: string): string {
  return reply.replace(/\r?\n/g, '\r\n').replace(/(\r\n)?$/, '\r\n');
}

/** A minimal SMTP server written by hand, for behaviour smtp-server will not produce. */
export async function startScriptedServer(options: ScriptedServerOptions = {}): Promise<RunningServer> {
  const log = newLog();
  const sockets = new Set<net.Socket>();
  const greeting = options.greeting === undefined ? '220 scripted.test ESMTP ready' : options.greeting;
  const capabilities = options.capabilities ?? ['PIPELINING', '8BITMIME', 'AUTH PLAIN LOGIN', 'SIZE 10485760'];

  const server = net.createServer((socket) => {
    log.connections += 1;
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    const timers: NodeJS.Timeout[] = [];
    socket.on('close', () => {
      sockets.delete(socket);
      timers.forEach(clearInterval);
    });

    const reply = (stage: ScriptStage, normal: string): void => {
      if (stage === options.silentAt) return;
      const text = options.replyAt?.stage === stage ? options.replyAt.reply : normal;
      socket.write(toWire(text));
      if (/^421/.test(text)) socket.end();
    };

    if (greeting !== null) {
      if (options.dripMs) {
        const bytes = Buffer.from(toWire(greeting));
        let i = 0;
        timers.push(
          setInterval(() => {
            socket.write(bytes.subarray(i % bytes.length, (i % bytes.length) + 1));
            i += 1;
          }, options.dripMs),
        );
      } else {
        reply('greeting', greeting);
      }
    }

    let pending = '';
    let state: 'command' | 'login-user' | 'login-pass' | 'data' = 'command';
    let loginUser = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        if (state === 'data') {
          if (line === '.') {
            state = 'command';
            reply('data-end', '250 2.0.0 Queued');
          }
          continue;
        }
        if (state === 'login-user') {
          loginUser = Buffer.from(line, 'base64').toString('utf8');
          state = 'login-pass';
          socket.write('334 UGFzc3dvcmQ6\r\n');
          continue;
        }
        if (state === 'login-pass') {
          state = 'command';
          log.authAttempts.push({ method: 'LOGIN', username: loginUser, accepted: options.replyAt?.stage !== 'auth' });
          reply('auth', '235 2.7.0 Authentication successful');
          continue;
        }
        const verb = verbOf(line);
        log.commands.push(verb);
        switch (verb) {
          case 'EHLO': {
            const lines = ['scripted.test greets you', ...capabilities];
            reply('ehlo', lines.map((l, i) => `250${i < lines.length - 1 ? '-' : ' '}${l}`).join('\r\n'));
            break;
          }
          case 'HELO':
            socket.write('250 scripted.test\r\n');
            break;
          case 'STARTTLS':
            reply('starttls', '454 4.7.0 TLS not available');
            break;
          case 'AUTH': {
            log.authCommandSeen = true;
            const [, method = '', initial] = line.trim().split(/\s+/);
            if (method.toUpperCase() === 'PLAIN' && initial) {
              const [, user = ''] = Buffer.from(initial, 'base64').toString('utf8').split('\0');
              log.authAttempts.push({ method: 'PLAIN', username: user, accepted: options.replyAt?.stage !== 'auth' });
              reply('auth', '235 2.7.0 Authentication successful');
            } else if (method.toUpperCase() === 'LOGIN') {
              state = 'login-user';
              socket.write('334 VXNlcm5hbWU6\r\n');
            } else {
              socket.write('504 5.5.4 Unrecognized authentication type\r\n');
            }
            break;
          }
          case 'MAIL FROM':
            log.mailFrom.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
            reply('mail', '250 2.1.0 Sender OK');
            break;
          case 'RCPT TO':
            reply('rcpt', '250 2.1.5 Recipient OK');
            break;
          case 'DATA':
            if (options.replyAt?.stage === 'data') reply('data', '');
            else {
              state = 'data';
              socket.write('354 End data with <CR><LF>.<CR><LF>\r\n');
            }
            break;
          case 'RSET':
          case 'NOOP':
            socket.write('250 2.0.0 OK\r\n');
            break;
          case 'QUIT':
            socket.end('221 2.0.0 Bye\r\n');
            break;
          default:
            socket.write('502 5.5.2 Command not recognized\r\n');
        }
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    host: LOOPBACK,
    port: address.port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
