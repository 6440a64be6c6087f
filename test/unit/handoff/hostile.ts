// Hostile input shared by the hand-off tests: everything a shell, PowerShell, a MIME header, a URL
// or a C string could misread.
import fs from 'node:fs';
import path from 'node:path';
import type { HandoffMessage } from '../../../main/services/handoff/handoff-message';
import { formatRecipient } from '../../../preload/contract';

export const HOSTILE = [
  'line one\r\nBcc: evil@attacker.test\r\n\r\nbody',
  'lone\rcr and lone\nlf',
  `single ' double " mixed '"'"`,
  'back`tick`s `$(calc)` `n `r `0',
  '$(calc) ; rm -rf / && echo pwned | tee /tmp/x; exit 1',
  '${env:PATH} @{a=1} $null $true $_ $input',
  "'; Start-Process calc; '",
  '"; & calc.exe & "',
  '%00 %0D%0A %25 %s %n %%',
  'emoji 😀👍🏽🇫🇷 RTL \u202egnp.exe\u202c עברית العربية combining e\u0301 a\u0308 Z\u0336',
  '<script>alert(1)</script> &amp; & < > </p>',
  'tab\tand\u000bvertical\u000cform\u001bescape[31m',
];

export const LONG_TEXT = `${HOSTILE.join('\n')}\n${'long 😀 value $(calc) '.repeat(Math.ceil((100 * 1024) / 20))}`;

/** One line of everything hostile, plus 100 KB. */
export const HOSTILE_SUBJECT = `${HOSTILE.join(' | ')} ${'subject $(calc) 😀 '.repeat(Math.ceil((100 * 1024) / 18))}`;

/**
 * Display names that carry hostile text but no control characters or direction overrides (those
 * are refused, see handoff-message tests), written as the recipient rule wants them: quoted when
 * they hold quotes, commas, brackets and the like.
 */
export function hostileRecipients(count: number, domain: string, prefix: string): string[] {
  const names = HOSTILE.map((h) => h.replace(/[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, ' '));
  return Array.from({ length: count }, (_, i) => {
    const name = names[i % names.length] ?? '';
    const address = `${prefix}.${i}@${domain}`;
    return i % 3 === 2 ? address : formatRecipient({ name: `${name} ${i}`.replace(/\s+/g, ' ').trim(), address });
  });
}

/** Writes attachments with hostile names and every byte value into dir. */
export function hostileAttachments(dir: string): { attachments: HandoffMessage['attachments']; bytes: Buffer[] } {
  const bytes = [Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('%PDF-1.7 $(calc) `x`\r\n\u0000', 'utf8'), Buffer.alloc(0)];
  const names = ['invoice $(calc) `x`.pdf', '..\\..\\evil\r\n"quoted" \'s 😀.txt', 'con.txt'];
  const attachments = bytes.map((b, i) => {
    const file = path.join(dir, `source-${i}.bin`);
    fs.writeFileSync(file, b);
    return { filename: names[i] ?? `f${i}`, path: file, ...(i === 0 ? { contentType: 'application/pdf' } : {}) };
  });
  return { attachments, bytes };
}

export function hostileMessage(dir: string, over: Partial<HandoffMessage> = {}): { message: HandoffMessage; bytes: Buffer[] } {
  const { attachments, bytes } = hostileAttachments(dir);
  return {
    message: {
      to: hostileRecipients(300, 'example.test', 'to'),
      cc: hostileRecipients(150, 'example.test', 'cc'),
      bcc: hostileRecipients(50, 'example.test', 'bcc'),
      subject: HOSTILE_SUBJECT,
      text: LONG_TEXT,
      html: `<html><body><p>${HOSTILE.join('</p><p>')}</p><pre>${LONG_TEXT}</pre></body></html>`,
      attachments,
      ...over,
    },
    bytes,
  };
}
