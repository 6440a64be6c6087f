// Microsoft Graph's mail endpoints, on loopback over HTTPS, for the tests. It follows the
// documented API pages ("user: sendMail", "Create message", "message: send", "Add attachment",
// "attachment: createUploadSession", "Attach large files to Outlook messages or events") and
// checks each request as strictly as Graph does, answering with Graph's status codes, headers and
// JSON errors ({"error":{"code","message","innerError"}}). It records what was sent and every
// request, so a test can check what the client did, and can be told to throttle or fail.
import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import type { KeyPair, TestCa } from './test-ca';

// ---- public shape -------------------------------------------------------------------------------

export interface GraphTokenInfo {
  /** The mailbox (user principal name) the token belongs to. */
  upn: string;
  /** Delegated permissions, as in the token's scp claim ('Mail.Send') or as requested ('https://graph.microsoft.com/Mail.Send'). */
  scopes: string[];
  /** The token's audience, when the test wants it checked: Graph refuses a token issued for another resource (e.g. https://outlook.office.com). */
  audience?: string;
}

export interface GraphServerOptions {
  /** Serve HTTPS with a certificate for 'localhost' issued by this CA. */
  ca: TestCa;
  /** A certificate already issued by `ca` for localhost, to save generating a key. */
  cert?: KeyPair;
  /** Checks the bearer token; resolve to the mailbox it belongs to, or null to answer 401 InvalidAuthenticationToken. */
  verifyToken(token: string): Promise<GraphTokenInfo | null>;
  /** Other addresses each mailbox may send as (SendAs rights); anything else in `from` is refused with 403 ErrorSendAsDenied. */
  sendAs?: Record<string, string[]>;
  /**
   * Also require each upload-session chunk but the last to be a multiple of this many bytes
   * (327680 = 320 KiB, the OneDrive rule). Off by default: the Outlook attachment pages only limit
   * a chunk to 4 MB, and their own example uploads a first chunk of 2,097,152 bytes.
   */
  requireChunkMultiple?: number;
  /** The mailbox's maximum message size (attachments together); Exchange Online's default is 35 MB. */
  maxMessageBytes?: number;
}

export interface GraphAttachment {
  name: string;
  contentType: string;
  bytes: Buffer;
  /** True when it came through an upload session. */
  uploaded: boolean;
}

export interface GraphSentMessage {
  /** Which path sent it: POST /sendMail, or a draft sent with POST /messages/{id}/send. */
  via: 'sendMail' | 'draft';
  /** The mailbox (upn from the token). */
  mailbox: string;
  subject: string;
  bodyType: 'Text' | 'HTML';
  body: string;
  to: string[];
  cc: string[];
  bcc: string[];
  from?: string;
  /** The internetMessageId the client set (or the Message-ID of MIME content); undefined when it set none. */
  internetMessageId?: string;
  saveToSentItems: boolean;
  attachments: GraphAttachment[];
  /** sendMail in MIME format: the decoded MIME content. */
  mime?: Buffer;
}

export interface GraphRecipient {
  address: string;
  name?: string;
}

export interface GraphDraft {
  id: string;
  mailbox: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
  conversationId: string;
  subject: string;
  bodyType: 'Text' | 'HTML';
  body: string;
  to: GraphRecipient[];
  cc: GraphRecipient[];
  bcc: GraphRecipient[];
  replyTo: GraphRecipient[];
  from?: GraphRecipient;
  importance: 'low' | 'normal' | 'high';
  /** As the client set it; the draft's own one is `assignedInternetMessageId`. */
  internetMessageId?: string;
  assignedInternetMessageId: string;
  internetMessageHeaders: { name: string; value: string }[];
  attachments: (GraphAttachment & { id: string; isInline: boolean; contentId?: string })[];
  /** Upload sessions opened on this draft and not finished or cancelled. */
  openUploadSessions: number;
}

export interface GraphRequestRecord {
  method: string;
  /** The path without the query string. */
  path: string;
  status: number;
  /** Whether the request carried an Authorization header. */
  authorization: boolean;
}

