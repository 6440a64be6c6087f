import { simpleParser, type AddressObject } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildDraftEml } from '../../../main/services/handoff/eml';
import { normalizeMessage, type HandoffMessage, type NormalizedMessage } from '../../../main/services/handoff/handoff-message';
import { tempDir } from '../../helpers/temp-dir';
import { HOSTILE, hostileMessage } from './hostile';

let work: ReturnType<typeof tempDir>;
beforeEach(() => {
  work = tempDir('handoff-eml-');
});
afterEach(() => work.cleanup());

function normalized(m: HandoffMessage): NormalizedMessage {
  const r = normalizeMessage(m);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function addresses(field: AddressObject | AddressObject[] | undefined): { name: string; address: string }[] {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((f) => f.value.map((v) => ({ name: v.name, address: v.address ?? '' })));
}

/** MIME bodies travel with CRLF line ends; a parser hands them back with LF. */
const lf = (s: string) => s.replace(/\r\n|\r/g, '\n');

describe('draft .eml', () => {
  it('parses back to exactly the message, hostile input and 500 recipients included, with X-Unsent: 1', async () => {
    const { message, bytes } = hostileMessage(work.dir, { from: '"Billing `$(x)`" <billing@acme.example>' });
    const m = normalized(message);
    const date = new Date('2026-03-04T05:06:07Z');
    const raw = await buildDraftEml(m, { date });
    const parsed = await simpleParser(raw);

    expect(parsed.headers.get('x-unsent')).toBe('1');
    expect(parsed.subject).toBe(m.subject);
    expect(addresses(parsed.from)).toEqual([m.from]);
    expect(addresses(parsed.to)).toEqual(m.to);
    expect(addresses(parsed.cc)).toEqual(m.cc);
    expect(addresses(parsed.bcc)).toEqual(m.bcc);
    expect(parsed.text).toBe(lf(message.text!));
    expect(parsed.html).toBe(lf(message.html!));
    expect(parsed.attachments.map((a) => a.filename)).toEqual(m.attachments.map((a) => a.filename));
    expect(parsed.attachments.map((a) => Buffer.from(a.content))).toEqual(bytes);
    expect(parsed.attachments[0]!.contentType).toBe('application/pdf');
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.messageId).toMatch(/^<[0-9a-f-]{36}@acme\.example>$/);
  });

  it('lets no value add or split a header', async () => {
    const m = normalized({
      to: [`"${HOSTILE[2]!.replace(/"/g, '\\"')}" <a@example.test>`],
      cc: [],
      bcc: [],
      subject: 'Hi\r\nBcc: evil@attacker.test\r\nX-Injected: 1\r\n\r\nbody',
      text: 'x\r\n.\r\nFrom: evil@attacker.test\r\nX-Injected: 2',
      attachments: [],
    });
    const raw = await buildDraftEml(m);
    const parsed = await simpleParser(raw);
    const keys = [...parsed.headers.keys()].sort();
    expect(keys).toEqual(['content-transfer-encoding', 'content-type', 'date', 'message-id', 'mime-version', 'subject', 'to', 'x-unsent']);
    expect(parsed.subject).toBe('Hi Bcc: evil@attacker.test X-Injected: 1  body');
    expect(addresses(parsed.to)).toEqual([{ name: HOSTILE[2], address: 'a@example.test' }]);
    // Single part: the message's closing CRLF reads back as one more line break.
    expect(parsed.text).toBe('x\n.\nFrom: evil@attacker.test\nX-Injected: 2\n');
    // Every header line of the head is one the composer wrote.
    const head = raw.toString('utf8').split('\r\n\r\n')[0]!;
    for (const line of head.split('\r\n')) expect(line).toMatch(/^([A-Za-z-]+: |[ \t])/);
    expect(head).not.toMatch(/^(bcc|x-injected|from):/im);
  });

  it('keeps a draft without a sender for the client to fill in, and an empty one valid', async () => {
    const parsed = await simpleParser(await buildDraftEml(normalized({ to: [], cc: [], bcc: [], subject: '', attachments: [] })));
    expect(parsed.from).toBeUndefined();
    expect(parsed.headers.get('x-unsent')).toBe('1');
    expect(parsed.messageId).toMatch(/@localhost>$/);
  });

  it('reads attachments only from the files named, never a path or URL in the content', async () => {
    const m = normalized({ to: [], cc: [], bcc: [], subject: 's', html: '<img src="file:///etc/passwd"><img src="http://127.0.0.1:1/x">', attachments: [] });
    const parsed = await simpleParser(await buildDraftEml(m));
    expect(parsed.attachments).toEqual([]);
    expect(parsed.html).toBe('<img src="file:///etc/passwd"><img src="http://127.0.0.1:1/x">\n');
  });
});
