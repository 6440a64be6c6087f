// A hostile SMTP server on 127.0.0.1, written by hand so that it can break every rule on purpose:
// replies split across packets or dripped a byte at a time, replies that contradict themselves,
// answers before the message is complete, garbage, silence, closes. It speaks real TLS (implicit or
// STARTTLS) with the test CA, and records everything it received, in clear and encrypted, so a test
// can prove that no credential ever crossed the network unencrypted.
import net from 'node:net';
import tls from 'node:tls';
import type { KeyPair } from './test-ca';

const LOOPBACK = '127.0.0.1';

/** Where in the conversation the server is answering. */
export type HostileStep =
  | 'greeting'
  | 'ehlo'
  | 'helo'
  | 'starttls'
  | 'auth'
  /** A line sent in answer to a 334 challenge (a user name, a password, an empty XOAUTH2 answer). */
  | 'auth-continue'
  | 'mail'
  | 'rcpt'
  | 'data'
  /** While the message is arriving (see `earlyReply`). */
  | 'data-early'
  /** The terminating dot has arrived. */
  | 'data-end'
  | 'rset'
  | 'noop'
  | 'quit'
  | 'unknown';

/** What the server does at one step. An empty act (no `send`, no `close`) is silence. */
export interface Act {
  /** The bytes to send (a string goes as UTF-8; `wire()` makes CRLF lines). */
  send?: string | Buffer;
  /** Send `send` in pieces of these sizes (what is left goes last), each after `gapMs`. */
  pieces?: number[];
  gapMs?: number;
  /** Wait this long before sending anything. */
  delayMs?: number;
  /** Then close: 'end' sends FIN, 'destroy' drops the socket, 'reset' sends an RST. */
  close?: 'end' | 'destroy' | 'reset';
  /** After a STARTTLS answer: begin the TLS handshake (default: when the answer is a clean 220). */
  startTls?: boolean;
  /** After a DATA answer: read the message (default: when the answer begins with 354). */
  readData?: boolean;
}

export interface StepContext {
  step: HostileStep;
  /** 1 for the first connection to this server. */
  connection: number;
  encrypted: boolean;
  /** The command line as received (for data-end, '.'; for the greeting, ''). */
  line: string;
  /** What a well-behaved server answers here, on the wire (CRLF lines). */
  normal: string;
  /** Message bytes received so far in this transaction (data-early, data-end). */
  dataBytes: number;
}

export interface HostileOptions {
  /** The server's certificate and key (from createTestCerts()). */
  tls: KeyPair;
  /** Speak TLS from the first byte (port 465 style). */
  implicitTls?: boolean;
  /** List STARTTLS in EHLO before encryption; default true. */
  offerStarttls?: boolean;
  /** AUTH methods listed in EHLO, in clear too (a server that tempts the client); default PLAIN LOGIN XOAUTH2. */
  authMethods?: string[];
  /** The SIZE listed in EHLO; default 10485760; false lists no SIZE. */
  size?: number | false;
  /** Answer EHLO with 500 (an old server): HELO is accepted, and AUTH still is if tried. */
  refuseEhlo?: boolean;
  /** Misbehave: return an act for a step, or undefined to behave. */
  respond?: (ctx: StepContext) => Act | undefined;
  /** Answer while the message is still arriving, once this many message bytes have come in. */
  earlyReply?: { afterBytes: number; act: Act };
}

export interface ReceivedMessage {
  connection: number;
  encrypted: boolean;
  /** The message as the client meant it: dot-stuffing undone, without the terminating dot line. */
  data: Buffer;
  /** Whether the server said anything between its DATA answer and the terminating dot. */
  spokeDuringData: boolean;
}

export interface ServerWrite {
  connection: number;
  step: HostileStep;
  bytes: Buffer;
}

