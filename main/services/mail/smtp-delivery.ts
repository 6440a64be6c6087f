// One delivery attempt over SMTP, told truthfully: Mailroom's own client, so that every rule below
// is visible here and provable against a hostile server.
//  - "delivered" only when the complete final reply to the end of the data is 2xx, consistent in
//    every line, and arrived after the whole message was written; anything said earlier, or a reply
//    that disagrees with itself, is a protocol violation, never acceptance;
//  - credentials (PLAIN, LOGIN, XOAUTH2) only over an encrypted connection unless Security is None,
//    and only to a server that advertised AUTH;
//  - one overall deadline per attempt, however slowly the server drips its replies;
//  - SIZE= declared whenever the server advertises SIZE.
import net from 'node:net';
import tls from 'node:tls';
import type { Advice, AuthMode, SecurityMode, TlsVersion } from '../../../preload/contract';
import type { TrafficSink } from '../debug-log/debug-log';
import {
  cancelledAdvice,
  explainAuthNotOffered,
  explainClosed,
  explainNoEncryptionForSignIn,
  explainNoPassword,
  explainNoUsableMechanism,
  explainProtocolViolation,
  explainReply,
  explainSocketError,
  explainStarttlsNotOffered,
  explainTimeout,
  type ExplainContext,
  type SocketStage,
  type TimeoutStage,
} from './smtp-explain';
import { ConnectionClosed, ProtocolViolation, ReplyReader, noCapabilities, parseCapabilities, type Capabilities, type SmtpReply } from './smtp-reply';
import { escapeServerText } from '../text/server-text';
import { clientName as defaultClientName } from './transport';

export interface SmtpEndpoint {
  host: string;
  port: number;
  security: SecurityMode;
  minTls: TlsVersion;
  verifyCert: boolean;
  /** PEM text of extra certificate authorities to trust, besides the built-in ones. */
  ca?: string;
  timeoutSeconds: number;
  /** The name sent with EHLO; this computer's name when absent. */
  clientName?: string;
  auth: AuthMode;
  credentials?: { username: string; password?: string; accessToken?: string };
}

export interface Envelope {
  from: string;
  to: string[];
}

export type DeliveryState = 'delivered' | 'retry' | 'failed' | 'unknown';

export interface RecipientOutcome {
  address: string;
  /** accepted: the message is with the server for them; rejected: refused for good; deferred: refused for now. */
  state: 'accepted' | 'rejected' | 'deferred';
  reply: string;
}

export interface DeliveryOutcome {
  state: DeliveryState;
  /** The envelope actually used (MAIL FROM and the RCPT TO addresses). */
  envelope: Envelope;
  recipients: RecipientOutcome[];
  /** The server's last reply, escaped for display; '' when there was none. */
  reply: string;
  /** Why, whenever the state is not "delivered". */
  advice?: Advice;
  /** For "failed": a settings problem the admin must fix, or the server's final refusal. */
  failure?: 'config' | 'permanent';
  /** Whether the end of the data was written: from then on, silence means "unknown", not "not sent". */
  dataSent: boolean;
  /** For "retry": how long the service asked to wait first (Microsoft Graph's Retry-After). */
  retryAfterMs?: number;
}

export interface DeliverOptions {
  signal?: AbortSignal;
  transcript?: TrafficSink;
}

export interface OutgoingData {
  envelope: Envelope;
  raw: Buffer;
}

// Transfer time allowed on top of the per-step timeouts: the message at a slow but live 20 kB/s.
const FLOOR_BYTES_PER_SECOND = 20_000;
// Larger messages are written in pieces, so an early answer stops the upload before its end.
const WRITE_CHUNK = 64 * 1024;
const QUIT_WAIT_MS = 300;
const NOOP_LINE = Buffer.from('NOOP\r\n', 'latin1');

/** How long one attempt may take in all: three times the timeout, plus the upload at the floor rate. */
export function attemptDeadlineMs(timeoutSeconds: number, bytes: number): number {
  return Math.max(1, timeoutSeconds) * 3000 + Math.ceil((bytes * 1000) / FLOOR_BYTES_PER_SECOND);
}

/** Advice codes that mean the settings are wrong: retrying cannot help until the admin acts. */
const CONFIG_CODES = /^(auth-|cert-|tls-|starttls-|encryption-|config-|dns-not-found|not-smtp)/;

