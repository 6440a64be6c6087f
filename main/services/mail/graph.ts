// Sending through Microsoft Graph: the stored MIME message becomes a Graph message resource. Small
// messages go in one sendMail call; with 3 MB of attachments or more, a draft is created, large
// attachments are uploaded in an upload session, and the draft is sent. Throttling (429 with
// Retry-After) is waited out when short, and handed back to the outbox when long.
import type { AddressObject } from 'mailparser';
import type { Advice } from '../../../preload/contract';
import { httpsRequest, HttpRequestError, type HttpsResponse } from '../net/https-request';
import type { MicrosoftCloud } from '../oauth/microsoft-cloud';
import type { AccessToken } from '../oauth/oauth-service';
import { escapeServerText } from '../text/server-text';
import type { DeliveryOutcome, Envelope } from './smtp-delivery';

/** Attachments of 3 MB or more go through an upload session (Graph opens none for smaller ones). */
export const UPLOAD_SESSION_THRESHOLD = 3_000_000;
/** Graph refuses requests over 4 MB (4 MiB); base64 makes attachments a third larger, so budget the JSON. */
const MAX_JSON_BYTES = 4_150_000;
/** Upload chunks must be multiples of 320 KiB; ten of them stay under the 4 MB request limit. */
export const UPLOAD_CHUNK_BYTES = 320 * 1024 * 10;
/** Waits longer than this are not done inline: the outbox schedules the next attempt instead. */
const MAX_INLINE_WAIT_MS = 30_000;
const MAX_INLINE_RETRIES = 3;

export interface GraphTarget {
  /** e.g. https://graph.microsoft.com */
  graphUrl: string;
  ca?: string;
  token: string;
  /** The signed-in mailbox, to tell whether From names another one (send as). */
  account: string;
  timeoutMs: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface GraphSendInput {
  raw: Buffer;
  /** Every recipient of the envelope; those not in To or Cc are sent as Bcc. */
  envelopeTo: string[];
  messageId: string;
}

export interface GraphSendResult {
  /** A line for the outbox's "last reply". */
  response: string;
  path: 'sendMail' | 'draft';
}

export type GraphFailureKind = 'temporary' | 'permanent' | 'config' | 'unknown';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly kind: GraphFailureKind,
    readonly advice: Advice,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

interface Recipient {
  emailAddress: { address: string; name?: string };
}

interface FileAttachment {
  name: string;
  contentType: string;
  content: Buffer;
  isInline: boolean;
  contentId?: string;
}

export interface GraphMessage {
  subject: string;
  body: { contentType: 'HTML' | 'Text'; content: string };
  toRecipients: Recipient[];
  ccRecipients: Recipient[];
  bccRecipients: Recipient[];
  replyTo: Recipient[];
  from?: Recipient;
  internetMessageId?: string;
  attachments: FileAttachment[];
}

function recipients(field: AddressObject | AddressObject[] | undefined): Recipient[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const out: Recipient[] = [];
  const visit = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.group) visit(e.group);
      else if (e.address) out.push({ emailAddress: { address: e.address, ...(e.name ? { name: e.name } : {}) } });
    }
  };
  for (const o of objects) visit(o.value);
  return out;
}

