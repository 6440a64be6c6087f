// RFC 6068 mailto: URLs, used only for short plain messages with no attachments.
//
// Limit: MAILTO_MAX_LENGTH characters for the whole URL. Windows hands URLs to protocol handlers
// through ShellExecute, and several mail clients cut what they receive near 2,048 characters, so
// a longer message goes out as a draft .eml instead, where nothing is cut.
import type { NormalizedMessage } from './handoff-message';

export const MAILTO_MAX_LENGTH = 2000;

// Everything but RFC 3986 unreserved characters is percent-encoded (UTF-8), so no quote, space,
// '&', '?', '#', ',' or '%' of the message can be read as URL syntax by any handler.
function encode(value: string, keep = ''): string {
  let out = '';
  for (const ch of value) {
    if (/[A-Za-z0-9\-._~]/.test(ch) || (keep && keep.includes(ch))) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The mailto: URL for a message. Recipients are bare addresses (RFC 6068 carries addr-specs, not
 * display names); line breaks in the body are sent as %0D%0A as the RFC requires.
 */
export function buildMailtoUrl(message: NormalizedMessage, body: string = message.text ?? ''): string {
  const addresses = (list: { address: string }[]) => list.map((a) => encode(a.address, '@')).join(',');
  const fields: string[] = [];
  if (message.cc.length) fields.push(`cc=${addresses(message.cc)}`);
  if (message.bcc.length) fields.push(`bcc=${addresses(message.bcc)}`);
  if (message.subject) fields.push(`subject=${encode(message.subject)}`);
  if (body) fields.push(`body=${encode(body.replace(/\r\n|\r|\n/g, '\r\n'))}`);
  return `mailto:${addresses(message.to)}${fields.length ? `?${fields.join('&')}` : ''}`;
}

/** The mailto: URL when the message is short, plain and has nothing attached; otherwise null. A sender cannot be
 * named in mailto: (the client uses its own account), so `from` does not count. */
export function mailtoFor(message: NormalizedMessage): string | null {
  if (message.attachments.length > 0 || message.html !== undefined) return null;
  const url = buildMailtoUrl(message);
  return url.length <= MAILTO_MAX_LENGTH ? url : null;
}