/** What a failure means for the message: try again later, give up, or "it may have gone". */
export function classifyFailure(facts: { responseCode?: number; dataSent: boolean; advice: Advice }): { state: Exclude<DeliveryState, 'delivered'>; failure?: 'config' | 'permanent' } {
  const { responseCode, dataSent, advice } = facts;
  if (responseCode !== undefined && responseCode >= 500) return { state: 'failed', failure: CONFIG_CODES.test(advice.code) ? 'config' : 'permanent' };
  if (responseCode !== undefined && responseCode >= 400) return { state: 'retry' };
  if (dataSent) return { state: 'unknown' };
  if (CONFIG_CODES.test(advice.code) && !/timeout/.test(advice.code)) return { state: 'failed', failure: 'config' };
  return { state: 'retry' };
}

/** Ends the attempt: the reason in advice, and the reply code it came with, if any. */
class AttemptFailure extends Error {
  constructor(
    readonly advice: Advice,
    readonly responseCode?: number,
    /** The conversation is still in step (the server refused in good order): the connection may be reused. */
    readonly intact = false,
  ) {
    super(advice.title);
  }
}

class DeadlineExceeded extends Error {}

const TLS_VERSION: Record<TlsVersion, tls.SecureVersion> = { '1.0': 'TLSv1', '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

const contexts = new Map<string, tls.SecureContext>();

function secureContextFor(ca: string, minVersion: tls.SecureVersion, legacy: boolean): tls.SecureContext {
  const key = `${minVersion}|${legacy}|${ca}`;
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ca], minVersion, ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}) });
    if (contexts.size >= 16) contexts.delete(contexts.keys().next().value as string);
    contexts.set(key, context);
  }
  return context;
}

/**
 * The message as it goes on the wire after DATA: lines starting with a dot get a second one, bare CR
 * or LF become CRLF (a lone LF followed by a dot is how a message smuggles a second one past lenient
 * servers), and the terminating "." line follows. Returns the pieces to write, without copying when
 * the message needs no change.
 */
export function dataPieces(raw: Buffer): Buffer[] {
  let clean = raw.length === 0 || raw[0] !== 0x2e;
  for (let i = 0; clean && i < raw.length; i++) {
    const b = raw[i];
    if (b === 0x0a) {
      if (i === 0 || raw[i - 1] !== 0x0d || raw[i + 1] === 0x2e) clean = false;
    } else if (b === 0x0d && raw[i + 1] !== 0x0a) clean = false;
  }
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === 0x0d && raw[raw.length - 1] === 0x0a;
  if (clean) return [raw, Buffer.from(endsWithCrlf || raw.length === 0 ? '.\r\n' : '\r\n.\r\n', 'latin1')];
  const out = Buffer.allocUnsafe(raw.length * 2 + 5);
  let n = 0;
  let lineStart = true;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b === 0x0d || b === 0x0a) {
      if (b === 0x0d && raw[i + 1] === 0x0a) i++;
      out[n++] = 0x0d;
      out[n++] = 0x0a;
      lineStart = true;
      continue;
    }
    if (lineStart && b === 0x2e) out[n++] = 0x2e;
    out[n++] = b;
    lineStart = false;
  }
  if (!lineStart) {
    out[n++] = 0x0d;
    out[n++] = 0x0a;
  }
  out[n++] = 0x2e;
  out[n++] = 0x0d;
  out[n++] = 0x0a;
  return [out.subarray(0, n)];
}

function addressForCommand(address: string): string {
  // Addresses were validated when the message was queued; this only keeps a command on one line.
  // eslint-disable-next-line no-control-regex
  return address.replace(/[\u0000-\u001f\u007f<>]/g, '');
}

/**
 * One SMTP connection, set up (greeting, EHLO, STARTTLS, sign-in) and then used for one message at a
 * time. Every wait is bounded by both the step timeout and the attempt's deadline.
 */
export class SmtpSession {
  private reader: ReplyReader | undefined;
  private socket: net.Socket | undefined;
  private readonly sockets: net.Socket[] = [];
  private caps: Capabilities = noCapabilities();
  private encrypted = false;
  private deadline = 0;
  private stage: SocketStage = 'tcp';
  private readonly ctx: ExplainContext;
  private readonly timeoutMs: number;
  /** Set once anything happened that makes the conversation untrustworthy: never reuse then. */
  private broken = false;
  /** Authorisation Optional, and the connection was not encrypted: the password stayed home. */
  private signInSkipped = false;
  messages = 0;

