import { describe, expect, it } from 'vitest';
import { formatAddress, htmlToPlainText, normalizeMessage, normalizeSubject, parseAddress, plainBody, type HandoffMessage } from '../../../main/services/handoff/handoff-message';
import { HOSTILE } from './hostile';

const base: HandoffMessage = { to: [], cc: [], bcc: [], subject: 'Invoice', attachments: [] };

describe('recipient addresses', () => {
  it('reads bare, named and quoted forms', () => {
    expect(parseAddress('a@example.test')).toEqual({ name: '', address: 'a@example.test' });
    expect(parseAddress('  Ann Lee <ann@example.test> ')).toEqual({ name: 'Ann Lee', address: 'ann@example.test' });
    expect(parseAddress('"Lee, Ann \\"AL\\"" <ann@example.test>')).toEqual({ name: 'Lee, Ann "AL"', address: 'ann@example.test' });
    expect(parseAddress('"Name `$(calc)` \'x\'" <n@example.test>')).toEqual({ name: "Name `$(calc)` 'x'", address: 'n@example.test' });
    // One rule with the dialog and the command line: a name with brackets must be quoted.
    expect(parseAddress('Name `$(calc)` <n@example.test>')).toBeNull();
    expect(parseAddress('😀 עברית e\u0301 <u@example.test>')).toEqual({ name: '😀 עברית e\u0301', address: 'u@example.test' });
    expect(parseAddress("o'brien+tag@example.test")).toEqual({ name: '', address: "o'brien+tag@example.test" });
  });

  it('refuses anything that is not exactly one address, and every control character', () => {
    for (const bad of [
      'a@example.test\r\nBcc: evil@attacker.test',
      'Name\n <a@example.test>',
      'a@example.test\u0000',
      'a@b@example.test',
      'a@example.test, b@example.test',
      'a@example.test;b@example.test',
      '$(calc)@example.test',
      'no-at-sign',
      '<>',
      'a b@example.test',
      `${'x'.repeat(250)}@example.test`,
      '',
    ]) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });

  it('formats a name back only when there is one', () => {
    expect(formatAddress({ name: '', address: 'a@example.test' })).toBe('a@example.test');
    expect(formatAddress({ name: 'A', address: 'a@example.test' })).toBe('A <a@example.test>');
  });
});

describe('normalising a message', () => {
  it('makes the subject one line, the same for every hand-off', () => {
    expect(normalizeSubject('a\r\nb\rc\nd\te')).toBe('a b c d e');
    expect(normalizeSubject('x\u0000\u001b[31my\u007f')).toBe('x[31my');
    // eslint-disable-next-line no-control-regex
    for (const h of HOSTILE) expect(normalizeSubject(h)).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(normalizeSubject('$(calc) `x` \'q\' "dq" 😀')).toBe('$(calc) `x` \'q\' "dq" 😀');
  });

  it('keeps bodies exactly, less NUL', () => {
    const r = normalizeMessage({ ...base, text: 'a\r\nb\u0000c $(calc)', html: '<p>x\u0000</p>' });
    expect(r.ok && r.value.text).toBe('a\r\nbc $(calc)');
    expect(r.ok && r.value.html).toBe('<p>x</p>');
  });

  it('refuses a bad recipient or sender with the field and position', () => {
    const r = normalizeMessage({ ...base, to: ['a@example.test'], cc: ['ok@example.test', 'x@example.test\r\nBcc: e@attacker.test'] });
    expect(r).toEqual({ ok: false, error: { code: 'invalid-message', message: 'CC recipient 2 is not a valid e-mail address.' } });
    expect(normalizeMessage({ ...base, from: 'me@example.test\nX: y' })).toMatchObject({ ok: false, error: { code: 'invalid-message' } });
    expect(normalizeMessage({ ...base, from: 'Me <me@example.test>' })).toMatchObject({ ok: true, value: { from: { name: 'Me', address: 'me@example.test' } } });
  });

  it('needs a recipient to send, not to compose', () => {
    expect(normalizeMessage(base, 'compose').ok).toBe(true);
    expect(normalizeMessage(base, 'send')).toMatchObject({ ok: false, error: { message: 'Sending needs at least one recipient.' } });
  });

  it('checks attachments: a name, a file, a plain content type; control characters in names become _', () => {
    expect(normalizeMessage({ ...base, attachments: [{ filename: ' ', path: '/x' }] })).toMatchObject({ ok: false });
    expect(normalizeMessage({ ...base, attachments: [{ filename: 'a', path: '' }] })).toMatchObject({ ok: false });
    expect(normalizeMessage({ ...base, attachments: [{ filename: 'a', path: '/x', contentType: 'text/plain\r\nX-Evil: 1' }] })).toMatchObject({ ok: false, error: { message: 'Attachment 1 (a) has an invalid content type.' } });
    const r = normalizeMessage({ ...base, attachments: [{ filename: 'a\r\nb $(c) `d`.pdf', path: '/x', contentType: 'application/pdf' }] });
    expect(r.ok && r.value.attachments).toEqual([{ filename: 'a__b $(c) `d`.pdf', path: '/x', contentType: 'application/pdf' }]);
  });

  it('accepts 500 recipients', () => {
    const to = Array.from({ length: 500 }, (_, i) => `R ${i} <r${i}@example.test>`);
    const r = normalizeMessage({ ...base, to });
    expect(r.ok && r.value.to.length).toBe(500);
  });
});

describe('plain text from HTML', () => {
  it('keeps the words and line structure, decodes entities, drops scripts and styles', () => {
    const html = '<html><head><style>p{}</style></head><body><h1>Invoice&nbsp;42</h1><p>Dear &quot;Ann&quot; &amp; co,<br>total &#8364;10 &#x1F600;</p><script>alert(1)</script><ul><li>one</li><li>two</li></ul></body></html>';
    expect(htmlToPlainText(html)).toBe('Invoice\u00a042\nDear "Ann" & co,\ntotal €10 😀\n- one\n- two');
    expect(htmlToPlainText('&bogus; &#0; &#x110000;')).toBe('&bogus; &#0; &#x110000;');
  });

  it('prefers the given text to a conversion', () => {
    expect(plainBody({ to: [], cc: [], bcc: [], subject: '', attachments: [], text: 'T', html: '<b>H</b>' })).toBe('T');
    expect(plainBody({ to: [], cc: [], bcc: [], subject: '', attachments: [], html: '<b>H</b>' })).toBe('H');
    expect(plainBody({ to: [], cc: [], bcc: [], subject: '', attachments: [] })).toBe('');
  });
});