export interface HostileLog {
  connections: number;
  /** Every command line received, in order (truncated to 300 characters). */
  commands: { connection: number; line: string; encrypted: boolean }[];
  /** AUTH commands, and the credential lines answering a 334, received WITHOUT encryption. */
  cleartextAuth: string[];
  /** The same, received over TLS. */
  tlsAuth: string[];
  /** MAIL FROM lines in full. */
  mailFrom: string[];
  /** Messages whose terminating dot arrived. */
  messages: ReceivedMessage[];
  /** Everything the server wrote, step by step. */
  writes: ServerWrite[];
  /** TLS handshakes completed (STARTTLS or implicit). */
  tlsSessions: number;
  /** Errors thrown by the test's own `respond` (a bug in the test, never the client's fault). */
  errors: unknown[];
}

export interface HostileServer {
  host: string;
  port: number;
  log: HostileLog;
  /** Every byte received before encryption, on every connection, in order of arrival. */
  clearBytes(): Buffer;
  /** Every byte received over TLS (after decryption). */
  tlsBytes(): Buffer;
  close(): Promise<void>;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lines joined with CRLF and ended with CRLF, as replies go on the wire. */
export function wire(text: string): string {
  return text.replace(/\r?\n/g, '\r\n').replace(/(\r\n)?$/, '\r\n');
}

/** A reply sent one byte at a time, every `ms`. */
export function drip(text: string | Buffer, ms: number): Act {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  return { send: bytes, pieces: Array.from({ length: bytes.length }, () => 1), gapMs: ms };
}

/**
 * The first reply in `bytes` when it is a clean one: every line `NNN-…` or `NNN …` with one code of
 * class 2-5, the last with a space, each ended by a line break. Its code and length in bytes, or
 * undefined for anything else.
 */
export function cleanReply(bytes: Buffer | string): { code: number; length: number } | undefined {
  const text = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8').toString('latin1') : bytes.toString('latin1');
  let code: string | undefined;
  let at = 0;
  for (;;) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return undefined;
    const line = text.slice(at, nl).replace(/\r$/, '');
    at = nl + 1;
    const m = /^([2-5][0-5]\d)(?:([ -]).*)?$/s.exec(line);
    if (!m) return undefined;
    if (code !== undefined && m[1] !== code) return undefined;
    code = m[1];
    if (m[2] !== '-') return { code: Number(code), length: at };
  }
}

/** The code of `bytes` when they are exactly one clean reply and nothing more. */
export function onlyCleanReply(bytes: Buffer | string): number | undefined {
  const reply = cleanReply(bytes);
  const length = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  return reply && reply.length === length ? reply.code : undefined;
}

/**
 * Which of `secrets` appear in `bytes`: as they are, or inside any base64 token (a PLAIN or XOAUTH2
 * initial response, a LOGIN answer) once decoded.
 */
export function secretsIn(bytes: Buffer, secrets: readonly string[]): string[] {
  const text = bytes.toString('latin1');
  const decoded: string[] = [];
  for (const token of text.match(/[A-Za-z0-9+/=]{4,}/g) ?? []) {
    for (const shift of [0, 1, 2, 3]) decoded.push(Buffer.from(token.slice(shift), 'base64').toString('latin1'));
  }
  const utf8 = bytes.toString('utf8');
  return secrets.filter((secret) => {
    const latin = Buffer.from(secret, 'utf8').toString('latin1');
    return text.includes(latin) || utf8.includes(secret) || decoded.some((d) => d.includes(latin));
  });
}

type AuthState = { mechanism: 'PLAIN' | 'LOGIN' | 'XOAUTH2'; stage: number } | undefined;

