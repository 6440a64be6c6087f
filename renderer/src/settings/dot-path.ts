// Reading and writing a document by dot path ("general.debug.path", "smtp.profiles.0.host"),
// the same paths the contract uses for field errors.

type Leaf = string | number | boolean | bigint | symbol | null | undefined;

type SubPath<K extends string, T, V> =
  | (T extends V ? K : never)
  | (T extends Leaf ? never : `${K}.${PathTo<T, V>}`);

/** Every dot path in T whose value is a V, e.g. PathTo<Settings, boolean> = "general.debug.enabled". */
export type PathTo<T, V> = T extends Leaf
  ? never
  : T extends readonly (infer E)[]
    ? SubPath<`${number}`, E, V>
    : { [K in keyof T & string]-?: SubPath<K, T[K], V> }[keyof T & string];

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

export function getAt(doc: unknown, path: string): unknown {
  let node: unknown = doc;
  for (const key of path.split('.')) {
    if (!isContainer(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A copy of doc with the value at path replaced; only the objects along the path are copied. */
export function setAt<D>(doc: D, path: string, value: unknown): D {
  const write = (node: unknown, keys: string[]): unknown => {
    const [key, ...rest] = keys;
    if (key === undefined) return value;
    if (Array.isArray(node)) {
      const copy = [...node];
      copy[Number(key)] = write(node[Number(key)], rest);
      return copy;
    }
    const record = isContainer(node) ? (node as Record<string, unknown>) : {};
    return { ...record, [key]: write(record[key], rest) };
  };
  return write(doc, path.split('.')) as D;
}

/** Every leaf of a document (anything that is not a plain object or array), by dot path. */
export function leafPaths(doc: unknown, prefix = ''): string[] {
  if (!isContainer(doc)) return prefix === '' ? [] : [prefix];
  const entries = Array.isArray(doc) ? doc.map((v, i) => [String(i), v] as const) : Object.entries(doc);
  return entries.flatMap(([key, v]) => leafPaths(v, prefix === '' ? key : `${prefix}.${key}`));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  return aKeys.every(
    (key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}
