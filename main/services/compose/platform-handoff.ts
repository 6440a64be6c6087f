// The bridge from a Mailroom message (attachments as bytes) to the platform hand-off (attachments
// as files): stages the bytes in a private temp folder the hand-off copies from, then removes it.
import fs from 'node:fs';
import path from 'node:path';
import { fail, ok, type ErrorCode, type OutgoingMessage } from '../../../preload/contract';
import { handOff, type HandoffErrorCode, type HandoffOptions } from '../handoff/handoff';
import { createHandoffFolder, removeFolder, safeFileName, sweepStaleHandoffFolders } from '../handoff/temp-folder';
import type { HandOff } from './compose-service';

export function platformHandOff(base: Omit<HandoffOptions, 'mode' | 'action'> = {}): HandOff {
  let swept = false;
  return async (message: OutgoingMessage, { mode, action, profile }) => {
    if (mode !== 'outlook' && mode !== 'full-mapi' && mode !== 'simple-mapi' && mode !== 'autodetect') {
      return fail('invalid-input', `${mode} is not handed to another mail client`);
    }
    // Files an earlier run handed to a mail client and could not remove before it exited: tidied
    // by the first hand-off of a run, not at every start (most runs never hand anything off).
    if (!swept) {
      swept = true;
      try {
        sweepStaleHandoffFolders(base.tempRoot);
      } catch {
        // Nothing to tidy, or not ours to remove.
      }
    }
    let staging: string;
    try {
      staging = createHandoffFolder(base.tempRoot);
    } catch (error) {
      return fail('io-error', `No temporary folder could be made: ${(error as Error).message}`);
    }
    try {
      const attachments = message.attachments.map((a, i) => {
        const dir = path.join(staging, String(i));
        fs.mkdirSync(dir, { mode: 0o700 });
        const file = path.join(dir, safeFileName(a.filename));
        fs.writeFileSync(file, Buffer.from(a.contentBase64, 'base64'), { mode: 0o600 });
        return { filename: a.filename, path: file, ...(a.contentType ? { contentType: a.contentType } : {}) };
      });
      const from = profile?.fromAddress ? (profile.fromName ? `${profile.fromName} <${profile.fromAddress}>` : profile.fromAddress) : undefined;
      const result = await handOff(
        {
          to: message.to,
          cc: message.cc,
          bcc: message.bcc,
          subject: message.subject,
          ...(message.text !== undefined ? { text: message.text } : {}),
          ...(message.html !== undefined ? { html: message.html } : {}),
          attachments,
          ...(from ? { from } : {}),
        },
        { ...base, mode, action },
      );
      if (!result.ok) return fail(HANDOFF_CODES[result.code] ?? 'io-error', result.reason);
      const via = result.detection ? ` (Autodetect: ${result.detection.steps.map((s) => s.reason.replace(/\.$/, '')).join('; ')}.)` : '';
      return ok(`${result.detail}${via}`);
    } finally {
      // The hand-off copied what it needs into its own folder.
      removeFolder(staging);
    }
  };
}

/** The hand-off's own failure codes, as the codes every caller understands. */
const HANDOFF_CODES: Partial<Record<HandoffErrorCode, ErrorCode>> = {
  'unsupported-platform': 'unavailable',
  'send-unsupported': 'unavailable',
  'opener-missing': 'unavailable',
  'mapi-unavailable': 'unavailable',
  'invalid-message': 'invalid-input',
  'attachment-unreadable': 'invalid-input',
  'outlook-not-installed': 'unavailable',
  'outlook-unresolved-recipients': 'invalid-input',
  'outlook-access-denied': 'forbidden',
};
