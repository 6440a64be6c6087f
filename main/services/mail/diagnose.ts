// "Test connection": a small SMTP conversation of its own (not nodemailer), so that each step —
// name lookup, TCP, TLS, greeting, EHLO, STARTTLS, sign-in, sender — is timed, observed and explained.
import { execFile } from 'node:child_process';
import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import type { Advice, AuthMode, Diagnosis, DiagnosisStep, DiagnosisStepId, SecurityMode, TlsVersion } from '../../../preload/contract';
import {
  cancelledAdvice,
  explainAuthNotOffered,
  explainCertificate,
  explainClosed,
  explainInvalidSetting,
  explainNoEncryptionForSignIn,
  explainNoPassword,
  explainNotSmtp,
  explainNoUsableMechanism,
  explainProtocolViolation,
  explainReply,
  explainSocketError,
  explainStarttlsNotOffered,
  explainTimeout,
  explainWrongTlsMode,
  tlsReason,
  type CertificateFacts,
  type ExplainContext,
  type SocketStage,
} from './smtp-explain';
import type { TrafficSink } from '../debug-log/debug-log';
import { ConnectionClosed, ProtocolViolation, ReplyReader, noCapabilities, parseCapabilities, type Capabilities, type SmtpReply } from './smtp-reply';
import { escapeServerText } from '../text/server-text';

export interface ConnectionConfig {
  profileName: string;
  host: string;
  port: number;
  security: SecurityMode;
  minTls: TlsVersion;
  verifyCert: boolean;
  /** PEM text of extra certificate authorities to trust, besides the built-in ones. */
  ca?: string;
  /** Where that PEM came from, for messages. */
  caFile?: string;
  auth: AuthMode;
  username: string;
  password?: string;
  /** An OAuth2 access token: sign in with AUTH XOAUTH2 instead of a password. */
  accessToken?: string;
  fromAddress: string;
  timeoutSeconds: number;
  /** The name sent with EHLO; defaults to this computer's name. */
  clientName?: string;
}

export interface DiagnoseOptions {
  /** Also ping the server once (informational: ICMP is often blocked). */
  ping?: boolean;
  signal?: AbortSignal;
  /** Told every line sent and received, as it is (sign-in lines included), and each step's outcome. */
  transcript?: TrafficSink;
}

/** What each diagnosis step is called, wherever a step is reported. */
export const STEP_TITLES: Readonly<Record<DiagnosisStepId, string>> = {
  token: 'Get an access token',
  graph: 'Reach the mailbox (Microsoft Graph)',
  dns: 'Look up the server name',
  ping: 'Ping',
  tcp: 'Connect',
  tls: 'Encrypt (SSL/TLS)',
  greeting: 'Server greeting',
  ehlo: 'Introduce (EHLO)',
  starttls: 'Encrypt (STARTTLS)',
  auth: 'Sign in',
  sender: 'Check the sender',
};

const NODE_TLS_VERSION: Record<TlsVersion, tls.SecureVersion> = {
  '1.0': 'TLSv1',
  '1.1': 'TLSv1.1',
  '1.2': 'TLSv1.2',
  '1.3': 'TLSv1.3',
};

const LEGACY_PROTOCOLS = new Set(['TLSv1', 'TLSv1.1', 'SSLv3']);
// Long enough for a TLS handshake across the internet, short enough to add little to a failed test.
const TLS_PROBE_MS = 1000;
const QUIT_WAIT_MS = 500;

// ---- small pieces ------------------------------------------------------------------------------

interface Detail {
  label: string;
  value: string;
}

/** Ends a step: the step fails with this advice and the run stops. */
class StepFailure extends Error {
  constructor(
    readonly advice: Advice,
    readonly summary: string,
    /** The server answered in good order (a refusal): the conversation can still end with QUIT. */
    readonly conversationIntact = false,
    /** The profile setting left empty that stopped the step, for the dialog to show under its field. */
    readonly field?: { path: string; message: string },
  ) {
    super(advice.title);
  }
}

class Stop extends Error {}

type Reply = SmtpReply;

function now(): number {
  return performance.now();
}

function round(ms: number): number {
  return Math.max(0, Math.round(ms));
}

function cleanHost(host: string): string {
  return host.trim().replace(/^\[(.*)\]$/, '$1');
}

/** A name that is safe on the EHLO line: letters, digits, dots and hyphens. */
function sanitiseClientName(name: string | undefined): string {
  const cleaned = (name ?? '')
    .replace(/[^A-Za-z0-9.-]/g, '')
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 253);
  return cleaned || 'localhost';
}

function humanSize(bytes: number): string {
  const mb = bytes / 1048576;
  return `${mb >= 10 || Number.isInteger(mb) ? mb.toFixed(0) : mb.toFixed(1)} MB (${bytes.toLocaleString('en-US')} bytes)`;
}