  private constructor(
    private readonly endpoint: SmtpEndpoint,
    private readonly options: DeliverOptions,
  ) {
    this.timeoutMs = Math.max(1, endpoint.timeoutSeconds) * 1000;
    this.ctx = {
      host: endpoint.host,
      port: endpoint.port,
      security: endpoint.security,
      minTls: endpoint.minTls,
      timeoutSeconds: endpoint.timeoutSeconds,
      ...(endpoint.credentials?.accessToken ? { oauth: true } : {}),
    };
  }

  /** Connects and signs in; throws AttemptFailure (or DeadlineExceeded) with the reason. */
  static async open(endpoint: SmtpEndpoint, deadline: number, options: DeliverOptions = {}): Promise<SmtpSession> {
    const session = new SmtpSession(endpoint, options);
    session.deadline = deadline;
    try {
      await session.setUp();
      return session;
    } catch (error) {
      session.destroy();
      throw session.failureOf(error, false);
    }
  }

  /** Usable for another message: the conversation is in step and nothing arrived unasked. */
  reusable(): boolean {
    return !this.broken && this.socket !== undefined && !this.socket.destroyed && this.reader !== undefined && !this.reader.hasUnread();
  }

  // ---- plumbing ----------------------------------------------------------------------------

  private track(socket: net.Socket): net.Socket {
    this.sockets.push(socket);
    // Errors are read where they matter; this keeps a late one from becoming an uncaught exception.
    socket.on('error', () => undefined);
    return socket;
  }

  destroy(): void {
    this.broken = true;
    // Newest first: a TLS socket before the plain socket under it.
    for (const socket of [...this.sockets].reverse()) socket.destroy();
  }

  /** Says goodbye when the conversation allows it, then closes. Never waits long. */
  async close(): Promise<void> {
    const reader = this.reader;
    if (reader && this.reusable()) {
      try {
        this.client('QUIT');
        reader.socket.write('QUIT\r\n');
        await this.bounded(reader.read().then((r) => this.server(r)), QUIT_WAIT_MS, () => new Error('no reply to QUIT'));
      } catch {
        // The verdict is in; a missing goodbye changes nothing.
      }
    }
    this.destroy();
  }

  private client(line: string): void {
    try {
      this.options.transcript?.client(line);
    } catch {
      // The log is a bystander.
    }
  }

  private server(reply: SmtpReply): SmtpReply {
    try {
      this.options.transcript?.server(reply.raw);
    } catch {
      // The log is a bystander.
    }
    return reply;
  }

  /** The debug log counts the content and never sees it. */
  private dataWritten(bytes: number): void {
    try {
      this.options.transcript?.content?.(bytes);
      this.options.transcript?.client('.');
    } catch {
      // The log is a bystander.
    }
  }

  private note(text: string): void {
    try {
      this.options.transcript?.note('info', text);
    } catch {
      // The log is a bystander.
    }
  }