/** The Graph message resource for a stored MIME message. */
export async function graphMessageFromMime(input: GraphSendInput, account: string): Promise<GraphMessage> {
  // The parser is loaded when Graph is first used.
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(input.raw, { skipImageLinks: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  const to = recipients(parsed.to);
  const cc = recipients(parsed.cc);
  const seen = new Set([...to, ...cc].map((r) => r.emailAddress.address.toLowerCase()));
  const bcc = input.envelopeTo.filter((a) => !seen.has(a.toLowerCase())).map((address) => ({ emailAddress: { address } }));
  const from = recipients(parsed.from)[0];
  const html = typeof parsed.html === 'string' ? parsed.html : undefined;
  return {
    subject: parsed.subject ?? '',
    body: html !== undefined ? { contentType: 'HTML', content: html } : { contentType: 'Text', content: parsed.text ?? '' },
    toRecipients: to,
    ccRecipients: cc,
    bccRecipients: bcc,
    replyTo: recipients(parsed.replyTo),
    // Only when it names another mailbox (a shared one, with Send As): otherwise Graph fills it in.
    ...(from && from.emailAddress.address.toLowerCase() !== account.toLowerCase() ? { from } : {}),
    internetMessageId: input.messageId,
    attachments: parsed.attachments.map((a) => ({
      name: a.filename ?? 'attachment',
      contentType: a.contentType || 'application/octet-stream',
      content: a.content,
      isInline: a.contentDisposition === 'inline' && Boolean(a.cid),
      ...(a.cid ? { contentId: a.cid } : {}),
    })),
  };
}

function attachmentJson(a: FileAttachment) {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: a.name,
    contentType: a.contentType,
    contentBytes: a.content.toString('base64'),
    isInline: a.isInline,
    ...(a.contentId ? { contentId: a.contentId } : {}),
  };
}

/** Bytes an attachment adds to a JSON request (base64 plus its properties). */
function encodedSize(a: FileAttachment): number {
  return Math.ceil(a.content.length / 3) * 4 + Buffer.byteLength(a.name) + 200;
}

function messageJson(m: GraphMessage, attachments: FileAttachment[]) {
  return {
    subject: m.subject,
    body: m.body,
    toRecipients: m.toRecipients,
    ccRecipients: m.ccRecipients,
    bccRecipients: m.bccRecipients,
    ...(m.replyTo.length > 0 ? { replyTo: m.replyTo } : {}),
    ...(m.from ? { from: m.from } : {}),
    ...(m.internetMessageId ? { internetMessageId: m.internetMessageId } : {}),
    ...(attachments.length > 0 ? { attachments: attachments.map(attachmentJson) } : {}),
  };
}

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new HttpRequestError('Cancelled', 'ECANCELLED'));
    }, { once: true });
  });

/** Retry-After in ms: seconds, or an HTTP date. */
function retryAfterMs(res: HttpsResponse, fallback: number): number {
  const value = res.headers['retry-after'];
  if (!value) return fallback;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? fallback : Math.max(0, at - Date.now());
}

interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path?: string;
  url?: string;
  json?: unknown;
  body?: Buffer;
  headers?: Record<string, string>;
  /** Sends the bearer token (not for upload URLs, which carry their own authorisation). */
  auth?: boolean;
  /** A lost answer to this call means the message may have gone (sendMail, send). */
  delivers?: boolean;
}

/** Where Graph lives for this installation (its address, extra CAs, how long a request may take). */
export type GraphPlace = Pick<MicrosoftCloud, 'graphUrl' | 'ca' | 'requestTimeoutMs'>;

/** A Graph client signed in with this token, for the mailbox it belongs to. */
export function graphClient(place: GraphPlace, token: Pick<AccessToken, 'token' | 'account'>, signal?: AbortSignal): GraphClient {
  return new GraphClient({
    graphUrl: place.graphUrl,
    ...(place.ca ? { ca: place.ca } : {}),
    token: token.token,
    account: token.account,
    timeoutMs: place.requestTimeoutMs,
    ...(signal ? { signal } : {}),
  });
}

/**
 * One attempt through Microsoft Graph, told as an SMTP attempt is told, so the outbox that records
 * it follows the same rules: the whole message is accepted or not, for every recipient at once; a
 * lost answer is "unknown"; throttling and outages are tried again (no sooner than Graph asked);
 * refusals for the settings (token, permissions) are the admin's to fix. Errors other than Graph's
 * are thrown.
 */
