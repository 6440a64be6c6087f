// What changed between two versions of the settings, and how a draft is carried over onto settings
// someone else saved meanwhile.
import { deepEqual, getAt, leafPaths } from './dot-path';

/** Dot paths of the leaves that differ between two documents, in document order. */
export function changedPaths(before: unknown, after: unknown): string[] {
  const paths = [...new Set([...leafPaths(before), ...leafPaths(after)])];
  return paths.filter((path) => !deepEqual(getAt(before, path), getAt(after, path)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A three-way merge: what the user changed (base → mine) laid over what was saved elsewhere
 * (base → theirs). Where both changed the same value, the user's wins; a list both changed is
 * taken whole from the user, since its items cannot be matched up safely.
 */
export function rebase<T>(base: T, mine: T, theirs: T): T {
  if (deepEqual(mine, base)) return theirs;
  if (deepEqual(theirs, base)) return mine;
  if (isPlainObject(base) && isPlainObject(mine) && isPlainObject(theirs)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(theirs), ...Object.keys(mine)])) {
      if (!Object.hasOwn(mine, key)) {
        // Removed by the user: stays removed unless it was new elsewhere.
        if (Object.hasOwn(base, key)) continue;
        out[key] = theirs[key];
      } else if (!Object.hasOwn(theirs, key)) {
        if (Object.hasOwn(base, key) && deepEqual(mine[key], base[key])) continue;
        out[key] = mine[key];
      } else {
        out[key] = rebase(base[key], mine[key], theirs[key]);
      }
    }
    return out as T;
  }
  return mine;
}

/** "A, B, C and 4 more": at most `max` names, then how many are left out. */
export function listSome(names: readonly string[], max = 3): string {
  if (names.length <= max) {
    return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  }
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