  /** Waits for `promise` at most `ms` and never past the attempt's deadline, nor past a cancel. */
  private async bounded<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
    const left = this.deadline - Date.now();
    if (left <= 0) throw new DeadlineExceeded();
    const signal = this.options.signal;
    if (signal?.aborted) throw new AttemptFailure(cancelledAdvice());
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await Promise.race([
        promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(ms <= left ? onTimeout() : new DeadlineExceeded()), Math.min(ms, left));
          onAbort = () => reject(new AttemptFailure(cancelledAdvice()));
          signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private async read(stage: TimeoutStage = 'reply'): Promise<SmtpReply> {
    const reader = this.reader;
    if (!reader) throw new ConnectionClosed('');
    // One timer for the whole reply: a server that drips bytes does not extend it.
    const reply = await this.bounded(reader.read(), this.timeoutMs, () => new AttemptFailure(explainTimeout(stage, this.ctx)));
    return this.server(reply);
  }

  private async command(line: string, shown = line): Promise<SmtpReply> {
    const reader = this.reader;
    if (!reader) throw new ConnectionClosed('');
    // Anything that arrived unasked would be taken as the answer to this command.
    if (reader.hasUnread()) throw new ProtocolViolation('it sent a reply nobody asked for', reader.partial());
    this.client(shown);
    reader.socket.write(`${line}\r\n`);
    return this.read();
  }

  /** Several commands in one write (PIPELINING); their replies are read one by one afterwards. */
  private pipeline(lines: string[]): void {
    const reader = this.reader;
    if (!reader) throw new ConnectionClosed('');
    if (reader.hasUnread()) throw new ProtocolViolation('it sent a reply nobody asked for', reader.partial());
    for (const line of lines) this.client(line);
    reader.socket.write(`${lines.join('\r\n')}\r\n`);
  }

  private tlsOptions(extra: tls.ConnectionOptions): tls.ConnectionOptions {
    const e = this.endpoint;
    const legacy = e.minTls === '1.0' || e.minTls === '1.1';
    const host = e.host.trim().replace(/^\[(.*)\]$/, '$1');
    return {
      ...extra,
      ...(net.isIP(host) ? {} : { servername: host }),
      minVersion: TLS_VERSION[e.minTls],
      // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; the admin asked for them.
      ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      // Trusting an extra CA builds a certificate store of its own: made once per CA, not per connection.
      ...(e.ca ? { secureContext: secureContextFor(e.ca, TLS_VERSION[e.minTls], legacy) } : {}),
      rejectUnauthorized: e.verifyCert,
    };
  }

  private async connect(): Promise<void> {
    const e = this.endpoint;
    const host = e.host.trim().replace(/^\[(.*)\]$/, '$1');
    if (host === '') throw new AttemptFailure({ code: 'config-invalid', title: 'No server name', cause: 'No server name is set for this profile.', fix: 'Enter the SMTP server name from your mail provider.' });
    const implicit = e.security === 'tls';
    this.stage = implicit ? 'tls' : 'tcp';
    const socket = this.track(implicit ? tls.connect(this.tlsOptions({ host, port: e.port })) : net.connect({ host, port: e.port }));
    await this.bounded(
      new Promise<void>((resolve, reject) => {
        socket.once(implicit ? 'secureConnect' : 'connect', () => resolve());
        socket.once('error', reject);
        socket.once('close', () => reject(Object.assign(new Error('The server closed the connection'), { code: 'ECONNRESET' })));
      }),
      this.timeoutMs,
      () => new AttemptFailure(explainTimeout(implicit ? 'tls' : 'connect', this.ctx)),
    );
    socket.setNoDelay(true);
    this.socket = socket;
    this.encrypted = implicit;
    this.reader = new ReplyReader(socket);
  }

  private async setUp(): Promise<void> {
    const e = this.endpoint;
    await this.connect();
    this.stage = 'greeting';
    const greeting = await this.read('greeting');
    if (greeting.code !== 220) throw new AttemptFailure(explainReply(greeting.code, greeting.raw, 'greeting', this.ctx), greeting.code);
    this.stage = 'smtp';
    await this.hello();
    if (e.security === 'starttls-required' && !this.caps.starttls) throw new AttemptFailure(explainStarttlsNotOffered(this.ctx));
    if ((e.security === 'starttls' || e.security === 'starttls-required') && this.caps.starttls) await this.startTls();
    await this.signIn();
  }

  /** EHLO, or HELO for a server that refuses it (then no extensions: no STARTTLS, no AUTH, no SIZE). */
  private async hello(): Promise<void> {
    const name = this.endpoint.clientName ?? defaultClientName();
    const ehlo = await this.command(`EHLO ${name}`);
    if (ehlo.code === 250) {
      this.caps = parseCapabilities(ehlo);
      return;
    }
    if (ehlo.code < 500 || ehlo.code === 521) throw new AttemptFailure(explainReply(ehlo.code, ehlo.raw, 'EHLO', this.ctx), ehlo.code);
    const helo = await this.command(`HELO ${name}`);
    if (helo.code !== 250) throw new AttemptFailure(explainReply(helo.code, helo.raw, 'HELO', this.ctx), helo.code);
    this.caps = noCapabilities();
    this.note('The server refused EHLO and accepted HELO: it offers no extensions (no STARTTLS, no sign-in)');
  }

  private async startTls(): Promise<void> {
    this.stage = 'starttls';
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) throw new AttemptFailure(explainReply(reply.code, reply.raw, 'STARTTLS', this.ctx), reply.code);
    const plain = this.reader!;
    // Whatever the server sent before the handshake could have been injected by anyone on the path.
    const leftover = plain.detach();
    if (leftover > 0) this.note(`Discarded ${leftover} bytes the server sent before encryption started`);
    this.reader = undefined;
    const secure = this.track(tls.connect(this.tlsOptions({ socket: plain.socket })));
    await this.bounded(
      new Promise<void>((resolve, reject) => {
        secure.once('secureConnect', () => resolve());
        secure.once('error', reject);
        secure.once('close', () => reject(Object.assign(new Error('The server closed the connection during the TLS handshake'), { code: 'ECONNRESET' })));
      }),
      this.timeoutMs,
      () => new AttemptFailure(explainTimeout('starttls', this.ctx)),
    );
    secure.setNoDelay(true);
    this.socket = secure;
    this.reader = new ReplyReader(secure);
    this.encrypted = true;
    this.stage = 'smtp';
    // Capabilities can change once encrypted (many servers offer AUTH only now).
    await this.hello();
  }