export interface GraphServer {
  /** 'https://localhost:PORT'; the client appends '/v1.0/...'. */
  url: string;
  sent: GraphSentMessage[];
  /** Drafts not yet sent (a test can assert none are left behind). */
  drafts: Map<string, GraphDraft>;
  requests: GraphRequestRecord[];
  /** The next n requests answer 429 TooManyRequests with Retry-After: seconds. */
  throttle(n: number, retryAfterSeconds: number): void;
  /** The next request answers with this status and Graph error (e.g. 403 ErrorAccessDenied, 401 InvalidAuthenticationToken, 503). */
  failNext(status: number, code: string, message: string, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

// ---- documented limits --------------------------------------------------------------------------

const MB = 1024 * 1024;
/** Graph's request size limit ("The maximum request length supported is 4MB."). */
const MAX_REQUEST_BYTES = 4 * MB;
/** "Add attachment": "This operation limits the size of the attachment you can add to under 3 MB." */
const MAX_POSTED_ATTACHMENT_BYTES = 3 * MB;
/** "attachment: createUploadSession": for files "between 3 MB and 150 MB" (3 MB read as 3,000,000 bytes, the lower reading). */
const MIN_UPLOAD_SESSION_BYTES = 3_000_000;
const MAX_UPLOAD_SESSION_BYTES = 150 * MB;
/** "iteratively upload ranges of bytes (up to 4 MB each time)". */
const MAX_CHUNK_BYTES = 4 * MB;
const DEFAULT_MAX_MESSAGE_BYTES = 35 * MB;
/** Anything larger is not read at all. */
const HARD_BODY_LIMIT = 160 * MB;
const UPLOAD_SESSION_LIFETIME_MS = 6 * 60 * 60 * 1000;

const ACCESS_DENIED = 'Access is denied. Check credentials and try again.';
const NOT_FOUND_IN_STORE = 'The specified object was not found in the store.';
const GRAPH_AUDIENCES = new Set(['https://graph.microsoft.com', 'https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000']);

const PERMISSIONS = {
  send: ['Mail.Send'],
  readWrite: ['Mail.ReadWrite'],
  read: ['Mail.ReadBasic', 'Mail.Read', 'Mail.ReadWrite'],
  user: ['User.Read', 'User.ReadWrite', 'User.ReadBasic.All', 'User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All'],
} as const;

const WELL_KNOWN_FOLDERS: Record<string, string> = {
  inbox: 'Inbox',
  drafts: 'Drafts',
  sentitems: 'Sent Items',
  deleteditems: 'Deleted Items',
  outbox: 'Outbox',
  junkemail: 'Junk Email',
  archive: 'Archive',
};

/** The message resource's properties (v1.0), lower-cased. */
const MESSAGE_PROPERTIES = new Set(
  [
    'bccRecipients', 'body', 'bodyPreview', 'categories', 'ccRecipients', 'changeKey', 'conversationId', 'conversationIndex',
    'createdDateTime', 'flag', 'from', 'hasAttachments', 'id', 'importance', 'inferenceClassification', 'internetMessageHeaders',
    'internetMessageId', 'isDeliveryReceiptRequested', 'isDraft', 'isRead', 'isReadReceiptRequested', 'lastModifiedDateTime',
    'parentFolderId', 'receivedDateTime', 'replyTo', 'sender', 'sentDateTime', 'subject', 'toRecipients', 'uniqueBody', 'webLink',
    'attachments', 'extensions', 'multiValueExtendedProperties', 'singleValueExtendedProperties',
  ].map((p) => p.toLowerCase()),
);
const FILE_ATTACHMENT_PROPERTIES = new Set(
  ['contentBytes', 'contentId', 'contentLocation', 'contentType', 'id', 'isInline', 'lastModifiedDateTime', 'name', 'size'].map((p) => p.toLowerCase()),
);
const ATTACHMENT_ITEM_PROPERTIES = new Set(['attachmentType', 'contentId', 'contentType', 'isInline', 'name', 'size'].map((p) => p.toLowerCase()));

// ---- errors ---------------------------------------------------------------------------------------

class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const unknownProperty = (name: string, type: string) =>
  new GraphError(
    400,
    'RequestBodyRead',
    `The property '${name}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
const wrongType = (value: unknown, type: string) =>
  new GraphError(400, 'RequestBodyRead', `Cannot convert the literal '${typeof value === 'string' ? value : JSON.stringify(value)}' to the expected type '${type}'.`);
const unauthenticated = (message: string) =>
  new GraphError(401, 'InvalidAuthenticationToken', message, {
    'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
  });
const notFoundInStore = () => new GraphError(404, 'ErrorItemNotFound', NOT_FOUND_IN_STORE);

// ---- helpers ----------------------------------------------------------------------------------------

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An identifier shaped like Graph's Outlook ids (URL-safe base64 ending in '='). */
function exchangeId(prefix = 'AAMkAD'): string {
  return prefix + crypto.randomBytes(30).toString('base64url') + '=';
}

function normaliseScope(scope: string): string {
  return scope.replace(/^https:\/\/graph\.microsoft\.com\//i, '').toLowerCase();
}

function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

const ADDRESS_RE = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function lookup(obj: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : obj[key];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkODataType(value: unknown, expected: string): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.replace(/^#/, '').toLowerCase() !== expected.toLowerCase()) {
    throw new GraphError(400, 'RequestBodyRead', `A type named '${String(value)}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`);
  }
}

function optionalString(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(value, 'Edm.String');
  return value;
}

function optionalBoolean(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  // Graph's own sendMail example sends "saveToSentItems": "false".
  if (value === 'true' || value === 'false') return value === 'true';
  throw wrongType(value, 'Edm.Boolean');
}

function readRecipient(value: unknown): GraphRecipient {
  if (!isObject(value)) throw wrongType(value, 'microsoft.graph.recipient');
  let address = '';
  let name: string | undefined;
  for (const [key, v] of Object.entries(value)) {
    if (key === '@odata.type') checkODataType(v, 'microsoft.graph.recipient');
    else if (key.toLowerCase() === 'emailaddress') {
      if (!isObject(v)) throw wrongType(v, 'microsoft.graph.emailAddress');
      for (const [k, inner] of Object.entries(v)) {
        if (k === '@odata.type') checkODataType(inner, 'microsoft.graph.emailAddress');
        else if (k.toLowerCase() === 'address') address = optionalString(inner) ?? '';
        else if (k.toLowerCase() === 'name') name = optionalString(inner);
        else throw unknownProperty(k, 'microsoft.graph.emailAddress');
      }
    } else throw unknownProperty(key, 'microsoft.graph.recipient');
  }
  return name === undefined ? { address } : { address, name };
}

function readRecipients(value: unknown): GraphRecipient[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw wrongType(value, 'Collection(microsoft.graph.recipient)');
  return value.map(readRecipient);
}

function decodeBase64(value: unknown): Buffer {
  if (typeof value !== 'string' || !BASE64_RE.test(value)) {
    throw wrongType(typeof value === 'string' && value.length > 40 ? value.slice(0, 40) + '...' : value, 'Edm.Binary');
  }
  return Buffer.from(value, 'base64');
}

interface PostedAttachment {
  name: string;
  contentType: string;
  bytes: Buffer;
  isInline: boolean;
  contentId?: string;
}

function readFileAttachment(value: unknown): PostedAttachment {
  if (!isObject(value)) throw wrongType(value, 'microsoft.graph.attachment');
  const type = value['@odata.type'];
  if (type === undefined) {
    throw new GraphError(400, 'RequestBodyRead', "Cannot create an abstract class. The '@odata.type' of an attachment is required.");
  }
  if (typeof type !== 'string') throw wrongType(type, 'Edm.String');
  const bare = type.replace(/^#/, '').toLowerCase();
  if (bare === 'microsoft.graph.itemattachment' || bare === 'microsoft.graph.referenceattachment') {
    throw new GraphError(400, 'ErrorInvalidRequest', `This test server accepts only #microsoft.graph.fileAttachment, not ${type}.`);
  }
  checkODataType(type, 'microsoft.graph.fileAttachment');
  let name = '';
  let contentType: string | undefined;
  let bytes: Buffer | undefined;
  let isInline = false;
  let contentId: string | undefined;
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('@odata.')) continue;
    const lower = key.toLowerCase();
    if (!FILE_ATTACHMENT_PROPERTIES.has(lower)) throw unknownProperty(key, 'microsoft.graph.fileAttachment');
    if (lower === 'name') name = optionalString(v) ?? '';
    else if (lower === 'contenttype') contentType = optionalString(v);
    else if (lower === 'contentbytes') bytes = decodeBase64(v);
    else if (lower === 'isinline') isInline = optionalBoolean(v) ?? false;
    else if (lower === 'contentid') contentId = optionalString(v);
    else if (lower === 'size' && v !== undefined && v !== null && !Number.isInteger(v)) throw wrongType(v, 'Edm.Int32');
  }
  if (!bytes) throw new GraphError(400, 'ErrorInvalidRequest', 'The contentBytes of a file attachment is required.');
  return { name, contentType: contentType ?? 'application/octet-stream', bytes, isInline, ...(contentId ? { contentId } : {}) };
}

