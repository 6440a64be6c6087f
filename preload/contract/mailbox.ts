// The mailbox fields' schemas, built on what counts as one mailbox address (address.ts).
import { z } from 'zod';
import { MAILBOX_HINT, isMailbox } from './address';

export * from './address';

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
