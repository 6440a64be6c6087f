// Machine policy on Windows: what Group Policy (or IT by hand) writes under
// SOFTWARE\Policies\Mailroom, for the computer (HKLM) and for the user (HKCU), read with Windows'
// own reg.exe (`reg query <key> /s`) and parsed from its output.
import { execFile } from 'node:child_process';
import type { RawPolicy } from './raw-policy';

/** Where the policy lives, in the order it wins: the computer's over the user's. */
export const WINDOWS_POLICY_KEYS = ['HKLM\\SOFTWARE\\Policies\\Mailroom', 'HKCU\\SOFTWARE\\Policies\\Mailroom'] as const;

/** Runs a program with arguments (no shell of ours); `code` is its exit code, null when it was stopped. */
export type RunCommand = (file: string, args: string[]) => Promise<{ stdout: string; code: number | null }>;

/** reg.exe answers in a fraction of a second; a minute stuck in it would hold up the start. */
export const REG_QUERY_TIMEOUT_MS = 15_000;

/** How runCommand starts the command regQueryCommand gives (see there). */
export const REG_QUERY_EXEC_OPTIONS = {
  encoding: 'utf8',
  windowsHide: true,
  windowsVerbatimArguments: true,
  shell: false,
  timeout: REG_QUERY_TIMEOUT_MS,
  maxBuffer: 8 * 1024 * 1024,
} as const;

/** What every place holds, HKLM first, then HKCU. Never throws: what goes wrong is a problem of its place. */
export async function readWindowsPolicy(run: RunCommand = runCommand): Promise<RawPolicy[]> {
  return Promise.all(WINDOWS_POLICY_KEYS.map((key) => readKey(key, run)));
}

async function readKey(key: string, run: RunCommand): Promise<RawPolicy> {
  const { file, args } = regQueryCommand(key);
  let result: { stdout: string; code: number | null };
  try {
    result = await run(file, args);
  } catch (error) {
    return { source: key, found: false, values: {}, problems: [{ path: '', message: `reg query could not be run: ${error instanceof Error ? error.message : String(error)}` }] };
  }
  const { policy, unrecognised } = parseRegOutput(result.stdout, key, result.code);
  if (unrecognised === undefined) return policy;
  // reg's messages are in the language of Windows, and only the English ones are known here. Its
  // parent's list of subkeys says, in any language, whether the key is there at all.
  const listed = await keyIsListed(key, run);
  if (listed === false) return { source: key, found: false, values: {}, problems: [] };
  if (listed === true) return { ...policy, found: true, problems: [{ path: '', message: `The key could not be read: ${unrecognised}` }] };
  return policy;
}

/** Whether the key's parent lists it; undefined when the parent cannot be read either. */
async function keyIsListed(key: string, run: RunCommand): Promise<boolean | undefined> {
  const parent = key.slice(0, key.lastIndexOf('\\'));
  const { file, args } = regQueryCommand(parent, { recurse: false });
  try {
    const { stdout, code } = await run(file, args);
    if (code !== 0) return undefined;
    const wanted = longKeyName(key).toLowerCase();
    return stdout.split(/\r?\n/).some((line) => line.toLowerCase() === wanted);
  } catch {
    return undefined;
  }
}

/**
 * The command that lists a key: `cmd.exe /d /s /c "<line>"`, the way Node itself runs a shell
 * command on Windows, with the line
 *
 *     "C:\Windows\System32\chcp.com" 65001 >nul & "C:\Windows\System32\reg.exe" query "<key>" /s /reg:64 2>&1
 *
 * - chcp 65001 first: reg writes its output in the console's code page (437 or 850 in a Western
 *   console), in which "Zoë" or "東京" cannot be written; in UTF-8 they can. The code page belongs
 *   to the console of the child, which is a console of its own (windowsHide: Node starts a child
 *   whose every stream is a pipe without the parent's console), so the user's console keeps its
 *   own when the command line runs Mailroom.
 * - 2>&1: reg writes "ERROR: …" to stderr; with it on stdout, its message is read with the rest.
 * - /reg:64: the 64-bit view of the registry, where Group Policy writes, whichever build runs.
 * - /d: no AutoRun commands of the user's. Every program by its full path in the system folder,
 *   so none is found in the current folder first.
 * - The arguments go to cmd.exe as they are (windowsVerbatimArguments): cmd does not read the
 *   quoting Node would add. Nothing in the line comes from data: the key is one of ours, and the
 *   system folder must be a plain drive path, or C:\Windows is used.
 */
