// The fuses electron-builder.yml asks for, and the ones an Electron binary carries, by the same names:
// the packaged test compares the built app with the config, and the unit test proves the comparison
// on a binary flipped the way electron-builder flips it.
import fs from 'node:fs';
import { FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { parse } from 'yaml';

/** electron-builder's `electronFuses` keys: FuseV1Options' names with a lower-case first letter. */
export type FuseName = Uncapitalize<keyof typeof FuseV1Options>;

// The states a fuse wire holds, one byte each: the ASCII digits '0' and '1', and 'r' for a fuse
// Electron has removed (@electron/fuses does not export its FuseState enum).
const DISABLED = '0'.charCodeAt(0);
const ENABLED = '1'.charCodeAt(0);
const REMOVED = 'r'.charCodeAt(0);

export type FuseReading = boolean | 'removed' | 'unknown';

/** The `electronFuses` section of an electron-builder config file. */
export function configuredFuses(configFile: string): Partial<Record<FuseName, boolean>> {
  const config = parse(fs.readFileSync(configFile, 'utf8')) as { electronFuses?: Record<string, unknown> };
  const fuses = config.electronFuses ?? {};
  const result: Partial<Record<FuseName, boolean>> = {};
  for (const [name, value] of Object.entries(fuses)) {
    if (name === 'resetAdHocDarwinSignature') continue;
    if (typeof value !== 'boolean' || fuseIndex(name) === undefined) throw new Error(`electronFuses.${name}: not a fuse @electron/fuses knows, or not true/false`);
    result[name as FuseName] = value;
  }
  return result;
}

export function fuseIndex(name: string): number | undefined {
  const index = (FuseV1Options as unknown as Record<string, number | string>)[name.charAt(0).toUpperCase() + name.slice(1)];
  return typeof index === 'number' ? index : undefined;
}

/**
 * The fuses of the Electron binary at `executable` (an .exe, a Linux executable, or a path inside a
 * macOS .app, whose fuses live in its Electron Framework), by name; fuses newer than
 * @electron/fuses are listed by their index.
 */
export async function readFuses(executable: string): Promise<Record<string, FuseReading>> {
  const wire = (await getCurrentFuseWire(executable)) as unknown as Record<string, number | string>;
  const names = new Map<number, string>();
  for (const [key, value] of Object.entries(FuseV1Options)) if (typeof value === 'number') names.set(value, key.charAt(0).toLowerCase() + key.slice(1));
  const result: Record<string, FuseReading> = {};
  for (const [key, state] of Object.entries(wire)) {
    if (key === 'version') continue;
    const index = Number(key);
    result[names.get(index) ?? `fuse${index}`] = state === ENABLED ? true : state === DISABLED ? false : state === REMOVED ? 'removed' : 'unknown';
  }
  return result;
}

/** Each configured fuse the binary does not carry as configured, as "name: configured X, binary has Y". */
export function fuseMismatches(configured: Partial<Record<FuseName, boolean>>, actual: Record<string, FuseReading>): string[] {
  return Object.entries(configured)
    .filter(([name, value]) => actual[name] !== value)
    .map(([name, value]) => `${name}: configured ${String(value)}, binary has ${actual[name] === undefined ? 'no such fuse' : String(actual[name])}`);
}
