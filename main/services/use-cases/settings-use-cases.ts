// Changing the settings, the profiles and the users, the same way from the dialog, browser mode and
// the command line: the gate, the lockout check, the save, and forgetting what a save removed.
import { randomUUID } from 'node:crypto';
import {
  Settings,
  applyProfileEdit,
  fail,
  fieldErrors,
  missingRequired,
  newProfile,
  ok,
  type FieldError,
  type ProfileEditOptions,
  type Result,
  type SecretStatus,
  type SmtpProfile,
  type SystemUser,
  type ChannelInput,
} from '../../../preload/contract';
import { authorize, type Identity } from '../access';
import type { MailService } from '../mail/mail-service';
import { lockoutError, type SettingsService } from '../settings/settings-service';

/** What a user may change of their own record. */
export type UserOwnInput = NonNullable<ChannelInput<'users:set-own'>>;

export interface SettingsUseCaseDeps {
  settings: SettingsService;
  mail: MailService;
  identity(): Identity;
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
}

export class SettingsUseCases {
  constructor(private readonly deps: SettingsUseCaseDeps) {}

  /**
   * The dialog's Save: the whole document, complete, keeping the caller an administrator. With the
   * revision the dialog's draft was based on, a save over settings changed since is refused.
   */
  save(doc: Settings, options: { baseRevision?: string } = {}): Result<Settings> {
    const who = this.deps.identity();
    const allowed = authorize(who, 'settings.change');
    if (!allowed.ok) return allowed;
    const lockout = lockoutError(doc.users, who.account);
    if (lockout) return lockout;
    return this.forgetRemoved(this.deps.settings.save(doc, options.baseRevision === undefined ? {} : { baseRevision: options.baseRevision }));
  }

  /** A saved copy, migrated and validated; while locked, anyone it names as an administrator may bring it back. */
  import(doc: unknown): Result<Settings> {
    const who = this.deps.identity();
    const allowed = authorize(who, 'settings.import');
    if (!allowed.ok) return allowed;
    return this.forgetRemoved(this.deps.settings.import(doc, who.account));
  }

  /** One value by dot path, given as text; answers with the value saved and what is still required. */
  set(dotPath: string, text: string): Result<{ value: unknown; missingRequired: FieldError[] }> {
    const who = this.deps.identity();
    const allowed = authorize(who, 'settings.change');
    if (!allowed.ok) return allowed;
    const saved = this.forgetRemoved(this.deps.settings.setPath(dotPath, text, who.account));
    if (!saved.ok) return saved;
    const value = this.deps.settings.getPath(dotPath);
    return ok({ value: value.ok ? value.value : text, missingRequired: missingRequired(saved.value) });
  }