/** A hostile SMTP server on a free port of 127.0.0.1. */
export async function startHostileServer(options: HostileOptions): Promise<HostileServer> {
  const log: HostileLog = { connections: 0, commands: [], cleartextAuth: [], tlsAuth: [], mailFrom: [], messages: [], writes: [], tlsSessions: 0, errors: [] };
  const clear: Buffer[] = [];
  const secure: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const context = tls.createSecureContext({ key: options.tls.key, cert: options.tls.cert });
  const authMethods = options.authMethods ?? ['PLAIN', 'LOGIN', 'XOAUTH2'];
  const size = options.size ?? 10485760;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const server = net.createServer((raw) => {
    log.connections += 1;
    const connection = log.connections;
    sockets.add(raw);
    raw.setNoDelay(true);
    raw.on('error', () => undefined);
    raw.on('close', () => sockets.delete(raw));

    let socket: net.Socket = raw;
    let encrypted = false;
    let closed = false;
    let pending: Buffer = Buffer.alloc(0);
    let mode = 'command' as 'command' | 'data' | 'tls';
    let auth: AuthState;
    // The message as it arrives: chunks, and the last bytes seen (to find CRLF.CRLF across chunks).
    let data: Buffer[] = [];
    let dataBytes = 0;
    let tail = '';
    let spoke = false;
    // From the moment the 354 is out until the dot arrives, anything written counts as spoken too early.
    let listening = false;
    let earlySent = false;
    // Acts run one after another: a split reply finishes before the next one starts.
    let queue: Promise<void> = Promise.resolve();

    raw.on('close', () => {
      closed = true;
    });

    const normalFor = (step: HostileStep, line: string): string => {
      switch (step) {
        case 'greeting':
          return wire('220 hostile.test ESMTP ready');
        case 'ehlo': {
          if (options.refuseEhlo) return wire('500 5.5.1 Command unrecognized');
          const caps = ['hostile.test greets you', 'PIPELINING', '8BITMIME'];
          if (!encrypted && options.offerStarttls !== false && !options.implicitTls) caps.push('STARTTLS');
          if (authMethods.length) caps.push(`AUTH ${authMethods.join(' ')}`);
          if (size !== false) caps.push(`SIZE ${size}`);
          return wire(caps.map((c, i) => `250${i < caps.length - 1 ? '-' : ' '}${c}`).join('\n'));
        }
        case 'helo':
          return wire('250 hostile.test');
        case 'starttls':
          return wire(!encrypted && options.offerStarttls !== false && !options.implicitTls ? '220 2.0.0 Ready to start TLS' : '502 5.5.1 STARTTLS not available');
        case 'auth': {
          const [, method = '', initial] = line.trim().split(/\s+/);
          const m = method.toUpperCase();
          if (m === 'PLAIN') return wire(initial ? '235 2.7.0 Authentication successful' : '334 ');
          if (m === 'LOGIN') return wire(initial ? '334 UGFzc3dvcmQ6' : '334 VXNlcm5hbWU6');
          if (m === 'XOAUTH2') return wire(initial ? '235 2.7.0 Authentication successful' : '334 ');
          return wire('504 5.5.4 Unrecognized authentication type');
        }
        case 'auth-continue':
          if (auth?.mechanism === 'LOGIN' && auth.stage === 0) return wire('334 UGFzc3dvcmQ6');
          return wire('235 2.7.0 Authentication successful');
        case 'mail':
          return wire('250 2.1.0 Sender OK');
        case 'rcpt':
          return wire('250 2.1.5 Recipient OK');
        case 'data':
          return wire('354 End data with <CR><LF>.<CR><LF>');
        case 'data-early':
          return '';
        case 'data-end':
          return wire(`250 2.0.0 Queued as HOSTILE${connection}`);
        case 'rset':
        case 'noop':
          return wire('250 2.0.0 OK');
        case 'quit':
          return wire('221 2.0.0 Bye');
        default:
          return wire('502 5.5.2 Command not recognized');
      }
    };

    const write = (step: HostileStep, bytes: Buffer) => {
      if (closed || socket.destroyed) return;
      log.writes.push({ connection, step, bytes });
      if (listening) spoke = true;
      socket.write(bytes);
    };

    const perform = (step: HostileStep, act: Act): Promise<void> =>
      new Promise<void>((resolve) => {
        const bytes = act.send === undefined ? Buffer.alloc(0) : typeof act.send === 'string' ? Buffer.from(act.send, 'utf8') : act.send;
        const parts: Buffer[] = [];
        let at = 0;
        for (const n of act.pieces ?? []) {
          if (at >= bytes.length) break;
          parts.push(bytes.subarray(at, at + Math.max(1, n)));
          at += Math.max(1, n);
        }
        if (at < bytes.length) parts.push(bytes.subarray(at));
        const finish = () => {
          if (act.close && !closed) {
            if (act.close === 'end') socket.end();
            else if (act.close === 'reset' && typeof raw.resetAndDestroy === 'function' && !encrypted) raw.resetAndDestroy();
            else socket.destroy();
          }
          resolve();
        };
        const next = (i: number) => {
          if (closed) return resolve();
          if (i >= parts.length) return finish();
          write(step, parts[i] as Buffer);
          if (i + 1 < parts.length && act.gapMs) later(act.gapMs, () => next(i + 1));
          else next(i + 1);
        };
        if (act.delayMs) later(act.delayMs, () => next(0));
        else next(0);
      });

    /** Answers one step: the test's act, or the well-behaved answer. */
    const answer = (step: HostileStep, line: string, after?: (sent: Buffer, act: Act) => void): void => {
      const normal = normalFor(step, line);
      let act: Act | undefined;
      try {
        act = options.respond?.({ step, connection, encrypted, line, normal, dataBytes });
      } catch (err) {
        log.errors.push(err);
      }
      const chosen: Act = act ?? { send: normal, ...(step === 'quit' ? { close: 'end' as const } : {}) };
      const sent = chosen.send === undefined ? Buffer.alloc(0) : typeof chosen.send === 'string' ? Buffer.from(chosen.send, 'utf8') : chosen.send;
      queue = queue.then(() => perform(step, chosen));
      // The state changes at once (the client may answer the first piece); what `after` queues
      // (a TLS handshake) follows the answer.
      after?.(sent, chosen);
    };

    const upgrade = () => {
      mode = 'tls';
      raw.removeAllListeners('data');
      // Whatever followed STARTTLS in clear could be injected by anyone on the path: dropped.
      pending = Buffer.alloc(0);
      const wrapped = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
      socket = wrapped;
      wrapped.on('error', () => undefined);
      wrapped.on('close', () => {
        closed = true;
      });
      wrapped.once('secure', () => {
        log.tlsSessions += 1;
        encrypted = true;
        mode = 'command';
        if (!greeted) {
          greeted = true;
          answer('greeting', '');
        }
      });
      wrapped.on('data', (chunk: Buffer) => {
        secure.push(chunk);
        receive(chunk);
      });
    };
    let greeted = false;

    const credential = (line: string) => {
      (encrypted ? log.tlsAuth : log.cleartextAuth).push(line);
    };

    const command = (line: string) => {
      log.commands.push({ connection, line: line.slice(0, 300), encrypted });
      if (auth) {
        credential(line);
        answer('auth-continue', line, (sent) => {
          if (auth) auth.stage += 1;
          if (!/^334[ -]/.test(sent.toString('latin1'))) auth = undefined;
        });
        return;
      }
      const upper = line.trim().toUpperCase();
      const verb = upper.startsWith('MAIL FROM') ? 'MAIL' : upper.startsWith('RCPT TO') ? 'RCPT' : (upper.split(/\s+/)[0] ?? '');
      switch (verb) {
        case 'EHLO':
          return answer('ehlo', line);
        case 'HELO':
          return answer('helo', line);
        case 'STARTTLS':
          return answer('starttls', line, (sent, act) => {
            if (act.startTls ?? onlyCleanReply(sent) === 220) {
              // The handshake begins once the answer is on its way.
              queue = queue.then(() => {
                if (!closed) upgrade();
              });
              mode = 'tls';
            }
          });
        case 'AUTH': {
          credential(line);
          const method = (line.trim().split(/\s+/)[1] ?? '').toUpperCase();
          return answer('auth', line, (sent) => {
            if (/^334[ -]/.test(sent.toString('latin1')) && (method === 'PLAIN' || method === 'LOGIN' || method === 'XOAUTH2')) {
              auth = { mechanism: method, stage: method === 'LOGIN' && line.trim().split(/\s+/)[2] ? 1 : 0 };
            }
          });
        }
        case 'MAIL':
          log.mailFrom.push(line);
          return answer('mail', line);
        case 'RCPT':
          return answer('rcpt', line);
        case 'DATA':
          return answer('data', line, (sent, act) => {
            if (act.readData ?? sent.toString('latin1').startsWith('354')) {
              mode = 'data';
              data = [];
              dataBytes = 0;
              tail = '\r\n';
              earlySent = false;
              // In the order of the writes (a client may pipeline the envelope with DATA): once the
              // 354 is out. Bytes glued after it in the same act were said before the message arrived.
              queue = queue.then(() => {
                spoke = onlyCleanReply(sent) !== 354;
                listening = true;
              });
            }
          });
        case 'RSET':
          return answer('rset', line);
        case 'NOOP':
          return answer('noop', line);
        case 'QUIT':
          return answer('quit', line);
        default:
          return answer('unknown', line);
      }
    };

    /** Takes message bytes; returns what follows the terminating dot, or undefined while it goes on. */
    const takeData = (chunk: Buffer): Buffer | undefined => {
      const window = tail + chunk.toString('latin1');
      const end = window.indexOf('\r\n.\r\n');
      if (end < 0) {
        data.push(chunk);
        dataBytes += chunk.length;
        tail = window.slice(-4);
        const early = options.earlyReply;
        if (early && !earlySent && dataBytes >= early.afterBytes) {
          earlySent = true;
          queue = queue.then(() => perform('data-early', early.act));
        }
        return undefined;
      }
      // `end` counts from the start of the window: the dot line ends at end + 5.
      const cut = end + 5 - tail.length;
      data.push(chunk.subarray(0, Math.max(0, cut)));
      dataBytes += Math.max(0, cut);
      const all = Buffer.concat(data);
      // Without the final ".\r\n" (the CRLF before it belongs to the message), then un-stuffed.
      const body = all.subarray(0, Math.max(0, all.length - 3)).toString('latin1');
      const unstuffed = body.replace(/^\.\./, '.').replace(/\r\n\.\./g, '\r\n.');
      const received = Buffer.from(unstuffed, 'latin1');
      const wasEncrypted = encrypted;
      // After whatever was queued before the dot has been written.
      queue = queue.then(() => {
        listening = false;
        log.messages.push({ connection, encrypted: wasEncrypted, data: received, spokeDuringData: spoke });
      });
      mode = 'command';
      data = [];
      answer('data-end', '.');
      return chunk.subarray(Math.max(0, cut));
    };

    const receive = (chunk: Buffer) => {
      let rest: Buffer | undefined = chunk;
      while (rest && rest.length > 0) {
        if (mode === 'tls') return;
        if (mode === 'data') {
          rest = takeData(rest);
          continue;
        }
        pending = pending.length ? Buffer.concat([pending, rest]) : rest;
        rest = undefined;
        let nl: number;
        while (mode === 'command' && (nl = pending.indexOf(0x0a)) >= 0) {
          const line = pending.subarray(0, nl).toString('utf8').replace(/\r$/, '');
          pending = pending.subarray(nl + 1);
          command(line);
        }
        // command() may have begun the message.
        if ((mode as string) === 'data' && pending.length > 0) {
          rest = pending;
          pending = Buffer.alloc(0);
        }
        // Bytes that followed STARTTLS in clear are dropped by upgrade().
      }
    };

    if (options.implicitTls) {
      upgrade();
    } else {
      raw.on('data', (chunk: Buffer) => {
        clear.push(chunk);
        receive(chunk);
      });
      greeted = true;
      answer('greeting', '');
    }
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
    clearBytes: () => Buffer.concat(clear),
    tlsBytes: () => Buffer.concat(secure),
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
