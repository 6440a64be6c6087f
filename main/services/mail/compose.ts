// Builds the raw MIME message once, so its size is known before sending (SIZE=, the attachment
// limit) and its Message-ID is fixed for life.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutgoingMessage, SmtpProfile } from '../../../preload/contract';

export interface ComposedMessage {
  raw: Buffer;
  messageId: string;
  envelope: { from: string; to: string[] };
  /** Total decoded size of the attachments, in bytes. */
  attachmentBytes: number;
}

export interface ComposeOptions {
  /** The envelope sender (Return-Path) when bounces should go somewhere other than the From address. */
  bounceAddress?: string;
  /** Domain for the Message-ID; defaults to the From address's domain. */
  messageIdDomain?: string;
  date?: Date;
}

export async function composeMessage(profile: SmtpProfile, message: OutgoingMessage, options: ComposeOptions = {}): Promise<ComposedMessage> {
  const domain = options.messageIdDomain ?? profile.fromAddress.split('@')[1] ?? os.hostname();
  const messageId = `<${randomUUID()}@${domain}>`;
  const attachments = message.attachments.map((a) => ({
    filename: a.filename,
    content: Buffer.from(a.contentBase64, 'base64'),
    ...(a.contentType ? { contentType: a.contentType } : {}),
  }));
  const attachmentBytes = attachments.reduce((sum, a) => sum + a.content.length, 0);
  const bcc = [...message.bcc, ...(profile.bcc ? [profile.bcc] : [])];
  const composer = new MailComposer({
    from: profile.fromName ? { name: profile.fromName, address: profile.fromAddress } : profile.fromAddress,
    to: message.to,
    cc: message.cc,
    bcc,
    subject: message.subject,
    text: message.text,
    html: message.html,
    attachments,
    messageId,
    date: options.date ?? new Date(),
    // Content comes only from the message itself: never a file path or URL that happens to be in it.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = await new Promise<Buffer>((resolve, reject) => composer.compile().build((err, data) => (err ? reject(err) : resolve(data))));
  const to = [...new Set([...message.to, ...message.cc, ...bcc].map((a) => a.trim()))];
  return { raw, messageId, envelope: { from: options.bounceAddress || profile.fromAddress, to }, attachmentBytes };
}
