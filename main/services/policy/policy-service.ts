// Machine policy in force: what the platform's places hold (read by windows.ts, macos.ts and
// linux.ts), checked value by value against the settings' own rules, the first place to give a
// path winning. The settings everyone reads are the saved ones with these values laid over them
// (inForce), a change to any of them is refused whoever asks (check), and profiles a policy names
// are created at start (provision).
import {
  POLICY_NOTE,
  POLICY_OFFICE_DATABASE,
  POLICY_PROFILE_LIST,
  Settings,
  fail,
  newProfile,
  ok,
  policyPathOf,
  withFirstProfileAsDefault,
  type Failure,
  type PolicyEntry,
  type PolicyProblem,
  type PolicyView,
  type Result,
  type SmtpProfile,
} from '../../../preload/contract';
import type { MaybePromise, SettingsStore } from '../settings/settings-store';
import { setAtPath, valueAtPath } from '../settings/settings-service';
import type { RawPolicy } from './raw-policy';
import { flattenPolicy, policyValue, profileList, profilePathParts } from './policy-paths';
import { jsonPolicyFile, readJsonPolicy } from './linux';
import { readWindowsPolicy } from './windows';
import { readMacPolicy } from './macos';

/** Where each platform keeps its policy, read in order: the first to give a path wins. The platform's own when absent. */
export interface PolicyReaders {
  windows?: () => Promise<RawPolicy[]>;
  mac?: () => Promise<RawPolicy[]>;
  json?: (file: string) => Promise<RawPolicy>;
}

export interface PolicyReadOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  readers?: PolicyReaders;
}

/**
 * What every place of this platform holds, first wins: the registry (HKLM, then HKCU) on Windows;
 * managed preferences on macOS; /etc/mailroom/policy.json elsewhere. MAILROOM_POLICY_FILE names a
 * JSON file read instead of /etc/mailroom/policy.json, and after the registry or managed
 * preferences on Windows and macOS.
 */
export async function readMachinePolicy(options: PolicyReadOptions = {}): Promise<RawPolicy[]> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const readers: PolicyReaders = { windows: () => readWindowsPolicy(), mac: () => readMacPolicy(), ...options.readers };
  const json = readers.json ?? readJsonPolicy;
  const safely = async (location: string, read: () => Promise<RawPolicy[]>): Promise<RawPolicy[]> => {
    try {
      return await read();
    } catch (error) {
      return [{ source: location, found: false, values: {}, problems: [{ path: '', message: `Could not be read: ${error instanceof Error ? error.message : String(error)}` }] }];
    }
  };
  const file = jsonPolicyFile(env);
  const named = file !== jsonPolicyFile({});
  const fromFile = () => safely(file, async () => [await json(file)]);
  const native = platform === 'win32' ? ['the Windows registry', readers.windows] as const : platform === 'darwin' ? ['managed preferences', readers.mac] as const : undefined;
  if (!native) return fromFile();
  const [where, read] = native;
  const first = read ? await safely(where, read) : [];
  return named ? [...first, ...(await fromFile())] : first;
}

/** The policy of this machine, read and checked; nothing in it when nothing is set. */
export async function loadMachinePolicy(options: PolicyReadOptions = {}): Promise<MachinePolicy> {
  return MachinePolicy.from(await readMachinePolicy(options));
}

export class MachinePolicy {
  /** Entries that break a rule across fields of the settings in force now (see inForce). */
  private conflicts = new Map<string, PolicyProblem>();
  private readonly later: PolicyProblem[] = [];

  private constructor(
    private readonly sources: PolicyView['sources'],
    private readonly byPath: ReadonlyMap<string, PolicyEntry>,
    private readonly problems: readonly PolicyProblem[],
    /** The profiles a policy names, in the order it names them: created at start when missing. */
    private readonly profileIds: readonly string[],
  ) {}

  /** No policy: nothing locked, nothing changed. */
  static none(): MachinePolicy {
    return new MachinePolicy([], new Map(), [], []);
  }

