// Property lists as macOS keeps managed preferences, XML (<plist>) and binary (bplist00), read in
// plain JavaScript. Whatever the bytes, the result is a value or a PlistError saying what is wrong
// and where: every count and offset is checked against the file before it is used, nesting and the
// number of values read are bounded (a binary plist may share one object many times over, or point
// an array at itself), and every loop moves forward through the input.

/** A value as a property list holds it. Integers beyond ±2^53 stay exact as bigint. */
export type PlistValue = string | number | bigint | boolean | Date | Uint8Array | PlistValue[] | PlistDict;
export interface PlistDict {
  [key: string]: PlistValue;
}

/** Why the bytes are not a property list this reader takes. */
export class PlistError extends Error {
  override name = 'PlistError';
}

/** Managed preferences nest a few levels; a list of server profiles is four deep. */
export const PLIST_MAX_DEPTH = 100;
/** Values read in all, counting each use of a shared object: far beyond any real preferences file. */
export const PLIST_MAX_VALUES = 100_000;

/** 2001-01-01T00:00:00Z, where plist dates count their seconds from, in milliseconds since 1970. */
const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);
/** The range a JavaScript Date can hold. */
const MAX_DATE_MS = 8.64e15;

/** Reads an XML or binary property list; throws PlistError when it is neither or is malformed. */
export function parsePlist(bytes: Uint8Array): PlistValue {
  if (startsWith(bytes, 'bplist')) return new BinaryPlist(bytes).read();
  return new XmlPlist(decodeXml(bytes)).read();
}