  private async signIn(): Promise<void> {
    const e = this.endpoint;
    const creds = e.credentials;
    const token = creds?.accessToken;
    const wants = token !== undefined || (e.auth === 'required') || (e.auth === 'optional' && Boolean(creds?.password));
    if (!wants) return;
    if (e.auth === 'required' && !token && !creds?.password) throw new AttemptFailure(explainNoPassword());
    // Never a credential in the clear, unless the admin chose no encryption at all.
    if (!this.encrypted && e.security !== 'none') {
      if (e.auth === 'optional' && !token) {
        this.note('The server did not offer encryption: sending without signing in (Authorisation is Optional)');
        this.signInSkipped = true;
        return;
      }
      throw new AttemptFailure(explainNoEncryptionForSignIn(this.ctx));
    }
    if (this.caps.auth.length === 0) {
      if (e.auth === 'optional' && !token) return;
      throw new AttemptFailure(explainAuthNotOffered({ ...this.ctx, encrypted: this.encrypted }));
    }
    const username = creds?.username ?? '';
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    let reply: SmtpReply;
    let mechanism: string;
    if (token !== undefined) {
      mechanism = 'XOAUTH2';
      if (!this.caps.auth.includes('XOAUTH2')) throw new AttemptFailure(explainNoUsableMechanism(this.caps.auth));
      reply = await this.command(`AUTH XOAUTH2 ${b64(`user=${username}\x01auth=Bearer ${token}\x01\x01`)}`);
      // A refused token comes back as a 334 challenge carrying JSON; an empty line gets the final reply.
      if (reply.code === 334) reply = await this.command('');
    } else if (this.caps.auth.includes('PLAIN')) {
      mechanism = 'PLAIN';
      reply = await this.command(`AUTH PLAIN ${b64(`\0${username}\0${creds?.password ?? ''}`)}`);
    } else if (this.caps.auth.includes('LOGIN')) {
      mechanism = 'LOGIN';
      reply = await this.command('AUTH LOGIN');
      if (reply.code === 334) reply = await this.command(b64(username));
      if (reply.code === 334) reply = await this.command(b64(creds?.password ?? ''));
    } else {
      throw new AttemptFailure(explainNoUsableMechanism(this.caps.auth));
    }
    if (reply.code !== 235) throw new AttemptFailure(explainReply(reply.code, reply.raw, `AUTH ${mechanism}`, this.ctx), reply.code);
  }

  // ---- one message -------------------------------------------------------------------------

  /**
   * Sends one message on this connection. Never throws: the outcome says what happened. A
   * connection that answered in good order stays open for the next message.
   */
  async send(message: OutgoingData, deadline: number): Promise<DeliveryOutcome> {
    this.deadline = deadline;
    this.messages++;
    const envelope: Envelope = { from: message.envelope.from, to: [...message.envelope.to] };
    const recipients: RecipientOutcome[] = [];
    const state = { dataSent: false, reply: '' };
    try {
      return await this.transaction(message, envelope, recipients, state);
    } catch (error) {
      const failure = this.failureOf(error, state.dataSent);
      if (!failure.intact) this.destroy();
      const verdict = classifyFailure({ ...(failure.responseCode !== undefined ? { responseCode: failure.responseCode } : {}), dataSent: state.dataSent, advice: failure.advice });
      const reply = failure.advice.serverReply ?? state.reply;
      // Recipients the server took are taken back by a refusal of the whole message.
      const after = verdict.state === 'unknown' ? recipients : recipients.map((r) => (r.state === 'accepted' ? { ...r, state: verdict.state === 'failed' ? ('rejected' as const) : ('deferred' as const), reply } : r));
      return { state: verdict.state, envelope, recipients: after, reply, advice: failure.advice, ...(verdict.failure ? { failure: verdict.failure } : {}), dataSent: state.dataSent };
    }
  }

