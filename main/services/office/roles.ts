// The office database's group roles. Login roles (one per person, one per sender service) are
// members of one of them; rights are granted to the groups, never to a login role directly.
export const OFFICE_ROLES = {
  /** Change system settings, profiles, mail options and users; see every message. */
  admin: 'mailroom_admin',
  /** Queue and cancel their own messages, change their own choices where the Email tab allows. */
  staff: 'mailroom_staff',
  /** The sender service: claims and sends messages, and alone can open the shared secrets. */
  sender: 'mailroom_sender',
} as const;

export type OfficeRoleKind = keyof typeof OFFICE_ROLES;

/** The schema every Mailroom table and function lives in. */
export const OFFICE_SCHEMA = 'mailroom';
