// A real SMTP server for the end-to-end tests, in the Playwright process: smtp-server on
// 127.0.0.1 with STARTTLS (a certificate from a CA made for the run, its PEM written to a file the
// profile's "CA certificate file" can name) and AUTH PLAIN/LOGIN for one fixed user. It keeps every
// message it accepts, by Message-ID.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type net from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createTestCa } from '../helpers/test-ca';
import { test as base } from './fixtures';

export const SMTP_USER = 'relay-user@harbour.example';
export const SMTP_PASSWORD = 'correct horse battery staple';
export const TEST_CA_NAME = 'Mailroom E2E Test CA';

export interface ReceivedMessage {
  /** The Message-ID header, angle brackets included. */
  messageId: string;
  envelopeFrom: string;
  envelopeTo: string[];
  /** The user the session signed in as. */
  user: string | undefined;
  /** Header fields by lower-case name (first occurrence, unfolded). */
  headers: Record<string, string>;
  raw: string;
}

export interface TestSmtpServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** A PEM file holding the CA that issued the server's certificate. */
  caFile: string;
  caName: string;
  received: Map<string, ReceivedMessage>;
  /** Waits (briefly) for a message with this Message-ID, with or without angle brackets. */
  waitForMessage(messageId: string, timeoutMs?: number): Promise<ReceivedMessage>;
  close(): Promise<void>;
}

function parseHeaders(raw: string): Record<string, string> {
  const end = raw.search(/\r?\n\r?\n/);
  const block = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= line.slice(colon + 1).trim();
  }
  return headers;
}

function bracketed(id: string): string {
  const bare = id.trim().replace(/^<|>$/g, '');
  return `<${bare}>`;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const ca = createTestCa(TEST_CA_NAME);
  const leaf = ca.issue(['127.0.0.1', 'localhost']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-e2e-ca-'));
  const caFile = path.join(dir, 'test-ca.pem');
  fs.writeFileSync(caFile, ca.cert);

  const received = new Map<string, ReceivedMessage>();
  const waiters = new Set<() => void>();

  const server = new SMTPServer({
    logger: false,
    secure: false,
    key: leaf.key,
    cert: leaf.cert,
    name: 'mx.harbour.example',
    banner: 'Harbour test relay',
    authMethods: ['PLAIN', 'LOGIN'],
    // Sign-in only inside TLS, as a real submission server insists.
    allowInsecureAuth: false,
    authOptional: false,
    size: 10 * 1024 * 1024,
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
      else callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headers = parseHeaders(raw);
        const messageId = headers['message-id'] ?? '';
        received.set(bracketed(messageId), {
          messageId,
          envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          headers,
          raw,
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as net.AddressInfo;

  return {
    host: '127.0.0.1',
    port,
    user: SMTP_USER,
    password: SMTP_PASSWORD,
    caFile,
    caName: TEST_CA_NAME,
    received,
    waitForMessage(messageId, timeoutMs = 5000) {
      const key = bracketed(messageId);
      return new Promise((resolve, reject) => {
        const check = () => {
          const message = received.get(key);
          if (!message) return false;
          cleanup();
          resolve(message);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`The test SMTP server received no message ${key}; it has: ${[...received.keys()].join(', ') || 'none'}`));
        }, timeoutMs);
        const wake = () => void check();
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        waiters.add(wake);
        check();
      });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The Mailroom fixtures plus `smtp`: a test SMTP server for the test, closed after it. */
export const test = base.extend<{ smtp: TestSmtpServer }>({
  // Playwright reads a fixture's dependencies from this pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  smtp: async ({}, use) => {
    const server = await startTestSmtpServer();
    try {
      await use(server);
    } finally {
      await server.close();
    }
  },
});

export { expect } from './fixtures';