  private async transaction(message: OutgoingData, envelope: Envelope, recipients: RecipientOutcome[], state: { dataSent: boolean; reply: string }): Promise<DeliveryOutcome> {
    const params: string[] = [];
    const size = message.raw.length;
    if (this.caps.size !== undefined) params.push(`SIZE=${size}`);
    const utf8 = /[^\x20-\x7e]/.test([envelope.from, ...envelope.to].join(''));
    if (utf8 && this.caps.extensions.includes('SMTPUTF8')) params.push('SMTPUTF8');
    const mailLine = `MAIL FROM:<${addressForCommand(envelope.from)}>${params.length ? ` ${params.join(' ')}` : ''}`;
    const rcptLines = envelope.to.map((address) => `RCPT TO:<${addressForCommand(address)}>`);
    // With PIPELINING (RFC 2920) the envelope and DATA go in one write; the replies must then come
    // one for one, in order: the reader takes exactly as many as were asked for.
    const pipelined = this.caps.extensions.includes('PIPELINING');
    let mail: SmtpReply;
    const rcpts: SmtpReply[] = [];
    let data: SmtpReply | undefined;
    if (pipelined) {
      this.pipeline([mailLine, ...rcptLines, 'DATA']);
      mail = await this.read();
      for (let i = 0; i < rcptLines.length; i++) rcpts.push(await this.read());
      data = await this.read();
    } else {
      mail = await this.command(mailLine);
      if (mail.code === 250) for (const line of rcptLines) rcpts.push(await this.command(line));
    }
    state.reply = escapeServerText(mail.raw);
    if (mail.code !== 250) {
      // A server that says 354 after refusing the sender is out of step: nothing is written, and
      // this connection is done; the refusal itself is still the reason to tell.
      const inStep = data?.code !== 354;
      if (inStep) await this.reset();
      // Sign-in was skipped for want of encryption, and the server wants it after all.
      const advice = this.signInSkipped && mail.code === 530 ? explainNoEncryptionForSignIn(this.ctx, mail.raw) : explainReply(mail.code, mail.raw, 'MAIL FROM', this.ctx);
      throw new AttemptFailure(advice, mail.code, inStep);
    }
    const refusals: SmtpReply[] = [];
    for (const [i, address] of envelope.to.entries()) {
      const rcpt = rcpts[i] as SmtpReply;
      const reply = escapeServerText(rcpt.raw);
      if (rcpt.code === 250 || rcpt.code === 251) recipients.push({ address, state: 'accepted', reply });
      else {
        recipients.push({ address, state: rcpt.code >= 500 ? 'rejected' : 'deferred', reply });
        refusals.push(rcpt);
      }
    }
    if (!recipients.some((r) => r.state === 'accepted')) {
      // A server that says 354 with nobody to deliver to is out of step: this connection is done.
      if (data?.code === 354) this.destroy();
      else await this.reset();
      // One recipient refused for now is reason enough to try again (for those recipients).
      const refusal = refusals.find((r) => r.code < 500) ?? (refusals[0] as SmtpReply);
      const advice = explainReply(refusal.code, refusal.raw, 'RCPT TO', this.ctx);
      const verdict = classifyFailure({ responseCode: refusal.code, dataSent: false, advice });
      return { state: verdict.state, envelope, recipients, reply: escapeServerText(refusal.raw), advice, ...(verdict.failure ? { failure: verdict.failure } : {}), dataSent: false };
    }
    data ??= await this.command('DATA');
    state.reply = escapeServerText(data.raw);
    if (data.code !== 354) {
      if (data.code < 300) {
        // "250" to DATA: the server skipped the data phase; nothing was sent, and it is not in step.
        throw new ProtocolViolation(`it answered DATA with ${data.code} instead of 354`, data.raw);
      }
      await this.reset();
      throw new AttemptFailure(explainReply(data.code, data.raw, 'DATA', this.ctx), data.code, true);
    }
    // The end of the data is followed by NOOP (in the same write when the server pipelines): an
    // honest server answers them in order, so a reply it sent before it had the whole message shows
    // up as one reply too many, and the answer taken for the data is proven to be the real one.
    await this.writeData(message.raw, state, pipelined);
    const final = await this.read('data');
    state.reply = escapeServerText(final.raw);
    const accepted = final.code >= 200 && final.code < 300;
    if (!accepted && pipelined) {
      // A refusal is a refusal; the NOOP's answer only keeps the connection in step (a 421 closes it).
      const noop = await this.read().catch(() => undefined);
      if (noop?.code !== 250) this.destroy();
    } else if (accepted) {
      const noop = pipelined ? await this.read() : await this.command('NOOP');
      if (noop.code !== 250) {
        throw new ProtocolViolation('it sent more than one reply to the end of the message', `${final.raw}\n${noop.raw}`);
      }
      // Anything further, glued on, would mean replies out of step with the commands.
      if (this.reader!.hasUnread()) throw new ProtocolViolation('it sent more replies than commands', `${final.raw}\n${noop.raw}\n${this.reader!.partial()}`);
    }
    if (accepted) {
      const done = recipients.map((r) => (r.state === 'accepted' ? { ...r, reply: state.reply } : r));
      const deferred = done.filter((r) => r.state === 'deferred');
      if (deferred.length === 0) return { state: 'delivered', envelope, recipients: done, reply: state.reply, dataSent: true };
      // Delivered to some; the ones refused for now get it on the next attempt.
      const first = refusals.find((r) => r.code < 500) as SmtpReply;
      return { state: 'retry', envelope, recipients: done, reply: state.reply, advice: explainReply(first.code, first.raw, 'RCPT TO', this.ctx), dataSent: true };
    }
    if (final.code < 400) throw new ProtocolViolation(`it answered the end of the message with ${final.code}`, final.raw);
    throw new AttemptFailure(explainReply(final.code, final.raw, 'DATA', this.ctx), final.code, true);
  }

