// Which fields must be filled, and for what: the one rule behind the red left border, Save, Test
// connection, Send test and every send. Plain functions on plain values, without zod: the dialog's
// first paint marks required fields before the schemas have loaded; CompleteSettings (settings.ts)
// applies the same rule to a save.
import type { FieldError } from './result';
import type { Settings } from './settings';
import type { SmtpProfile } from './smtp';

/** A profile field that must be filled in the profile's current state, and what needs it. */
export interface ProfileRequirement {
  field: keyof SmtpProfile & string;
  /** The message under the empty field; "Required" when absent. */
  message?: string;
  /**
   * What cannot go ahead without it: 'server' reaching the server at all, 'sign-in' signing in to
   * it, 'message' sending a message (its From address), 'save' only saving the profile (its name).
   */
  for: 'server' | 'sign-in' | 'message' | 'save';
}

/** Every field this profile needs filled, and what for: the one rule behind Save, Test connection, Send test and every send. */
export function profileRequirements(p: SmtpProfile): ProfileRequirement[] {
  const graph = p.authModel === 'oauth2' && p.sendMethod === 'graph';
  const needs: ProfileRequirement[] = [{ field: 'name', for: 'save' }];
  // Graph needs no SMTP server.
  if (!graph) needs.push({ field: 'host', for: 'server' });
  needs.push({ field: 'fromAddress', for: 'message' });
  if (p.authModel === 'oauth2') {
    // The mailbox defaults to the signed-in account; the app registration cannot be guessed, and no token comes without it.
    needs.push({ field: 'clientId', message: 'Required for OAuth2 sign-in', for: 'server' });
  } else if (p.auth !== 'none' && p.credentials === 'shared') {
    needs.push({ field: 'username', message: p.auth === 'optional' ? 'Required: Optional means the password may be left empty' : 'Required', for: 'sign-in' });
  }
  return needs;
}

const NEEDED_FOR: Readonly<Record<'test' | 'connection' | 'send', readonly ProfileRequirement['for'][]>> = {
  // A test runs every step it can: a missing username or password is the sign-in step's finding, not a reason to refuse.
  test: ['server'],
  connection: ['server', 'sign-in'],
  send: ['server', 'sign-in', 'message'],
};

/**
 * The fields still empty that stop this profile from `purpose`: 'test' (Test connection: the
 * server), 'connection' (a send's connection: the server and the account it signs in as) or
 * 'send' (a message: its From address as well). Paths are the profile's own field names ("host").
 */
export function profileNeeds(p: SmtpProfile, purpose: 'test' | 'connection' | 'send'): FieldError[] {
  const wanted = NEEDED_FOR[purpose];
  return profileRequirements(p)
    .filter((r) => wanted.includes(r.for) && String(p[r.field]).trim() === '')
    .map((r) => ({ path: r.field, message: r.message ?? 'Required' }));
}

// ---- what the settings cannot do without ---------------------------------------------------

interface RequiredField {
  path: string;
  value: string;
  message?: string;
}

/** Every field that is required in this state of the settings, with its current value. */
function requiredFields(settings: Settings): RequiredField[] {
  const general = settings.general;
  const fields: RequiredField[] = [
    { path: 'general.organisationName', value: general.organisationName },
    { path: 'general.alertFrom', value: general.alertFrom },
  ];
  if (general.debug.enabled) {
    fields.push({ path: 'general.debug.path', value: general.debug.path, message: 'Required while debug logging is on' });
  }
  settings.smtp.profiles.forEach((p, i) => {
    for (const need of profileRequirements(p)) {
      fields.push({ path: `smtp.profiles.${i}.${need.field}`, value: String(p[need.field]), ...(need.message ? { message: need.message } : {}) });
    }
  });
  settings.users.forEach((u, i) => fields.push({ path: `users.${i}.account`, value: u.account }));
  return fields;
}

/** Fields a save cannot do without, by dot path; the UI marks them with the red left border. */
export function isRequired(path: string, settings: Settings): boolean {
  return requiredFields(settings).some((f) => f.path === path);
}

/** The required fields that are still empty. */
export function missingRequired(settings: Settings): FieldError[] {
  return requiredFields(settings)
    .filter((f) => f.value.trim() === '')
    .map((f) => ({ path: f.path, message: f.message ?? 'Required' }));
}
