// Changing the settings, the profiles and the users, the same way from the dialog, browser mode and
// the command line: the gate, the lockout check, machine policy's locks, the save, and forgetting
// what a save removed.
import { randomUUID } from 'node:crypto';
import {
  Settings,
  applyProfileEdit,
  fail,
  fieldErrors,
  missingRequired,
  newProfile,
  ok,
  POLICY_OFFICE_DATABASE,
  withFirstProfileAsDefault,
  type FieldError,
  type ProfileEditOptions,
  type Result,
  type SecretStatus,
  type SmtpProfile,
  type SystemUser,
  type ChannelInput,
  type Detection,
  type OfficeLinkStatus,
} from '../../../preload/contract';
import { authorize, type Identity } from '../access';
import { detectSettings, type DetectOptions } from '../mail/detect/detect-settings';
import type { MailService } from '../mail/mail-service';
import { migrateSettings } from '../settings/migrations';
import { lockoutError, withPathSet } from '../settings/settings-service';
import type { MaybePromise, SettingsStore } from '../settings/settings-store';
import { MachinePolicy } from '../policy/policy-service';
import type { OfficeLink } from '../office/office-link';

/** What a user may change of their own record. */
export type UserOwnInput = NonNullable<ChannelInput<'users:set-own'>>;

/**
 * Where saved passwords go: this computer's secret store, or the office database (sealed so that
 * only the sender service can open them). Never read back, only set, cleared and counted.
 */
export interface PasswordVault {
  setProfilePassword(profileId: string, password: string | null): MaybePromise<Result<void>>;
  setUserPassword(userId: string, password: string | null): MaybePromise<Result<void>>;
  /** Which profiles and users of these settings have a password saved. */
  status(settings: Settings): MaybePromise<SecretStatus>;
  /** Forgets the passwords and sign-ins of profiles and users the saved settings no longer have. */
  forgetRemoved(): MaybePromise<void>;
}

/** The vault of file mode: the secret store on this computer, through the mail service. */
export function localVault(mail: MailService): PasswordVault {
  return {
    setProfilePassword: (profileId, password) => (mail.setPassword(profileId, password), ok(undefined)),
    setUserPassword: (userId, password) => (mail.setUserPassword(userId, password), ok(undefined)),
    status: (settings) => {
      const profilePasswords: Record<string, boolean> = {};
      for (const p of settings.smtp.profiles) profilePasswords[p.id] = mail.passwordSet(p.id);
      const userPasswords: Record<string, boolean> = {};
      for (const u of settings.users) userPasswords[u.id] = mail.userPasswordSet(u.id);
      return { profilePasswords, userPasswords };
    },
    forgetRemoved: () => mail.forgetRemovedProfiles(),
  };
}

export interface SettingsUseCaseDeps {
  settings: SettingsStore;
  vault: PasswordVault;
  identity(): Identity;
  /** Where detection asks (DNS servers, extra CAs); the system's when absent. */
  detect?: DetectOptions;
  /** The machine policy in force: a change to a setting it sets is refused, whoever asks. None when absent. */
  policy?: MachinePolicy;
  /** The office database set on the General tab, and where this Mailroom keeps its settings now. */
  officeLink?: OfficeLink;
  officeInUse?: 'file' | 'office';
}

export interface ProfileChange {
  /** The fields to change; the ones they imply follow (see applyProfileEdit). */
  change: Partial<SmtpProfile>;
  edit?: ProfileEditOptions;
  makeDefault?: boolean;
  /** A new password to save with it; null removes the saved one. */
  password?: string | null;
}

export interface SavedProfile {
  created: boolean;
  profile: SmtpProfile;
  passwordSet: boolean;
  isDefault: boolean;
  /** Where the profile sits in smtp.profiles, so a caller can name its fields. */
  index: number;
  /** It is the first profile, and so became the default without being asked to. */
  madeDefault: boolean;
}

export interface ImportedSettings {
  settings: Settings;
  /** The first profile, made the default because the file named none and there were no profiles before. */
  madeDefault?: SmtpProfile;
}

export class SettingsUseCases {
  constructor(private readonly deps: SettingsUseCaseDeps) {}

