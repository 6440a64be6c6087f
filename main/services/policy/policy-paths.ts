// Which settings a machine policy may set, by dot path, and how a value as the registry, a plist or
// a JSON file gives it becomes the setting's value: read as the type the setting has (a DWORD 1 is
// true for an on/off setting, the text "587" is 587 for a port), then checked by the setting's own
// schema, so a policy value passes exactly the rules the dialog's value passes.
import { z } from 'zod';
import {
  DebugSettings,
  GeneralSettings,
  MailOptions,
  OutboxSettings,
  PROFILE_ID_RE,
  POLICY_OFFICE_DATABASE,
  POLICY_PROFILE_LIST,
  SmtpProfile,
  defaultSettings,
  newProfile,
} from '../../../preload/contract';

interface PolicyField {
  /** Checks the value and gives it as the settings hold it (text trimmed, say). */
  schema: z.ZodType;
  /** A value of the setting's type, which a value given in another type is read as. */
  like: unknown;
}

const defaults = defaultSettings();
const profileDefaults = newProfile('p', 'p');

/** A profile's fields a policy may set: all but its id, which the path names. */
export const POLICY_PROFILE_FIELDS = (Object.keys(SmtpProfile.shape) as (keyof typeof SmtpProfile.shape)[]).filter((f) => f !== 'id');

const officeDatabaseUrl = z
  .string({ error: 'Expected text' })
  .trim()
  .max(2000, 'Use at most 2000 characters')
  .refine((v) => /^postgres(ql)?:\/\//i.test(v), { message: 'Use a postgres:// address, like postgres://db.example.com/mailroom' })
  .refine((v) => !hasPassword(v), { message: 'Leave the password out of the address: it comes from PGPASSWORD, ~/.pgpass or the password saved on the General tab' });

function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

function section(prefix: string, shape: Record<string, z.ZodType>, like: Record<string, unknown>, skip: readonly string[] = []): [string, PolicyField][] {
  return Object.entries(shape)
    .filter(([key]) => !skip.includes(key))
    .map(([key, schema]) => [`${prefix}.${key}`, { schema, like: like[key] }]);
}

const FIXED = new Map<string, PolicyField>([
  ...section('general', GeneralSettings.shape, defaults.general, ['debug']),
  ...section('general.debug', DebugSettings.shape, defaults.general.debug),
  ...section('mail', MailOptions.shape, defaults.mail),
  ...section('outbox', OutboxSettings.shape, defaults.outbox),
  [POLICY_OFFICE_DATABASE, { schema: officeDatabaseUrl, like: '' }],
]);

/**
 * Every path a policy may set, with `<id>` standing for a profile's id: what the templates and
 * the README list.
 */
export const POLICY_PATHS: readonly string[] = [...FIXED.keys(), POLICY_PROFILE_LIST, ...POLICY_PROFILE_FIELDS.map((f) => `smtp.profiles.<id>.${f}`)];

/** The profile id and field a path names (`smtp.profiles.<id>.<field>`), or undefined. */
export function profilePathParts(path: string): { id: string; field: string } | undefined {
  const match = /^smtp\.profiles\.([^.]+)\.([^.]+)$/.exec(path);
  return match ? { id: match[1] as string, field: match[2] as string } : undefined;
}

/** Why a path is not one a policy may set, or undefined when it is (the profile list aside). */
export function unknownPathReason(path: string): string | undefined {
  if (FIXED.has(path)) return undefined;
  const profile = profilePathParts(path);
  if (profile) {
    if (!PROFILE_ID_RE.test(profile.id)) return 'A profile id is 1 to 64 letters, digits, - or _';
    if (!(POLICY_PROFILE_FIELDS as string[]).includes(profile.field)) return `Not a profile field; a profile has ${POLICY_PROFILE_FIELDS.join(', ')}`;
    return undefined;
  }
  if (path.startsWith('smtp.profiles.')) return 'Name a profile field as smtp.profiles.<profile id>.<field>';
  return 'Not a setting a policy can set';
}

function fieldAt(path: string): PolicyField | undefined {
  const fixed = FIXED.get(path);
  if (fixed) return fixed;
  const profile = profilePathParts(path);
  if (!profile || unknownPathReason(path)) return undefined;
  const key = profile.field as keyof typeof SmtpProfile.shape;
  return { schema: SmtpProfile.shape[key], like: profileDefaults[key] };
}

/** The value a policy gives for a path, as the setting holds it; or why it cannot be used. */
export function policyValue(path: string, given: unknown): { ok: true; value: unknown } | { ok: false; message: string } {
  const reason = unknownPathReason(path);
  const field = fieldAt(path);
  if (reason || !field) return { ok: false, message: reason ?? 'Not a setting a policy can set' };
  const parsed = field.schema.safeParse(coerce(given, field.like));
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = parsed.error.issues[0]?.message ?? 'Not a valid value';
  // An address may hold a password: it is never repeated.
  return { ok: false, message: path === POLICY_OFFICE_DATABASE ? message : `${message} (the policy gives ${describe(given)})` };
}

/**
 * Reads a value as the type of `like`: the registry has no true/false (a DWORD 1 or 0, or text), and
 * numbers often arrive as text. Anything else is left as it is, for the schema to say what is wrong.
 */
export function coerce(value: unknown, like: unknown): unknown {
  if (typeof like === 'boolean') {
    if (value === 1 || value === 0) return value === 1;
    if (typeof value === 'string') {
      const text = value.trim().toLowerCase();
      if (text === '1' || text === 'true') return true;
      if (text === '0' || text === 'false') return false;
    }
    return value;
  }
  if (typeof like === 'number') {
    if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value.trim()))) return Number(value.trim());
    return value;
  }
  if (typeof like === 'string' && typeof value === 'number' && Number.isFinite(value)) return String(value);
  return value;
}

