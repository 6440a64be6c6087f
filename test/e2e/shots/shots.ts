// Screenshots for a person to look at, taken by `npm run shots` (tests tagged @shots, run by the
// config beside this file) into shots/ at the top of the repository, which git ignores. The test
// run leaves the @shots tests out: a picture asserts nothing.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Set by `npm run shots`; a test that takes a picture on the way checks it. */
export const SHOTS = process.env.MAILROOM_SHOTS === '1';

/** The folder the pictures go into, made when first asked for. */
export function shotsDir(): string {
  const dir = fileURLToPath(new URL('../../../shots', import.meta.url));
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function shotPath(name: string): string {
  return path.join(shotsDir(), name);
}