  /** Checks what the places hold: the first good value for a path wins; a bad one is a problem, by path, and ignored. */
  static from(raws: readonly RawPolicy[]): MachinePolicy {
    const entries = new Map<string, PolicyEntry>();
    const problems: PolicyProblem[] = [];
    const profileIds: string[] = [];
    const nameProfile = (id: string) => {
      if (!profileIds.includes(id)) profileIds.push(id);
    };
    for (const raw of raws) {
      const source = raw.source;
      for (const problem of raw.problems) problems.push({ source, ...problem });
      const seen = new Set<string>();
      const consider = (path: string, given: unknown) => {
        if (seen.has(path)) {
          problems.push({ source, path, message: 'Given twice here; the first is used' });
          return;
        }
        seen.add(path);
        const checked = policyValue(path, given);
        if (!checked.ok) {
          problems.push({ source, path, message: checked.message });
          return;
        }
        const profile = profilePathParts(path);
        if (profile) nameProfile(profile.id);
        if (!entries.has(path)) entries.set(path, { path, value: checked.value, source });
      };
      for (const { path, value } of flattenPolicy(raw.values)) {
        if (path !== POLICY_PROFILE_LIST) {
          consider(path, value);
          continue;
        }
        const list = profileList(value);
        if (!list.ok) {
          problems.push({ source, path, message: list.message });
          continue;
        }
        for (const problem of list.problems) problems.push({ source, ...problem });
        for (const { id, fields } of list.profiles) {
          nameProfile(id);
          for (const [field, fieldValue] of Object.entries(fields)) consider(`smtp.profiles.${id}.${field}`, fieldValue);
        }
      }
    }
    const sources = raws.map((r) => ({ location: r.source, found: r.found }));
    return new MachinePolicy(sources, entries, problems, profileIds);
  }

  /** Every setting locked now, and where it was set. */
  get entries(): PolicyEntry[] {
    return [...this.byPath.values()].filter((e) => !this.conflicts.has(e.path));
  }

  /** What the dialog and `mailroom policy show` say: the places looked at, what is in force, what was ignored and why. */
  view(): PolicyView {
    return { sources: [...this.sources], entries: this.entries, problems: [...this.problems, ...this.conflicts.values(), ...this.later] };
  }

  /** The entry locking this path (a policy path: profiles by id), if one does. */
  lockOf(path: string): PolicyEntry | undefined {
    return this.conflicts.has(path) ? undefined : this.byPath.get(path);
  }

  /** The fields of one profile, by its id, that the policy sets now. */
  lockedProfileFields(id: string): Set<string> {
    const fields = new Set<string>();
    for (const entry of this.entries) {
      const parts = profilePathParts(entry.path);
      if (parts?.id === id) fields.add(parts.field);
    }
    return fields;
  }

  /** The office database address a policy sets, if it does. */
  officeDatabaseUrl(): string | undefined {
    const entry = this.lockOf(POLICY_OFFICE_DATABASE);
    return typeof entry?.value === 'string' ? entry.value : undefined;
  }

