// Machine policy: settings IT sets centrally (Windows registry, macOS managed preferences, Linux
// /etc/mailroom/policy.json). A setting in force by policy wins over anything saved, nobody can
// change it here (an administrator neither), and the dialog shows it read-only with POLICY_NOTE.
import { z } from 'zod';

export { POLICY_NOTE, POLICY_OFFICE_DATABASE, POLICY_PROFILE_LIST, policyPathOf } from './policy-values';

export const PolicyEntry = z.object({
  /**
   * The setting, by the dot path `mailroom settings get` takes: general.debug.enabled,
   * mail.composeMode, smtp.profiles.<profile id>.host, office.databaseUrl.
   */
  path: z.string(),
  /** The value in force, as the settings hold it. */
  value: z.unknown(),
  /** Where it was set, e.g. HKLM\SOFTWARE\Policies\Mailroom or /etc/mailroom/policy.json. */
  source: z.string(),
});
export type PolicyEntry = z.infer<typeof PolicyEntry>;

/** A policy value that was ignored, and why; by path, never a crash. */
export const PolicyProblem = z.object({ source: z.string(), path: z.string(), message: z.string() });
export type PolicyProblem = z.infer<typeof PolicyProblem>;

export const PolicyView = z.object({
  /** The places looked at, first wins, and whether anything was there. */
  sources: z.array(z.object({ location: z.string(), found: z.boolean() })),
  /** Every setting in force by policy (locked). */
  entries: z.array(PolicyEntry),
  problems: z.array(PolicyProblem),
});
export type PolicyView = z.infer<typeof PolicyView>;