interface ParsedMessage {
  subject: string;
  bodyType: 'Text' | 'HTML';
  body: string;
  to: GraphRecipient[];
  cc: GraphRecipient[];
  bcc: GraphRecipient[];
  replyTo: GraphRecipient[];
  from?: GraphRecipient;
  importance: 'low' | 'normal' | 'high';
  internetMessageId?: string;
  internetMessageHeaders: { name: string; value: string }[];
  attachments: PostedAttachment[];
}

/** Validates a microsoft.graph.message as Graph's OData reader would. */
function readMessage(value: unknown): ParsedMessage {
  if (!isObject(value)) throw wrongType(value, 'microsoft.graph.message');
  const message: ParsedMessage = {
    subject: '',
    bodyType: 'Text',
    body: '',
    to: [],
    cc: [],
    bcc: [],
    replyTo: [],
    importance: 'normal',
    internetMessageHeaders: [],
    attachments: [],
  };
  for (const [key, v] of Object.entries(value)) {
    if (key === '@odata.type') {
      checkODataType(v, 'microsoft.graph.message');
      continue;
    }
    if (key.startsWith('@')) continue;
    const lower = key.toLowerCase();
    if (!MESSAGE_PROPERTIES.has(lower)) throw unknownProperty(key, 'microsoft.graph.message');
    switch (lower) {
      case 'subject':
        message.subject = optionalString(v) ?? '';
        break;
      case 'body': {
        if (v === null) break;
        if (!isObject(v)) throw wrongType(v, 'microsoft.graph.itemBody');
        for (const [k, inner] of Object.entries(v)) {
          if (k === '@odata.type') checkODataType(inner, 'microsoft.graph.itemBody');
          else if (k.toLowerCase() === 'contenttype') {
            if (typeof inner !== 'string' || !['text', 'html'].includes(inner.toLowerCase())) throw wrongType(inner, 'microsoft.graph.bodyType');
            message.bodyType = inner.toLowerCase() === 'html' ? 'HTML' : 'Text';
          } else if (k.toLowerCase() === 'content') message.body = optionalString(inner) ?? '';
          else throw unknownProperty(k, 'microsoft.graph.itemBody');
        }
        break;
      }
      case 'torecipients':
        message.to = readRecipients(v);
        break;
      case 'ccrecipients':
        message.cc = readRecipients(v);
        break;
      case 'bccrecipients':
        message.bcc = readRecipients(v);
        break;
      case 'replyto':
        message.replyTo = readRecipients(v);
        break;
      case 'from':
        if (v !== null) message.from = readRecipient(v);
        break;
      case 'sender':
        if (v !== null) readRecipient(v);
        break;
      case 'importance':
        if (typeof v !== 'string' || !['low', 'normal', 'high'].includes(v.toLowerCase())) throw wrongType(v, 'microsoft.graph.importance');
        message.importance = v.toLowerCase() as ParsedMessage['importance'];
        break;
      case 'internetmessageid': {
        const id = optionalString(v);
        if (id !== undefined) message.internetMessageId = id;
        break;
      }
      case 'internetmessageheaders': {
        if (v === null) break;
        if (!Array.isArray(v)) throw wrongType(v, 'Collection(microsoft.graph.internetMessageHeader)');
        for (const header of v) {
          if (!isObject(header)) throw wrongType(header, 'microsoft.graph.internetMessageHeader');
          const name = optionalString(lookup(header, 'name')) ?? '';
          const headerValue = optionalString(lookup(header, 'value')) ?? '';
          for (const k of Object.keys(header)) {
            if (!['name', 'value', '@odata.type'].includes(k.toLowerCase())) throw unknownProperty(k, 'microsoft.graph.internetMessageHeader');
          }
          // message resource: only custom headers, which must start with "x-" or "X-".
          if (!/^x-/i.test(name)) {
            throw new GraphError(400, 'InvalidInternetMessageHeader', `The internet message header name '${name}' should start with 'x-' or 'X-'.`);
          }
          message.internetMessageHeaders.push({ name, value: headerValue });
        }
        break;
      }
      case 'attachments':
        if (v === null) break;
        if (!Array.isArray(v)) throw wrongType(v, 'Collection(microsoft.graph.attachment)');
        message.attachments = v.map(readFileAttachment);
        break;
      case 'categories':
        if (v !== null && (!Array.isArray(v) || v.some((c) => typeof c !== 'string'))) throw wrongType(v, 'Collection(Edm.String)');
        break;
      case 'isdeliveryreceiptrequested':
      case 'isreadreceiptrequested':
      case 'isread':
      case 'isdraft':
        optionalBoolean(v);
        break;
      default:
        // Other properties of the type are read-only or not used here; Graph ignores read-only ones.
        break;
    }
  }
  return message;
}

