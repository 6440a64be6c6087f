// What the debug log may show of a conversation with a mail server. Secrets never: sign-in
// commands and challenge answers are hidden by their place in the dialogue, and every known secret
// is replaced wherever it turns up, plain or encoded. Message content never: only its size.
// No I/O here; the debug log feeds each conversation's lines through one ConversationMasker.
import { escapeServerText } from '../text/server-text';

export type Direction = 'client' | 'server' | 'note';

export interface MaskedLine {
  direction: Direction;
  text: string;
}

/** Longest text of one log line; longer lines end with "…". */
export const MAX_LINE_CHARS = 2000;

/** What stands where sign-in data was. */
export const HIDDEN = '[hidden]';

// Shorter base64 pieces occur by chance; a secret that short is found by decoding instead (see redact).
const MIN_BASE64_CORE = 3;
const LINE_BREAK = /\r\n|\r|\n/;

function tryEncode(encode: (s: string) => string, secret: string): string | undefined {
  try {
    return encode(secret);
  } catch {
    // A lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded either.
    return undefined;
  }
}

/**
 * The part of base64(bytes) that is the same wherever `bytes` sits in a larger blob whose offset
 * is `offset` modulo 3: the characters made only of the secret's bits, none of its neighbours'.
 */
export function base64Core(bytes: Buffer, offset: 0 | 1 | 2): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  const first = Math.ceil((8 * offset) / 6);
  const end = Math.floor((8 * (offset + bytes.length)) / 6);
  return end > first ? encoded.slice(first, end) : '';
}

/**
 * Every form in which this secret could reach a log line: as itself, escaped for display, as a
 * JSON string, URL-encoded (several styles) and inside base64 at each of the three alignments
 * (base64("\0user\0password") holds the password at offset 2 + the user name's length).
 */
