// The office's settings as the rest of Mailroom reads them: the document, the users and who is
// connected, kept in memory and read again whenever the database says they changed (LISTEN), so
// reads stay immediate. Changes go to the database, which decides who may make them.
import {
  CompleteSettings,
  Settings,
  fail,
  invalidInput,
  missingRequired,
  ok,
  type FieldError,
  type Result,
} from '../../../preload/contract';
import type { Identity } from '../access';
import { migrateSettings } from '../settings/migrations';
import { STALE_SAVE_MESSAGE, settingAt, withPathSet } from '../settings/settings-service';
import { NO_POLICY, type SettingsStore, type StorePolicy } from '../settings/settings-store';
import type { OfficeIdentity, OfficeStore } from './office-store';

interface Loaded {
  /** In force: the saved settings with machine policy laid over them. */
  settings: Settings;
  /** As the database holds them. */
  saved: Settings;
  revision: number;
  me: OfficeIdentity;
}

export class OfficeSettings implements SettingsStore {
  private loaded: Loaded;
  private readonly listeners = new Set<(revision: string) => void>();

  private constructor(
    private readonly store: OfficeStore,
    first: Loaded,
    private readonly policy: StorePolicy,
  ) {
    this.loaded = { ...first, settings: policy.inForce(first.saved) };
  }

  /** Reads the settings and who is connected once; an error names what could not be read. */
  static async open(store: OfficeStore, policy: StorePolicy = NO_POLICY): Promise<Result<OfficeSettings>> {
    const first = await OfficeSettings.load(store);
    return first.ok ? ok(new OfficeSettings(store, first.value, policy)) : first;
  }

  private static async load(store: OfficeStore): Promise<Result<Loaded>> {
    const [read, me] = await Promise.all([store.readSettings(), store.whoami()]);
    if (!read.ok) return read;
    if (!me.ok) return me;
    return ok({ settings: read.value.settings, saved: read.value.settings, revision: read.value.revision, me: me.value });
  }

  get where(): string {
    return `the office database ${this.store.describe()}`;
  }

  /** Who is connected: the database role, its Mailroom user, and whether it is an administrator. */
  identity(): Identity {
    const { me } = this.loaded;
    return { account: me.role, ...(me.user ? { user: me.user } : {}), admin: me.admin, signedInTo: 'office' };
  }

  /** The database role this Mailroom signed in as and its Mailroom kind. */
  role(): OfficeIdentity {
    return this.loaded.me;
  }

  /** Reads everything again; told to listeners when the revision or the users changed. */
  async refresh(): Promise<Result<void>> {
    const next = await OfficeSettings.load(this.store);
    if (!next.ok) return next;
    const before = this.revision();
    const beforeUsers = JSON.stringify([this.loaded.settings.users, this.loaded.me]);
    this.loaded = { ...next.value, settings: this.policy.inForce(next.value.saved) };
    if (before !== this.revision() || beforeUsers !== JSON.stringify([next.value.settings.users, next.value.me])) {
      for (const listener of [...this.listeners]) listener(this.revision());
    }
    return ok(undefined);
  }

  /** Hears the new revision whenever a refresh found something changed. */
  onChange(listener: (revision: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  read(): Settings {
    return structuredClone(this.loaded.settings);
  }

  readShared(): Readonly<Settings> {
    return this.loaded.settings;
  }

  /**
   * The document's revision and the users', together: the users live in rows of their own, so a
   * change to them alone (a user's own choices) makes a new revision too.
   */
  revision(): string {
    return `${this.loaded.revision}:${usersStamp(this.loaded.settings)}`;
  }

  readWithRevision(): { settings: Settings; revision: string } {
    return { settings: this.read(), revision: this.revision() };
  }

  readOnlyReason(): string | undefined {
    return undefined;
  }

  isAdministrator(account: string): boolean {
    return account === this.loaded.me.role && this.loaded.me.admin;
  }

  getPath(dotPath: string): Result<unknown> {
    return settingAt(this.loaded.settings, dotPath);
  }

  missingRequired(): FieldError[] {
    return missingRequired(this.loaded.settings);
  }

  async save(input: unknown, options: { baseRevision?: string } = {}): Promise<Result<Settings>> {
    const parsed = CompleteSettings.safeParse(input);
    if (!parsed.success) return invalidInput(parsed.error);
    return this.write(parsed.data, options.baseRevision);
  }

  async saveWellFormed(input: unknown): Promise<Result<Settings>> {
    const parsed = Settings.safeParse(input);
    if (!parsed.success) return invalidInput(parsed.error);
    return this.write(parsed.data);
  }

  async import(input: unknown): Promise<Result<Settings>> {
    const migrated = migrateSettings(input);
    if (!migrated.ok) return fail('invalid-input', 'The file must hold one JSON object of settings this Mailroom can read', [{ path: '(root)', message: migrated.reason }]);
    const parsed = CompleteSettings.safeParse(migrated.doc);
    if (!parsed.success) return invalidInput(parsed.error);
    return this.write(parsed.data);
  }

  async setPath(dotPath: string, text: string, account?: string): Promise<Result<Settings>> {
    const fresh = await this.refresh();
    if (!fresh.ok) return fresh;
    const next = withPathSet(this.read(), dotPath, text, account);
    return next.ok ? this.write(next.value) : next;
  }

  /**
   * Saves over the revision the caller's copy was based on (the one last read when none is given):
   * the database refuses it with `conflict` when someone saved in between, and refuses anyone it
   * does not let change the settings.
   */
  private async write(doc: Settings, baseRevision?: string): Promise<Result<Settings>> {
    if (baseRevision !== undefined && baseRevision !== this.revision()) {
      // Perhaps only this copy is behind: read again before calling it a conflict.
      const fresh = await this.refresh();
      if (!fresh.ok) return fresh;
      if (baseRevision !== this.revision()) return fail('conflict', STALE_SAVE_MESSAGE);
    }
    // The policy of this computer is not written into the office's settings: others may have none.
    const saved = await this.store.saveSettings(this.policy.keepSaved(this.loaded.saved, doc), this.loaded.revision);
    if (!saved.ok) return saved;
    const fresh = await this.refresh();
    if (!fresh.ok) return fresh;
    return ok(this.read());
  }
}

function usersStamp(settings: Settings): string {
  let hash = 0;
  for (const ch of JSON.stringify(settings.users)) hash = (hash * 31 + ch.charCodeAt(0)) | 0;
  return (hash >>> 0).toString(36);
}
