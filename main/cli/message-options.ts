// The options that describe one message (recipients, subject, body, attachments), shared by the
// commands that take one: send and compose.
import fs from 'node:fs';
import path from 'node:path';
import type { AttachmentInput } from '../../preload/contract';
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
export function readAttachments(ctx: Context, files: unknown): AttachmentInput[] {
  return ((files as string[] | undefined) ?? []).map((file) => {
    const full = path.resolve(ctx.io.cwd, file);
    try {
      return { filename: path.basename(full), contentBase64: fs.readFileSync(full).toString('base64') };
    } catch (error) {
      throw new CliError({ code: 'invalid-input', message: `Cannot read attachment ${file}: ${(error as Error).message}`, fields: [{ path: '--attach', message: `Cannot read ${file}` }] });
    }
  });
}