function describe(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // a bigint, say
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A dictionary of a JSON file or a plist, not a date or bytes. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Nested objects as dot paths, so `{ general: { debug: { enabled: true } } }` and
 * `{ "general.debug.enabled": true }` say the same. Arrays are values (the profile list).
 */
export function flattenPolicy(values: Record<string, unknown>): { path: string; value: unknown }[] {
  const out: { path: string; value: unknown }[] = [];
  const walk = (prefix: string, node: Record<string, unknown>) => {
    for (const [key, value] of Object.entries(node)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (isPlainObject(value)) walk(path, value);
      else out.push({ path, value });
    }
  };
  walk('', values);
  return out;
}

/**
 * The whole profiles a policy lists under `smtp.profiles` (a JSON array, or its text as the
 * registry holds it), each as its id and the fields it gives; or why the list cannot be read.
 * A profile without an id takes one made from its name ("Head office" is head-office).
 */
export function profileList(value: unknown): { ok: true; profiles: { id: string; fields: Record<string, unknown> }[]; problems: { path: string; message: string }[] } | { ok: false; message: string } {
  // A registry value may hold the JSON text in one string, or over the lines of a multi-string.
  let list = Array.isArray(value) && value.length > 0 && value.every((line) => typeof line === 'string') ? value.join('\n') : value;
  if (typeof list === 'string') {
    try {
      list = JSON.parse(list) as unknown;
    } catch (error) {
      return { ok: false, message: `Not valid JSON: ${(error as Error).message}` };
    }
  }
  if (!Array.isArray(list)) return { ok: false, message: 'Expected a list of profiles, like [{"id": "office", "name": "Office", "host": "smtp.example.com"}]' };
  const profiles: { id: string; fields: Record<string, unknown> }[] = [];
  const problems: { path: string; message: string }[] = [];
  list.forEach((item, n) => {
    const where = `${POLICY_PROFILE_LIST}[${n}]`;
    if (!isPlainObject(item)) {
      problems.push({ path: where, message: 'Expected a profile: an object with an id or a name, and its fields' });
      return;
    }
    const { id: givenId, ...fields } = item;
    const id = givenId === undefined ? idFromName(item.name) : givenId;
    if (typeof id !== 'string' || !PROFILE_ID_RE.test(id)) {
      problems.push({ path: where, message: givenId === undefined ? 'Give the profile an id or a name' : 'A profile id is 1 to 64 letters, digits, - or _' });
      return;
    }
    profiles.push({ id, fields });
  });
  return { ok: true, profiles, problems };
}

function idFromName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const id = name.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
  return id === '' ? undefined : id;
}
