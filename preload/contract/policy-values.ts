// Machine policy's plain values and path rules, without zod: the dialog's first paint shows locked
// fields with them before the schemas have loaded. The shapes are in policy.ts.

/** What stands beside the lock of a field set by policy. */
export const POLICY_NOTE = 'Set by your organisation';

/** A policy value of this path is a list of whole server profiles (a JSON string in the registry). */
export const POLICY_PROFILE_LIST = 'smtp.profiles';

/** The office database address, which lives beside the settings document rather than in it. */
export const POLICY_OFFICE_DATABASE = 'office.databaseUrl';

/**
 * A policy names a profile's field by the profile's id, which never changes, not by its place in
 * the list: `smtp.profiles.2.host` in the dialog's draft is `smtp.profiles.<id of the third>.host`.
 * Any other path is the same in both.
 */
export function policyPathOf(path: string, settings: { smtp: { profiles: readonly { id: string }[] } }): string {
  const match = /^smtp\.profiles\.(\d+)(\..+)?$/.exec(path);
  if (!match) return path;
  const profile = settings.smtp.profiles[Number(match[1])];
  return profile ? `smtp.profiles.${profile.id}${match[2] ?? ''}` : path;
}