function describeCapabilities(caps: Capabilities, detail: (label: string, value: string) => void, suffix = ''): void {
  detail(`STARTTLS offered${suffix}`, caps.starttls ? 'Yes' : 'No');
  detail(`Sign-in methods (AUTH)${suffix}`, caps.auth.length ? escapeServerText(caps.auth.join(' '), 200) : 'None offered');
  detail(`Size limit${suffix}`, caps.size === undefined ? 'Not stated' : caps.size === 0 ? 'No limit stated' : humanSize(caps.size));
  const known = ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'CHUNKING', 'DSN', 'REQUIRETLS'];
  const listed = known.filter((k) => caps.extensions.includes(k));
  detail(`Extensions${suffix}`, listed.length ? listed.join(', ') : 'None of note');
}

function certificateFacts(socket: tls.TLSSocket): CertificateFacts & { names?: string } {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return {};
  const name = (entity: tls.Certificate | undefined) => {
    if (!entity) return undefined;
    const cn = Array.isArray(entity.CN) ? entity.CN.join(', ') : entity.CN;
    const org = Array.isArray(entity.O) ? entity.O.join(', ') : entity.O;
    const text = cn && org && cn !== org ? `${cn} (${org})` : (cn ?? org);
    return text ? escapeServerText(text, 160) : undefined;
  };
  const validTo = cert.valid_to ? new Date(cert.valid_to) : undefined;
  const facts: CertificateFacts & { names?: string } = {};
  const subject = name(cert.subject);
  const issuer = name(cert.issuer);
  if (subject) facts.subject = subject;
  if (issuer) facts.issuer = issuer;
  if (validTo && !Number.isNaN(validTo.getTime())) facts.validTo = validTo.toISOString().slice(0, 10);
  if (cert.subjectaltname) facts.names = escapeServerText(cert.subjectaltname.replace(/DNS:|IP Address:/g, ''), 200);
  return facts;
}

// ---- the run ---------------------------------------------------------------------------------

