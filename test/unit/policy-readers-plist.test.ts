// The property list parser behind the macOS policy reader: XML and binary details beyond the
// fixtures, and seeded mutations of the fixtures that must each end in a value or a PlistError,
// quickly, never in a RangeError or TypeError, a hang or a runaway allocation.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PlistError, parsePlist } from '../../main/services/policy/plist';
import { readManagedPlist } from '../../main/services/policy/macos';

const MACOS = fileURLToPath(new URL('../fixtures/policy/macos/', import.meta.url));
const cache = new Map<string, Uint8Array>();
const fixture = (name: string) => {
  if (!cache.has(name)) cache.set(name, new Uint8Array(fs.readFileSync(path.join(MACOS, name))));
  return cache.get(name) as Uint8Array;
};
const utf8 = (text: string) => new TextEncoder().encode(text);
const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n';
const xml = (body: string) => utf8(`${HEAD}${body}\n</plist>\n`);

/** A binary plist from encoded objects (object 0 at the top), offsets and references one byte each. */
function bplist(objects: number[][]): Uint8Array {
  const out = [...'bplist00'].map((c) => c.charCodeAt(0));
  const offsets: number[] = [];
  for (const object of objects) {
    offsets.push(out.length);
    out.push(...object);
  }
  const table = out.length;
  out.push(...offsets, 0, 0, 0, 0, 0, 0, 1, 1, ...be64(objects.length), ...be64(0), ...be64(table));
  return new Uint8Array(out);
}