function addressesOf(value: AddressObject | AddressObject[] | undefined): GraphRecipient[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: GraphRecipient[] = [];
  const walk = (entries: { address?: string; name?: string; group?: unknown[] }[]) => {
    for (const entry of entries) {
      if (entry.group) walk(entry.group as typeof entries);
      else if (entry.address) out.push(entry.name ? { address: entry.address, name: entry.name } : { address: entry.address });
    }
  };
  for (const item of list) walk(item.value);
  return out;
}

/** sendMail / Create message in MIME format: the body is the MIME content in base64. */
async function readMime(body: Buffer): Promise<{ message: ParsedMessage; mime: Buffer }> {
  const text = body.toString('latin1').replace(/[\r\n\t ]/g, '');
  if (text.length === 0 || !BASE64_RE.test(text)) {
    throw new GraphError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
  }
  const mime = Buffer.from(text, 'base64');
  let parsed;
  try {
    parsed = await simpleParser(mime);
  } catch {
    throw new GraphError(400, 'ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.');
  }
  const from = addressesOf(parsed.from)[0];
  const message: ParsedMessage = {
    subject: parsed.subject ?? '',
    bodyType: typeof parsed.html === 'string' ? 'HTML' : 'Text',
    body: typeof parsed.html === 'string' ? parsed.html : (parsed.text ?? ''),
    to: addressesOf(parsed.to),
    cc: addressesOf(parsed.cc),
    bcc: addressesOf(parsed.bcc),
    replyTo: addressesOf(parsed.replyTo),
    importance: 'normal',
    ...(from ? { from } : {}),
    ...(parsed.messageId ? { internetMessageId: parsed.messageId } : {}),
    internetMessageHeaders: [],
    attachments: parsed.attachments.map((a) => ({
      name: a.filename ?? '',
      contentType: a.contentType,
      bytes: a.content,
      isInline: a.contentDisposition === 'inline',
      ...(a.cid ? { contentId: a.cid } : {}),
    })),
  };
  return { message, mime };
}

