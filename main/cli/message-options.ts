// The options that describe one message (recipients, subject, body, attachments), shared by the
// commands that take one: send and compose.
import fs from 'node:fs';
import path from 'node:path';
import { OutgoingMessage, fieldErrors, type AttachmentInput } from '../../preload/contract';
import type { Context } from './command';
import { CliError } from './output';

export const MESSAGE_OPTIONS = {
  profile: { type: 'string' },
  to: { type: 'string', multiple: true },
  cc: { type: 'string', multiple: true },
  bcc: { type: 'string', multiple: true },
  subject: { type: 'string' },
  text: { type: 'string' },
  html: { type: 'string' },
  attach: { type: 'string', multiple: true },
} as const;

/** Reads every --attach file relative to the working folder; a file that cannot be read is named. */
function readAttachments(ctx: Context, files: unknown): AttachmentInput[] {
  return ((files as string[] | undefined) ?? []).map((file) => {
    const full = path.resolve(ctx.io.cwd, file);
    try {
      return { filename: path.basename(full), contentBase64: fs.readFileSync(full).toString('base64') };
    } catch (error) {
      throw new CliError({ code: 'invalid-input', message: `Cannot read attachment ${file}: ${(error as Error).message}`, fields: [{ path: '--attach', message: `Cannot read ${file}` }] });
    }
  });
}

/**
 * The message the options describe, checked as main checks any message; errors name the option.
 * A message to compose may have no recipient yet: then only the addresses given are checked.
 */
export function messageFromOptions(ctx: Context, values: Record<string, unknown>, options: { recipientRequired: boolean }): OutgoingMessage {
  const list = (v: unknown) => (v as string[] | undefined) ?? [];
  const to = list(values.to);
  const none = to.length + list(values.cc).length + list(values.bcc).length === 0;
  const parsed = OutgoingMessage.safeParse({
    // A stand-in recipient satisfies "at least one" when none is needed; it is taken out again below.
    to: none && !options.recipientRequired ? ['nobody@example.com'] : to,
    cc: list(values.cc),
    bcc: list(values.bcc),
    subject: typeof values.subject === 'string' ? values.subject : '',
    ...(typeof values.text === 'string' ? { text: values.text } : {}),
    ...(typeof values.html === 'string' ? { html: values.html } : {}),
    attachments: readAttachments(ctx, values.attach),
  });
  if (!parsed.success) {
    const fields = fieldErrors(parsed.error).map((f) => ({ path: `--${f.path.split('.')[0]}`, message: f.message }));
    throw new CliError({ code: 'invalid-input', message: `Invalid input: ${fields.map((f) => `${f.path}: ${f.message}`).join('; ')}`, fields });
  }
  return { ...parsed.data, to };
}
