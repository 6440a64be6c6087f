// A draft .eml for the OS default mail client: X-Unsent: 1 makes Outlook (and clients that follow
// it) open the file as a new message to edit and send, rather than as a received one.
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { NormalizedMessage, ParsedAddress } from './handoff-message';

export interface DraftEmlOptions {
  date?: Date;
}

function mailbox(a: ParsedAddress): { name: string; address: string } | string {
  // Objects, not strings: nodemailer's own address parser would read "(...)" in a name as a comment.
  return a.name ? { name: a.name, address: a.address } : a.address;
}

// MIME has one line break, CRLF; a lone CR would be dropped on the way, so it counts as a break too.
const lineBreaks = (s: string) => s.replace(/\r\n|\r/g, '\n');

/**
 * Builds the draft; attachments are read from their files and embedded. Bodies read back with LF
 * line breaks, and a single-part body (text or HTML alone, nothing attached) with one more at the
 * end: the message's closing CRLF.
 */
export async function buildDraftEml(message: NormalizedMessage, options: DraftEmlOptions = {}): Promise<Buffer> {
  const attachments = await Promise.all(
    message.attachments.map(async (a) => ({
      filename: a.filename,
      content: await fs.promises.readFile(a.path),
      ...(a.contentType ? { contentType: a.contentType } : {}),
    })),
  );
  const domain = message.from?.address.split('@')[1] ?? 'localhost';
  const composer = new MailComposer({
    ...(message.from ? { from: mailbox(message.from) } : {}),
    to: message.to.map(mailbox),
    cc: message.cc.map(mailbox),
    bcc: message.bcc.map(mailbox),
    subject: message.subject,
    ...(message.text !== undefined ? { text: lineBreaks(message.text) } : {}),
    ...(message.html !== undefined ? { html: lineBreaks(message.html) } : {}),
    attachments,
    headers: { 'X-Unsent': '1' },
    messageId: `<${randomUUID()}@${domain}>`,
    date: options.date ?? new Date(),
    // Content comes only from the message itself: never a file path or URL that happens to be in it.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const root = composer.compile();
  // A draft keeps its Bcc: the client that sends it is the one that drops the header.
  (root as unknown as { keepBcc: boolean }).keepBcc = true;
  return new Promise<Buffer>((resolve, reject) => root.build((err, data) => (err ? reject(err) : resolve(data))));
}
