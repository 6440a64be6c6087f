// What the rest of Mailroom needs of wherever the settings live: the settings file on this computer
// (SettingsService) or the office database (OfficeSettings). Reads are immediate, from what was last
// read; a change may have to travel to a database, so it may be answered later.
import type { FieldError, Result, Settings } from '../../../preload/contract';

export type MaybePromise<T> = T | Promise<T>;

/**
 * Machine policy as a settings store uses it (MachinePolicy): laid over the saved settings for
 * everyone who reads them, and kept out of what a save writes, so the saved values come back once
 * the policy goes.
 */
export interface StorePolicy {
  inForce(saved: Settings): Settings;
  keepSaved(saved: Settings, next: Settings): Settings;
}

/** No machine policy: the settings in force are the saved ones. */
export const NO_POLICY: StorePolicy = { inForce: (saved) => saved, keepSaved: (_saved, next) => next };

export interface SettingsStore {
  /** Where the settings live, for people: the file's path, or the database and role. */
  readonly where: string;
  read(): Settings;
  /** The same document without a copy, for hot paths that only look; callers must not change it. */
  readShared(): Readonly<Settings>;
  /** The revision of the saved settings: a save based on another one is refused with `conflict`. */
  revision(): string;
  readWithRevision(): { settings: Settings; revision: string };
  /** Why nobody may change the settings now, when that is so. */
  readOnlyReason(): string | undefined;
  isAdministrator(account: string): boolean;
  getPath(dotPath: string): Result<unknown>;
  missingRequired(): FieldError[];
  /** The whole document, complete; with `baseRevision`, refused when someone saved in between. */
  save(input: unknown, options?: { baseRevision?: string }): MaybePromise<Result<Settings>>;
  /** A well-formed document whose other parts may still be unfinished (the command line changes one part). */
  saveWellFormed(input: unknown): MaybePromise<Result<Settings>>;
  /** A saved copy, migrated first; `account` is who imports it (see SettingsService.import). */
  import(input: unknown, account?: string): MaybePromise<Result<Settings>>;
  /** One value by dot path, given as text (see SettingsService.setPath). */
  setPath(dotPath: string, text: string, account?: string): MaybePromise<Result<Settings>>;
}