class DiagnosisRun {
  private readonly steps: DiagnosisStep[] = [];
  private failure: Diagnosis['failure'];
  private readonly sockets = new Set<net.Socket>();
  private readonly timeoutMs: number;
  private readonly host: string;
  private readonly ctx: ExplainContext;
  private aborted = false;
  private abortReject: ((err: Error) => void) | undefined;
  private readonly aborting: Promise<never>;
  private addresses: { address: string; family: number }[] = [];
  private address = '';
  private reader: ReplyReader | undefined;
  private caps: Capabilities | undefined;
  private encrypted = false;
  /** Complete replies read so far: before the first, an answer in another language is "not SMTP". */
  private repliesRead = 0;
  /** Authorisation Optional over a connection that could not be encrypted: the password stays home. */
  private signInWithheld = false;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly options: DiagnoseOptions,
  ) {
    this.timeoutMs = Math.max(1, config.timeoutSeconds) * 1000;
    this.host = cleanHost(config.host);
    this.ctx = {
      host: this.host,
      port: config.port,
      security: config.security,
      minTls: config.minTls,
      timeoutSeconds: config.timeoutSeconds,
      ...(config.caFile ? { caFile: config.caFile } : {}),
      ...(config.accessToken ? { oauth: true } : {}),
    };
    this.aborting = new Promise<never>((_, reject) => {
      this.abortReject = reject;
    });
    this.aborting.catch(() => undefined);
  }

  async run(): Promise<Diagnosis> {
    const startedAt = new Date();
    const started = now();
    const signal = this.options.signal;
    const onAbort = () => {
      this.aborted = true;
      this.closeAll();
      this.abortReject?.(new Error('cancelled'));
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.dnsStep();
      if (this.options.ping) await this.pingStep();
      await this.tcpStep();
      await this.tlsStep();
      await this.greetingStep();
      await this.ehloStep();
      await this.starttlsStep();
      await this.authStep();
      await this.senderStep();
      await this.quit();
    } catch (err) {
      if (!(err instanceof Stop)) throw err;
      await this.quit();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.closeAll();
    }
    return {
      ok: this.failure === undefined,
      profileName: this.config.profileName,
      target: `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.config.port}`,
      startedAt: startedAt.toISOString(),
      totalMs: round(now() - started),
      steps: this.steps,
      ...(this.failure ? { failure: this.failure } : {}),
    };
  }

  // -- plumbing --

  private track<T extends net.Socket>(socket: T): T {
    this.sockets.add(socket);
    // Errors are read where they matter; this keeps a late one from becoming an uncaught exception.
    socket.on('error', () => undefined);
    return socket;
  }

  private closeAll(): void {
    // Newest first: a TLS socket before the plain socket under it. Tearing the plain socket
    // down from below a live TLS wrap can crash Node.
    for (const socket of [...this.sockets].reverse()) socket.destroy();
    this.sockets.clear();
  }

  /** Waits for `promise` at most `ms`, or until the run is cancelled. */
  private async within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(onTimeout()), ms);
    });
    try {
      return await Promise.race([promise, timeout, this.aborting]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async step(
    id: DiagnosisStepId,
    body: (detail: (label: string, value: string) => void) => Promise<{ status: DiagnosisStep['status']; summary: string }>,
  ): Promise<void> {
    const started = now();
    const details: Detail[] = [];
    const detail = (label: string, value: string) => details.push({ label, value });
    try {
      if (this.aborted) throw new Error('cancelled');
      const outcome = await body(detail);
      this.steps.push({ id, title: STEP_TITLES[id], status: outcome.status, durationMs: round(now() - started), summary: outcome.summary, details });
      this.report((t) => t.note(outcome.status === 'warning' ? 'warn' : 'info', `${STEP_TITLES[id]}: ${outcome.summary}`));
    } catch (err) {
      let failure: StepFailure;
      if (this.aborted) failure = new StepFailure(cancelledAdvice(), 'Cancelled');
      else if (err instanceof StepFailure) failure = err;
      else {
        failure = this.explain(err, id);
        if (err instanceof Error && !(err instanceof ConnectionClosed) && !(err instanceof ProtocolViolation)) {
          const code = (err as NodeJS.ErrnoException).code;
          details.push({ label: 'Error', value: escapeServerText(`${tlsReason(err.message)}${code ? ` (${code})` : ''}`, 300) });
        }
      }
      if (!failure.conversationIntact) {
        this.closeAll();
        this.reader = undefined;
      }
      this.steps.push({ id, title: STEP_TITLES[id], status: 'failed', durationMs: round(now() - started), summary: failure.summary, details });
      this.report((t) => t.note('error', `${STEP_TITLES[id]} failed: ${failure.summary}`));
      this.failure = { ...failure.advice, step: id, ...(failure.field ? { field: failure.field } : {}) };
      throw new Stop();
    }
  }

  private skip(id: DiagnosisStepId, summary: string, details: Detail[] = []): void {
    this.steps.push({ id, title: STEP_TITLES[id], status: 'skipped', durationMs: 0, summary, details });
    this.report((t) => t.note('info', `${STEP_TITLES[id]}: skipped, ${summary}`));
  }

  /** Tells the debug log, which must never disturb the test. */
  private report(fn: (transcript: TrafficSink) => void): void {
    const transcript = this.options.transcript;
    if (!transcript) return;
    try {
      fn(transcript);
    } catch {
      // The log is a bystander.
    }
  }

  private stageOf(id: DiagnosisStepId): SocketStage {
    switch (id) {
      case 'dns':
      case 'tcp':
      case 'tls':
      case 'starttls':
      case 'greeting':
        return id;
      default:
        return 'smtp';
    }
  }

  private explain(err: unknown, id: DiagnosisStepId): StepFailure {
    const stage = this.stageOf(id);
    if (err instanceof ConnectionClosed) return new StepFailure(explainClosed(stage, this.ctx, err.received), 'The server closed the connection');
    if (err instanceof ProtocolViolation) {
      // Nothing SMTP-like before the first complete reply: another kind of service on this port.
      if (this.repliesRead === 0 && !/^\d{3}/.test(err.received)) return new StepFailure(explainNotSmtp(err.received, this.ctx), 'The answer is not SMTP');
      return new StepFailure(explainProtocolViolation(err.what, err.received, this.ctx), 'The server broke the SMTP protocol');
    }
    const advice = explainSocketError(err, stage, this.ctx);
    return new StepFailure(advice, advice.title);
  }

  private async read(id: DiagnosisStepId, stage: 'greeting' | 'reply' = 'reply'): Promise<Reply> {
    const reader = this.reader;
    if (!reader) throw new ConnectionClosed('');
    // One deadline for the whole reply: a server that drips bytes does not extend it.
    const reply = await this.within(reader.read(), this.timeoutMs, () => {
      const partial = reader.partial();
      if (partial) this.report((t) => t.note('warn', `Incomplete reply: ${partial}`));
      const advice = explainTimeout(stage === 'greeting' && partial ? 'reply' : stage, this.ctx);
      const what = id === 'greeting' ? 'greeting' : 'reply';
      return new StepFailure(partial ? { ...advice, serverReply: escapeServerText(partial) } : advice, `No complete ${what} within ${this.config.timeoutSeconds} s`);
    });
    this.repliesRead += 1;
    this.report((t) => t.server(reply.raw));
    return reply;
  }

  private async command(id: DiagnosisStepId, line: string): Promise<Reply> {
    const reader = this.reader;
    if (!reader) throw new ConnectionClosed('');
    // Anything that arrived unasked would be taken as the answer to this command.
    if (reader.hasUnread()) throw new ProtocolViolation('it sent a reply nobody asked for', reader.partial());
    // Reported as sent, sign-in lines included: masking them is the debug log's job.
    this.report((t) => t.client(line));
    reader.socket.write(`${line}\r\n`);
    return this.read(id);
  }

  // -- steps --

  private async dnsStep(): Promise<void> {
    if (net.isIP(this.host)) {
      this.addresses = [{ address: this.host, family: net.isIP(this.host) }];
      this.skip('dns', 'An IP address: no lookup needed', [{ label: 'Address', value: this.host }]);
      return;
    }
    await this.step('dns', async (detail) => {
      if (this.host === '') {
        throw new StepFailure(explainInvalidSetting('No server name is set for this profile.', 'Enter the SMTP server name from your mail provider, for example smtp.office365.com.'), 'No server name');
      }
      detail('Name', this.host);
      const found = await this.within(dns.promises.lookup(this.host, { all: true }), this.timeoutMs, () =>
        Object.assign(new Error(`Looking up ${this.host} timed out`), { code: 'EAI_AGAIN' }),
      );
      // IPv4 first: it is what most mail servers and networks are set up for.
      this.addresses = [...found].sort((a, b) => a.family - b.family);
      detail('Addresses', this.addresses.map((a) => a.address).join(', '));
      return { status: 'passed', summary: `${this.host} is ${this.addresses[0]?.address ?? '?'}${this.addresses.length > 1 ? ` and ${this.addresses.length - 1} more` : ''}` };
    });
  }

  private async pingStep(): Promise<void> {
    const target = this.addresses[0]?.address ?? this.host;
    const started = now();
    const details: Detail[] = [{ label: 'Note', value: 'Many servers and firewalls block ping (ICMP): no reply is not a fault.' }];
    const args =
      process.platform === 'win32'
        ? ['-n', '1', '-w', '2000', target]
        : process.platform === 'darwin'
          ? ['-c', '1', '-t', '2', target]
          : ['-c', '1', '-W', '2', target];
    const result = await this.within(
      new Promise<{ missing: boolean; ok: boolean; output: string }>((resolve) => {
        execFile('ping', args, { timeout: 3000, windowsHide: true, ...(this.options.signal ? { signal: this.options.signal } : {}) }, (error, stdout) => {
          const code = (error as NodeJS.ErrnoException | null)?.code;
          resolve({ missing: code === 'ENOENT' || code === 'EACCES', ok: !error, output: String(stdout) });
        });
      }),
      4000,
      () => new Error('ping timed out'),
    ).catch(() => ({ missing: false, ok: false, output: '' }));
    if (this.aborted) return;
    const durationMs = round(now() - started);
    if (result.missing) {
      this.steps.push({ id: 'ping', title: STEP_TITLES.ping, status: 'skipped', durationMs, summary: 'No ping program on this computer', details });
      return;
    }
    const time = /time[=<]\s*([\d.,]+)\s*ms/i.exec(result.output)?.[1];
    if (time) details.unshift({ label: 'Round trip', value: `${time} ms` });
    const summary = result.ok ? `Reply from ${target}${time ? ` in ${time} ms` : ''}` : `No reply from ${target} (ping is often blocked; this is not a fault)`;
    this.steps.push({ id: 'ping', title: STEP_TITLES.ping, status: 'info', durationMs, summary, details });
  }

  private async tcpStep(): Promise<void> {
    await this.step('tcp', async (detail) => {
      const deadline = now() + this.timeoutMs;
      let lastError: unknown;
      for (const { address, family } of this.addresses) {
        const socket = this.track(new net.Socket());
        try {
          const connected = new Promise<void>((resolve, reject) => {
            socket.once('connect', resolve);
            socket.once('error', reject);
          });
          socket.connect({ host: address, port: this.config.port, family });
          await this.within(connected, Math.max(1, deadline - now()), () => new StepFailure(explainTimeout('connect', this.ctx), `No answer within ${this.config.timeoutSeconds} s`));
          socket.setNoDelay(true);
          this.address = address;
          this.reader = new ReplyReader(socket);
          detail('Address', `${address} port ${this.config.port}`);
          if (socket.localAddress) detail('From', `${socket.localAddress} port ${socket.localPort ?? '?'}`);
          return { status: 'passed', summary: `Connected to ${address} port ${this.config.port}` };
        } catch (err) {
          socket.destroy();
          lastError = err;
          const code = (err as NodeJS.ErrnoException).code ?? '';
          detail(`Tried ${address}`, escapeServerText((err as Error).message ?? String(err), 200));
          // Another address may work when this one is refused or unroutable; a timeout has used the budget.
          if (!['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'].includes(code)) break;
        }
      }
      throw lastError ?? new StepFailure(explainInvalidSetting('The server name has no address.', 'Check the server name.'), 'No address');
    });
  }

  private tlsOptions(socket: net.Socket): tls.ConnectionOptions {
    const legacy = this.config.minTls === '1.0' || this.config.minTls === '1.1';
    return {
      socket,
      host: this.host,
      ...(net.isIP(this.host) ? {} : { servername: this.host }),
      minVersion: NODE_TLS_VERSION[this.config.minTls],
      // OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; the user asked for them explicitly.
      ...(legacy ? { ciphers: 'DEFAULT@SECLEVEL=0' } : {}),
      ...(this.config.ca ? { ca: [...tls.rootCertificates, this.config.ca] } : {}),
      // Verification is decided below, so the certificate can be shown whatever its state.
      rejectUnauthorized: false,
    };
  }

  /** Runs a TLS handshake over `plain` and reports it; fails (before any password) when the certificate must verify and does not. */
  private async handshake(
    plain: net.Socket,
    stage: 'tls' | 'starttls',
    detail: (label: string, value: string) => void,
  ): Promise<{ socket: tls.TLSSocket; status: 'passed' | 'warning'; summary: string }> {
    const socket = this.track(tls.connect(this.tlsOptions(plain)));
    const secured = new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
      socket.once('close', () => reject(Object.assign(new Error('The server closed the connection during the TLS handshake'), { code: 'ECONNRESET' })));
    });
    await this.within(secured, this.timeoutMs, () => new StepFailure(explainTimeout(stage, this.ctx), `No TLS handshake within ${this.config.timeoutSeconds} s`));
    socket.setNoDelay(true);

    const protocol = socket.getProtocol() ?? 'unknown';
    const cipher = socket.getCipher();
    const cert = certificateFacts(socket);
    detail('Protocol', protocol);
    if (cipher?.name) detail('Cipher', cipher.standardName || cipher.name);
    detail('Certificate issued to', cert.subject ?? 'Not stated');
    if (cert.names) detail('Names on the certificate', cert.names);
    detail('Issuer', cert.issuer ?? 'Not stated');
    detail('Valid until', cert.validTo ?? 'Not stated');
    const reason = socket.authorized ? undefined : String(socket.authorizationError ?? 'unknown reason');
    detail('Certificate verified', reason ? `No (${escapeServerText(reason, 120)})` : 'Yes');
    if (this.config.caFile) detail('Extra CA file', escapeServerText(this.config.caFile, 200));

    if (reason && this.config.verifyCert) {
      throw new StepFailure(explainCertificate(reason, cert, this.ctx), `Certificate not trusted: ${escapeServerText(reason, 120)}`);
    }
    const legacy = LEGACY_PROTOCOLS.has(protocol);
    if (legacy) detail('Warning', `${protocol} is outdated and has known weaknesses; ask the provider to enable TLS 1.2 or later.`);
    if (reason) detail('Warning', 'Certificate verification is turned off: the connection is encrypted but the server is not proven to be who it claims.');
    const status = legacy || reason ? 'warning' : 'passed';
    const summary = `Encrypted with ${protocol}${legacy ? ' (outdated)' : ''}${reason ? ', certificate not verified' : ', certificate verified'}`;
    return { socket, status, summary };
  }

  private async tlsStep(): Promise<void> {
    if (this.config.security !== 'tls') {
      this.skip(
        'tls',
        this.config.security === 'none'
          ? 'Security is None: the connection is not encrypted'
          : 'Not used with STARTTLS: encryption starts after EHLO (see the STARTTLS step)',
      );
      return;
    }
    await this.step('tls', async (detail) => {
      const plainReader = this.reader;
      if (!plainReader) throw new ConnectionClosed('');
      plainReader.detach();
      this.reader = undefined;
      const result = await this.handshake(plainReader.socket, 'tls', detail);
      this.reader = new ReplyReader(result.socket);
      this.encrypted = true;
      return { status: result.status, summary: result.summary };
    });
  }

  /** After a silent greeting: does this port answer a TLS handshake instead? */
  private async probeImplicitTls(): Promise<string | undefined> {
    const budget = Math.min(TLS_PROBE_MS, this.timeoutMs / 2);
    const socket = this.track(
      tls.connect({
        host: this.address,
        port: this.config.port,
        ...(net.isIP(this.host) ? {} : { servername: this.host }),
        minVersion: 'TLSv1',
        ciphers: 'DEFAULT@SECLEVEL=0',
        rejectUnauthorized: false,
      }),
    );
    try {
      await this.within(
        new Promise<void>((resolve, reject) => {
          socket.once('secureConnect', () => resolve());
          socket.once('error', reject);
          socket.once('close', () => reject(new Error('closed')));
        }),
        budget,
        () => new Error('no TLS answer'),
      );
      return socket.getProtocol() ?? 'TLS';
    } catch {
      return undefined;
    } finally {
      socket.destroy();
      this.sockets.delete(socket);
    }
  }

  private async greetingStep(): Promise<void> {
    await this.step('greeting', async (detail) => {
      let reply: Reply;
      try {
        reply = await this.read('greeting', 'greeting');
      } catch (err) {
        const silent = (this.reader?.received ?? 0) === 0;
        if (err instanceof StepFailure && silent && this.config.security !== 'tls' && !this.aborted) {
          this.reader?.socket.destroy();
          const protocol = await this.probeImplicitTls();
          detail('TLS check', protocol ? `This port completed a TLS handshake (${protocol}): it expects SSL/TLS` : 'No TLS answer either');
          if (protocol) throw new StepFailure(explainWrongTlsMode('use-ssl', this.ctx), 'No greeting: this port expects SSL/TLS');
          throw new StepFailure(err.advice, `No greeting within ${this.config.timeoutSeconds} s`);
        }
        throw err;
      }
      detail('Server says', escapeServerText(reply.raw, 300));
      if (reply.code !== 220) throw new StepFailure(explainReply(reply.code, reply.raw, 'greeting', this.ctx), `The server answered ${reply.code}`, true);
      return { status: 'passed', summary: escapeServerText(reply.lines[0] ?? '', 160) || 'Greeted' };
    });
  }

  private clientName(): string {
    return sanitiseClientName(this.config.clientName ?? os.hostname());
  }

  private async ehloStep(): Promise<void> {
    await this.step('ehlo', async (detail) => {
      const name = this.clientName();
      detail('Client name', name);
      const ehlo = await this.command('ehlo', `EHLO ${name}`);
      if (ehlo.code === 250) {
        this.caps = parseCapabilities(ehlo);
        if (ehlo.lines[0]) detail('Server name', escapeServerText(ehlo.lines[0], 160));
        describeCapabilities(this.caps, detail);
        return { status: 'passed', summary: `Capabilities: ${this.caps.auth.length ? `AUTH ${this.caps.auth.join(' ')}` : 'no AUTH'}${this.caps.starttls ? ', STARTTLS' : ''}` };
      }
      if (ehlo.code < 500 || ehlo.code === 421) throw new StepFailure(explainReply(ehlo.code, ehlo.raw, 'EHLO', this.ctx), `EHLO refused (${ehlo.code})`, true);
      detail('EHLO refused', escapeServerText(ehlo.raw, 200));
      const helo = await this.command('ehlo', `HELO ${name}`);
      if (helo.code !== 250) throw new StepFailure(explainReply(helo.code, helo.raw, 'HELO', this.ctx), `EHLO and HELO refused (${helo.code})`, true);
      this.caps = noCapabilities();
      detail('Fallback', 'HELO accepted: the server lists no extensions, so no STARTTLS and no sign-in');
      return { status: 'warning', summary: 'Old-style server: EHLO refused, HELO accepted (no extensions)' };
    });
  }

  private async starttlsStep(): Promise<void> {
    const security = this.config.security;
    if (security === 'none') {
      this.skip('starttls', this.caps?.starttls ? 'Security is None, though the server offers STARTTLS: choose STARTTLS to encrypt' : 'Security is None: the connection is not encrypted');
      return;
    }
    if (security === 'tls') {
      this.skip('starttls', 'Not used with SSL/TLS: the connection is encrypted from the start');
      return;
    }
    await this.step('starttls', async (detail) => {
      if (!this.caps?.starttls) {
        detail('STARTTLS offered', 'No');
        const secret = this.config.accessToken ? 'access token' : 'password';
        if (security === 'starttls-required') {
          throw new StepFailure(explainStarttlsNotOffered(this.ctx), `STARTTLS required but the server does not offer it; the ${secret} was not sent`, true);
        }
        // The sender never signs in over an unencrypted connection unless Security is None: the test says so now.
        if (this.mustSignIn()) {
          throw new StepFailure(explainNoEncryptionForSignIn(this.ctx), `The server does not offer STARTTLS; the ${secret} was not sent`, true);
        }
        this.signInWithheld = this.config.auth === 'optional' && !!this.config.password;
        detail(
          'Warning',
          this.signInWithheld
            ? 'Mail will cross the network unencrypted, and without signing in: the password is never sent unencrypted.'
            : 'Mail will cross the network unencrypted.',
        );
        return { status: 'warning', summary: 'The server does not offer STARTTLS: continuing without encryption' };
      }
      const reply = await this.command('starttls', 'STARTTLS');
      if (reply.code !== 220) throw new StepFailure(explainReply(reply.code, reply.raw, 'STARTTLS', this.ctx), `STARTTLS refused (${reply.code})`, true);
      const plainReader = this.reader;
      if (!plainReader) throw new ConnectionClosed('');
      // Anything sent before the handshake could be injected by an attacker; it is dropped.
      const leftover = plainReader.detach();
      if (leftover > 0) detail('Discarded', `${leftover} bytes the server sent before encryption started`);
      this.reader = undefined;
      const result = await this.handshake(plainReader.socket, 'starttls', detail);
      this.reader = new ReplyReader(result.socket);
      this.encrypted = true;

      // Capabilities can change once encrypted (many servers offer AUTH only now): use the new ones.
      const ehlo = await this.command('starttls', `EHLO ${this.clientName()}`);
      if (ehlo.code !== 250) throw new StepFailure(explainReply(ehlo.code, ehlo.raw, 'EHLO', this.ctx), `EHLO after STARTTLS refused (${ehlo.code})`, true);
      this.caps = parseCapabilities(ehlo);
      describeCapabilities(this.caps, detail, ' after encryption');
      return { status: result.status, summary: result.summary };
    });
  }

  /** Whether sending would have to sign in: an access token, or Authorisation Required. */
  private mustSignIn(): boolean {
    return !!this.config.accessToken || this.config.auth === 'required';
  }

  /** Credentials go only over an encrypted connection, unless the admin chose no encryption at all. */
  private mayRevealCredentials(): boolean {
    return this.encrypted || this.config.security === 'none';
  }

  private async authStep(): Promise<void> {
    const { auth, password } = this.config;
    if (this.config.accessToken) return this.xoauth2Step(this.config.accessToken);
    if (auth === 'none') {
      this.skip('auth', 'Authorisation is None: mail is sent without signing in');
      return;
    }
    if (auth === 'optional' && !password) {
      this.skip('auth', 'No password set: mail is sent without signing in (Authorisation is Optional)');
      return;
    }
    if (auth === 'optional' && (this.signInWithheld || !this.mayRevealCredentials())) {
      this.signInWithheld = true;
      this.skip('auth', 'Not signed in: the connection is not encrypted, so the password was not sent (Authorisation is Optional)');
      return;
    }
    await this.step('auth', async (detail) => {
      // A setting left empty ends the test here, named with its field; every step before has run.
      if (!this.config.username) {
        throw new StepFailure(
          explainInvalidSetting('No user name is set, so Mailroom cannot sign in.', 'Enter the user name (often the full email address).'),
          'No user name set',
          true,
          { path: 'username', message: auth === 'optional' ? 'Required to sign in with the password' : 'Required when Authorisation is Required' },
        );
      }
      if (!password) throw new StepFailure(explainNoPassword(), 'No password set', true, { path: 'password', message: 'Required when Authorisation is Required' });
      const caps = this.caps;
      detail('User name', escapeServerText(this.config.username, 200));
      if (!caps || caps.auth.length === 0) {
        if (auth === 'optional') {
          detail('Note', 'The server does not offer sign-in; mail will be sent without signing in.');
          return { status: 'warning', summary: 'The server does not offer sign-in: sending without it' };
        }
        throw new StepFailure(explainAuthNotOffered({ ...this.ctx, encrypted: this.encrypted }), 'The server does not offer sign-in (AUTH)', true);
      }
      const mechanism = caps.auth.includes('PLAIN') ? 'PLAIN' : caps.auth.includes('LOGIN') ? 'LOGIN' : undefined;
      if (!mechanism) throw new StepFailure(explainNoUsableMechanism(caps.auth), 'No usable sign-in method');
      if (!this.mayRevealCredentials()) {
        // The STARTTLS step stops first; this guard holds whatever path led here.
        throw new StepFailure(explainNoEncryptionForSignIn(this.ctx), 'Not encrypted: the password was not sent', true);
      }
      detail('Method', mechanism);
      if (!this.encrypted) detail('Warning', 'The password crossed the network unencrypted (Security is None).');

      const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
      let reply: Reply;
      if (mechanism === 'PLAIN') {
        reply = await this.command('auth', `AUTH PLAIN ${b64(`\0${this.config.username}\0${password}`)}`);
      } else {
        reply = await this.command('auth', 'AUTH LOGIN');
        if (reply.code === 334) reply = await this.command('auth', b64(this.config.username));
        if (reply.code === 334) reply = await this.command('auth', b64(password));
      }
      if (reply.code !== 235) {
        throw new StepFailure(explainReply(reply.code, reply.raw, `AUTH ${mechanism}`, this.ctx), `Sign-in refused (${reply.code})`, true);
      }
      return {
        status: this.encrypted ? 'passed' : 'warning',
        summary: `Signed in as ${escapeServerText(this.config.username, 120)} with ${mechanism}${this.encrypted ? '' : ' (unencrypted)'}`,
      };
    });
  }

  /** AUTH XOAUTH2 with the access token; a refusal comes as a 334 challenge carrying JSON, then 535. */
  private async xoauth2Step(token: string): Promise<void> {
    await this.step('auth', async (detail) => {
      const caps = this.caps;
      detail('Mailbox', escapeServerText(this.config.username, 200));
      detail('Method', 'XOAUTH2');
      if (!caps || !caps.auth.includes('XOAUTH2')) {
        throw new StepFailure(explainXoauth2NotOffered(caps?.auth ?? [], this.ctx), 'The server does not offer OAuth2 sign-in (XOAUTH2)', true);
      }
      if (!this.mayRevealCredentials()) throw new StepFailure(explainNoEncryptionForSignIn(this.ctx), 'Not encrypted: the access token was not sent', true);
      const initial = Buffer.from(`user=${this.config.username}\x01auth=Bearer ${token}\x01\x01`, 'utf8').toString('base64');
      let reply = await this.command('auth', `AUTH XOAUTH2 ${initial}`);
      if (reply.code === 334) {
        const challenge = decodeXoauth2Challenge(reply.raw);
        if (challenge) detail('Server says', escapeServerText(challenge, 300));
        // The client answers the error challenge with an empty line; the final reply follows.
        reply = await this.command('auth', '');
      }
      if (reply.code !== 235) {
        throw new StepFailure(explainReply(reply.code, reply.raw, 'AUTH XOAUTH2', this.ctx), `Sign-in refused (${reply.code})`, true);
      }
      if (!this.encrypted) detail('Warning', 'The access token crossed the network unencrypted (Security is None).');
      return {
        status: this.encrypted ? 'passed' : 'warning',
        summary: `Signed in as ${escapeServerText(this.config.username, 120)} with an OAuth2 access token${this.encrypted ? '' : ' (unencrypted)'}`,
      };
    });
  }

  private async senderStep(): Promise<void> {
    // eslint-disable-next-line no-control-regex
    const from = this.config.fromAddress.trim().replace(/[\u0000-\u001f\u007f<>]/g, '');
    if (!from) {
      this.skip('sender', 'No From address set: the sender was not checked');
      return;
    }
    await this.step('sender', async (detail) => {
      detail('From address', escapeServerText(from, 200));
      const utf8 = /[^\x20-\x7e]/.test(from) && this.caps?.extensions.includes('SMTPUTF8');
      const reply = await this.command('sender', `MAIL FROM:<${from}>${utf8 ? ' SMTPUTF8' : ''}`);
      detail('Server says', escapeServerText(reply.raw, 300));
      if (reply.code !== 250) {
        // Sign-in was withheld for want of encryption, and the server wants it after all.
        const advice = this.signInWithheld && reply.code === 530 ? explainNoEncryptionForSignIn(this.ctx, reply.raw) : explainReply(reply.code, reply.raw, 'MAIL FROM', this.ctx);
        throw new StepFailure(advice, `Sender refused (${reply.code})`, true);
      }
      // Nothing is sent: reset the transaction before saying goodbye.
      await this.command('sender', 'RSET').catch(() => undefined);
      return { status: 'passed', summary: `The server accepts ${escapeServerText(from, 120)} as sender` };
    });
  }

  /** A polite goodbye when the conversation is still usable; never decides the outcome. */
  private async quit(): Promise<void> {
    const reader = this.reader;
    if (!reader || this.aborted || reader.socket.destroyed) return;
    try {
      this.report((t) => t.client('QUIT'));
      reader.socket.write('QUIT\r\n');
      const reply = await this.within(reader.read(), Math.min(QUIT_WAIT_MS, this.timeoutMs), () => new Error('no reply to QUIT'));
      this.report((t) => t.server(reply.raw));
    } catch {
      // The verdict is in; a missing goodbye does not change it.
    }
  }
}