  /**
   * The dialog's Save: the whole document, complete, keeping the caller an administrator. With the
   * revision the dialog's draft was based on, a save over settings changed since is refused.
   */
  async save(doc: Settings, options: { baseRevision?: string } = {}): Promise<Result<Settings>> {
    const who = this.deps.identity();
    const allowed = authorize(who, 'settings.change');
    if (!allowed.ok) return allowed;
    const lockout = lockoutError(doc.users, who.account);
    if (lockout) return lockout;
    const before = this.savedOrNull();
    const { settings } = withFirstProfileAsDefault(before, doc);
    const locked = this.policyAllows(before, settings);
    if (!locked.ok) return locked;
    return this.forgetRemoved(await this.deps.settings.save(settings, options.baseRevision === undefined ? {} : { baseRevision: options.baseRevision }));
  }

  /** Proposes a profile's connection for an email address; for those who may set profiles up. Saves nothing. */
  async detectSettings(address: string, options: { signal?: AbortSignal } = {}): Promise<Result<Detection>> {
    const allowed = authorize(this.deps.identity(), 'profile.detect');
    if (!allowed.ok) return allowed;
    return detectSettings(address, { ...this.deps.detect, ...options });
  }

  /** A saved copy, migrated and validated; while locked, anyone it names as an administrator may bring it back. */
  async import(doc: unknown): Promise<Result<ImportedSettings>> {
    const who = this.deps.identity();
    const allowed = authorize(who, 'settings.import');
    if (!allowed.ok) return allowed;
    // A file that cannot be read as settings goes to the store as it is, which says what is wrong with it.
    const migrated = migrateSettings(doc);
    const parsed = migrated.ok ? Settings.safeParse(migrated.doc) : undefined;
    const before = this.savedOrNull();
    const first = parsed?.success ? withFirstProfileAsDefault(before, parsed.data) : undefined;
    if (first) {
      const locked = this.policyAllows(before, first.settings);
      if (!locked.ok) return locked;
    }
    const imported = await this.forgetRemoved(await this.deps.settings.import(first?.madeDefault ? first.settings : doc, who.account));
    if (!imported.ok) return imported;
    return ok({ settings: imported.value, ...(first?.madeDefault ? { madeDefault: first.madeDefault } : {}) });
  }

  /** Refuses a change from `before` to `after` that would change a setting machine policy sets. */
  private policyAllows(before: Settings | null, after: Settings): Result<void> {
    return before === null ? ok(undefined) : this.policy.check(before, after);
  }

  private get policy(): MachinePolicy {
    return this.deps.policy ?? MachinePolicy.none();
  }

  /** The settings saved now, or null when they cannot be read (the store's own save or import then says why). */
  private savedOrNull(): Settings | null {
    try {
      return this.deps.settings.read();
    } catch {
      return null;
    }
  }

  /** One value by dot path, given as text; answers with the value saved and what is still required. */
  async set(dotPath: string, text: string): Promise<Result<{ value: unknown; missingRequired: FieldError[] }>> {
    const who = this.deps.identity();
    const allowed = authorize(who, 'settings.change');
    if (!allowed.ok) return allowed;
    // The store works the change out again on what it holds then; an invalid one it reports itself.
    const before = this.savedOrNull();
    const next = before === null ? undefined : withPathSet(before, dotPath, text);
    if (next?.ok) {
      const locked = this.policyAllows(before, next.value);
      if (!locked.ok) return locked;
    }
    const saved = await this.forgetRemoved(await this.deps.settings.setPath(dotPath, text, who.account));
    if (!saved.ok) return saved;
    const value = this.deps.settings.getPath(dotPath);
    return ok({ value: value.ok ? value.value : text, missingRequired: missingRequired(saved.value) });
  }