export function secretForms(secret: string): string[] {
  if (secret === '') return [];
  const forms = new Set<string>([secret]);
  if (LINE_BREAK.test(secret)) {
    // Log lines never hold a line break, but a secret could straddle two of them: hide its longest piece.
    const pieces = secret.split(LINE_BREAK).sort((a, b) => b.length - a.length);
    if (pieces[0]) forms.add(pieces[0]);
  }
  forms.add(escapeServerText(secret, secret.length * 8 + 16));
  forms.add(JSON.stringify(secret).slice(1, -1));
  for (const encode of [encodeURIComponent, encodeURI, escape]) {
    const encoded = tryEncode(encode, secret);
    if (encoded === undefined) continue;
    forms.add(encoded);
    forms.add(encoded.replace(/%20/g, '+'));
    forms.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  }
  const bytes = Buffer.from(secret, 'utf8');
  // Encoded on its own (an AUTH LOGIN answer), even a secret too short for a core is recognisable.
  const whole = bytes.toString('base64');
  forms.add(whole);
  if (whole.replace(/=+$/, '').length >= MIN_BASE64_CORE) forms.add(whole.replace(/=+$/, ''));
  for (const offset of [0, 1, 2] as const) {
    const core = base64Core(bytes, offset);
    if (core.length < MIN_BASE64_CORE) continue;
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  forms.delete('');
  return [...forms].sort((a, b) => b.length - a.length);
}

// None of these is a base64 or base64url character, so a mask never joins a base64 run.
const MASK_CANDIDATES = '*#~^!?';

/**
 * A run of one character that occurs in none of the forms. Because no form holds it, a form can
 * never be put together from a mask and the text next to it: one pass per form leaves none behind.
 */
export function maskFor(forms: readonly string[]): string {
  const used = (ch: string) => forms.some((f) => f.includes(ch));
  for (const ch of MASK_CANDIDATES) if (!used(ch)) return ch.repeat(8);
  for (let code = 0x2580; ; code += 1) {
    const ch = String.fromCodePoint(code);
    if (!used(ch)) return ch.repeat(8);
  }
}

const BASE64_RUN = /[A-Za-z0-9+/_-]{4,}={0,2}/g;

/** Whether base64-decoding this run, from any of its first four characters, yields one of `secrets`. */
function decodesToSecret(run: string, secrets: readonly Buffer[]): boolean {
  for (let start = 0; start < 4; start += 1) {
    const piece = run.slice(start).replace(/=+$/, '');
    if (piece.length < 2) continue;
    // Node decodes the standard and the URL-safe alphabets alike, and a last partial group too.
    const decoded = Buffer.from(piece, 'base64');
    if (secrets.some((s) => decoded.includes(s))) return true;
  }
  return false;
}

/** Replaces every form of the known secrets. */
export class SecretRedactor {
  private readonly secrets = new Set<string>();
  private secretBytes: Buffer[] = [];
  private forms: string[] = [];
  private mask = '********';

  constructor(secrets: Iterable<string | undefined | null> = []) {
    for (const s of secrets) this.add(s);
  }

  add(secret: string | undefined | null): void {
    if (typeof secret !== 'string' || secret === '' || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.secretBytes = [...this.secrets].map((s) => Buffer.from(s, 'utf8'));
    this.forms = [...new Set([...this.secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
    this.mask = maskFor(this.forms);
  }

  redact(text: string): string {
    let out = text;
    for (const form of this.forms) if (out.includes(form)) out = out.split(form).join(this.mask);
    // A secret too short for its base64 forms to be told from chance is still found by decoding.
    if (this.secretBytes.length > 0) out = out.replace(BASE64_RUN, (run) => (decodesToSecret(run, this.secretBytes) ? this.mask : run));
    return out;
  }
}

/** Text safe to write: no known secret, no control characters, one line, bounded. */
function clean(redactor: SecretRedactor, text: string): string {
  return redactor.redact(escapeServerText(redactor.redact(text), MAX_LINE_CHARS));
}

const AUTH_COMMAND = /^\s*AUTH(?:\s+(\S+))?(\s+[\s\S]*)?$/i;
const MECHANISM = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * One SMTP conversation as the log may show it. It follows the dialogue: after AUTH, and after
 * any 334 challenge, what the client sends is sign-in data and is hidden until the server gives a
 * final answer; after a 354 everything the client sends is message content (headers included)
 * and is only counted, until the lone "." or the server's next reply.
 */
export class ConversationMasker {
  private readonly redactor: SecretRedactor;
  private signingIn = false;
  private answerExpected = false;
  private inContent = false;
  private contentBytes = 0;

  constructor(secrets: Iterable<string | undefined | null> = []) {
    this.redactor = new SecretRedactor(secrets);
  }

  addSecret(secret: string | undefined | null): void {
    this.redactor.add(secret);
  }

  /** Removes every known secret; run over each whole line just before it is written. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** What the client sent: one command line, or several separated by line breaks. */
  client(text: string): MaskedLine[] {
    const out: MaskedLine[] = [];
    for (const line of splitLines(text)) out.push(...this.clientLine(line));
    return out;
  }

  /** What the server sent: one reply, possibly of several lines. */
  server(text: string): MaskedLine[] {
    const lines = splitLines(text);
    // A server speaks after the content has ended (or was cut off): report it first.
    const out: MaskedLine[] = this.endContent();
    for (const line of lines) out.push({ direction: 'server', text: clean(this.redactor, line) });
    const last = lines[lines.length - 1] ?? '';
    const code = /^(\d{3})(?:[ -]|$)/.exec(last)?.[1];
    if (code === '334') this.answerExpected = true;
    else if (code === '354') {
      this.inContent = true;
      this.contentBytes = 0;
    } else if (code !== undefined) {
      this.signingIn = false;
      this.answerExpected = false;
    }
    return out;
  }

  /** Message content reported in pieces rather than lines (nodemailer's data stream): counted only. */
  content(bytes: number): void {
    this.inContent = true;
    if (Number.isFinite(bytes) && bytes > 0) this.contentBytes += bytes;
  }

  /** Closes the content, if any is open: the one line that stands for it. `totalBytes` overrides the count. */
  endContent(totalBytes?: number): MaskedLine[] {
    if (!this.inContent) return [];
    const bytes = typeof totalBytes === 'number' && Number.isFinite(totalBytes) && totalBytes >= 0 ? Math.round(totalBytes) : this.contentBytes;
    this.inContent = false;
    this.contentBytes = 0;
    return [{ direction: 'client', text: `[message content: ${bytes} bytes, not logged]` }];
  }

  /** A remark of our own (or of the mail library): secrets removed, made one safe line. */
  note(text: string): string {
    return clean(this.redactor, text);
  }

  /** Whatever is still open when the conversation ends. */
  finish(): MaskedLine[] {
    return this.endContent();
  }

  private clientLine(line: string): MaskedLine[] {
    if (this.inContent) {
      if (line === '.') return [...this.endContent(), { direction: 'client', text: '.' }];
      this.contentBytes += Buffer.byteLength(line, 'utf8') + 2;
      return [];
    }
    if (this.signingIn || this.answerExpected) {
      this.answerExpected = false;
      return [{ direction: 'client', text: `${HIDDEN} (sign-in data)` }];
    }
    const auth = AUTH_COMMAND.exec(line);
    if (auth) {
      this.signingIn = true;
      const mechanism = auth[1];
      if (mechanism === undefined) return [{ direction: 'client', text: 'AUTH' }];
      if (!MECHANISM.test(mechanism)) return [{ direction: 'client', text: `AUTH ${HIDDEN}` }];
      const name = mechanism.toUpperCase();
      return [{ direction: 'client', text: auth[2]?.trim() ? `AUTH ${clean(this.redactor, name)} ${HIDDEN}` : `AUTH ${clean(this.redactor, name)}` }];
    }
    return [{ direction: 'client', text: clean(this.redactor, line) }];
  }
}

function splitLines(text: string): string[] {
  const lines = String(text).split(LINE_BREAK);
  while (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
