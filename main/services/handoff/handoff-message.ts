// The neutral message every hand-off takes, the one list of failure codes, and the checks and
// normalisation all hand-off modes share, so Outlook, MAPI, .eml and mailto: see the same message.
import { parseRecipient, type Recipient } from '../../../preload/contract';

export interface HandoffAttachment {
  /** The name the recipient sees. */
  filename: string;
  /** A file on disk; the hand-off copies or embeds it, it never hands this path to the client. */
  path: string;
  contentType?: string;
}

export interface HandoffMessage {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text?: string;
  html?: string;
  attachments: HandoffAttachment[];
  from?: string;
}

export type HandoffMode = 'outlook' | 'full-mapi' | 'simple-mapi' | 'os-default';
export type HandoffAction = 'compose' | 'send';

export type HandoffErrorCode =
  | 'invalid-message'
  | 'unsupported-platform'
  | 'send-unsupported'
  | 'attachment-unreadable'
  | 'temp-failed'
  | 'outlook-not-installed'
  | 'outlook-unavailable'
  | 'outlook-access-denied'
  | 'outlook-unresolved-recipients'
  | 'outlook-failed'
  | 'mapi-unavailable'
  | 'mapi-failed'
  | 'cancelled'
  | 'opener-missing'
  | 'opener-failed';

export interface HandoffFailure {
  code: HandoffErrorCode;
  message: string;
}

/** A recipient as the contract reads it: display name ('' when none) and address. */
export type ParsedAddress = Recipient;

/** The message after the shared checks: addresses parsed, one-line fields made one line. */
export interface NormalizedMessage {
  to: ParsedAddress[];
  cc: ParsedAddress[];
  bcc: ParsedAddress[];
  from?: ParsedAddress;
  subject: string;
  text?: string;
  html?: string;
  attachments: HandoffAttachment[];
}

// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f]/g;
const CONTENT_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/**
 * Reads `address` or `Name <address>` by the one recipient rule (parseRecipient in the contract).
 * Null when it is not one recipient.
 */
export function parseAddress(input: string): ParsedAddress | null {
  const parsed = parseRecipient(input);
  return parsed.ok ? parsed.value : null;
}

/** `Name <address>` for display and for clients that take one string per recipient. */
export function formatAddress(a: ParsedAddress): string {
  return a.name ? `${a.name} <${a.address}>` : a.address;
}

/** A subject is one line: line breaks and tabs become a space, other controls and NUL go. */
export function normalizeSubject(subject: string): string {
  return subject.replace(/\r\n|[\r\n\t]/g, ' ').replace(CONTROL_ALL, '');
}

/** Bodies keep everything but NUL, which no C string (MAPI) can carry. */
function stripNul(value: string | undefined): string | undefined {
  // eslint-disable-next-line no-control-regex
  return value === undefined ? undefined : value.replace(/\u0000/g, '');
}

export function normalizeMessage(message: HandoffMessage, action: HandoffAction = 'compose'): { ok: true; value: NormalizedMessage } | { ok: false; error: HandoffFailure } {
  const fail = (text: string) => ({ ok: false as const, error: { code: 'invalid-message' as const, message: text } });
  const lists: Record<'to' | 'cc' | 'bcc', ParsedAddress[]> = { to: [], cc: [], bcc: [] };
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    const values = message[kind] ?? [];
    for (let i = 0; i < values.length; i++) {
      const parsed = parseAddress(values[i] ?? '');
      if (!parsed) return fail(`${kind.toUpperCase()} recipient ${i + 1} is not a valid e-mail address.`);
      lists[kind].push(parsed);
    }
  }
  let from: ParsedAddress | undefined;
  if (message.from !== undefined && message.from.trim() !== '') {
    const parsed = parseAddress(message.from);
    if (!parsed) return fail('The sender is not a valid e-mail address.');
    from = parsed;
  }
  if (action === 'send' && lists.to.length + lists.cc.length + lists.bcc.length === 0) return fail('Sending needs at least one recipient.');
  const attachments: HandoffAttachment[] = [];
  for (const [i, a] of (message.attachments ?? []).entries()) {
    const filename = a.filename.replace(CONTROL_ALL, '_');
    if (filename.trim() === '') return fail(`Attachment ${i + 1} has no file name.`);
    if (!a.path) return fail(`Attachment ${i + 1} (${filename}) has no file.`);
    if (a.contentType !== undefined && !CONTENT_TYPE.test(a.contentType)) return fail(`Attachment ${i + 1} (${filename}) has an invalid content type.`);
    attachments.push({ filename, path: a.path, ...(a.contentType !== undefined ? { contentType: a.contentType } : {}) });
  }
  const text = stripNul(message.text);
  const html = stripNul(message.html);
  return {
    ok: true,
    value: {
      ...lists,
      ...(from ? { from } : {}),
      subject: normalizeSubject(message.subject ?? ''),
      ...(text !== undefined ? { text } : {}),
      ...(html !== undefined ? { html } : {}),
      attachments,
    },
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** A readable plain-text version of an HTML body, for clients that take text only (Simple MAPI, mailto:). */
export function htmlToPlainText(html: string): string {
  return html
    .replace(/<(script|style|head)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|table|blockquote)\s*>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '- ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
      if (entity[0] === '#') {
        const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[entity.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The body for a client that takes plain text only. */
export function plainBody(message: NormalizedMessage): string {
  if (message.text !== undefined) return message.text;
  if (message.html !== undefined) return htmlToPlainText(message.html);
  return '';
}
