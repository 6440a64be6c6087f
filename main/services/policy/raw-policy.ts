// What one policy location holds, as read, before any of it is checked against the settings.
export interface RawPolicy {
  /** Where it was read: HKLM\SOFTWARE\Policies\Mailroom, /Library/Managed Preferences/…plist, /etc/mailroom/policy.json. */
  source: string;
  /** Whether anything was there (a missing key or file is not a problem). */
  found: boolean;
  /**
   * Dot path → value as the format gives it: string, number, boolean, string[] (REG_MULTI_SZ), or
   * nested objects and arrays (plist dictionaries, JSON). Nested objects are flattened to dot paths
   * by the policy service, so `{ general: { debug: { enabled: true } } }` and
   * `{ "general.debug.enabled": true }` say the same.
   */
  values: Record<string, unknown>;
  /** What could not be read at all, by path ('' for the whole location). */
  problems: { path: string; message: string }[];
}
