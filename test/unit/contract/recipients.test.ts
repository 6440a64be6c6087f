// The one reading of a recipient, with or without a display name, shared by the API, the CLI,
// batch files and the built-in mailer.
import { describe, expect, it } from 'vitest';
import { formatRecipient, OutgoingMessage, parseRecipient, recipientAddress, splitRecipients, fieldErrors } from '../../../preload/contract';

const ok = (name: string, address: string) => ({ ok: true, value: { name, address } });

describe('parseRecipient', () => {
  it('reads a bare address, a name in front of one, and a quoted name', () => {
    expect(parseRecipient(' ap@example.com ')).toEqual(ok('', 'ap@example.com'));
    expect(parseRecipient('Accounts Payable <ap@example.com>')).toEqual(ok('Accounts Payable', 'ap@example.com'));
    expect(parseRecipient('"Accounts Payable" <ap@example.com>')).toEqual(ok('Accounts Payable', 'ap@example.com'));
    expect(parseRecipient('<ap@example.com>')).toEqual(ok('', 'ap@example.com'));
    expect(parseRecipient("J. O'Brien-Smith <j@example.com>")).toEqual(ok("J. O'Brien-Smith", 'j@example.com'));
    expect(parseRecipient('Zoë Ångström <zoe@example.com>')).toEqual(ok('Zoë Ångström', 'zoe@example.com'));
  });

  it('keeps a quoted name whole: commas, semicolons, quotes, brackets and @ inside it are only text', () => {
    expect(parseRecipient('"Smith, John" <j@example.com>')).toEqual(ok('Smith, John', 'j@example.com'));
    expect(parseRecipient('"a@evil.com, b@evil.com" <ok@example.com>')).toEqual(ok('a@evil.com, b@evil.com', 'ok@example.com'));
    expect(parseRecipient('"<x@evil.com>; y" <ok@example.com>')).toEqual(ok('<x@evil.com>; y', 'ok@example.com'));
    expect(parseRecipient('"He said \\"hi\\" \\\\o/" <q@example.com>')).toEqual(ok('He said "hi" \\o/', 'q@example.com'));
  });

  it('refuses line breaks and control characters anywhere, so a name can never add a header', () => {
    for (const text of ['"x\r\nBcc: y@evil.com" <ok@example.com>', 'x\nBcc: y@evil.com <ok@example.com>', 'ok@example.com\r\n', '"x\u0000" <ok@example.com>', '"x\t" <ok@example.com>', '"x\u0085" <ok@example.com>', '"x\u2028" <ok@example.com>', '"\u202eevil" <ok@example.com>']) {
      expect(parseRecipient(text), JSON.stringify(text)).toEqual({ ok: false, message: 'A recipient cannot contain line breaks or control characters' });
    }
  });

  it('refuses two recipients run together, an unquoted name with specials, and an unfinished quote, saying how to write it', () => {
    expect(parseRecipient('Smith, John <j@example.com>')).toMatchObject({ ok: false, message: expect.stringContaining('in double quotes') });
    expect(parseRecipient('a@example.com, b@example.com')).toMatchObject({ ok: false });
    expect(parseRecipient('Evil <a@evil.com> <ok@example.com>')).toMatchObject({ ok: false });
    expect(parseRecipient('"One" <a@example.com>, "Two" <b@example.com>')).toMatchObject({ ok: false, message: expect.stringContaining('double quotes') });
    expect(parseRecipient('"Unfinished <a@example.com>')).toMatchObject({ ok: false });
    expect(parseRecipient('Name <not an address>')).toMatchObject({ ok: false, message: expect.stringContaining('"not an address" is not an email address') });
    expect(parseRecipient('')).toEqual({ ok: false, message: 'Required' });
    expect(parseRecipient(`"${'n'.repeat(201)}" <a@example.com>`)).toMatchObject({ ok: false, message: 'Use a name of at most 200 characters' });
  });

  it('writes a recipient back so that it reads the same, quoting only when it must', () => {
    const cases = [
      { name: '', address: 'ap@example.com' },
      { name: 'Accounts Payable', address: 'ap@example.com' },
      { name: 'Smith, John', address: 'j@example.com' },
      { name: 'He said "hi" \\o/', address: 'q@example.com' },
      { name: 'a@evil.com; b', address: 'ok@example.com' },
    ];
    for (const r of cases) expect(parseRecipient(formatRecipient(r))).toEqual({ ok: true, value: r });
    expect(formatRecipient({ name: 'Accounts Payable', address: 'ap@example.com' })).toBe('Accounts Payable <ap@example.com>');
    expect(formatRecipient({ name: 'Smith, John', address: 'j@example.com' })).toBe('"Smith, John" <j@example.com>');
    expect(recipientAddress('"Smith, John" <j@example.com>')).toBe('j@example.com');
  });
});

describe('splitRecipients', () => {
  it('splits a typed list at commas, semicolons and line breaks, but not inside quotes or angle brackets', () => {
    expect(splitRecipients('"Smith, John" <j@example.com>, a@example.com; "x;y" <xy@example.com>\nb@example.com')).toEqual([
      '"Smith, John" <j@example.com>',
      'a@example.com',
      '"x;y" <xy@example.com>',
      'b@example.com',
    ]);
    expect(splitRecipients('"a \\" , b" <ab@example.com>, c@example.com')).toEqual(['"a \\" , b" <ab@example.com>', 'c@example.com']);
    expect(splitRecipients('Smith, John <j@example.com>; x@example.com', { commas: false })).toEqual(['Smith, John <j@example.com>', 'x@example.com']);
  });
});

describe('OutgoingMessage', () => {
  it('takes recipients with names in To, Cc and Bcc, and names the field of a bad one', () => {
    const base = { subject: 'Invoice', text: 'x', attachments: [] };
    expect(OutgoingMessage.safeParse({ ...base, to: ['"Accounts Payable" <ap@example.com>'], cc: ['Zoë <z@example.com>'], bcc: ['Audit <audit@example.com>'] }).success).toBe(true);
    const bad = OutgoingMessage.safeParse({ ...base, to: ['ok@example.com'], bcc: ['ok@example.com', '"x\r\nBcc: y@evil.com" <z@example.com>'] });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(fieldErrors(bad.error)).toEqual([{ path: 'bcc.1', message: 'A recipient cannot contain line breaks or control characters' }]);
  });
});
