// Saved passwords in office mode: sealed in the database so that only the sender service can open
// them. A shared profile's password is set by an administrator; a user's own by that user.
import { fail, ok, type Result, type SecretStatus, type Settings } from '../../../preload/contract';
import { profilePasswordKey, userPasswordKey } from '../mail/mail-service';
import type { PasswordVault } from '../use-cases/settings-use-cases';
import type { OfficeSettings } from './office-settings';
import type { OfficeStore } from './office-store';

const done = (r: Result<unknown>): Result<void> => (r.ok ? ok(undefined) : r);

export function officeVault(store: OfficeStore, settings: OfficeSettings): PasswordVault {
  return {
    async setProfilePassword(profileId, password) {
      const name = profilePasswordKey(profileId);
      return done(password === null ? await store.deleteSharedSecret(name) : await store.setSharedSecret(name, password));
    },
    async setUserPassword(userId, password) {
      const me = settings.identity().user;
      if (me?.id !== userId) {
        return fail('forbidden', "In office mode each user saves their own SMTP password; an administrator moves existing ones with mailroom office import.", [
          { path: 'userId', message: 'Not your own user' },
        ]);
      }
      const name = userPasswordKey(userId);
      return done(password === null ? await store.deleteMySecret(name) : await store.setMySecret(name, password));
    },
    async status(doc: Settings): Promise<SecretStatus> {
      const names = await store.secretNames();
      const saved = new Set(names.ok ? names.value.map((n) => n.name) : []);
      const profilePasswords: Record<string, boolean> = {};
      for (const p of doc.smtp.profiles) profilePasswords[p.id] = saved.has(profilePasswordKey(p.id));
      const userPasswords: Record<string, boolean> = {};
      for (const u of doc.users) userPasswords[u.id] = saved.has(userPasswordKey(u.id));
      return { profilePasswords, userPasswords };
    },
    // Saving the settings removes the shared secrets of removed profiles in the same transaction.
    forgetRemoved: () => undefined,
  };
}