export function regQueryCommand(key: string, options: { recurse?: boolean; env?: NodeJS.ProcessEnv } = {}): { file: string; args: string[] } {
  if (!/^HK(LM|CU)(\\[A-Za-z0-9_]+)*$/.test(key)) throw new Error(`Not a registry key this reader queries: ${key}`);
  const system = `${systemRoot(options.env ?? process.env)}\\System32`;
  const recurse = options.recurse ?? true;
  const line = `"${system}\\chcp.com" 65001 >nul & "${system}\\reg.exe" query "${key}"${recurse ? ' /s' : ''} /reg:64 2>&1`;
  return { file: `${system}\\cmd.exe`, args: ['/d', '/s', '/c', `"${line}"`] };
}

function systemRoot(env: NodeJS.ProcessEnv): string {
  // Environment names are case-insensitive on Windows, but not in a plain object.
  const name = Object.keys(env).find((k) => k.toLowerCase() === 'systemroot');
  const root = name ? env[name]?.replace(/\\+$/, '') : undefined;
  // Nothing cmd would read as more than a path: no quotes, variables, redirections or joins.
  return root && /^[A-Za-z]:\\[^"%!&|<>^\r\n]*$/.test(root) ? root : 'C:\\Windows';
}

/** Runs a command as regQueryCommand gives it; a non-zero exit is a result, not an error. */
export const runCommand: RunCommand = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, args, REG_QUERY_EXEC_OPTIONS, (error, stdout) => {
      if (!error) resolve({ stdout, code: 0 });
      else if (typeof error.code === 'number') resolve({ stdout, code: error.code });
      else if (error.killed || error.signal) reject(new Error(`it did not finish within ${REG_QUERY_TIMEOUT_MS / 1000} s`));
      else reject(error);
    });
  });

const LONG_ROOTS: Record<string, string> = { HKLM: 'HKEY_LOCAL_MACHINE', HKCU: 'HKEY_CURRENT_USER' };

/** The key's name as reg prints it: the root spelt out, the rest as it was asked for. */
function longKeyName(key: string): string {
  const slash = key.indexOf('\\');
  const root = slash < 0 ? key : key.slice(0, slash);
  return (LONG_ROOTS[root.toUpperCase()] ?? root) + (slash < 0 ? '' : key.slice(slash));
}

/** A value line: four spaces, the name, four spaces, the type, and (after four more) the data. */
const VALUE_LINE = /^ {4}(.+?) {4}(REG_[A-Z0-9_]+)(?: {4}(.*))?$/;
const TEXT_TYPES = new Set(['REG_SZ', 'REG_EXPAND_SZ', 'REG_MULTI_SZ']);
const KEY_MISSING = /unable to find the specified registry key/i;
const ACCESS_DENIED = /access is denied/i;

/**
 * Reads what `reg query "<source>" /s` printed (stderr included), as values by dot path: a value's
 * name, after the names of the subkeys it sits in (`...\Mailroom\general\debug` value `enabled` is
 * `general.debug.enabled`). `exitCode` is reg's: 1 with "ERROR: The system was unable to find the
 * specified registry key or value." is a key that is not there, which is no policy and no problem.
 */
export function parseRegQuery(text: string, source: string, exitCode: number | null = 0): RawPolicy {
  return parseRegOutput(text, source, exitCode).policy;
}

interface RegEntry {
  key: string;
  name: string;
  type: string;
  text: string;
}