function be64(n: number): number[] {
  return [0, 0, 0, 0, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

const ascii = (text: string) => [0x50 | text.length, ...[...text].map((c) => c.charCodeAt(0))];

function failure(bytes: Uint8Array): string {
  try {
    parsePlist(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(PlistError);
    return (error as Error).message;
  }
  throw new Error('parsed without complaint');
}

describe('plist: XML', () => {
  it('decodes entities, character references and CDATA, and leaves comments out', () => {
    const value = parsePlist(xml('<dict>\n\t<!-- a comment -->\n\t<key>a &amp; b</key>\n\t<string>&lt;&#233;&#x1F600;&gt; <![CDATA[<raw> & ]]>x<!-- gone --></string>\n</dict>'));
    expect(value).toEqual({ 'a & b': '<é😀> <raw> & x' });
  });

  it('reads integers in decimal and hex, reals, true and false in either form', () => {
    const value = parsePlist(xml('<array><integer>-12</integer><integer>0x1F</integer><integer> +7 </integer><real>-1.5e3</real><real>nan</real><real>-inf</real><true></true><false/></array>'));
    expect(value).toEqual([-12, 31, 7, -1500, NaN, -Infinity, true, false]);
  });

  it('reads a bare value, a byte order mark, CR LF line ends and UTF-16 text', () => {
    expect(parsePlist(utf8('\uFEFF<dict><key>k</key><string>v\r\nw</string></dict>'))).toEqual({ k: 'v\nw' });
    const text = `${HEAD.replace('UTF-8', 'UTF-16')}<dict><key>name</key><string>東京</string></dict></plist>`;
    const le = new Uint8Array([0xff, 0xfe, ...new Uint8Array(Buffer.from(text, 'utf16le'))]);
    expect(parsePlist(le)).toEqual({ name: '東京' });
  });

  it('keeps a key named __proto__ as a key', () => {
    const value = parsePlist(xml('<dict><key>__proto__</key><dict><key>polluted</key><true/></dict></dict>')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses what is not a property list, saying what and on which line', () => {
    expect(failure(xml('<dict><key>a</key></dict>'))).toBe('The key "a" has no value (line 4)');
    expect(failure(xml('<dict><string>a</string></dict>'))).toMatch(/Expected a <key> in a <dict>, found <string>/);
    expect(failure(xml('<array><string>a</array>'))).toMatch(/Expected <\/string>/);
    expect(failure(xml('<string>a <b>bold</b></string>'))).toMatch(/holds an element/);
    expect(failure(xml('<string>fish & chips</string>'))).toMatch(/An & not starting an entity/);
    expect(failure(xml('<string>&#0;</string>'))).toMatch(/is not a character/);
    expect(failure(xml('<date>2026-02-30T00:00:00Z</date>'))).toMatch(/is not a date/);
    expect(failure(xml('<data>!!!</data>'))).toMatch(/not base64/);
    expect(failure(xml('<real>1,5</real>'))).toMatch(/not a real number/);
    expect(failure(xml('<set/>'))).toMatch(/<set> is not a property list element/);
    expect(failure(xml('<string>a</string><string>b</string>'))).toMatch(/Expected <\/plist>/);
    expect(failure(utf8(`${HEAD}<dict>`))).toMatch(/not closed/);
    expect(failure(utf8('<?xml version="1.0" encoding="ISO-8859-1"?><plist><string>a</string></plist>'))).toMatch(/Encoding "iso-8859-1" is not read/);
    expect(failure(new Uint8Array([0x3c, 0xff, 0xfe]))).toBe('Neither a binary property list nor UTF-8 text');
  });

  it('refuses nesting beyond its limit without running out of stack', () => {
    const deep = `${'<array>'.repeat(5000)}${'</array>'.repeat(5000)}`;
    expect(failure(xml(deep))).toMatch(/Nested more than 100 deep/);
  });

  it('takes no entity declarations, so none can expand', () => {
    const laughs = '<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><plist><string>&b;</string></plist>';
    expect(failure(utf8(laughs))).toMatch(/DOCTYPE with declarations of its own/);
  });
});

describe('plist: binary', () => {
  it('reads the types Python writes, and those it does not', () => {
    expect(parsePlist(fixture('types-binary.plist'))).toMatchObject({ utf16: 'Zoë 東京', int64: 2 ** 40, negativeBig: -(2 ** 40), unsigned64: 2n ** 63n + 5n });
    // 0x14: a 16-byte integer, here -1; 0x22: a 4-byte real.
    const value = parsePlist(bplist([[0xa2, 1, 2], [0x14, ...Array(16).fill(0xff)], [0x22, 0x3f, 0xc0, 0, 0]]));
    expect(value).toEqual([-1, 1.5]);
  });

  it('keeps a key named __proto__ as a key', () => {
    const value = parsePlist(bplist([[0xd1, 1, 2], ascii('__proto__'), [0x09]])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(value).toEqual(JSON.parse('{"__proto__": true}'));
  });

  it('refuses what preferences never hold, and damage, by what and where', () => {
    expect(failure(bplist([[0x00]]))).toMatch(/is null, not a property list value/);
    expect(failure(bplist([[0x80, 1]]))).toMatch(/is a UID/);
    expect(failure(bplist([[0xc1, 0]]))).toMatch(/is a set/);
    expect(failure(bplist([[0x70]]))).toMatch(/Unknown marker 0x70 at byte 8/);
    expect(failure(bplist([[0xd1, 1, 1], [0x10, 5]]))).toMatch(/has a key that is not a string/);
    expect(failure(bplist([[0xa1, 7]]))).toMatch(/A reference to object 7, but there are 1/);
    expect(failure(bplist([[0x13, 0, 0]]))).toMatch(/An integer at byte 8 runs past the objects/);
    expect(failure(bplist([[0x33, 0x7f, 0xef, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]))).toMatch(/date .* out of range/);
    expect(failure(bplist([[0x5f, 0x10, 200, 0x61]]))).toMatch(/A string at byte 8 runs past the objects/);
    const other = bplist([[0x09]]);
    other.set(utf8('bplist15'), 0);
    expect(failure(other)).toBe('Binary property list version "15" is not read; only bplist00 is');
    expect(failure(utf8('bplist00'))).toMatch(/cut short/);
  });
});

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(bytes: Uint8Array, next: () => number): Uint8Array {
  const at = () => Math.floor(next() * bytes.length);
  const kind = Math.floor(next() * 6);
  if (kind === 0) return bytes.slice(0, at()); // cut short
  const out = new Uint8Array(bytes);
  const flips = 1 + Math.floor(next() * 8);
  for (let i = 0; i < flips; i++) {
    if (kind === 1) out[at()] = Math.floor(next() * 256); // any byte anywhere
    else if (kind === 2) out[bytes.length - 1 - Math.floor(next() * 32)] = Math.floor(next() * 256); // the trailer
    else if (kind === 3) {
      const i = at();
      out[i] = (out[i] as number) ^ (1 << Math.floor(next() * 8)); // one bit
    }
    else if (kind === 4) out[at()] = [0x0f, 0x1f, 0x4f, 0x5f, 0x6f, 0xaf, 0xdf, 0xff, 0x00, 0x80][Math.floor(next() * 10)] as number; // markers with long counts
  }
  if (kind === 5) {
    const from = at();
    return new Uint8Array([...bytes.subarray(0, from), ...bytes.subarray(from + 1 + Math.floor(next() * 4))]); // bytes dropped
  }
  return out;
}

describe('plist: seeded mutations', () => {
  // Not the doubling fixture: each of its mutations that still parses walks the whole budget of values.
  const binaries = ['machine-binary.plist', 'types-binary.plist', 'user-binary.plist', 'float32-binary.plist', 'top-array-binary.plist', 'cycle-binary.plist'];
  const xmls = ['machine-xml.plist', 'types-xml.plist'];

  it('end every mutation of the binary fixtures in a value or a PlistError, quickly', () => {
    const next = random(20261205);
    const outcomes = { values: 0, errors: 0 };
    let slowest = 0;
    for (let round = 0; round < 4000; round++) {
      const name = binaries[round % binaries.length] as string;
      const bytes = mutate(fixture(name), next);
      const started = performance.now();
      try {
        parsePlist(bytes);
        outcomes.values++;
      } catch (error) {
        if (!(error instanceof PlistError)) throw new Error(`Round ${round} (${name}): ${String(error)}`, { cause: error });
        expect(error.message.length).toBeGreaterThan(10);
        outcomes.errors++;
      }
      slowest = Math.max(slowest, performance.now() - started);
    }
    expect(outcomes.errors).toBeGreaterThan(1000);
    expect(outcomes.values).toBeGreaterThan(100);
    expect(slowest).toBeLessThan(1000);
  });

  it('end every mutation of the XML fixtures in a value or a PlistError', () => {
    const next = random(7);
    for (let round = 0; round < 2000; round++) {
      const name = xmls[round % xmls.length] as string;
      const bytes = mutate(fixture(name), next);
      try {
        parsePlist(bytes);
      } catch (error) {
        if (!(error instanceof PlistError)) throw new Error(`Round ${round} (${name}): ${String(error)}`, { cause: error });
      }
    }
  });

  it('never let readMacPolicy throw: each damaged file is a problem of its own', async () => {
    const next = random(42);
    for (let round = 0; round < 500; round++) {
      const bytes = mutate(fixture(binaries[round % binaries.length] as string), next);
      const policy = await readManagedPlist('/Library/Managed Preferences/com.mailroom.desktop.plist', async () => bytes);
      expect(policy.source).toBe('/Library/Managed Preferences/com.mailroom.desktop.plist');
      for (const problem of policy.problems) expect(problem.message).not.toMatch(/RangeError|TypeError|could not be read:/);
    }
  });
});
