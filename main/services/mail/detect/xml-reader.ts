// A small XML reader for documents fetched from strangers (autoconfig files): elements, attributes,
// text, comments and CDATA. A DOCTYPE is refused outright, so no entity is ever declared or
// expanded (no "billion laughs", no external files); only the five predefined entities and
// character references are read. Depth and element count are bounded, and nothing recurses.

export interface XmlElement {
  name: string;
  attributes: Readonly<Record<string, string>>;
  children: XmlElement[];
  /** The element's own text (not its children's), entities resolved. */
  text: string;
}

export class XmlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at character ${offset})`);
    this.name = 'XmlError';
  }
}

export interface XmlLimits {
  maxDepth?: number;
  maxElements?: number;
}

const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME = /[A-Za-z_:][A-Za-z0-9._:-]*/y;
const SPACE = /[ \t\r\n]*/y;

/** The local part of a name: "x:hostname" → "hostname". */
export function localName(name: string): string {
  const colon = name.lastIndexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

/** The element's children with this local name. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => localName(c.name) === name);
}

/** The trimmed text of the first child with this local name, or undefined. */
export function childText(element: XmlElement, name: string): string | undefined {
  return childrenNamed(element, name)[0]?.text.trim();
}

function decodeEntities(raw: string, at: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,12});?/g, (whole, body: string, offset: number) => {
    if (!whole.endsWith(';')) throw new XmlError('An & that starts no entity', at + offset);
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const valid = /^#(x[0-9A-Fa-f]+|[0-9]+)$/.test(body) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
      if (!valid) throw new XmlError(`Not a character reference: &${body};`, at + offset);
      return String.fromCodePoint(code);
    }
    const value = PREDEFINED[body];
    if (value === undefined) throw new XmlError(`Unknown entity &${body.slice(0, 20)}; (only the predefined ones are read)`, at + offset);
    return value;
  });
}

/** Reads one XML document into its root element, or throws XmlError saying where it is not well formed. */
export function readXml(text: string, limits: XmlLimits = {}): XmlElement {
  const maxDepth = limits.maxDepth ?? 32;
  const maxElements = limits.maxElements ?? 10_000;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const name = (): string => {
    NAME.lastIndex = i;
    const match = NAME.exec(text);
    if (!match) throw new XmlError('Expected a name', i);
    i = NAME.lastIndex;
    return match[0];
  };
  const space = () => {
    SPACE.lastIndex = i;
    SPACE.exec(text);
    i = SPACE.lastIndex;
  };
  const skipPast = (end: string, what: string) => {
    const at = text.indexOf(end, i);
    if (at < 0) throw new XmlError(`${what} never ends`, i);
    const body = text.slice(i, at);
    i = at + end.length;
    return body;
  };

  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? text.length : lt);
    if (chunk !== '') {
      const current = stack[stack.length - 1];
      if (current) current.text += decodeEntities(chunk, i);
      else if (chunk.trim() !== '') throw new XmlError('Text outside the root element', i);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<!--', i)) {
      i += 4;
      skipPast('-->', 'A comment');
    } else if (text.startsWith('<![CDATA[', i)) {
      i += 9;
      const body = skipPast(']]>', 'A CDATA section');
      const current = stack[stack.length - 1];
      if (!current) throw new XmlError('CDATA outside the root element', lt);
      current.text += body;
    } else if (text.startsWith('<!', i)) {
      // <!DOCTYPE, <!ENTITY and the like: where entities are declared. Never read.
      throw new XmlError('A DOCTYPE or other declaration is not accepted', i);
    } else if (text.startsWith('<?', i)) {
      i += 2;
      skipPast('?>', 'A processing instruction');
    } else if (text.startsWith('</', i)) {
      i += 2;
      const closing = name();
      space();
      if (text[i] !== '>') throw new XmlError('Expected > to end the closing tag', i);
      i++;
      const open = stack.pop();
      if (!open) throw new XmlError(`</${closing}> closes nothing`, lt);
      if (open.name !== closing) throw new XmlError(`</${closing}> does not match <${open.name}>`, lt);
    } else {
      i++;
      const element: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
      if (++count > maxElements) throw new XmlError(`More than ${maxElements} elements`, lt);
      const attributes: Record<string, string> = {};
      for (;;) {
        const before = i;
        space();
        if (text[i] === '>' || text.startsWith('/>', i)) break;
        if (i === before) throw new XmlError('Expected a space before the attribute', i);
        const attribute = name();
        space();
        if (text[i] !== '=') throw new XmlError(`Expected = after ${attribute}`, i);
        i++;
        space();
        const quote = text[i];
        if (quote !== '"' && quote !== "'") throw new XmlError(`Expected a quoted value for ${attribute}`, i);
        i++;
        const valueAt = i;
        const raw = skipPast(quote, 'An attribute value');
        if (raw.includes('<')) throw new XmlError('< inside an attribute value', valueAt);
        if (Object.hasOwn(attributes, attribute)) throw new XmlError(`${attribute} is given twice`, valueAt);
        attributes[attribute] = decodeEntities(raw, valueAt);
      }
      element.attributes = attributes;
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) throw new XmlError('A second root element', lt);
      else root = element;
      if (text.startsWith('/>', i)) {
        i += 2;
      } else {
        i++;
        if (stack.length >= maxDepth) throw new XmlError(`Nested deeper than ${maxDepth} elements`, lt);
        stack.push(element);
      }
    }
  }
  const unclosed = stack[stack.length - 1];
  if (unclosed) throw new XmlError(`<${unclosed.name}> is never closed`, text.length);
  if (!root) throw new XmlError('No root element', text.length);
  return root;
}