export async function deliverByGraph(client: GraphClient, message: { envelope: Envelope; raw: Buffer; messageId: string }): Promise<DeliveryOutcome> {
  const { envelope } = message;
  try {
    const result = await client.send({ raw: message.raw, envelopeTo: envelope.to, messageId: message.messageId });
    return { state: 'delivered', envelope, recipients: envelope.to.map((address) => ({ address, state: 'accepted', reply: result.response })), reply: result.response, dataSent: true };
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    const reply = error.advice.serverReply ?? escapeServerText(error.message);
    const base = { envelope, recipients: [], reply, advice: error.advice };
    switch (error.kind) {
      case 'unknown':
        return { ...base, state: 'unknown', dataSent: true };
      case 'temporary':
        return { ...base, state: 'retry', dataSent: false, ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}) };
      default:
        return { ...base, state: 'failed', failure: error.kind === 'config' ? 'config' : 'permanent', dataSent: false };
    }
  }
}

export class GraphClient {
  private readonly sleep: NonNullable<GraphTarget['sleep']>;

  constructor(private readonly target: GraphTarget) {
    this.sleep = target.sleep ?? defaultSleep;
  }

  /** Sends a stored message; throws GraphError explaining any failure. */
  async send(input: GraphSendInput): Promise<GraphSendResult> {
    const message = await graphMessageFromMime(input, this.target.account);
    const whole = messageJson(message, message.attachments);
    if (Buffer.byteLength(JSON.stringify({ message: whole, saveToSentItems: true })) <= MAX_JSON_BYTES) {
      await this.call({ method: 'POST', path: '/me/sendMail', json: { message: whole, saveToSentItems: true }, delivers: true });
      return { response: '202 Accepted by Microsoft Graph (sendMail)', path: 'sendMail' };
    }
    const draft = await this.buildDraft(message);
    try {
      await this.call({ method: 'POST', path: `${draft.path}/send`, delivers: true });
    } catch (error) {
      await this.dropDraft(draft.path, error);
      throw error;
    }
    return { response: `202 Accepted by Microsoft Graph (draft with ${draft.uploaded} uploaded attachment${draft.uploaded === 1 ? '' : 's'}, sent)`, path: 'draft' };
  }

  /** Saves a message as a draft in the mailbox, for the user to finish in Outlook on the web. */
  async createDraft(input: GraphSendInput): Promise<{ id: string; webLink: string }> {
    const message = await graphMessageFromMime(input, this.target.account);
    const draft = await this.buildDraft(message);
    return { id: draft.id, webLink: draft.webLink };
  }

  /**
   * A draft with every attachment: those that fit ride along in the create request, the rest are
   * added one by one (large ones through upload sessions). A half-built draft is deleted.
   */
  private async buildDraft(message: GraphMessage): Promise<{ id: string; path: string; webLink: string; uploaded: number }> {
    const inline: FileAttachment[] = [];
    const later: FileAttachment[] = [];
    let budget = MAX_JSON_BYTES - Buffer.byteLength(JSON.stringify(messageJson(message, [])));
    for (const a of [...message.attachments].sort((x, y) => x.content.length - y.content.length)) {
      const cost = encodedSize(a);
      if (a.content.length < UPLOAD_SESSION_THRESHOLD && cost <= budget) {
        inline.push(a);
        budget -= cost;
      } else later.push(a);
    }
    const created = (await this.call({ method: 'POST', path: '/me/messages', json: messageJson(message, inline) })) as { id?: string; webLink?: string };
    if (!created?.id) throw this.failure(502, 'InvalidResponse', 'Microsoft Graph created the draft but gave no id', 'temporary');
    const path = `/me/messages/${encodeURIComponent(created.id)}`;
    try {
      for (const a of later) {
        if (a.content.length < UPLOAD_SESSION_THRESHOLD && encodedSize(a) <= MAX_JSON_BYTES) await this.call({ method: 'POST', path: `${path}/attachments`, json: attachmentJson(a) });
        else await this.upload(path, a);
      }
    } catch (error) {
      await this.dropDraft(path, error);
      throw error;
    }
    return { id: created.id, path, webLink: created.webLink ?? '', uploaded: later.filter((a) => a.content.length >= UPLOAD_SESSION_THRESHOLD).length };
  }

