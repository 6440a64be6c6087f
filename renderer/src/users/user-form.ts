// What the Users tab knows about users apart from drawing them: paths into the settings draft,
// names to show, the filter, and who is who.
import type { SystemUser } from '../../../preload/contract';
import { sameAccount } from '../../../preload/contract/accounts';

/** The dot path of a user field in the settings draft. */
export function userPath<K extends keyof SystemUser & string>(index: number, key: K): `users.${number}.${K}` {
  return `users.${index}.${key}`;
}

/** Index and field of a path inside a user ("users.2.email"), or null. */
export function parseUserPath(path: string): { index: number; field: string } | null {
  const match = /^users\.(\d+)\.(.+)$/.exec(path);
  return match ? { index: Number(match[1]), field: match[2] as string } : null;
}

export function displayName(user: SystemUser): string {
  return user.name.trim() || user.account.trim() || 'New user';
}

export function matchesFilter(user: SystemUser, filter: string): boolean {
  const wanted = filter.trim().toLowerCase();
  if (wanted === '') return true;
  return [user.name, user.account, user.email].some((text) => text.toLowerCase().includes(wanted));
}

/** Whether this user is the one signed in to the computer. */
export function isMe(user: SystemUser, account: string | undefined): boolean {
  return account !== undefined && user.account.trim() !== '' && sameAccount(user.account, account);
}

export const USER_KEYS = ['id', 'account', 'name', 'email', 'admin', 'smtpUsername', 'compose', 'send'] as const satisfies readonly (keyof SystemUser)[];
