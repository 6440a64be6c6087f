// Machine policy on macOS: the managed preferences a configuration profile installs for Mailroom's
// bundle id, read from the plist files macOS keeps them in (binary or XML).
import os from 'node:os';
import path from 'node:path';
import type { RawPolicy } from './raw-policy';
import { PlistError, parsePlist, type PlistDict, type PlistValue } from './plist';
import { policyFileProblem, readPolicyFile } from './policy-file';

/** The app's bundle id: appId in electron-builder.yml, which names the managed preferences domain. */
export const MAC_BUNDLE_ID = 'com.mailroom.desktop';
export const MANAGED_PREFERENCES = '/Library/Managed Preferences';

/** A managed preferences file for one app is a few kilobytes; anything much larger is not one. */
const MAX_BYTES = 4 * 1024 * 1024;

export interface MacPolicyOptions {
  /** The preferences domain; MAC_BUNDLE_ID unless told. */
  bundleId?: string;
  /** Whose managed preferences to read; the user running Mailroom unless told. */
  user?: string;
  /** Reads a whole file; fails with the errno code (ENOENT…) as fs does. */
  readFile?: (file: string) => Promise<Uint8Array>;
}

/**
 * The user's managed preferences, then the computer's, first wins:
 * `/Library/Managed Preferences/<user>/<bundleId>.plist`, then `/Library/Managed Preferences/<bundleId>.plist`.
 *
 * The order is Apple's: in its managed client preference model ("How the Preference Model Works
 * for Managed Mac OS X Clients") a setting managed for the user overrides the same setting managed
 * for the computer, which overrides one managed for a group of computers, and any managed setting
 * overrides the user's own. Configuration profiles keep that model: a profile installed on the
 * user channel lands in the user's folder, one on the device channel in the computer's file.
 */
export async function readMacPolicy(options: MacPolicyOptions = {}): Promise<RawPolicy[]> {
  const bundleId = options.bundleId ?? MAC_BUNDLE_ID;
  const read = options.readFile ?? readLimited;
  const machineFile = path.posix.join(MANAGED_PREFERENCES, `${bundleId}.plist`);
  if (!isFileName(bundleId)) return [problemOnly(machineFile, `"${bundleId}" is not a bundle id`)];
  const user = options.user ?? currentUser();
  const unknownUser = path.posix.join(MANAGED_PREFERENCES, '<user>', `${bundleId}.plist`);
  const userPolicy =
    user === undefined
      ? problemOnly(unknownUser, "Could not tell which user is running Mailroom, so the user's managed preferences were not read")
      : !isFileName(user)
        ? problemOnly(unknownUser, `"${user}" is not a user name`)
        : readManagedPlist(path.posix.join(MANAGED_PREFERENCES, user, `${bundleId}.plist`), read);
  return Promise.all([userPolicy, readManagedPlist(machineFile, read)]);
}

/** One managed preferences file: missing is no policy; unreadable or malformed is a problem of the whole file. */
export async function readManagedPlist(file: string, read: (file: string) => Promise<Uint8Array> = readLimited): Promise<RawPolicy> {
  const whole = (message: string): RawPolicy => ({ source: file, found: true, values: {}, problems: [{ path: '', message }] });
  let bytes: Uint8Array;
  try {
    bytes = await read(file);
  } catch (error) {
    const problem = policyFileProblem(error, 'managed preferences are readable by everyone');
    return problem === undefined ? { source: file, found: false, values: {}, problems: [] } : whole(problem);
  }
  let doc: PlistValue;
  try {
    doc = parsePlist(bytes);
  } catch (error) {
    // A PlistError says what is wrong with the file; anything else would be a fault here, said as plainly.
    return whole(error instanceof PlistError ? `Not a valid property list: ${error.message}` : `The property list could not be read: ${message(error)}`);
  }
  if (!isDict(doc)) return whole(`Expected a dictionary of settings at the top, found ${kind(doc)}`);
  const problems: RawPolicy['problems'] = [];
  return { source: file, found: true, values: policyValues(doc, '', problems), problems };
}

/**
 * Keeps what the policy service can check: strings, numbers, booleans, dates, and arrays and
 * dictionaries of them. Data, and integers too large for a number, are problems by path.
 */
function policyValues(dict: PlistDict, prefix: string, problems: RawPolicy['problems']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dict)) {
    const at = prefix ? `${prefix}.${key}` : key;
    const kept = policyValue(value, at, problems);
    if (kept !== undefined) Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function policyValue(value: PlistValue, at: string, problems: RawPolicy['problems']): unknown {
  if (value instanceof Uint8Array) {
    problems.push({ path: at, message: 'Data values are not read; give the setting as a string, number or boolean' });
    return undefined;
  }
  if (typeof value === 'bigint') {
    problems.push({ path: at, message: `The integer ${value} is too large to read` });
    return undefined;
  }
  if (Array.isArray(value)) {
    // A list with a member left out would say something else: all of it or none.
    const before = problems.length;
    const list = value.map((member, n) => policyValue(member, `${at}[${n}]`, problems));
    return problems.length === before ? list : undefined;
  }
  if (isDict(value)) return policyValues(value, at, problems);
  return value;
}

function isDict(value: PlistValue): value is PlistDict {
  return typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);
}

function kind(value: PlistValue): string {
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (value instanceof Uint8Array) return 'data';
  return `a ${typeof value === 'bigint' ? 'number' : typeof value}`;
}

function problemOnly(source: string, text: string): RawPolicy {
  return { source, found: false, values: {}, problems: [{ path: '', message: text }] };
}

/** A name that stays one path segment: no separator, not . or .., nothing invisible. */
function isFileName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && ![...name].some((c) => c.charCodeAt(0) < 0x20);
}

function currentUser(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    // No entry in the user database for this uid: the login environment still names the user.
    return process.env.USER || process.env.LOGNAME || undefined;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function readLimited(file: string): Promise<Uint8Array> {
  return readPolicyFile(file, MAX_BYTES, (size) => `The file cannot be read: it is ${size} bytes; managed preferences for one app are at most ${MAX_BYTES}`);
}