function startsWith(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** A safe integer as a number, anything larger as bigint. */
function integer(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Sets a key without letting one named __proto__ reach the object's prototype. */
function setKey(dict: PlistDict, key: string, value: PlistValue): void {
  Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
}

function dateFromApple(seconds: number): Date {
  const ms = APPLE_EPOCH_MS + seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > MAX_DATE_MS) throw new PlistError(`A date ${seconds} seconds from 2001 is out of range`);
  return new Date(ms);
}

/** Counts values and nesting as they are read, so no input can make the reader run away. */
class Budget {
  private values = 0;

  enter(depth: number, where: string): void {
    if (depth > PLIST_MAX_DEPTH) throw new PlistError(`Nested more than ${PLIST_MAX_DEPTH} deep ${where}`);
    if (++this.values > PLIST_MAX_VALUES) throw new PlistError(`More than ${PLIST_MAX_VALUES} values ${where}; a preferences file holds far fewer`);
  }
}

// --- Binary: header "bplist00", objects, a table of their offsets, a 32-byte trailer. ---

class BinaryPlist {
  private readonly view: DataView;
  private readonly budget = new Budget();
  private offsetSize = 0;
  private refSize = 0;
  private objectCount = 0;
  private tableOffset = 0;
  /** Objects being read, by number, to find one that contains itself. */
  private readonly open = new Set<number>();

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  read(): PlistValue {
    const bytes = this.bytes;
    if (bytes.length >= 8 && !startsWith(bytes, 'bplist00')) throw new PlistError(`Binary property list version "${latin1(bytes.subarray(6, 8))}" is not read; only bplist00 is`);
    // The header, at least one object and the trailer.
    if (bytes.length < 8 + 1 + 32) throw new PlistError(`The file is cut short: ${bytes.length} bytes, too few for a binary property list`);
    const trailer = bytes.length - 32;
    this.offsetSize = bytes[trailer + 6] as number;
    this.refSize = bytes[trailer + 7] as number;
    this.objectCount = this.uint(trailer + 8, 8);
    const top = this.uint(trailer + 16, 8);
    this.tableOffset = this.uint(trailer + 24, 8);
    // A trailer that makes no sense is most often a file cut short: its last 32 bytes are not the trailer.
    const damaged = (what: string) => new PlistError(`${what}: the file is cut short or damaged`);
    if (this.offsetSize < 1 || this.offsetSize > 8) throw damaged(`The trailer gives offsets ${this.offsetSize} bytes each, where 1 to 8 are possible`);
    if (this.refSize < 1 || this.refSize > 8) throw damaged(`The trailer gives object references ${this.refSize} bytes each, where 1 to 8 are possible`);
    if (this.objectCount < 1) throw damaged('The trailer says the file holds no objects');
    if (this.tableOffset < 9 || this.tableOffset > trailer) throw damaged(`The offset table is said to start at byte ${this.tableOffset}, outside the file's ${bytes.length} bytes`);
    if (this.objectCount > (trailer - this.tableOffset) / this.offsetSize) {
      throw damaged(`The trailer claims ${exactly(this.objectCount)} objects, more than the offset table's ${trailer - this.tableOffset} bytes can list`);
    }
    if (top >= this.objectCount) throw damaged(`The top object is number ${top} of ${this.objectCount}`);
    return this.object(top, 0);
  }

  /** An unsigned big-endian integer of 1 to 8 bytes; above 2^53 it is inexact, and then too large for any check it meets. */
  private uint(at: number, size: number): number {
    let value = 0;
    for (let i = 0; i < size; i++) value = value * 256 + (this.bytes[at + i] as number);
    return value;
  }

  /** Checks that `length` bytes from `start` lie among the objects, before the offset table; `at` is where the object starts. */
  private need(at: number, start: number, length: number, what: string): void {
    if (start + length > this.tableOffset) throw new PlistError(`${what} at byte ${at} runs past the objects (into the offset table or beyond the file)`);
  }

  private offsetOf(ref: number): number {
    if (ref >= this.objectCount) throw new PlistError(`A reference to object ${ref}, but there are ${this.objectCount}`);
    const offset = this.uint(this.tableOffset + ref * this.offsetSize, this.offsetSize);
    if (offset < 8 || offset >= this.tableOffset) throw new PlistError(`Object ${ref} is said to start at byte ${offset}, outside the objects (bytes 8 to ${this.tableOffset - 1})`);
    return offset;
  }

  /** A count in a marker's low four bits, or (when they are all set) in the integer that follows. */
  private count(marker: number, at: number): { count: number; start: number } {
    const low = marker & 0x0f;
    if (low !== 0x0f) return { count: low, start: at + 1 };
    this.need(at, at + 1, 1, 'A count');
    const intMarker = this.bytes[at + 1] as number;
    if (intMarker >> 4 !== 0x1 || (intMarker & 0x0f) > 3) throw new PlistError(`A count at byte ${at + 1} is not an integer of 1 to 8 bytes`);
    const size = 1 << (intMarker & 0x0f);
    this.need(at, at + 2, size, 'A count');
    return { count: this.uint(at + 2, size), start: at + 2 + size };
  }

  private refs(at: number, start: number, count: number, what: string): number[] {
    // Checked before anything is allocated: a count can claim 2^62 members.
    if (count > (this.tableOffset - start) / this.refSize) throw new PlistError(`${what} at byte ${at} claims ${exactly(count)} members, more than the file holds`);
    const refs: number[] = [];
    for (let i = 0; i < count; i++) refs.push(this.uint(start + i * this.refSize, this.refSize));
    return refs;
  }

  private object(ref: number, depth: number): PlistValue {
    const at = this.offsetOf(ref);
    this.budget.enter(depth, `at object ${ref} (byte ${at})`);
    const marker = this.bytes[at] as number;
    const low = marker & 0x0f;
    switch (marker >> 4) {
      case 0x0:
        if (marker === 0x08) return false;
        if (marker === 0x09) return true;
        throw new PlistError(`Object ${ref} at byte ${at} is ${marker === 0 ? 'null' : `marker 0x${hex(marker)}`}, not a property list value`);
      case 0x1: {
        if (low > 4) throw new PlistError(`An integer of ${2 ** low} bytes at byte ${at}; 1 to 16 are possible`);
        const size = 1 << low;
        this.need(at, at + 1, size, 'An integer');
        if (size < 8) return this.uint(at + 1, size);
        if (size === 8) return integer(this.view.getBigInt64(at + 1));
        // 16 bytes: how unsigned 64-bit values are written; read as the signed 128-bit number it is.
        return integer((this.view.getBigInt64(at + 1) << 64n) | this.view.getBigUint64(at + 9));
      }
      case 0x2:
        if (low === 2) {
          this.need(at, at + 1, 4, 'A real');
          return this.view.getFloat32(at + 1);
        }
        if (low === 3) {
          this.need(at, at + 1, 8, 'A real');
          return this.view.getFloat64(at + 1);
        }
        throw new PlistError(`A real of ${2 ** low} bytes at byte ${at}; 4 or 8 are possible`);
      case 0x3:
        if (marker !== 0x33) throw new PlistError(`Marker 0x${hex(marker)} at byte ${at} is not a date`);
        this.need(at, at + 1, 8, 'A date');
        return dateFromApple(this.view.getFloat64(at + 1));
      case 0x4: {
        const { count, start } = this.count(marker, at);
        this.need(at, start, count, 'Data');
        return this.bytes.slice(start, start + count);
      }
      case 0x5: {
        const { count, start } = this.count(marker, at);
        this.need(at, start, count, 'A string');
        return latin1(this.bytes.subarray(start, start + count));
      }
      case 0x6: {
        const { count, start } = this.count(marker, at);
        this.need(at, start, count * 2, 'A string');
        return utf16be(this.view, start, count);
      }
      case 0x8:
        throw new PlistError(`Object ${ref} at byte ${at} is a UID, which belongs in archived objects, not in preferences`);
      case 0xa: {
        const { count, start } = this.count(marker, at);
        const refs = this.refs(at, start, count, 'An array');
        return this.within(ref, () => refs.map((member) => this.object(member, depth + 1)));
      }
      case 0xc:
        throw new PlistError(`Object ${ref} at byte ${at} is a set, which preferences do not use`);
      case 0xd: {
        const { count, start } = this.count(marker, at);
        const refs = this.refs(at, start, count * 2, 'A dictionary');
        return this.within(ref, () => {
          const dict: PlistDict = {};
          for (let i = 0; i < count; i++) {
            const key = this.object(refs[i] as number, depth + 1);
            if (typeof key !== 'string') throw new PlistError(`A dictionary at byte ${at} has a key that is not a string`);
            setKey(dict, key, this.object(refs[count + i] as number, depth + 1));
          }
          return dict;
        });
      }
      default:
        throw new PlistError(`Unknown marker 0x${hex(marker)} at byte ${at}`);
    }
  }

  private within<T>(ref: number, read: () => T): T {
    if (this.open.has(ref)) throw new PlistError(`Object ${ref} contains itself`);
    this.open.add(ref);
    try {
      return read();
    } finally {
      this.open.delete(ref);
    }
  }
}

/** A count as read, or where it was too large to read exactly, how large. */
function exactly(count: number): string {
  return Number.isSafeInteger(count) ? String(count) : `more than ${Number.MAX_SAFE_INTEGER}`;
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}

function latin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function utf16be(view: DataView, start: number, units: number): string {
  const codes: number[] = [];
  let text = '';
  for (let i = 0; i < units; i++) {
    codes.push(view.getUint16(start + i * 2));
    if (codes.length === 4096) text += String.fromCharCode(...codes.splice(0));
  }
  return text + String.fromCharCode(...codes);
}

// --- XML: <?xml?>, Apple's DOCTYPE, <plist version="1.0"> around one value. ---

function decodeXml(bytes: Uint8Array): string {
  // macOS writes UTF-8; a UTF-16 file says so with its byte order mark.
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes.subarray(2), false);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes.subarray(2), true);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new PlistError('Neither a binary property list nor UTF-8 text');
  }
}

