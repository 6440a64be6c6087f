// Builds the raw MIME message once, so its size is known before sending (SIZE=, the attachment
// limit) and its Message-ID is fixed for life.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { parseRecipient, type OutgoingMessage, type Recipient, type SmtpProfile } from '../../../preload/contract';

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
  const to = message.to.map(recipient);
  const cc = message.cc.map(recipient);
  const bcc = [...message.bcc.map(recipient), ...(profile.bcc ? [recipient(profile.bcc)] : [])];
  const composer = new MailComposer({
    from: profile.fromName ? { name: profile.fromName, address: profile.fromAddress } : profile.fromAddress,
    // Objects, never strings: MailComposer then encodes the name (RFC 2047 when it is not ASCII)
    // and quotes it, and never reads a comma, quote or @ in it as the start of another address.
    to: to.map(header),
    cc: cc.map(header),
    bcc: bcc.map(header),
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
  return { raw, messageId, envelope: { from: options.bounceAddress || profile.fromAddress, to: envelopeAddresses([...to, ...cc, ...bcc]) }, attachmentBytes };
}

/** A recipient the contract accepted, read into name and address. */
function recipient(text: string): Recipient {
  const parsed = parseRecipient(text);
  // Every message is checked against the contract before it is composed; this is the last guard.
  if (!parsed.ok) throw new Error(`Not a recipient: ${parsed.message}`);
  return parsed.value;
}

function header(r: Recipient): { name: string; address: string } | string {
  return r.name ? { name: r.name, address: r.address } : r.address;
}

/** The envelope's recipients (RCPT TO): bare addresses, each once, whatever their case. */
export function envelopeAddresses(recipients: readonly Recipient[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of recipients) {
    const key = r.address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r.address);
  }
  return out;
}
