import { describe, expect, it } from 'vitest';
import { normalizeMessage, type HandoffMessage, type NormalizedMessage } from '../../../main/services/handoff/handoff-message';
import { buildMailtoUrl, MAILTO_MAX_LENGTH, mailtoFor } from '../../../main/services/handoff/mailto';
import { HOSTILE, HOSTILE_SUBJECT, hostileRecipients, LONG_TEXT } from './hostile';

function normalized(m: Partial<HandoffMessage>): NormalizedMessage {
  const r = normalizeMessage({ to: [], cc: [], bcc: [], subject: '', attachments: [], ...m });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

/** Reads a mailto: URL back the way a mail client does (RFC 6068). */
function parseMailto(url: string) {
  const u = new URL(url);
  const list = (v: string) => (v === '' ? [] : v.split(',').map(decodeURIComponent));
  const fields: Record<string, string> = {};
  for (const part of u.search.slice(1).split('&').filter(Boolean)) {
    const [k, v = ''] = part.split('=');
    fields[k!] = v;
  }
  return {
    protocol: u.protocol,
    to: list(u.pathname),
    cc: list(fields.cc ?? ''),
    bcc: list(fields.bcc ?? ''),
    subject: decodeURIComponent(fields.subject ?? ''),
    body: decodeURIComponent(fields.body ?? ''),
    keys: Object.keys(fields),
  };
}

// Only unreserved characters, percent escapes and the URL's own structure.
const SAFE_URL = /^mailto:[A-Za-z0-9\-._~%@,]*(\?[A-Za-z0-9\-._~%@,=&]*)?$/;

describe('mailto: URLs', () => {
  it('round-trips hostile subject, body and recipients exactly, with no character left raw', () => {
    const m = normalized({
      to: ["o'brien+x@example.test", '"Ann `$(calc)`" <a@example.test>'],
      cc: ['c%40@example.test'],
      bcc: ['b&subject=x@example.test'],
      subject: HOSTILE.join(' '),
      text: HOSTILE.join('\n'),
    });
    const url = buildMailtoUrl(m);
    expect(url).toMatch(SAFE_URL);
    expect(url).not.toMatch(/[\s"'`$()<>\\^{}|;]/);
    const back = parseMailto(url);
    expect(back).toMatchObject({
      protocol: 'mailto:',
      to: ["o'brien+x@example.test", 'a@example.test'],
      cc: ['c%40@example.test'],
      bcc: ['b&subject=x@example.test'],
      subject: m.subject,
      keys: ['cc', 'bcc', 'subject', 'body'],
    });
    // RFC 6068: line breaks in the body are CRLF.
    expect(back.body).toBe(HOSTILE.join('\n').replace(/\r\n|\r|\n/g, '\r\n'));
  });

  it('encodes UTF-8 as the RFC asks, and never uses + for a space', () => {
    const url = buildMailtoUrl(normalized({ to: ['a@example.test'], subject: 'é 😀 a+b', text: '' }));
    expect(url).toBe('mailto:a@example.test?subject=%C3%A9%20%F0%9F%98%80%20a%2Bb');
  });

  it('leaves out empty parts', () => {
    expect(buildMailtoUrl(normalized({}))).toBe('mailto:');
    expect(buildMailtoUrl(normalized({ to: ['a@example.test'] }))).toBe('mailto:a@example.test');
  });

  it('round-trips very long values and many recipients', () => {
    const m = normalized({ to: hostileRecipients(500, 'example.test', 't'), subject: HOSTILE_SUBJECT, text: LONG_TEXT });
    const back = parseMailto(buildMailtoUrl(m));
    expect(back.to).toEqual(m.to.map((a) => a.address));
    expect(back.subject).toBe(m.subject);
    expect(back.body).toBe(LONG_TEXT.replace(/\r\n|\r|\n/g, '\r\n'));
  });

  it(`is used only for short plain messages: no attachment, no HTML, at most ${MAILTO_MAX_LENGTH} characters`, () => {
    const short = normalized({ to: ['a@example.test'], subject: 'Invoice 42', text: 'Attached.' });
    expect(mailtoFor(short)).toBe('mailto:a@example.test?subject=Invoice%2042&body=Attached.');
    expect(mailtoFor({ ...short, html: '<b>x</b>' })).toBeNull();
    expect(mailtoFor({ ...short, attachments: [{ filename: 'a.pdf', path: '/a.pdf' }] })).toBeNull();
    // The sender is the client's own account either way.
    expect(mailtoFor({ ...short, from: { name: '', address: 'me@example.test' } })).not.toBeNull();

    const head = buildMailtoUrl({ ...short, text: '' }).length + '&body='.length;
    const fits = { ...short, text: 'x'.repeat(MAILTO_MAX_LENGTH - head) };
    expect(mailtoFor(fits)).toHaveLength(MAILTO_MAX_LENGTH);
    expect(mailtoFor({ ...short, text: `${fits.text}x` })).toBeNull();
    // Encoded length counts: 400 emoji are 4,800 characters of URL.
    expect(mailtoFor({ ...short, text: '😀'.repeat(400) })).toBeNull();
  });
});