  /** Writes the message and its final dot; a reply before the last piece stops the upload. */
  private async writeData(raw: Buffer, state: { dataSent: boolean }, noop: boolean): Promise<void> {
    const reader = this.reader!;
    if (reader.hasUnread()) throw new ProtocolViolation('it answered before the message was sent', reader.partial());
    const socket = reader.socket;
    const before = reader.received;
    const pieces = dataPieces(raw);
    const total = pieces.reduce((n, p) => n + p.length, 0);
    const allowed = this.timeoutMs + Math.ceil((total * 1000) / FLOOR_BYTES_PER_SECOND);
    const written = (chunk: Buffer) =>
      new Promise<void>((resolve, reject) => {
        socket.write(chunk, (err) => (err ? reject(err) : resolve()));
      });
    const chunks: Buffer[] = [];
    for (const piece of pieces) for (let at = 0; at < piece.length; at += WRITE_CHUNK) chunks.push(piece.subarray(at, at + WRITE_CHUNK));
    // NOOP travels in the same write as the final dot: once the dot is out, the server may answer
    // at any moment, and that answer must not be mistaken for an early one.
    if (noop) chunks.push(Buffer.concat([chunks.pop() as Buffer, NOOP_LINE]));
    for (const chunk of chunks) {
      // Before the last piece is even handed over, the server cannot have the end of the message:
      // whatever it says now is early, and the upload stops without its final dot.
      if (reader.received !== before) throw new ProtocolViolation('it answered in the middle of the message', reader.partial());
      await this.bounded(written(chunk), allowed, () => new AttemptFailure(explainTimeout('data', this.ctx)));
    }
    // From here on, an early answer is caught by the reply count (see NOOP in transaction()).
    state.dataSent = true;
    this.dataWritten(raw.length);
    if (noop) this.client('NOOP');
  }

  /** RSET after a refused transaction, so the connection can carry the next message. */
  private async reset(): Promise<void> {
    try {
      const reply = await this.command('RSET');
      if (reply.code !== 250) this.broken = true;
    } catch {
      this.broken = true;
    }
  }

  /** Turns whatever stopped the attempt into a failure with advice, in this session's context. */
  private failureOf(error: unknown, dataSent: boolean): AttemptFailure {
    if (error instanceof AttemptFailure) return error;
    this.broken = true;
    if (error instanceof DeadlineExceeded) {
      const advice = explainTimeout(dataSent ? 'data' : 'reply', this.ctx);
      return new AttemptFailure({ ...advice, cause: `${advice.cause} The attempt's overall time limit ran out.` });
    }
    if (error instanceof ProtocolViolation) return new AttemptFailure(explainProtocolViolation(error.what, error.received, { ...this.ctx, afterData: dataSent }));
    if (error instanceof ConnectionClosed) return new AttemptFailure(explainClosed(this.stage, this.ctx, error.received));
    return new AttemptFailure(explainSocketError(error, this.stage, this.ctx));
  }
}

