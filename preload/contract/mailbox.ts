// What counts as one mailbox address everywhere in Mailroom: a bare addr-spec,
// never a display name, group, comment or anything that could split a header.
import { z } from 'zod';

const LOCAL_ATOM = "[\\p{L}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?';
const MAILBOX_RE = new RegExp(`^${LOCAL_ATOM}(?:\\.${LOCAL_ATOM})*@${LABEL}(?:\\.${LABEL})+$`, 'u');

export const MAILBOX_HINT = 'Enter one email address, like accounts@example.com';

export function isMailbox(value: string): boolean {
  return value.length <= 254 && MAILBOX_RE.test(value);
}

/** A required mailbox: surrounding spaces are dropped, anything else must be one address. */
export const mailbox = z
  .string()
  .trim()
  .min(1, { error: 'Required', abort: true })
  .refine(isMailbox, { message: MAILBOX_HINT });

/** An optional mailbox: empty means "not set". */
export const optionalMailbox = z
  .string()
  .trim()
  .refine((v) => v === '' || isMailbox(v), { message: MAILBOX_HINT });
