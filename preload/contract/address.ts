// What counts as one mailbox address everywhere in Mailroom. Settings (system mailboxes, the From
// address) take a bare addr-spec; a message's recipients may add a display name. Never a group, a
// comment or anything that could split a header. Plain functions, without zod: the dialog's first
// paint uses them before the schemas have loaded; the schemas built on them are in mailbox.ts.

const LOCAL_ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const MAILBOX_RE = new RegExp(`^${LOCAL_ATOM}(?:\\.${LOCAL_ATOM})*@${LABEL}(?:\\.${LABEL})+$`, 'u');

export const MAILBOX_HINT = 'Enter one email address, like accounts@example.com';

export function isMailbox(value: string): boolean {
  return value.length <= 254 && MAILBOX_RE.test(value);
}

// ---- recipients -----------------------------------------------------------------------------
// A recipient (To, Cc, Bcc of a message) may carry a display name: `ap@example.com`,
// `Accounts Payable <ap@example.com>` or `"Payable, Accounts" <ap@example.com>`. It is always one
// mailbox: the name is only ever shown, and the address alone goes in the envelope.

/** One recipient: its address, and the display name it was given ('' for none). */
export interface Recipient {
  name: string;
  address: string;
}

export const RECIPIENT_HINT = 'Enter one email address, like ap@example.com or "Accounts Payable" <ap@example.com>';
export const RECIPIENT_NAME_MAX_CHARS = 200;
/** The longest recipient text: a long quoted name and the longest address. */
export const RECIPIENT_MAX_CHARS = 600;

// Controls (C0, DEL, C1), line and paragraph separators, and the bidirectional overrides and
// isolates that make a name read as something other than what it is. A line break in a name is
// how a header or a recipient would be smuggled in.
const RECIPIENT_FORBIDDEN = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
/** Characters that would be read as structure in a name without quotes (RFC 5322 specials). */
const NAME_SPECIALS = /[",;<>@:()[\]\\]/;
/** A name that needs no quotes: words of letters, digits, atext symbols and dots. */
const PLAIN_NAME = /^[\p{L}\p{M}\p{N} !#$%&'*+/=?^_`{|}~.-]+$/u;

export type RecipientParse = { ok: true; value: Recipient } | { ok: false; message: string };

/**
 * Reads one recipient: an address, or a display name and an address in angle brackets. A name
 * with commas, semicolons, quotes, brackets or @ must be in double quotes (backslash escapes a
 * quote), and then stays one name: it never splits into a second recipient.
 */
export function parseRecipient(input: string): RecipientParse {
  const fail = (message: string): RecipientParse => ({ ok: false, message });
  if (RECIPIENT_FORBIDDEN.test(input)) return fail('A recipient cannot contain line breaks or control characters');
  const text = input.trim();
  if (text === '') return fail('Required');
  if (text.length > RECIPIENT_MAX_CHARS) return fail(`Use a recipient of at most ${RECIPIENT_MAX_CHARS} characters`);
  const notOne = (what: string) => fail(`"${what.slice(0, 80)}" is not an email address. ${RECIPIENT_HINT}`);
  if (!text.endsWith('>')) return isMailbox(text) ? { ok: true, value: { name: '', address: text } } : notOne(text);

  // An address never holds "<", so the last one opens it, whatever a quoted name holds.
  const open = text.lastIndexOf('<');
  if (open < 0) return notOne(text);
  const address = text.slice(open + 1, -1).trim();
  const before = text.slice(0, open).trim();
  let name = before;
  if (before.startsWith('"')) {
    let i = 1;
    name = '';
    for (; i < before.length; i++) {
      const c = before[i] as string;
      if (c === '\\' && i + 1 < before.length) name += before[++i];
      else if (c === '"') break;
      else name += c;
    }
    if (i !== before.length - 1) return fail('Put the whole name in double quotes, like "Smith, John" <j.smith@example.com>');
  } else if (NAME_SPECIALS.test(before)) {
    return fail('Put a name with commas, semicolons, quotes, brackets or @ in double quotes, like "Smith, John" <j.smith@example.com>');
  }
  name = name.replace(/\s+/gu, ' ').trim();
  if (name.length > RECIPIENT_NAME_MAX_CHARS) return fail(`Use a name of at most ${RECIPIENT_NAME_MAX_CHARS} characters`);
  if (!isMailbox(address)) return notOne(address);
  return { ok: true, value: { name, address } };
}

export function isRecipient(value: string): boolean {
  return parseRecipient(value).ok;
}

/** The bare address of a recipient; text that is not one comes back trimmed, as it is. */
export function recipientAddress(value: string): string {
  const parsed = parseRecipient(value);
  return parsed.ok ? parsed.value.address : value.trim();
}

/** A recipient as text that parseRecipient reads back the same: the name quoted when it must be. */
export function formatRecipient(r: Recipient): string {
  if (r.name === '') return r.address;
  const name = PLAIN_NAME.test(r.name) ? r.name : `"${r.name.replace(/(["\\])/g, '\\$1')}"`;
  return `${name} <${r.address}>`;
}

/**
 * The recipients in a list as people type or paste it: separated by semicolons and line breaks,
 * and by commas too unless `commas` is false; separators inside a quoted name or inside angle
 * brackets do not count.
 */
export function splitRecipients(text: string, options: { commas?: boolean } = {}): string[] {
  const separators = options.commas === false ? ';\r\n' : ',;\r\n';
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '\\' && i + 1 < text.length) {
        current += c + (text[++i] as string);
        continue;
      }
      if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') angle = true;
    else if (c === '>') angle = false;
    else if (!angle && separators.includes(c)) {
      out.push(current);
      current = '';
      continue;
    }
    current += c;
  }
  out.push(current);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}