  /**
   * Creates (by name) or changes (by name or id) one profile. Validated as the dialog validates
   * it, with this profile's required fields complete; other parts may still be unfinished.
   */
  async setProfile(nameOrId: string, { change, edit, makeDefault, password }: ProfileChange): Promise<Result<SavedProfile>> {
    const allowed = authorize(this.deps.identity(), 'settings.change');
    if (!allowed.ok) return allowed;
    const current = this.deps.settings.read();
    const next = structuredClone(current);
    const before = { smtp: { profiles: [...next.smtp.profiles] } };
    let index = findProfileIndex(next, nameOrId);
    const created = index < 0;
    if (created) {
      next.smtp.profiles.push(newProfile(randomUUID(), nameOrId.trim()));
      index = next.smtp.profiles.length - 1;
    }
    const editing = next.smtp.profiles[index]!;
    const profile = applyProfileEdit(editing, change, { ...edit, locked: this.policy.lockedProfileFields(editing.id) });
    next.smtp.profiles[index] = profile;
    if (makeDefault) next.general.defaultProfile = profile.id;
    const { madeDefault } = withFirstProfileAsDefault(before, next);
    if (madeDefault) next.general.defaultProfile = madeDefault.id;
    // A locked field is refused before anything else is asked of the rest.
    const locked = this.policyAllows(current, next);
    if (!locked.ok) return locked;
    const parsed = Settings.safeParse(next);
    const prefix = `smtp.profiles.${index}.`;
    const errors = parsed.success ? missingRequired(parsed.data).filter((e) => e.path.startsWith(prefix)) : fieldErrors(parsed.error);
    if (errors.length > 0) return fail('invalid-input', `Invalid input: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
    const saved = await this.deps.settings.saveWellFormed(parsed.data);
    if (!saved.ok) return saved;
    const savedProfile = saved.value.smtp.profiles[index]!;
    if (password !== undefined) {
      const stored = await this.deps.vault.setProfilePassword(savedProfile.id, password);
      if (!stored.ok) return stored;
    }
    const status = await this.deps.vault.status(saved.value);
    return ok({
      created,
      profile: savedProfile,
      passwordSet: status.profilePasswords[savedProfile.id] ?? false,
      isDefault: saved.value.general.defaultProfile === savedProfile.id,
      index,
      madeDefault: madeDefault !== undefined,
    });
  }

  /** Removes a profile, its place as the default, and its saved password and sign-in. */
  async removeProfile(nameOrId: string): Promise<Result<SmtpProfile>> {
    const allowed = authorize(this.deps.identity(), 'settings.change');
    if (!allowed.ok) return allowed;
    const next = this.deps.settings.read();
    const index = findProfileIndex(next, nameOrId);
    if (index < 0) return profileNotFound(next, nameOrId);
    const [removed] = next.smtp.profiles.splice(index, 1) as [SmtpProfile];
    if (next.general.defaultProfile === removed.id) next.general.defaultProfile = '';
    const locked = this.policyAllows(this.deps.settings.read(), next);
    if (!locked.ok) return locked;
    const saved = await this.forgetRemoved(await this.deps.settings.saveWellFormed(next));
    return saved.ok ? ok(removed) : saved;
  }

  /** A saved profile's password; the profile must be saved first, so the password has somewhere to go. */
  async setProfilePassword(profileId: string, password: string | null): Promise<Result<SecretStatus>> {
    const allowed = authorize(this.deps.identity(), 'profile.password.set');
    if (!allowed.ok) return allowed;
    if (!this.deps.settings.read().smtp.profiles.some((p) => p.id === profileId)) {
      return fail('not-found', 'Save the profile before setting its password', [{ path: 'profileId', message: 'No saved profile with this id' }]);
    }
    const stored = await this.deps.vault.setProfilePassword(profileId, password);
    return stored.ok ? ok(await this.secretStatus()) : stored;
  }

  /**
   * A user's own choices and SMTP username. Compose and Send with change only where the
   * administrator lets users choose; nothing else of anyone's record changes.
   */
  async setOwn(input: UserOwnInput): Promise<Result<SystemUser>> {
    const who = this.deps.identity();
    const allowed = authorize(who, 'user.own.change');
    if (!allowed.ok) return allowed;
    const me = who.user!;
    const settings = this.deps.settings.read();
    const mail = settings.mail;
    const refused: FieldError[] = [];
    // Where machine policy turned the choice off, it is the organisation's to make, and said so.
    const byPolicy = [];
    if (input.compose !== undefined && input.compose !== me.compose && !mail.composeUserSelectable) {
      const lock = this.policy.lockOf('mail.composeUserSelectable');
      if (lock) byPolicy.push(lock);
      else refused.push({ path: 'compose', message: 'Your administrator decides how email is composed' });
    }
    if (input.send !== undefined && input.send !== me.send && !mail.sendUserSelectable) {
      const lock = this.policy.lockOf('mail.sendUserSelectable');
      if (lock) byPolicy.push(lock);
      else refused.push({ path: 'send', message: 'Your administrator decides how email is sent' });
    }
    if (byPolicy.length > 0) return this.policy.refusal(byPolicy);
    if (refused.length > 0) return fail('forbidden', refused.map((r) => r.message).join('; '), refused);
    const users = settings.users.map((u) =>
      u.id === me.id
        ? {
            ...u,
            ...(input.compose !== undefined ? { compose: input.compose } : {}),
            ...(input.send !== undefined ? { send: input.send } : {}),
            ...(input.smtpUsername !== undefined ? { smtpUsername: input.smtpUsername } : {}),
          }
        : u,
    );
    const saved = await this.deps.settings.saveWellFormed({ ...settings, users });
    if (!saved.ok) return saved;
    return ok(saved.value.users.find((u) => u.id === me.id)!);
  }

  /**
   * The office database for the next start (General tab): checked by signing in, then saved. Where
   * machine policy sets the address, only the password may be saved, for that address.
   */
  async saveOfficeLink(url: string, password?: string): Promise<Result<{ role: string; admin: boolean; database: string }>> {
    const lock = this.policy.lockOf(POLICY_OFFICE_DATABASE);
    if (lock && url.trim() !== lock.value) return this.policy.refusal([lock]);
    return this.officeLink.save(url, password);
  }

  /** Back to this computer's settings from the next start; refused while machine policy sets the office database. */
  clearOfficeLink(): Result<OfficeLinkStatus> {
    const lock = this.policy.lockOf(POLICY_OFFICE_DATABASE);
    if (lock) return this.policy.refusal([lock]);
    this.officeLink.clear();
    return ok(this.officeLink.status(this.deps.officeInUse ?? 'file'));
  }

  private get officeLink(): OfficeLink {
    if (!this.deps.officeLink) throw new Error('No office link was given to the settings use cases');
    return this.deps.officeLink;
  }

  /** A user's own SMTP password: an administrator sets anyone's, a user only their own. */
  async setUserPassword(userId: string, password: string | null): Promise<Result<SecretStatus>> {
    const allowed = authorize(this.deps.identity(), { kind: 'user.password.set', userId });
    if (!allowed.ok) return allowed;
    if (!this.deps.settings.read().users.some((u) => u.id === userId)) {
      return fail('not-found', 'Save the user before setting their password', [{ path: 'userId', message: 'No saved user with this id' }]);
    }
    const stored = await this.deps.vault.setUserPassword(userId, password);
    return stored.ok ? ok(await this.secretStatus()) : stored;
  }

  /** Which profiles and users have a password saved; never the passwords. */
  async secretStatus(): Promise<SecretStatus> {
    return this.deps.vault.status(this.deps.settings.read());
  }

  /** After any save: the secrets of profiles and users the save left out go too. */
  private async forgetRemoved<T>(saved: Result<T>): Promise<Result<T>> {
    if (saved.ok) await this.deps.vault.forgetRemoved();
    return saved;
  }
}

/** A profile by id, or by name whatever its case and surrounding spaces. */
export function findProfileIndex(settings: Settings, nameOrId: string): number {
  const wanted = nameOrId.trim().toLowerCase();
  return settings.smtp.profiles.findIndex((p) => p.name.trim().toLowerCase() === wanted || p.id === nameOrId);
}

/** "No profile called …", naming the ones there are. */
export function profileNotFound(settings: Settings, name: string): Result<never> {
  const names = settings.smtp.profiles.map((p) => p.name);
  return fail('not-found', `No profile called "${name}"${names.length ? `. Profiles: ${names.join(', ')}` : '. There are no profiles yet'}`, [
    { path: 'profile', message: 'Unknown profile' },
  ]);
}