  /**
   * Creates (by name) or changes (by name or id) one profile. Validated as the dialog validates
   * it, with this profile's required fields complete; other parts may still be unfinished.
   */
  setProfile(nameOrId: string, { change, edit, makeDefault, password }: ProfileChange): Result<SavedProfile> {
    const allowed = authorize(this.deps.identity(), 'settings.change');
    if (!allowed.ok) return allowed;
    const next = this.deps.settings.read();
    let index = findProfileIndex(next, nameOrId);
    const created = index < 0;
    if (created) {
      next.smtp.profiles.push(newProfile(randomUUID(), nameOrId.trim()));
      index = next.smtp.profiles.length - 1;
    }
    const profile = applyProfileEdit(next.smtp.profiles[index]!, change, edit);
    next.smtp.profiles[index] = profile;
    if (makeDefault) next.general.defaultProfile = profile.id;
    const parsed = Settings.safeParse(next);
    const prefix = `smtp.profiles.${index}.`;
    const errors = parsed.success ? missingRequired(parsed.data).filter((e) => e.path.startsWith(prefix)) : fieldErrors(parsed.error);
    if (errors.length > 0) return fail('invalid-input', `Invalid input: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
    const saved = this.deps.settings.saveWellFormed(parsed.data);
    if (!saved.ok) return saved;
    const savedProfile = saved.value.smtp.profiles[index]!;
    if (password !== undefined) this.deps.mail.setPassword(savedProfile.id, password);
    return ok({
      created,
      profile: savedProfile,
      passwordSet: this.deps.mail.passwordSet(savedProfile.id),
      isDefault: saved.value.general.defaultProfile === savedProfile.id,
      index,
    });
  }

  /** Removes a profile, its place as the default, and its saved password and sign-in. */
  removeProfile(nameOrId: string): Result<SmtpProfile> {
    const allowed = authorize(this.deps.identity(), 'settings.change');
    if (!allowed.ok) return allowed;
    const next = this.deps.settings.read();
    const index = findProfileIndex(next, nameOrId);
    if (index < 0) return profileNotFound(next, nameOrId);
    const [removed] = next.smtp.profiles.splice(index, 1) as [SmtpProfile];
    if (next.general.defaultProfile === removed.id) next.general.defaultProfile = '';
    const saved = this.forgetRemoved(this.deps.settings.saveWellFormed(next));
    return saved.ok ? ok(removed) : saved;
  }

  /** A saved profile's password; the profile must be saved first, so the password has somewhere to go. */
  setProfilePassword(profileId: string, password: string | null): Result<SecretStatus> {
    const allowed = authorize(this.deps.identity(), 'profile.password.set');
    if (!allowed.ok) return allowed;
    if (!this.deps.settings.read().smtp.profiles.some((p) => p.id === profileId)) {
      return fail('not-found', 'Save the profile before setting its password', [{ path: 'profileId', message: 'No saved profile with this id' }]);
    }
    this.deps.mail.setPassword(profileId, password);
    return ok(this.secretStatus());
  }

  /**
   * A user's own choices and SMTP username. Compose and Send with change only where the
   * administrator lets users choose; nothing else of anyone's record changes.
   */
  setOwn(input: UserOwnInput): Result<SystemUser> {
    const who = this.deps.identity();
    const allowed = authorize(who, 'user.own.change');
    if (!allowed.ok) return allowed;
    const me = who.user!;
    const settings = this.deps.settings.read();
    const mail = settings.mail;
    const refused: FieldError[] = [];
    if (input.compose !== undefined && input.compose !== me.compose && !mail.composeUserSelectable) {
      refused.push({ path: 'compose', message: 'Your administrator decides how email is composed' });
    }
    if (input.send !== undefined && input.send !== me.send && !mail.sendUserSelectable) {
      refused.push({ path: 'send', message: 'Your administrator decides how email is sent' });
    }
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
    const saved = this.deps.settings.saveWellFormed({ ...settings, users });
    if (!saved.ok) return saved;
    return ok(saved.value.users.find((u) => u.id === me.id)!);
  }

  /** A user's own SMTP password: an administrator sets anyone's, a user only their own. */
  setUserPassword(userId: string, password: string | null): Result<SecretStatus> {
    const allowed = authorize(this.deps.identity(), { kind: 'user.password.set', userId });
    if (!allowed.ok) return allowed;
    if (!this.deps.settings.read().users.some((u) => u.id === userId)) {
      return fail('not-found', 'Save the user before setting their password', [{ path: 'userId', message: 'No saved user with this id' }]);
    }
    this.deps.mail.setUserPassword(userId, password);
    return ok(this.secretStatus());
  }

  /** Which profiles and users have a password saved; never the passwords. */
  secretStatus(): SecretStatus {
    const settings = this.deps.settings.read();
    const profilePasswords: Record<string, boolean> = {};
    for (const p of settings.smtp.profiles) profilePasswords[p.id] = this.deps.mail.passwordSet(p.id);
    const userPasswords: Record<string, boolean> = {};
    for (const u of settings.users) userPasswords[u.id] = this.deps.mail.userPasswordSet(u.id);
    return { profilePasswords, userPasswords };
  }

  /** After any save: the secrets of profiles and users the save left out go too. */
  private forgetRemoved<T>(saved: Result<T>): Result<T> {
    if (saved.ok) this.deps.mail.forgetRemovedProfiles();
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