function parseRegOutput(text: string, source: string, exitCode: number | null): { policy: RawPolicy; unrecognised?: string } {
  const root = longKeyName(source);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const problems: RawPolicy['problems'] = [];
  const keyOf = (line: string): string | undefined => {
    const lower = line.toLowerCase();
    const rootLower = root.toLowerCase();
    if (lower === rootLower) return '';
    return lower.startsWith(`${rootLower}\\`) ? line.slice(root.length + 1).split('\\').join('.') : undefined;
  };

  // reg stops at an error and writes its message last.
  let failure: string | undefined;
  if (exitCode !== 0) {
    while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
    const last = lines[lines.length - 1];
    if (last !== undefined && keyOf(last) === undefined && !VALUE_LINE.test(last)) {
      failure = last.trim();
      lines.pop();
    } else {
      failure = `reg query stopped with exit code ${exitCode ?? 'none'}`;
    }
  }

  const entries: RegEntry[] = [];
  let key: string | undefined;
  let sawKey = false;
  let last: RegEntry | undefined;
  let blanks = 0;
  for (const line of lines) {
    if (line === '') {
      blanks++;
      continue;
    }
    const header = keyOf(line);
    const value = key !== undefined && header === undefined ? VALUE_LINE.exec(line) : null;
    if (header !== undefined) {
      key = header;
      sawKey = true;
      last = undefined;
    } else if (value) {
      last = { key: key as string, name: value[1] as string, type: value[2] as string, text: value[3] ?? '' };
      entries.push(last);
    } else if (last && TEXT_TYPES.has(last.type)) {
      // A value with line breaks in it: reg prints them as they are.
      last.text += '\n'.repeat(blanks + 1) + line;
    } else {
      problems.push({ path: '', message: `reg query printed a line that is neither a key nor a value: ${JSON.stringify(line.slice(0, 200))}` });
    }
    blanks = 0;
  }

  const values: Record<string, unknown> = {};
  for (const entry of entries) {
    // The key's unnamed value, which reg prints as "(Default)" (or its translation): not a setting.
    if (/^\([^.]*\)$/.test(entry.name)) continue;
    const path = entry.key === '' ? entry.name : `${entry.key}.${entry.name}`;
    const read = regValue(entry.type, entry.text);
    if ('problem' in read) problems.push({ path, message: read.problem });
    else if (Object.prototype.hasOwnProperty.call(values, path)) problems.push({ path, message: 'Given twice here (by a value name and by subkeys); the first is used' });
    else Object.defineProperty(values, path, { value: read.value, enumerable: true, writable: true, configurable: true });
  }

  if (failure === undefined) return { policy: { source, found: true, values, problems } };
  if (sawKey) return { policy: { source, found: true, values, problems: [...problems, { path: '', message: `Only part of the key could be read: ${failure}` }] } };
  if (KEY_MISSING.test(failure)) return { policy: { source, found: false, values: {}, problems: [] } };
  if (ACCESS_DENIED.test(failure)) {
    return { policy: { source, found: true, values: {}, problems: [{ path: '', message: `The key could not be read: ${failure} (give Users read access to it, as Group Policy does)` }] } };
  }
  return { policy: { source, found: false, values: {}, problems: [{ path: '', message: `reg query failed: ${failure}` }] }, unrecognised: failure };
}

/** A value as reg prints it, as the policy service takes it. */
function regValue(type: string, text: string): { value: unknown } | { problem: string } {
  switch (type) {
    case 'REG_SZ':
    case 'REG_EXPAND_SZ':
      // %VARIABLES% stay as they are: a setting means what it says.
      return { value: text };
    case 'REG_MULTI_SZ':
      // reg prints the strings joined by the two characters \0 (a string holding them itself is split there too).
      return { value: text === '' ? [] : text.split('\\0') };
    case 'REG_DWORD': {
      const match = /^0x([0-9a-fA-F]{1,8})$/.exec(text);
      return match ? { value: parseInt(match[1] as string, 16) } : { problem: `reg printed the REG_DWORD as ${JSON.stringify(text)}, not as 0x and hex digits` };
    }
    case 'REG_QWORD': {
      const match = /^0x([0-9a-fA-F]{1,16})$/.exec(text);
      if (!match) return { problem: `reg printed the REG_QWORD as ${JSON.stringify(text)}, not as 0x and hex digits` };
      const value = BigInt(`0x${match[1] as string}`);
      return value <= BigInt(Number.MAX_SAFE_INTEGER) ? { value: Number(value) } : { problem: `The REG_QWORD ${value} is too large to read` };
    }
    default:
      return { problem: `${type} values are not read; set the value as REG_SZ (text), REG_DWORD (a number, or 1 and 0 for on and off) or REG_MULTI_SZ (lines of text)` };
  }
}