function utf16(bytes: Uint8Array, littleEndian: boolean): string {
  if (bytes.length % 2 !== 0) throw new PlistError('UTF-16 text with an odd number of bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const codes: number[] = [];
  let text = '';
  for (let i = 0; i < bytes.length; i += 2) {
    codes.push(view.getUint16(i, littleEndian));
    if (codes.length === 4096) text += String.fromCharCode(...codes.splice(0));
  }
  return text + String.fromCharCode(...codes);
}

const NAME_RE = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ATTRIBUTE_RE = /\s+([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("[^"<]*"|'[^'<]*')/y;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

class XmlPlist {
  private pos = 0;
  private readonly budget = new Budget();

  private readonly text: string;

  constructor(text: string) {
    // As XML reads line ends: CR LF and a lone CR are LF.
    this.text = text.replace(/\r\n?/g, '\n');
  }

  read(): PlistValue {
    this.prolog();
    const tag = this.startTag();
    let value: PlistValue;
    if (tag.name === 'plist') {
      if (tag.empty) throw this.error('The <plist> element is empty');
      value = this.value(0);
      this.skipMisc();
      this.endTag('plist');
    } else {
      // CoreFoundation also reads a bare value without <plist> around it.
      value = this.valueOf(tag, 0);
    }
    this.skipMisc();
    if (this.pos < this.text.length) throw this.error('Text after the end of the property list');
    return value;
  }

  private error(message: string): PlistError {
    const line = this.text.slice(0, this.pos).split('\n').length;
    return new PlistError(`${message} (line ${line})`);
  }

  private prolog(): void {
    if (this.text.startsWith('\uFEFF')) this.pos = 1;
    if (this.text.startsWith('<?xml', this.pos)) {
      const end = this.text.indexOf('?>', this.pos);
      if (end < 0) throw this.error('The XML declaration is not closed');
      const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(this.text.slice(this.pos, end))?.[1]?.toLowerCase();
      if (encoding && !['utf-8', 'utf8', 'utf-16', 'utf-16le', 'utf-16be'].includes(encoding)) throw this.error(`Encoding "${encoding}" is not read; save the file as UTF-8`);
      this.pos = end + 2;
    }
    this.skipMisc();
    if (this.text.startsWith('<!DOCTYPE', this.pos)) {
      const end = this.text.indexOf('>', this.pos);
      if (end < 0) throw this.error('The DOCTYPE is not closed');
      // Declarations of its own could define entities that expand without end.
      if (this.text.slice(this.pos, end).includes('[')) throw this.error('A DOCTYPE with declarations of its own is not read');
      this.pos = end + 1;
    }
    this.skipMisc();
    if (this.pos >= this.text.length) throw this.error('Neither a binary nor an XML property list: there is no element');
    if (this.text[this.pos] !== '<') throw this.error('Neither a binary nor an XML property list');
  }

  /** Skips white space, comments and processing instructions. */
  private skipMisc(): void {
    for (;;) {
      while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
      if (this.text.startsWith('<!--', this.pos)) this.skipComment();
      else if (this.text.startsWith('<?', this.pos)) {
        const end = this.text.indexOf('?>', this.pos + 2);
        if (end < 0) throw this.error('A processing instruction is not closed');
        this.pos = end + 2;
      } else return;
    }
  }

  private skipComment(): void {
    const end = this.text.indexOf('-->', this.pos + 4);
    if (end < 0) throw this.error('A comment is not closed');
    this.pos = end + 3;
  }

  private startTag(): { name: string; empty: boolean } {
    if (this.text[this.pos] !== '<') throw this.error('Expected an element');
    NAME_RE.lastIndex = this.pos + 1;
    const name = NAME_RE.exec(this.text)?.[0];
    if (!name) throw this.error('Expected an element name after <');
    this.pos = NAME_RE.lastIndex;
    for (;;) {
      ATTRIBUTE_RE.lastIndex = this.pos;
      const attribute = ATTRIBUTE_RE.exec(this.text);
      if (!attribute) break;
      this.pos = ATTRIBUTE_RE.lastIndex;
    }
    while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.text.startsWith('/>', this.pos)) {
      this.pos += 2;
      return { name, empty: true };
    }
    if (this.text[this.pos] !== '>') throw this.error(`The <${name}> tag is malformed or not closed`);
    this.pos += 1;
    return { name, empty: false };
  }

  private endTag(name: string): void {
    const close = `</${name}`;
    if (!this.text.startsWith(close, this.pos)) throw this.error(`Expected </${name}>`);
    this.pos += close.length;
    while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
    if (this.text[this.pos] !== '>') throw this.error(`Expected </${name}>`);
    this.pos += 1;
  }

  private value(depth: number): PlistValue {
    this.skipMisc();
    if (this.pos >= this.text.length) throw this.error('The file ends where a value should be');
    if (this.text.startsWith('</', this.pos)) throw this.error('Expected a value');
    return this.valueOf(this.startTag(), depth);
  }

  private valueOf(tag: { name: string; empty: boolean }, depth: number): PlistValue {
    this.budget.enter(depth, `at <${tag.name}>`);
    switch (tag.name) {
      case 'dict':
        return tag.empty ? {} : this.dict(depth);
      case 'array':
        return tag.empty ? [] : this.array(depth);
      case 'string':
        return this.content(tag);
      case 'integer':
        return this.integer(this.content(tag).trim());
      case 'real':
        return this.real(this.content(tag).trim());
      case 'true':
      case 'false':
        if (!tag.empty) this.endTag(tag.name);
        return tag.name === 'true';
      case 'date':
        return this.date(this.content(tag).trim());
      case 'data':
        return this.data(this.content(tag));
      default:
        throw this.error(`<${tag.name}> is not a property list element`);
    }
  }

  private dict(depth: number): PlistDict {
    const dict: PlistDict = {};
    for (;;) {
      this.skipMisc();
      if (this.text.startsWith('</', this.pos)) {
        this.endTag('dict');
        return dict;
      }
      if (this.pos >= this.text.length) throw this.error('A <dict> is not closed');
      const tag = this.startTag();
      if (tag.name !== 'key') throw this.error(`Expected a <key> in a <dict>, found <${tag.name}>`);
      const key = this.content(tag);
      this.skipMisc();
      if (this.text.startsWith('</', this.pos) || /^<key[\s/>]/.test(this.text.slice(this.pos, this.pos + 5))) throw this.error(`The key "${key}" has no value`);
      setKey(dict, key, this.value(depth + 1));
    }
  }

  private array(depth: number): PlistValue[] {
    const list: PlistValue[] = [];
    for (;;) {
      this.skipMisc();
      if (this.text.startsWith('</', this.pos)) {
        this.endTag('array');
        return list;
      }
      if (this.pos >= this.text.length) throw this.error('An <array> is not closed');
      list.push(this.value(depth + 1));
    }
  }

  /** An element's text: entities decoded, CDATA taken as it is, comments left out, no elements inside. */
  private content(tag: { name: string; empty: boolean }): string {
    if (tag.empty) return '';
    let out = '';
    for (;;) {
      const lt = this.text.indexOf('<', this.pos);
      if (lt < 0) throw this.error(`<${tag.name}> is not closed`);
      out += this.decode(this.text.slice(this.pos, lt));
      this.pos = lt;
      if (this.text.startsWith('<![CDATA[', lt)) {
        const end = this.text.indexOf(']]>', lt + 9);
        if (end < 0) throw this.error('A CDATA section is not closed');
        out += this.text.slice(lt + 9, end);
        this.pos = end + 3;
      } else if (this.text.startsWith('<!--', lt)) {
        this.skipComment();
      } else if (this.text.startsWith('</', lt)) {
        this.endTag(tag.name);
        return out;
      } else {
        throw this.error(`<${tag.name}> holds an element; it holds text only`);
      }
    }
  }

  private decode(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&([^;&\s]{0,10});?/g, (whole, name: string) => {
      if (!whole.endsWith(';')) throw this.error(`An & not starting an entity ("${whole}"); write &amp;`);
      const named = ENTITIES[name];
      if (named !== undefined) return named;
      const code = /^#x[0-9a-fA-F]{1,6}$/.test(name) ? parseInt(name.slice(2), 16) : /^#[0-9]{1,7}$/.test(name) ? parseInt(name.slice(1), 10) : NaN;
      if (Number.isNaN(code)) throw this.error(`Unknown entity ${whole}`);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw this.error(`${whole} is not a character`);
      return String.fromCodePoint(code);
    });
  }

  private integer(text: string): number | bigint {
    if (/^[+-]?[0-9]+$/.test(text)) return integer(BigInt(text.replace(/^\+/, '')));
    const hexMatch = /^([+-]?)0x([0-9a-fA-F]+)$/.exec(text);
    if (hexMatch) {
      const magnitude = BigInt(`0x${hexMatch[2] as string}`);
      return integer(hexMatch[1] === '-' ? -magnitude : magnitude);
    }
    throw this.error(`"${text}" is not an integer`);
  }

  private real(text: string): number {
    if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return Number(text);
    const word = text.toLowerCase();
    if (word === 'nan') return NaN;
    if (/^[+]?inf(inity)?$/.test(word)) return Infinity;
    if (/^-inf(inity)?$/.test(word)) return -Infinity;
    throw this.error(`"${text}" is not a real number`);
  }

  private date(text: string): Date {
    const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(text);
    if (!match) throw this.error(`"${text}" is not a date like 2026-01-31T09:30:00Z`);
    const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw this.error(`"${text}" is not a date`);
    return date;
  }

  private data(text: string): Uint8Array {
    const base64 = text.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 === 1) throw this.error('<data> is not base64');
    return new Uint8Array(Buffer.from(base64, 'base64'));
  }
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}