/** One attempt on a connection of its own: connect, sign in, send, say goodbye. */
export async function deliverOnce(endpoint: SmtpEndpoint, message: OutgoingData, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
  const deadline = Date.now() + attemptDeadlineMs(endpoint.timeoutSeconds, message.raw.length);
  let session: SmtpSession;
  try {
    session = await SmtpSession.open(endpoint, deadline, options);
  } catch (error) {
    return setUpFailed(message, error);
  }
  const outcome = await session.send(message, deadline);
  await session.close();
  return outcome;
}

function setUpFailed(message: OutgoingData, error: unknown): DeliveryOutcome {
  const failure = error instanceof AttemptFailure ? error : new AttemptFailure(explainSocketError(error, 'tcp'));
  const verdict = classifyFailure({ ...(failure.responseCode !== undefined ? { responseCode: failure.responseCode } : {}), dataSent: false, advice: failure.advice });
  return {
    state: verdict.state,
    envelope: { from: message.envelope.from, to: [...message.envelope.to] },
    recipients: [],
    reply: failure.advice.serverReply ?? '',
    advice: failure.advice,
    ...(verdict.failure ? { failure: verdict.failure } : {}),
    dataSent: false,
  };
}

export interface PoolOptions {
  maxConnections: number;
  /** Messages one connection carries before it is replaced. */
  maxMessages?: number;
  /** An idle connection is closed after this long. */
  idleMs?: number;
}

/**
 * Connections to one server with one set of credentials, reused message after message, at most
 * maxConnections at once. A connection is reused only while it is in step with the server.
 */
export class SmtpPool {
  private readonly idle: { session: SmtpSession; timer: NodeJS.Timeout }[] = [];
  private open = 0;
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly endpoint: SmtpEndpoint,
    private readonly options: PoolOptions,
  ) {}

  async deliver(message: OutgoingData, options: DeliverOptions = {}): Promise<DeliveryOutcome> {
    await this.slot();
    try {
      const deadline = Date.now() + attemptDeadlineMs(this.endpoint.timeoutSeconds, message.raw.length);
      const reused = this.takeIdle();
      if (reused) {
        const outcome = await reused.send(message, deadline);
        // A connection the server had dropped while idle fails before anything was accepted:
        // that is no verdict on the message, so it goes once more on a fresh connection.
        if (outcome.state !== 'retry' || outcome.dataSent || outcome.recipients.length > 0 || outcome.reply !== '' || Date.now() >= deadline) {
          this.release(reused);
          return outcome;
        }
        reused.destroy();
      }
      let session: SmtpSession;
      try {
        session = await SmtpSession.open(this.endpoint, deadline, options);
      } catch (error) {
        return setUpFailed(message, error);
      }
      const outcome = await session.send(message, deadline);
      this.release(session);
      return outcome;
    } finally {
      this.open--;
      this.waiting.shift()?.();
    }
  }

  /** Waits for room under maxConnections (an idle connection counts as room: it is reused). */
  private async slot(): Promise<void> {
    while (this.open >= Math.max(1, this.options.maxConnections)) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.open++;
  }

  private takeIdle(): SmtpSession | undefined {
    while (this.idle.length > 0) {
      const { session, timer } = this.idle.pop()!;
      clearTimeout(timer);
      if (session.reusable()) return session;
      session.destroy();
    }
    return undefined;
  }

  private release(session: SmtpSession): void {
    if (this.closed || !session.reusable() || session.messages >= (this.options.maxMessages ?? 100)) {
      void session.close();
      return;
    }
    // Keep no more idle connections than may be open at once.
    while (this.idle.length >= Math.max(1, this.options.maxConnections)) void this.idle.shift()!.session.close();
    const timer = setTimeout(() => {
      const i = this.idle.findIndex((e) => e.session === session);
      if (i >= 0) this.idle.splice(i, 1);
      void session.close();
    }, this.options.idleMs ?? 10_000);
    timer.unref();
    this.idle.push({ session, timer });
  }

  /** Closes the idle connections; connections in use close once their message is done. */
  close(): void {
    this.closed = true;
    for (const { session, timer } of this.idle.splice(0)) {
      clearTimeout(timer);
      void session.close();
    }
  }
}