  /** A half-built draft is not left in the user's Drafts folder, unless it may have gone out. */
  private async dropDraft(path: string, error: unknown): Promise<void> {
    if (error instanceof GraphError && error.kind === 'unknown') return;
    await this.call({ method: 'DELETE', path }).catch(() => undefined);
  }

  /** Reads the Sent Items folder: proves the token, the permissions and the mailbox in one call. */
  async checkMailbox(): Promise<{ displayName: string }> {
    const folder = (await this.call({ method: 'GET', path: '/me/mailFolders/SentItems?$select=displayName' })) as { displayName?: string };
    return { displayName: folder?.displayName ?? 'Sent Items' };
  }

  private async upload(draftPath: string, a: FileAttachment): Promise<void> {
    const session = (await this.call({
      method: 'POST',
      path: `${draftPath}/attachments/createUploadSession`,
      json: {
        AttachmentItem: { attachmentType: 'file', name: a.name, size: a.content.length, contentType: a.contentType, isInline: a.isInline, ...(a.contentId ? { contentId: a.contentId } : {}) },
      },
    })) as { uploadUrl?: string };
    if (!session?.uploadUrl) throw this.failure(502, 'InvalidResponse', 'Microsoft Graph opened no upload session', 'temporary');
    const size = a.content.length;
    for (let start = 0; start < size; start += UPLOAD_CHUNK_BYTES) {
      const end = Math.min(size, start + UPLOAD_CHUNK_BYTES) - 1;
      await this.call({
        method: 'PUT',
        url: session.uploadUrl,
        body: a.content.subarray(start, end + 1),
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${start}-${end}/${size}` },
        auth: false,
      });
    }
  }

  private async call(call: Call): Promise<unknown> {
    const url = call.url ?? `${this.target.graphUrl}/v1.0${call.path ?? ''}`;
    for (let attempt = 0; ; attempt++) {
      let res: HttpsResponse;
      try {
        res = await httpsRequest({
          method: call.method,
          url,
          headers: {
            Accept: 'application/json',
            ...(call.auth === false ? {} : { Authorization: `Bearer ${this.target.token}` }),
            ...(call.json !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...(call.headers ?? {}),
          },
          ...(call.json !== undefined ? { body: JSON.stringify(call.json) } : call.body ? { body: call.body } : {}),
          timeoutMs: this.target.timeoutMs,
          ...(this.target.ca ? { ca: this.target.ca } : {}),
          ...(this.target.signal ? { signal: this.target.signal } : {}),
        });
      } catch (error) {
        const e = error as HttpRequestError;
        const lost = call.delivers && /ETIMEDOUT|ECONNRESET|EPIPE|socket hang up/.test(`${e.code} ${e.message}`);
        throw new GraphError(0, e.code ?? 'network', e.message, lost ? 'unknown' : 'temporary', lost ? lostAdvice(e.message) : unreachableAdvice(new URL(url).host, e.message));
      }
      if (res.status >= 200 && res.status < 300) {
        const text = res.body.toString('utf8');
        if (text === '') return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      }
      if (res.status === 429 || res.status === 503 || res.status === 504) {
        const wait = retryAfterMs(res, 2 ** attempt * 1000);
        if (attempt < MAX_INLINE_RETRIES && wait <= MAX_INLINE_WAIT_MS) {
          await this.sleep(wait, this.target.signal);
          continue;
        }
        const err = graphError(res);
        throw new GraphError(res.status, err.code, err.message, 'temporary', explainGraph(res.status, err.code, err.message), wait);
      }
      const err = graphError(res);
      throw new GraphError(res.status, err.code, err.message, kindOf(res.status), explainGraph(res.status, err.code, err.message));
    }
  }

  private failure(status: number, code: string, message: string, kind: GraphFailureKind): GraphError {
    return new GraphError(status, code, message, kind, explainGraph(status, code, message));
  }
}

function graphError(res: HttpsResponse): { code: string; message: string } {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { error?: { code?: string; message?: string } };
    return { code: body.error?.code ?? `HTTP${res.status}`, message: body.error?.message ?? '' };
  } catch {
    return { code: `HTTP${res.status}`, message: res.body.toString('utf8').slice(0, 300) };
  }
}

function kindOf(status: number): GraphFailureKind {
  if (status === 401 || status === 403) return 'config';
  if (status >= 500 || status === 408) return 'temporary';
  return 'permanent';
}

function lostAdvice(message: string): Advice {
  return {
    code: 'graph-answer-lost',
    title: 'Microsoft Graph did not confirm the message',
    cause: `The message was handed to Microsoft Graph but the answer never came (${escapeServerText(message, 200)}). It may have been sent.`,
    fix: "Check the Sent Items folder of the mailbox before sending it again.",
  };
}

function unreachableAdvice(host: string, message: string): Advice {
  return {
    code: 'graph-unreachable',
    title: 'Microsoft Graph could not be reached',
    cause: `Mailroom could not reach ${escapeServerText(host, 120)} (${escapeServerText(message, 200)}).`,
    fix: 'Check the internet connection and any proxy or firewall; the outbox tries again later by itself.',
  };
}

/** What a Graph error means for the user, by status and Graph's error code. */
export function explainGraph(status: number, code: string, message: string): Advice {
  const serverReply = escapeServerText(`${status} ${code}${message ? `: ${message}` : ''}`, 400);
  const advice = (c: string, title: string, cause: string, fix: string): Advice => ({ code: c, title, cause, fix, serverReply });
  if (status === 429) return advice('graph-throttled', 'Microsoft Graph asks to slow down', 'Too many requests went to Microsoft Graph for this mailbox or app in a short time.', 'Mailroom waits as long as Graph asks and tries again; lower the "per minute" limit of this profile if it keeps happening.');
  if (status === 401) return advice('graph-token-rejected', 'Microsoft Graph did not accept the access token', 'The token expired, was revoked, or was issued for another service.', 'Sign out and sign in again on the SMTP tab.');
  if (/SendAs|SendOnBehalf/i.test(code) || /send as|on behalf/i.test(message)) {
    return advice('graph-send-as-denied', 'This account may not send as the From address', 'The From address is another mailbox, and the signed-in account has no Send As permission on it.', 'Set From address to the signed-in mailbox, or ask the Exchange administrator to grant Send As on the other mailbox.');
  }
  if (status === 403) return advice('graph-access-denied', 'Microsoft Graph refused access', 'The app registration lacks the Mail.Send (and for large attachments Mail.ReadWrite) permission, or consent was not granted for this user.', 'In Microsoft Entra admin center > App registrations > your app > API permissions, add Mail.Send and Mail.ReadWrite (delegated), grant consent, then sign in again.');
  if (/MailboxNotEnabledForRESTAPI|MailboxNotFound/i.test(code) || (status === 404 && /mailbox/i.test(message))) {
    return advice('graph-no-mailbox', 'The account has no Exchange Online mailbox', 'Microsoft Graph found no mailbox for the signed-in account (no Exchange Online licence, or an on-premises mailbox).', 'Sign in with an account that has an Exchange Online mailbox, or send through SMTP instead.');
  }
  if (status === 413 || /SizeExceeded|TooLarge/i.test(code)) return advice('message-too-large', 'The message is too large', 'Microsoft Graph refuses messages of this size (the mailbox limit is usually 35 MB, or 150 MB when raised).', 'Send the attachments in smaller parts.');
  if (/InvalidRecipients|ErrorInvalidRecipients/i.test(code)) return advice('recipient-unknown', 'Microsoft Graph refused a recipient', 'One or more recipient addresses are not valid.', 'Check the addresses and send again.');
  if (status >= 500) return advice('graph-unavailable', 'Microsoft Graph is not available', 'Microsoft Graph answered with a server error.', 'The outbox tries again later by itself.');
  return advice('graph-rejected', 'Microsoft Graph refused the message', `Microsoft Graph answered ${status} ${escapeServerText(code, 80)}.`, 'Read the reply below; correct the message and send it again.');
}
