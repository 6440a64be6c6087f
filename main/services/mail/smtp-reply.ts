// Reads SMTP replies from a socket, strictly: a server's words are untrusted, so a reply counts only
// when every line carries the same valid code and it ends with a final line. Anything else is a
// protocol violation, never an answer. Used by the sender and by Test connection alike.
import type net from 'node:net';

/** One complete reply. */
export interface SmtpReply {
  code: number;
  /** The reply's lines without their codes. */
  lines: string[];
  /** The reply as received, lines joined with CRLF, for explanations (escape before showing). */
  raw: string;
}

/** The server broke the protocol: what it did, and what arrived. */
export class ProtocolViolation extends Error {
  constructor(
    readonly what: string,
    readonly received: string,
  ) {
    super(what);
  }
}

/** The connection closed before a complete reply; `received` holds what arrived of it. */
export class ConnectionClosed extends Error {
  constructor(readonly received: string) {
    super('The server closed the connection');
  }
}

/** At most this much of one reply is kept; a server that sends more is not speaking SMTP. */
export const MAX_REPLY_BYTES = 64 * 1024;
// RFC 5321 allows 512 octets a reply line; real servers stay far below. Generous, but bounded.
const MAX_LINE_BYTES = 8 * 1024;

// A reply code: class 2-5, then 0-5 (RFC 5321 4.2), then any digit.
const LINE_RE = /^([2-5][0-5]\d)(?:([ -])(.*))?$/s;

/**
 * Reads replies in order. A reply that arrives while nobody is reading is kept, and `hasUnread()`
 * says so: a caller that did not ask for one treats it as the protocol violation it is.
 */
export class ReplyReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private lines: string[] = [];
  private code: string | undefined;
  private readonly ready: (SmtpReply | Error)[] = [];
  private waiter: { resolve: (reply: SmtpReply) => void; reject: (err: Error) => void } | undefined;
  private problem: Error | undefined;
  /** Bytes received in all. */
  received = 0;

  constructor(readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('error', this.onError);
    socket.on('close', this.onClose);
  }

  /** Stops listening (before the socket is handed to TLS); returns how many bytes were left unread. */
  detach(): number {
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    this.socket.off('close', this.onClose);
    return this.buffered + this.lines.reduce((n, l) => n + l.length, 0) + this.ready.length;
  }

  /** Whether anything arrived that no read has taken: part of a reply, a whole one, or junk. */
  hasUnread(): boolean {
    return this.buffered > 0 || this.lines.length > 0 || this.ready.length > 0;
  }

  /** What arrived of a reply not yet complete (and replies nobody read), for explanations. */
  partial(): string {
    const done = this.ready.map((r) => (r instanceof Error ? '' : r.raw)).filter(Boolean);
    return [...done, ...this.lines, Buffer.concat(this.chunks).toString('utf8')].filter(Boolean).join('\n');
  }

  /** The next reply. Rejects with ProtocolViolation, ConnectionClosed or the socket's error. */
  read(): Promise<SmtpReply> {
    const next = this.ready.shift();
    if (next) return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    if (this.problem) return Promise.reject(this.problem instanceof ConnectionClosed ? new ConnectionClosed(this.partial()) : this.problem);
    return new Promise<SmtpReply>((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  private deliver(item: SmtpReply | Error): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      if (item instanceof Error) waiter.reject(item);
      else waiter.resolve(item);
    } else this.ready.push(item);
  }

  private readonly onData = (chunk: Buffer) => {
    this.received += chunk.length;
    if (this.problem instanceof ProtocolViolation) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      let line: Buffer = piece;
      if (this.chunks.length > 0) {
        line = Buffer.concat([...this.chunks, piece]);
        this.chunks = [];
        this.buffered = 0;
      }
      if (!this.line(line)) return;
    }
    if (start < chunk.length) {
      this.chunks.push(chunk.subarray(start));
      this.buffered += chunk.length - start;
      if (this.buffered > MAX_LINE_BYTES) this.violate(`it sent a reply line longer than ${MAX_LINE_BYTES} bytes`);
    }
  };

  /** Takes one line; false once the conversation is beyond saving. */
  private line(bytes: Buffer): boolean {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    if (end > MAX_LINE_BYTES) return this.violate(`it sent a reply line longer than ${MAX_LINE_BYTES} bytes`);
    const text = bytes.toString('utf8', 0, end);
    const match = LINE_RE.exec(text);
    if (!match) {
      this.lines.push(text);
      return this.violate(/^\d{3}/.test(text) ? `it answered with a code SMTP does not have (${text.slice(0, 3)})` : 'it sent a line that is not an SMTP reply');
    }
    const [, code, sep = ' '] = match;
    if (this.code !== undefined && code !== this.code) {
      this.lines.push(text);
      return this.violate(`its reply disagrees with itself (it began with ${this.code} and ended with ${code})`);
    }
    this.code = code;
    this.lines.push(text);
    if (this.lines.reduce((n, l) => n + l.length + 2, 0) > MAX_REPLY_BYTES) return this.violate(`it sent a reply longer than ${MAX_REPLY_BYTES} bytes`);
    if (sep === '-') return true;
    const lines = this.lines;
    this.lines = [];
    this.code = undefined;
    this.deliver({ code: Number(code), lines: lines.map((l) => l.slice(4)), raw: lines.join('\r\n') });
    return true;
  }

  private violate(what: string): false {
    const violation = new ProtocolViolation(what, this.partial());
    this.problem = violation;
    this.lines = [];
    this.chunks = [];
    this.buffered = 0;
    this.deliver(violation);
    return false;
  }

  private readonly onError = (err: Error) => {
    if (this.problem) return;
    this.problem = err;
    this.deliver(err);
  };

  private readonly onClose = () => {
    if (this.problem) return;
    this.problem = new ConnectionClosed(this.partial());
    this.deliver(this.problem);
  };
}

/** What a server says it can do, from its EHLO reply. */
export interface Capabilities {
  starttls: boolean;
  /** Sign-in mechanisms, upper-case, once each. */
  auth: string[];
  /** The SIZE the server advertised in bytes (0 = no stated limit); undefined when it does not do SIZE. */
  size: number | undefined;
  /** Every other extension keyword, upper-case (PIPELINING, SMTPUTF8, 8BITMIME…). */
  extensions: string[];
}

/** What a server that only answered HELO can do: nothing beyond plain SMTP. */
export function noCapabilities(): Capabilities {
  return { starttls: false, auth: [], size: undefined, extensions: [] };
}

export function parseCapabilities(ehlo: SmtpReply): Capabilities {
  const caps = noCapabilities();
  for (const line of ehlo.lines.slice(1)) {
    const [keyword = '', ...params] = line.trim().split(/[\s=]+/);
    const key = keyword.toUpperCase();
    if (key === 'STARTTLS') caps.starttls = true;
    else if (key === 'AUTH') {
      for (const m of params) if (m && !caps.auth.includes(m.toUpperCase())) caps.auth.push(m.toUpperCase());
    } else if (key === 'SIZE') {
      const n = Number(params[0] ?? '0');
      caps.size = Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } else if (key) caps.extensions.push(key);
  }
  return caps;
}
