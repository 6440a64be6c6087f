// Each system user's own SMTP password, write-only: stored through users:set-password once the
// user is saved (an administrator for anyone, a user for themselves).
import { getBridge } from '../bridge';
import { usePasswords, type PasswordKind, type ProfilePasswords } from './usePasswords';

const USER_PASSWORDS: PasswordKind = {
  name: 'users',
  saved: (status) => status.userPasswords,
  ids: (settings) => settings.users.map((u) => u.id),
  store: (userId, password) => getBridge().invoke('users:set-password', { userId, password }),
};

export type UserPasswords = ProfilePasswords;

export function useUserPasswords(): UserPasswords {
  return usePasswords(USER_PASSWORDS);
}
