// What the built-in mailer does with text: addresses typed into a field, sizes against a profile's
// limit, and the message body (pasted HTML made safe, the plain-text alternative).
// The compose launcher in the header uses formatSize at the first paint: the address rules come
// from the contract's module without zod.
import { isRecipient, splitRecipients } from '../../../preload/contract/address';

const MB = 1024 * 1024;

/**
 * The recipients typed in one field, in order, as typed: "ap@example.com", or with a name,
 * "Accounts Payable <ap@example.com>" as pasted from a mail client. A comma or semicolon inside a
 * quoted name ("Smith, John" <j@example.com>) does not separate.
 */
export function splitAddresses(text: string): string[] {
  return splitRecipients(text);
}

/** The recipients in a field that are not one email address each (with or without a name). */
export function invalidAddresses(addresses: readonly string[]): string[] {
  return addresses.filter((a) => !isRecipient(a));
}

/**
 * The tokens of a field that are finished: all of them once the user has left the field, and all
 * but the one being typed while they are still in it (an address is not wrong halfway through).
 */
export function settledAddresses(text: string, focused: boolean): string[] {
  const all = splitAddresses(text);
  if (!focused || /[,;\r\n]\s*$/.test(text)) return all;
  return all.slice(0, -1);
}

function quoted(values: readonly string[]): string {
  const shown = values.slice(0, 3).map((v) => `“${v.length > 60 ? `${v.slice(0, 59)}…` : v}”`);
  if (values.length > 3) return `${shown.join(', ')} and ${values.length - 3} more`;
  if (shown.length === 1) return shown[0] ?? '';
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1) ?? ''}`;
}

/** What to say under a field holding addresses that are not email addresses. */
export function addressProblem(invalid: readonly string[]): string | undefined {
  if (invalid.length === 0) return undefined;
  const what = invalid.length === 1 ? 'is not an email address' : 'are not email addresses';
  return `${quoted(invalid)} ${what}. Enter addresses like accounts@example.com or Accounts <accounts@example.com>, separated by commas or semicolons; put a name with a comma in double quotes.`;
}

/** "812 bytes", "24 KB", "3.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < MB) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const mb = bytes / MB;
  return `${mb < 100 ? (Math.ceil(mb * 10) / 10).toFixed(1) : Math.ceil(mb)} MB`;
}

/** A profile's limit as the SMTP tab shows it: "20 MB", "0.5 MB". */
export function formatLimit(mb: number): string {
  return `${Number.isInteger(mb) ? mb : Number(mb.toFixed(2))} MB`;
}

export function limitBytes(maxAttachmentsMb: number): number {
  return maxAttachmentsMb > 0 ? maxAttachmentsMb * MB : Number.POSITIVE_INFINITY;
}

/** A time of day as the compose window shows it (a draft saved, a retry due), or '' when unknown. */
export function timeOf(iso: string | null | undefined): string {
  const when = iso ? new Date(iso) : null;
  return when && !Number.isNaN(when.getTime()) ? when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : '';
}

// ---- the body ------------------------------------------------------------------------------------

/** Formatting kept from pasted or stored HTML; everything else is unwrapped to its text. */
const KEPT = new Set(['B', 'STRONG', 'I', 'EM', 'U', 'S', 'P', 'DIV', 'BR', 'UL', 'OL', 'LI', 'A', 'BLOCKQUOTE', 'TABLE', 'THEAD', 'TBODY', 'TR', 'TD', 'TH']);
/** Dropped with everything in them: code, styles, embedded content, form controls, document metadata. */
const DROPPED = new Set([
  'SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'IFRAME', 'FRAME', 'FRAMESET', 'OBJECT', 'EMBED', 'APPLET', 'HEAD', 'TITLE', 'META', 'LINK', 'BASE',
  'SVG', 'MATH', 'CANVAS', 'VIDEO', 'AUDIO', 'SOURCE', 'TRACK', 'IMG', 'PICTURE', 'INPUT', 'BUTTON', 'SELECT', 'TEXTAREA', 'OPTION', 'XML',
]);
/** Headings keep their text as a paragraph of their own. */
const HEADINGS = new Set(['H1', 'H2', 'H3', 'H4', 'H5', 'H6']);

/** Whether a link may be kept: web pages and email addresses only. */
export function isSafeLink(href: string): boolean {
  return /^(https?:\/\/[^\s]+|mailto:[^\s]+)$/i.test(href.trim());
}

function cleanInto(source: Node, target: Node, doc: Document): void {
  for (const child of Array.from(source.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) {
      target.appendChild(doc.createTextNode(child.textContent ?? ''));
      continue;
    }
    if (child.nodeType !== Node.ELEMENT_NODE) continue; // comments, processing instructions
    const element = child as Element;
    const tag = element.tagName.toUpperCase();
    if (DROPPED.has(tag) || DROPPED.has(tag.split(':').pop() ?? '')) continue;
    if (HEADINGS.has(tag)) {
      const p = doc.createElement('p');
      cleanInto(element, p, doc);
      target.appendChild(p);
      continue;
    }
    if (!KEPT.has(tag)) {
      cleanInto(element, target, doc);
      continue;
    }
    if (tag === 'A') {
      const href = element.getAttribute('href') ?? '';
      if (!isSafeLink(href)) {
        cleanInto(element, target, doc);
        continue;
      }
      const a = doc.createElement('a');
      a.setAttribute('href', href.trim());
      cleanInto(element, a, doc);
      target.appendChild(a);
      continue;
    }
    // No attributes survive: no handlers, styles, classes or ids.
    const copy = doc.createElement(tag.toLowerCase());
    cleanInto(element, copy, doc);
    target.appendChild(copy);
  }
}

/** HTML with only basic formatting left: no scripts, styles, event handlers, images or unsafe links. */
export function sanitizeHtml(html: string): string {
  // A parsed document is inert: nothing in it runs or loads.
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  const out = document.implementation.createHTMLDocument('');
  const container = out.createElement('div');
  cleanInto(parsed.body, container, out);
  return container.innerHTML;
}

const BLOCKS = new Set(['P', 'DIV', 'BLOCKQUOTE', 'UL', 'OL', 'TABLE', 'TR', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6']);

/** The plain-text alternative of a body: lines for blocks, "- " and "1. " for list items, links with their address. */
export function htmlToText(html: string): string {
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  let out = '';
  const newline = () => {
    if (out !== '' && !out.endsWith('\n')) out += '\n';
  };
  const walk = (node: Node, listIndex?: { n: number; ordered: boolean }) => {
    for (const child of Array.from(node.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) {
        const text = (child.textContent ?? '').replace(/\s+/g, ' ');
        out += out === '' || out.endsWith('\n') ? text.trimStart() : text;
        continue;
      }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      const element = child as Element;
      const tag = element.tagName.toUpperCase();
      if (tag === 'BR') {
        out += '\n';
      } else if (tag === 'LI') {
        newline();
        if (listIndex) {
          listIndex.n += 1;
          out += listIndex.ordered ? `${listIndex.n}. ` : '- ';
        }
        walk(element);
        newline();
      } else if (tag === 'UL' || tag === 'OL') {
        newline();
        walk(element, { n: 0, ordered: tag === 'OL' });
        newline();
      } else if (tag === 'A') {
        const before = out.length;
        walk(element);
        const label = out.slice(before).trim();
        const href = element.getAttribute('href') ?? '';
        const bare = href.replace(/^mailto:/i, '');
        if (href && label !== href && label !== bare) out += ` <${href}>`;
      } else if (tag === 'TD' || tag === 'TH') {
        walk(element);
        out += '\t';
      } else if (BLOCKS.has(tag)) {
        newline();
        walk(element);
        newline();
        if (tag === 'P') out += '\n';
      } else {
        walk(element);
      }
    }
  };
  walk(parsed.body);
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Whether a body holds anything worth sending: text, or a list or line the user made. */
export function isBlankHtml(html: string): boolean {
  return htmlToText(html) === '';
}
