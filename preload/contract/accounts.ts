// Who is who: an operating-system account compared the way Windows compares it, the system user it
// is, and whether it may change the settings. Plain functions without zod, so the dialog's first
// paint can use them before the schemas have loaded.
import type { SystemUser } from './mail-options';

/** The OS account names compared the way Windows does: case-insensitive, DOMAIN\\ optional. */
export function sameAccount(a: string, b: string): boolean {
  const bare = (s: string) => s.trim().toLowerCase().replace(/^.*\\/, '');
  const full = (s: string) => s.trim().toLowerCase();
  if (full(a) === full(b)) return true;
  // "CONTOSO\\alice" matches "alice" when either side has no domain.
  return (!a.includes('\\') || !b.includes('\\')) && bare(a) === bare(b);
}

export function findUser(users: readonly SystemUser[], account: string): SystemUser | undefined {
  return users.find((u) => u.account.toLowerCase() === account.trim().toLowerCase()) ?? users.find((u) => sameAccount(u.account, account));
}

/**
 * Whether this OS account may change system settings. With no users defined yet, whoever runs
 * Mailroom sets it up (else nobody could); once there are users, only those marked admin.
 */
export function isAdmin(users: readonly SystemUser[], account: string): boolean {
  if (users.length === 0) return true;
  return findUser(users, account)?.admin === true;
}