function bodyOf(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= HARD_BODY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Splits "messages('id')" into "messages" and "id", and decodes each segment. */
function segmentsOf(pathname: string): string[] {
  const out: string[] = [];
  for (const raw of pathname.split('/').filter(Boolean)) {
    const seg = decodeURIComponent(raw);
    const keyed = /^([A-Za-z]+)\('(.*)'\)$/.exec(seg);
    if (keyed) out.push(keyed[1]!, keyed[2]!);
    else out.push(seg);
  }
  return out;
}

// ---- the server -----------------------------------------------------------------------------------

interface UploadSession {
  id: string;
  authtoken: string;
  draftId: string;
  mailbox: string;
  name: string;
  size: number;
  contentType: string;
  isInline: boolean;
  contentId?: string;
  chunks: Buffer[];
  next: number;
  expirationDateTime: string;
}

interface Forced {
  status: number;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

/** Starts the Graph stand-in on 127.0.0.1 (reached as https://localhost:PORT). */
export async function startGraphServer(options: GraphServerOptions): Promise<GraphServer> {
  const cert = options.cert ?? options.ca.issue(['localhost', '127.0.0.1']);
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const sent: GraphSentMessage[] = [];
  const drafts = new Map<string, GraphDraft>();
  const requests: GraphRequestRecord[] = [];
  const sessions = new Map<string, UploadSession>();
  const forced: Forced[] = [];
  let url = '';

  const mayDo = (scopes: string[], allowed: readonly string[]) => scopes.some((s) => allowed.some((a) => a.toLowerCase() === normaliseScope(s)));

  function checkSendAs(mailbox: string, from: GraphRecipient | undefined): void {
    if (!from || sameAddress(from.address, mailbox)) return;
    const granted = options.sendAs?.[mailbox.toLowerCase()] ?? options.sendAs?.[mailbox] ?? [];
    if (granted.some((a) => sameAddress(a, from.address))) return;
    throw new GraphError(
      403,
      'ErrorSendAsDenied',
      'The user account which was used to submit this request does not have the right to send mail on behalf of the specified sending account., Cannot submit message.',
    );
  }

  function checkRecipients(message: { to: GraphRecipient[]; cc: GraphRecipient[]; bcc: GraphRecipient[] }): void {
    const all = [...message.to, ...message.cc, ...message.bcc];
    if (all.length === 0) {
      throw new GraphError(400, 'ErrorInvalidRecipients', "At least one recipient isn't valid., A message can't be sent because it contains no recipients.");
    }
    const bad = all.find((r) => !ADDRESS_RE.test(r.address));
    if (bad) {
      throw new GraphError(
        400,
        'ErrorInvalidRecipients',
        `At least one recipient isn't valid., Recipient '${bad.address}' is not resolved. All recipients must be resolved before a message can be submitted.`,
      );
    }
  }

  function checkMessageSize(total: number): void {
    if (total > maxMessageBytes) throw new GraphError(400, 'ErrorMessageSizeExceeded', 'The message exceeds the maximum supported size.');
  }

  function draftJson(d: GraphDraft): Record<string, unknown> {
    const recipient = (r: GraphRecipient) => ({ emailAddress: { name: r.name ?? r.address, address: r.address } });
    const owner = d.from ?? { address: d.mailbox };
    return {
      '@odata.context': `${url}/v1.0/$metadata#users('${encodeURIComponent(d.mailbox)}')/messages/$entity`,
      '@odata.etag': `W/"${d.changeKey}"`,
      id: d.id,
      createdDateTime: d.createdDateTime,
      lastModifiedDateTime: d.lastModifiedDateTime,
      changeKey: d.changeKey,
      categories: [],
      receivedDateTime: d.createdDateTime,
      sentDateTime: d.createdDateTime,
      hasAttachments: d.attachments.some((a) => !a.isInline),
      internetMessageId: d.assignedInternetMessageId,
      subject: d.subject,
      bodyPreview: d.body.replace(/<[^>]*>/g, '').slice(0, 255),
      importance: d.importance,
      parentFolderId: 'AQMkADrafts=',
      conversationId: d.conversationId,
      isDeliveryReceiptRequested: false,
      isReadReceiptRequested: false,
      isRead: true,
      isDraft: true,
      webLink: `${url}/owa/?ItemID=${encodeURIComponent(d.id)}&exvsurl=1&viewmodel=ReadMessageItem`,
      inferenceClassification: 'focused',
      body: { contentType: d.bodyType === 'HTML' ? 'html' : 'text', content: d.body },
      sender: recipient(owner),
      from: recipient(owner),
      toRecipients: d.to.map(recipient),
      ccRecipients: d.cc.map(recipient),
      bccRecipients: d.bcc.map(recipient),
      replyTo: d.replyTo.map(recipient),
      flag: { flagStatus: 'notFlagged' },
    };
  }

  function attachmentJson(mailbox: string, draftId: string, a: GraphDraft['attachments'][number]): Record<string, unknown> {
    return {
      '@odata.context': `${url}/v1.0/$metadata#users('${encodeURIComponent(mailbox)}')/messages('${encodeURIComponent(draftId)}')/attachments/$entity`,
      '@odata.type': '#microsoft.graph.fileAttachment',
      '@odata.mediaContentType': a.contentType,
      id: a.id,
      lastModifiedDateTime: nowIso(),
      name: a.name,
      contentType: a.contentType,
      size: a.bytes.length,
      isInline: a.isInline,
      contentId: a.contentId ?? null,
      contentLocation: null,
      contentBytes: a.bytes.toString('base64'),
    };
  }

  function ownDraft(mailbox: string, id: string): GraphDraft {
    const draft = drafts.get(id);
    if (!draft || !sameAddress(draft.mailbox, mailbox)) throw notFoundInStore();
    return draft;
  }

  function dropSessionsOf(draftId: string): void {
    for (const [sid, s] of sessions) if (s.draftId === draftId) sessions.delete(sid);
  }

  async function readJson(req: IncomingMessage, body: Buffer): Promise<Record<string, unknown>> {
    if (mediaType(req) !== 'application/json') {
      throw new GraphError(415, 'UnsupportedMediaType', `The content type '${req.headers['content-type'] ?? ''}' is not supported; use application/json.`);
    }
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    }
    if (!isObject(value)) {
      throw new GraphError(400, 'BadRequest', 'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
    }
    return value;
  }

  async function readMessageRequest(req: IncomingMessage, body: Buffer, action: 'sendMail' | 'create'): Promise<{ message: ParsedMessage; saveToSentItems: boolean; mime?: Buffer }> {
    if (mediaType(req) === 'text/plain') {
      const { message, mime } = await readMime(body);
      return { message, saveToSentItems: true, mime };
    }
    const json = await readJson(req, body);
    if (action === 'create') return { message: readMessage(json), saveToSentItems: true };
    let message: ParsedMessage | undefined;
    let saveToSentItems = true;
    for (const [key, v] of Object.entries(json)) {
      const lower = key.toLowerCase();
      if (lower === 'message') {
        if (v !== null && v !== undefined) message = readMessage(v);
      } else if (lower === 'savetosentitems') saveToSentItems = optionalBoolean(v) ?? true;
      else {
        throw new GraphError(400, 'RequestBodyRead', `The parameter '${key}' in the request payload is not a valid parameter for the operation 'sendMail'.`);
      }
    }
    if (!message) throw new GraphError(400, 'ErrorInvalidParameter', "The value of the parameter 'Message' is empty.");
    return { message, saveToSentItems };
  }

  // ---- /v1.0 -----------------------------------------------------------------------------------

  async function api(req: IncomingMessage, res: ServerResponse, segments: string[], body: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === '' || /^bearer\s*$/i.test(header.trim())) throw unauthenticated('Access token is empty.');
    const bearer = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!bearer) throw unauthenticated('Access token validation failure.');
    const token = await options.verifyToken(bearer[1]!).catch(() => null);
    if (!token) throw unauthenticated('Access token validation failure.');
    if (token.audience !== undefined && !GRAPH_AUDIENCES.has(token.audience)) throw unauthenticated('Access token validation failure. Invalid audience.');

    if (body.length > MAX_REQUEST_BYTES) throw new GraphError(413, 'RequestEntityTooLarge', 'The maximum request length supported is 4MB.');

    // /me/... or /users/{id | userPrincipalName}/...
    let rest: string[];
    if (segments[0]?.toLowerCase() === 'me') rest = segments.slice(1);
    else if (segments[0]?.toLowerCase() === 'users' && segments[1] !== undefined) {
      if (!sameAddress(segments[1], token.upn)) throw new GraphError(403, 'ErrorAccessDenied', ACCESS_DENIED);
      rest = segments.slice(2);
    } else throw new GraphError(404, 'ResourceNotFound', `Resource not found for the segment '${segments[0] ?? ''}'.`);
    const mailbox = token.upn;
    const route = rest.map((s, i) => (i === 1 && rest[0]?.toLowerCase() === 'messages' ? '{id}' : i === 1 && rest[0]?.toLowerCase() === 'mailfolders' ? '{folder}' : s.toLowerCase())).join('/');
    const need = (allowed: readonly string[]) => {
      if (!mayDo(token.scopes, allowed)) throw new GraphError(403, 'ErrorAccessDenied', ACCESS_DENIED);
    };
    const allow = (methods: string[]) => {
      if (!methods.includes(method)) throw new GraphError(405, 'BadRequest', 'Specified HTTP method is not allowed for the request uri.');
    };

    switch (route) {
      case '': {
        allow(['GET']);
        if (!mayDo(token.scopes, PERMISSIONS.user)) throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
        return json(res, 200, {
          '@odata.context': `${url}/v1.0/$metadata#users/$entity`,
          id: crypto.createHash('sha256').update(mailbox.toLowerCase()).digest('hex').slice(0, 32).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
          userPrincipalName: mailbox,
          mail: mailbox,
          displayName: mailbox.split('@')[0],
        });
      }
      case 'sendmail': {
        allow(['POST']);
        need(PERMISSIONS.send);
        const { message, saveToSentItems, mime } = await readMessageRequest(req, body, 'sendMail');
        checkRecipients(message);
        checkSendAs(mailbox, message.from);
        checkMessageSize(message.attachments.reduce((n, a) => n + a.bytes.length, 0));
        sent.push({
          via: 'sendMail',
          mailbox,
          subject: message.subject,
          bodyType: message.bodyType,
          body: message.body,
          to: message.to.map((r) => r.address),
          cc: message.cc.map((r) => r.address),
          bcc: message.bcc.map((r) => r.address),
          ...(message.from ? { from: message.from.address } : {}),
          ...(message.internetMessageId !== undefined ? { internetMessageId: message.internetMessageId } : {}),
          saveToSentItems,
          attachments: message.attachments.map((a) => ({ name: a.name, contentType: a.contentType, bytes: a.bytes, uploaded: false })),
          ...(mime ? { mime } : {}),
        });
        return empty(res, 202);
      }
      case 'messages': {
        allow(['POST']);
        need(PERMISSIONS.readWrite);
        const { message } = await readMessageRequest(req, body, 'create');
        checkMessageSize(message.attachments.reduce((n, a) => n + a.bytes.length, 0));
        const created = nowIso();
        const draft: GraphDraft = {
          id: exchangeId(),
          mailbox,
          createdDateTime: created,
          lastModifiedDateTime: created,
          changeKey: crypto.randomBytes(12).toString('base64'),
          conversationId: exchangeId('AAQkAD'),
          subject: message.subject,
          bodyType: message.bodyType,
          body: message.body,
          to: message.to,
          cc: message.cc,
          bcc: message.bcc,
          replyTo: message.replyTo,
          ...(message.from ? { from: message.from } : {}),
          importance: message.importance,
          ...(message.internetMessageId !== undefined ? { internetMessageId: message.internetMessageId } : {}),
          assignedInternetMessageId: message.internetMessageId ?? `<${crypto.randomBytes(12).toString('hex').toUpperCase()}@localhost>`,
          internetMessageHeaders: message.internetMessageHeaders,
          attachments: message.attachments.map((a) => ({ ...a, id: exchangeId(), uploaded: false })),
          openUploadSessions: 0,
        };
        drafts.set(draft.id, draft);
        return json(res, 201, draftJson(draft), { Location: `${url}/v1.0/users('${encodeURIComponent(mailbox)}')/messages('${encodeURIComponent(draft.id)}')` });
      }
      case 'messages/{id}': {
        allow(['GET', 'DELETE']);
        if (method === 'GET') {
          need(PERMISSIONS.read);
          return json(res, 200, draftJson(ownDraft(mailbox, rest[1]!)));
        }
        need(PERMISSIONS.readWrite);
        const draft = ownDraft(mailbox, rest[1]!);
        drafts.delete(draft.id);
        dropSessionsOf(draft.id);
        return empty(res, 204);
      }
      case 'messages/{id}/send': {
        allow(['POST']);
        // "message: send": Content-Length: 0. Required.
        if (req.headers['content-length'] === undefined) throw new GraphError(411, 'LengthRequired', 'Length Required');
        need(PERMISSIONS.send);
        const draft = ownDraft(mailbox, rest[1]!);
        checkRecipients(draft);
        checkSendAs(mailbox, draft.from);
        drafts.delete(draft.id);
        dropSessionsOf(draft.id);
        sent.push({
          via: 'draft',
          mailbox,
          subject: draft.subject,
          bodyType: draft.bodyType,
          body: draft.body,
          to: draft.to.map((r) => r.address),
          cc: draft.cc.map((r) => r.address),
          bcc: draft.bcc.map((r) => r.address),
          ...(draft.from ? { from: draft.from.address } : {}),
          ...(draft.internetMessageId !== undefined ? { internetMessageId: draft.internetMessageId } : {}),
          saveToSentItems: true,
          attachments: draft.attachments.map((a) => ({ name: a.name, contentType: a.contentType, bytes: a.bytes, uploaded: a.uploaded })),
        });
        return empty(res, 202);
      }
      case 'messages/{id}/attachments': {
        allow(['POST']);
        need(PERMISSIONS.readWrite);
        const draft = ownDraft(mailbox, rest[1]!);
        const posted = readFileAttachment(await readJson(req, body));
        if (posted.bytes.length >= MAX_POSTED_ATTACHMENT_BYTES) {
          throw new GraphError(400, 'ErrorAttachmentSizeLimitExceeded', 'The attachment is too large to add in one request; use an upload session for attachments of 3 MB or more.');
        }
        checkMessageSize(draft.attachments.reduce((n, a) => n + a.bytes.length, 0) + posted.bytes.length);
        const attachment = { ...posted, id: exchangeId(), uploaded: false };
        draft.attachments.push(attachment);
        draft.lastModifiedDateTime = nowIso();
        return json(res, 201, attachmentJson(mailbox, draft.id, attachment), {
          Location: `${url}/v1.0/users('${encodeURIComponent(mailbox)}')/messages('${encodeURIComponent(draft.id)}')/attachments('${encodeURIComponent(attachment.id)}')`,
        });
      }
      case 'messages/{id}/attachments/createuploadsession': {
        allow(['POST']);
        need(PERMISSIONS.readWrite);
        const draft = ownDraft(mailbox, rest[1]!);
        const payload = await readJson(req, body);
        let item: Record<string, unknown> | undefined;
        for (const [key, v] of Object.entries(payload)) {
          if (key.toLowerCase() !== 'attachmentitem') {
            throw new GraphError(400, 'RequestBodyRead', `The parameter '${key}' in the request payload is not a valid parameter for the operation 'createUploadSession'.`);
          }
          if (!isObject(v)) throw wrongType(v, 'microsoft.graph.attachmentItem');
          item = v;
        }
        if (!item) throw new GraphError(400, 'ErrorInvalidParameter', "The value of the parameter 'AttachmentItem' is empty.");
        for (const key of Object.keys(item)) {
          if (key === '@odata.type') checkODataType(item[key], 'microsoft.graph.attachmentItem');
          else if (!ATTACHMENT_ITEM_PROPERTIES.has(key.toLowerCase())) throw unknownProperty(key, 'microsoft.graph.attachmentItem');
        }
        const attachmentType = lookup(item, 'attachmentType');
        if (typeof attachmentType !== 'string' || !['file', 'item', 'reference'].includes(attachmentType.toLowerCase())) {
          throw wrongType(attachmentType, 'microsoft.graph.attachmentType');
        }
        if (attachmentType.toLowerCase() !== 'file') throw new GraphError(400, 'ErrorInvalidRequest', "Only attachmentType 'file' can be uploaded to an Outlook item.");
        const name = optionalString(lookup(item, 'name'));
        const size = lookup(item, 'size');
        if (!name) throw new GraphError(400, 'ErrorInvalidRequest', 'The attachment name is required.');
        if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) throw wrongType(size, 'Edm.Int64');
        if (size < MIN_UPLOAD_SESSION_BYTES) {
          throw new GraphError(400, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize', 'Attachment size should not be less than minimum size 3 MB. Use a POST on the attachments collection for smaller files.');
        }
        if (size > MAX_UPLOAD_SESSION_BYTES) throw new GraphError(400, 'ErrorMessageSizeExceeded', 'The message exceeds the maximum supported size.');
        checkMessageSize(draft.attachments.reduce((n, a) => n + a.bytes.length, 0) + size);
        const contentType = optionalString(lookup(item, 'contentType')) ?? 'application/octet-stream';
        const isInline = optionalBoolean(lookup(item, 'isInline')) ?? false;
        const contentId = optionalString(lookup(item, 'contentId'));
        const session: UploadSession = {
          id: exchangeId(),
          authtoken: crypto.randomBytes(24).toString('base64url'),
          draftId: draft.id,
          mailbox,
          name,
          size,
          contentType,
          isInline,
          ...(contentId ? { contentId } : {}),
          chunks: [],
          next: 0,
          expirationDateTime: new Date(Date.now() + UPLOAD_SESSION_LIFETIME_MS).toISOString(),
        };
        sessions.set(session.id, session);
        draft.openUploadSessions += 1;
        return json(res, 201, {
          '@odata.context': `${url}/v1.0/$metadata#microsoft.graph.uploadSession`,
          uploadUrl: `${url}${sessionPath(session)}?authtoken=${session.authtoken}`,
          expirationDateTime: session.expirationDateTime,
          nextExpectedRanges: ['0-'],
        });
      }
      case 'mailfolders/{folder}': {
        allow(['GET']);
        need(PERMISSIONS.read);
        const displayName = WELL_KNOWN_FOLDERS[rest[1]!.toLowerCase()];
        if (!displayName) throw notFoundInStore();
        const total = displayName === 'Sent Items' ? sent.filter((m) => sameAddress(m.mailbox, mailbox) && m.saveToSentItems).length : displayName === 'Drafts' ? [...drafts.values()].filter((d) => sameAddress(d.mailbox, mailbox)).length : 0;
        return json(res, 200, {
          '@odata.context': `${url}/v1.0/$metadata#users('${encodeURIComponent(mailbox)}')/mailFolders/$entity`,
          id: 'AQMkAD' + Buffer.from(`${mailbox}:${displayName}`).toString('base64').replace(/=+$/, '') + '=',
          displayName,
          parentFolderId: 'AQMkADRoot=',
          childFolderCount: 0,
          unreadItemCount: 0,
          totalItemCount: total,
          sizeInBytes: 0,
          isHidden: false,
        });
      }
      default:
        throw new GraphError(404, 'ResourceNotFound', `Resource not found for the segment '${rest[rest.length - 1] ?? ''}'.`);
    }
  }

  // ---- the upload URL (Outlook's /api/v2.0 AttachmentSessions) ------------------------------------------

  function sessionPath(s: UploadSession): string {
    return `/api/v2.0/Users('${encodeURIComponent(s.mailbox)}')/Messages('${encodeURIComponent(s.draftId)}')/AttachmentSessions('${encodeURIComponent(s.id)}')`;
  }

  function upload(req: IncomingMessage, res: ServerResponse, segments: string[], query: URLSearchParams, body: Buffer): void {
    const sid = segments[segments.length - 2]?.toLowerCase() === 'attachmentsessions' ? segments[segments.length - 1] : undefined;
    const session = sid !== undefined ? sessions.get(sid) : undefined;
    // "Do not specify an Authorization request header": the URL carries its own token, and
    // a Graph bearer sent along has the wrong audience for Outlook.
    if (req.headers.authorization !== undefined) throw new GraphError(401, 'InvalidAudience', "The audience claim value is invalid 'aud'.");
    if (!session || query.get('authtoken') !== session.authtoken) {
      if (session) throw unauthenticated('Access token validation failure.');
      throw notFoundInStore();
    }
    const draft = drafts.get(session.draftId);
    if (!draft) {
      sessions.delete(session.id);
      throw notFoundInStore();
    }
    if (req.method === 'DELETE') {
      sessions.delete(session.id);
      draft.openUploadSessions = Math.max(0, draft.openUploadSessions - 1);
      return empty(res, 204);
    }
    if (req.method !== 'PUT') throw new GraphError(405, 'BadRequest', 'Specified HTTP method is not allowed for the request uri.');
    if (Date.parse(session.expirationDateTime) < Date.now()) throw new GraphError(404, 'ErrorItemNotFound', 'The upload session has expired.');

    // Request headers: Content-Length, Content-Range (bytes {start}-{end}/{total}) and
    // Content-Type (application/octet-stream), all required.
    const lengthHeader = req.headers['content-length'];
    if (lengthHeader === undefined) throw new GraphError(411, 'LengthRequired', 'Length Required');
    if (mediaType(req) !== 'application/octet-stream') {
      throw new GraphError(415, 'UnsupportedMediaType', `The content type '${req.headers['content-type'] ?? ''}' is not supported; specify application/octet-stream.`);
    }
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(req.headers['content-range'] ?? '');
    if (!range) throw new GraphError(400, 'invalidRequest', `The Content-Range header '${req.headers['content-range'] ?? ''}' is missing or not in the form 'bytes {start}-{end}/{total}'.`);
    const start = Number(range[1]);
    const end = Number(range[2]);
    const total = Number(range[3]);
    const length = end - start + 1;
    if (total !== session.size) throw new GraphError(400, 'invalidRange', 'Declared total size for this fragment is different from that of the upload session.');
    if (end < start || end >= total) throw new GraphError(416, 'invalidRange', 'The specified byte range is invalid or unavailable.');
    if (Number(lengthHeader) !== length || body.length !== length) {
      throw new GraphError(400, 'invalidRequest', `Content-Length ${lengthHeader} does not match the ${length} bytes of Content-Range ${req.headers['content-range']}.`);
    }
    if (length > MAX_CHUNK_BYTES) throw new GraphError(413, 'invalidRequest', 'Max fragment length exceeded: upload at most 4 MB in each request.');
    if (start < session.next) throw new GraphError(416, 'invalidRange', 'Uploaded fragment overlaps with existing data.');
    if (start > session.next) throw new GraphError(416, 'invalidRange', 'Uploaded fragment is out of order.');
    const last = end === total - 1;
    if (options.requireChunkMultiple && !last && length % options.requireChunkMultiple !== 0) {
      throw new GraphError(400, 'invalidRequest', `Each fragment but the last must be a multiple of ${options.requireChunkMultiple} bytes.`);
    }
    session.chunks.push(Buffer.from(body));
    session.next = end + 1;
    if (!last) {
      // As in "Attach large files to Outlook messages or events", step 2.
      return json(res, 200, {
        '@odata.context': `${url}/api/v2.0/$metadata#Users('${encodeURIComponent(session.mailbox)}')/Messages('${encodeURIComponent(session.draftId)}')/AttachmentSessions/$entity`,
        ExpirationDateTime: session.expirationDateTime,
        nextExpectedRanges: [String(session.next)],
      });
    }
    sessions.delete(session.id);
    draft.openUploadSessions = Math.max(0, draft.openUploadSessions - 1);
    const attachment = {
      id: exchangeId('AAMkADAtt'),
      name: session.name,
      contentType: session.contentType,
      bytes: Buffer.concat(session.chunks),
      uploaded: true,
      isInline: session.isInline,
      ...(session.contentId ? { contentId: session.contentId } : {}),
    };
    draft.attachments.push(attachment);
    draft.lastModifiedDateTime = nowIso();
    return empty(res, 201, {
      Location: `${url}/api/v2.0/Users('${encodeURIComponent(session.mailbox)}')/Messages('${encodeURIComponent(session.draftId)}')/Attachments('${encodeURIComponent(attachment.id)}')`,
    });
  }

  // ---- plumbing ----------------------------------------------------------------------------------

  const ids = new WeakMap<IncomingMessage, { requestId: string; clientRequestId: string }>();

  function finish(res: ServerResponse, status: number, headers: Record<string, string>, payload?: Buffer): void {
    const req = (res as ServerResponse & { req: IncomingMessage }).req;
    const id = ids.get(req)!;
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    requests.push({ method: req.method ?? '', path, status, authorization: req.headers.authorization !== undefined });
    res.writeHead(status, {
      'request-id': id.requestId,
      'client-request-id': id.clientRequestId,
      'Cache-Control': 'no-cache',
      ...headers,
      'Content-Length': String(payload?.length ?? 0),
    });
    res.end(payload);
  }

  function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
    finish(res, status, { 'Content-Type': 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8', ...headers }, Buffer.from(JSON.stringify(value)));
  }

  function empty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
    finish(res, status, headers);
  }

  function error(res: ServerResponse, err: GraphError): void {
    const req = (res as ServerResponse & { req: IncomingMessage }).req;
    const id = ids.get(req)!;
    const body = {
      error: {
        code: err.code,
        message: err.message,
        innerError: { date: nowIso().replace(/Z$/, ''), 'request-id': id.requestId, 'client-request-id': id.clientRequestId },
      },
    };
    finish(res, err.status, { 'Content-Type': 'application/json', ...err.headers }, Buffer.from(JSON.stringify(body)));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const clientRequestId = typeof req.headers['client-request-id'] === 'string' ? req.headers['client-request-id'] : crypto.randomUUID();
    ids.set(req, { requestId: crypto.randomUUID(), clientRequestId });
    try {
      const body = await bodyOf(req);
      const target = new URL(req.url ?? '/', 'https://localhost');
      const next = forced.shift();
      if (next) {
        const headers: Record<string, string> = next.retryAfterSeconds !== undefined ? { 'Retry-After': String(next.retryAfterSeconds) } : {};
        throw new GraphError(next.status, next.code, next.message, headers);
      }
      let segments: string[];
      try {
        segments = segmentsOf(target.pathname);
      } catch {
        throw new GraphError(400, 'BadRequest', 'Invalid request URI.');
      }
      if (segments[0] === 'v1.0') await api(req, res, segments.slice(1), body);
      else if (segments[0] === 'api' && segments[1]?.toLowerCase() === 'v2.0') upload(req, res, segments, target.searchParams, body);
      else throw new GraphError(404, 'ResourceNotFound', `Resource not found for the segment '${segments[0] ?? ''}'.`);
    } catch (err) {
      if (res.headersSent) return;
      if (err instanceof GraphError) error(res, err);
      else error(res, new GraphError(500, 'generalException', err instanceof Error ? err.message : String(err)));
    }
  }

  const server = https.createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    void handle(req, res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `https://localhost:${port}`;

  return {
    url,
    sent,
    drafts,
    requests,
    throttle(n, retryAfterSeconds) {
      for (let i = 0; i < n; i += 1) {
        forced.push({ status: 429, code: 'TooManyRequests', message: 'Please retry again later.', retryAfterSeconds });
      }
    },
    failNext(status, code, message, retryAfterSeconds) {
      forced.push({ status, code, message, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