/** The JSON error a server puts in the 334 challenge after a refused XOAUTH2 token, as text. */
function decodeXoauth2Challenge(raw: string): string | undefined {
  const b64 = /^334[ -](\S+)/.exec(raw.trim())?.[1];
  if (!b64) return undefined;
  const text = Buffer.from(b64, 'base64').toString('utf8');
  return /^\s*\{/.test(text) ? text : undefined;
}

function explainXoauth2NotOffered(mechanisms: readonly string[], ctx: ExplainContext): Advice {
  const offered = mechanisms.length > 0 ? mechanisms.join(', ') : 'none';
  return {
    code: 'auth-xoauth2-not-offered',
    title: 'The server does not offer OAuth2 sign-in',
    cause: `${ctx.host ?? 'The server'} does not list XOAUTH2 among its sign-in methods (it offers: ${offered}). Microsoft 365 offers it on smtp.office365.com port 587 after STARTTLS.`,
    fix: 'For Microsoft 365 set Server to smtp.office365.com, Port 587 and Security to STARTTLS (required); for other servers use Basic authentication.',
  };
}

/**
 * Tests a connection step by step; never throws for network or server trouble, it explains it.
 * Steps run in DIAGNOSIS_STEPS order; one that does not apply is listed as skipped with the reason,
 * the first failure ends the run and later steps are not listed. Ping is listed only when asked for.
 */
export async function diagnose(config: ConnectionConfig, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  return new DiagnosisRun(config, options).run();
}