  /**
   * The saved settings with the policy's values laid over them. A value that breaks a rule across
   * fields of these settings (a Microsoft 365 choice while Microsoft 365 web is off, a default
   * profile that does not exist) is left out while it does, and said so in view().
   */
  inForce(saved: Settings): Settings {
    if (this.byPath.size === 0) return saved;
    const lay = (skip: ReadonlyMap<string, unknown>) => {
      const doc = structuredClone(saved);
      const applied = new Set<string>();
      for (const entry of this.byPath.values()) if (!skip.has(entry.path) && setAtPath(doc, entry.path, entry.value)) applied.add(entry.path);
      return { doc, applied };
    };
    const first = lay(new Map());
    const conflicts = new Map<string, PolicyProblem>();
    if (first.applied.size > 0) {
      const parsed = Settings.safeParse(first.doc);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = pathOfIssue(issue.path, first.doc);
          const entry = this.byPath.get(path);
          if (entry && first.applied.has(path) && !conflicts.has(path)) {
            conflicts.set(path, { source: entry.source, path, message: `${issue.message}; left out until the other settings allow it` });
          }
        }
      }
    }
    this.conflicts = conflicts;
    return conflicts.size > 0 ? lay(conflicts).doc : first.doc;
  }

  /**
   * What a save writes: `next` (settings in force, changed) with each setting the policy sets put
   * back to its value in `saved`, so that the policy's values are never written down and the saved
   * ones come back once the policy is lifted. A setting `saved` lacks (a profile the policy made)
   * keeps the value given; so does everything when the saved values would no longer fit together
   * with the rest (a default profile since deleted, say).
   */
  keepSaved(saved: Settings, next: Settings): Settings {
    if (this.byPath.size === 0) return next;
    const doc = structuredClone(next);
    let changed = false;
    for (const entry of this.byPath.values()) {
      if (entry.path === POLICY_OFFICE_DATABASE || !sameValue(valueAtPath(next, entry.path), entry.value)) continue;
      const before = valueAtPath(saved, entry.path);
      if (before !== undefined && !sameValue(before, entry.value) && setAtPath(doc, entry.path, structuredClone(before))) changed = true;
    }
    return changed && Settings.safeParse(doc).success ? doc : next;
  }

  /** The locked settings a change from `before` to `after` would change. */
  lockedChanges(before: Settings, after: Settings): PolicyEntry[] {
    return this.entries.filter((e) => e.path !== POLICY_OFFICE_DATABASE && !sameValue(valueAtPath(before, e.path), valueAtPath(after, e.path)));
  }

  /** Refuses a change to settings set by policy, naming each and where it was set. */
  refusal(locked: readonly PolicyEntry[]): Failure {
    const them = locked.map((e) => `${e.path} (${e.source})`).join(', ');
    return fail('forbidden', `${POLICY_NOTE}, so nobody can change ${locked.length === 1 ? 'it' : 'them'} here: ${them}. Nothing was changed.`, locked.map((e) => ({ path: e.path, message: `${POLICY_NOTE} (${e.source})` })));
  }

  /** Lets a change through when it leaves every locked setting as it is; refuses it otherwise. */
  check(before: Settings, after: Settings): Result<void> {
    const locked = this.lockedChanges(before, after);
    return locked.length === 0 ? ok(undefined) : this.refusal(locked);
  }

  /**
   * Creates the profiles a policy names that the settings do not have yet, with their unnamed
   * fields from a new profile's defaults; the first profile of settings that had none becomes the
   * default. Run at start by whoever starts Mailroom: a machine's policy needs nobody's click.
   */
  provision(store: SettingsStore): MaybePromise<void> {
    if (this.profileIds.length === 0) return;
    let current: Settings;
    try {
      current = store.read();
    } catch {
      return; // unreadable settings stop the start elsewhere, with their own message
    }
    const missing = this.profileIds.filter((id) => !current.smtp.profiles.some((p) => p.id === id));
    if (missing.length === 0) return;
    const next = structuredClone(current);
    for (const id of missing) next.smtp.profiles.push(this.newProfile(id));
    const { settings } = withFirstProfileAsDefault(current, next);
    const record = (saved: Result<Settings>) => {
      if (saved.ok) return;
      for (const id of missing) {
        const source = this.entries.find((e) => profilePathParts(e.path)?.id === id)?.source ?? '';
        this.later.push({ source, path: `smtp.profiles.${id}`, message: `The profile could not be created: ${saved.error.message}` });
      }
    };
    const saved = store.saveWellFormed(settings);
    return saved instanceof Promise ? saved.then(record) : record(saved);
  }

  private newProfile(id: string): SmtpProfile {
    const name = this.byPath.get(`smtp.profiles.${id}.name`)?.value;
    const profile = newProfile(id, typeof name === 'string' && name !== '' ? name : id);
    for (const entry of this.byPath.values()) {
      const parts = profilePathParts(entry.path);
      if (parts?.id === id) (profile as unknown as Record<string, unknown>)[parts.field] = entry.value;
    }
    return profile;
  }
}

/** A schema issue's path as a policy path: a profile's place in the list becomes its id. */
function pathOfIssue(keys: readonly PropertyKey[], settings: Settings): string {
  return policyPathOf(keys.map(String).join('.'), settings);
}

function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);
}
