import { describe, expect, it } from 'vitest';
import {
  addressProblem,
  formatLimit,
  formatSize,
  invalidAddresses,
  isSafeLink,
  settledAddresses,
  splitAddresses,
} from '../../../renderer/src/compose/compose-format';
import { base64Bytes } from '../../../preload/contract';

describe('addresses typed in a recipient field', () => {
  it('splits on commas, semicolons and new lines, dropping empty parts', () => {
    expect(splitAddresses(' a@x.example ;b@y.example,, \n c@z.example; ')).toEqual(['a@x.example', 'b@y.example', 'c@z.example']);
  });

  it('keeps "Name <address>" as mail clients copy it, name and all, as one recipient', () => {
    expect(splitAddresses('Accounts Payable <ap@northwind.example>; bob@contoso.example')).toEqual(['Accounts Payable <ap@northwind.example>', 'bob@contoso.example']);
    expect(invalidAddresses(['Accounts Payable <ap@northwind.example>', '"Accounts Payable" <ap@northwind.example>', '<ap@northwind.example>'])).toEqual([]);
  });

  it('does not split a quoted name at its comma, semicolon or @', () => {
    expect(splitAddresses('"Smith, John" <j@example.com>, "a@evil.com; b@evil.com" <ok@example.com>; c@example.com')).toEqual([
      '"Smith, John" <j@example.com>',
      '"a@evil.com; b@evil.com" <ok@example.com>',
      'c@example.com',
    ]);
    expect(invalidAddresses(splitAddresses('"Smith, John" <j@example.com>, "a@evil.com; b@evil.com" <ok@example.com>'))).toEqual([]);
  });

  it('names a name with a comma that is not quoted, and a name with a line break, as not addresses', () => {
    // Unquoted, the comma separates: "Smith" alone is not an address.
    expect(invalidAddresses(splitAddresses('Smith, John <j@example.com>'))).toEqual(['Smith']);
    expect(invalidAddresses(['"Evil\r\nBcc: x@evil.com" <ok@example.com>', 'Evil <a@x.example> <b@y.example>'])).toHaveLength(2);
    expect(addressProblem(['Smith'])).toContain('put a name with a comma in double quotes');
  });

  it('leaves the address being typed alone until a separator follows it or the field is left', () => {
    expect(settledAddresses('a@x.example, bob@', true)).toEqual(['a@x.example']);
    expect(settledAddresses('a@x.example, bob@, ', true)).toEqual(['a@x.example', 'bob@']);
    expect(settledAddresses('a@x.example, bob@', false)).toEqual(['a@x.example', 'bob@']);
  });

  it('names every address that is not one', () => {
    expect(invalidAddresses(['a@x.example', 'bob@', 'audit'])).toEqual(['bob@', 'audit']);
    expect(addressProblem([])).toBeUndefined();
    expect(addressProblem(['bob@'])).toBe(
      '“bob@” is not an email address. Enter addresses like accounts@example.com or Accounts <accounts@example.com>, separated by commas or semicolons; put a name with a comma in double quotes.',
    );
    expect(addressProblem(['a', 'b'])).toMatch(/^“a” and “b” are not email addresses\./);
    expect(addressProblem(['a', 'b', 'c', 'd', 'e'])).toMatch(/^“a”, “b”, “c” and 2 more are not email addresses\./);
  });
});

describe('sizes', () => {
  it('reads like the limit it is compared with', () => {
    expect(formatSize(0)).toBe('0 bytes');
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(48 * 1024 + 17)).toBe('48 KB');
    expect(formatSize(3.2 * 1024 * 1024)).toBe('3.2 MB');
    // Rounded up: a total just over the limit never reads as equal to it.
    expect(formatSize(5 * 1024 * 1024 + 1)).toBe('5.1 MB');
    expect(formatLimit(20)).toBe('20 MB');
    expect(formatLimit(0.5)).toBe('0.5 MB');
  });

  it('counts the bytes a base64 text stands for', () => {
    expect(base64Bytes(Buffer.from('hello').toString('base64'))).toBe(5);
    expect(base64Bytes(Buffer.from('hell').toString('base64'))).toBe(4);
    expect(base64Bytes(Buffer.from('hel').toString('base64'))).toBe(3);
    expect(base64Bytes('')).toBe(0);
  });
});

describe('links', () => {
  it('keeps web and email links only', () => {
    expect(isSafeLink('https://pay.harbour.example/1042')).toBe(true);
    expect(isSafeLink('http://harbour.example')).toBe(true);
    expect(isSafeLink('mailto:ap@northwind.example')).toBe(true);
    expect(isSafeLink('javascript:alert(1)')).toBe(false);
    expect(isSafeLink('data:text/html,<b>x</b>')).toBe(false);
    expect(isSafeLink('https://')).toBe(false);
    expect(isSafeLink('file:///etc/passwd')).toBe(false);
  });
});
