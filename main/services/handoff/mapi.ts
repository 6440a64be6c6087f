// Simple MAPI hand-off on Windows: MAPISendMailW from MAPI32.DLL, called through koffi.
//
// Three layers, so all but the DLL call is tested on any OS:
//   buildMapiMessage()   pure: the neutral message -> plain JS values for MapiMessageW;
//   encodeMapiMessage()  koffi: those values -> native MapiMessageW/MapiRecipDescW/MapiFileDescW
//                        memory (UTF-16 strings), and decodeMapiMessage() back again;
//   loadMapiSendMailW()  Windows only: the MAPISendMailW entry point.
//
// The two levels (chosen by detect.ts from what the default mail client registers):
//   simple  plain text in lpszNoteText, MAPI_DIALOG: the client's modal compose window. The call
//           returns once the user has sent or closed it, so the files can go at once.
//   full    for clients that also register Extended MAPI (DLLPathEx / MSIComponentID, i.e.
//           Outlook): MAPI_DIALOG_MODELESS (0x0C, "available on Windows with the next Office
//           release" per the MAPISendMailW reference), which returns as soon as the window is up,
//           and an HTML body. Simple MAPI has no HTML field, so the HTML goes the way mail clients
//           take it: lpszNoteText empty and the HTML as the first file attachment (message.htm),
//           which Outlook makes the body; a client that does not shows it as an attachment.
//           The files must outlive the call, so the hand-off folder is removed after a delay.
// Unicode: MAPISendMailW without MAPI_FORCE_UNICODE, so a client without Unicode support still
// gets the message, converted to ANSI by MAPI (characters outside the code page are lost there).
import koffi, { type TypeObject } from 'koffi';
import { type HandoffAction, type HandoffFailure, type NormalizedMessage, type ParsedAddress, plainBody } from './handoff-message';
import type { CopiedAttachment } from './temp-folder';

export const MAPI_ORIG = 0;
export const MAPI_TO = 1;
export const MAPI_CC = 2;
export const MAPI_BCC = 3;

export const MAPI_LOGON_UI = 0x00000001;
export const MAPI_NEW_SESSION = 0x00000002;
export const MAPI_DIALOG = 0x00000008;
/** 0x4 | MAPI_DIALOG. lhSession must be 0 with it. */
export const MAPI_DIALOG_MODELESS = 0x0000000c;
export const MAPI_FORCE_UNICODE = 0x00040000;
/** nPosition for an attachment that has no place in the text. */
export const MAPI_NO_POSITION = 0xffffffff;

export const FULL_MAPI_BODY_NAME = 'message.htm';

export type MapiLevel = 'simple' | 'full';
export type MapiRecipClass = typeof MAPI_TO | typeof MAPI_CC | typeof MAPI_BCC;

export interface MapiRecipient {
  recipClass: MapiRecipClass;
  name: string;
  address: string;
}

export interface MapiFile {
  /** The file MAPI reads. */
  pathName: string;
  /** The name the recipient sees. */
  fileName: string;
}

export interface MapiMessageInput {
  subject: string;
  noteText: string;
  recipients: MapiRecipient[];
  files: MapiFile[];
}

function recipient(a: ParsedAddress, recipClass: MapiRecipClass): MapiRecipient {
  // Some clients need a name; the address carries its type so the client does not look it up.
  return { recipClass, name: a.name || a.address, address: `SMTP:${a.address}` };
}

/** The MAPI message for a level; htmlBodyPath is the written HTML body (full level with HTML only). */
export function buildMapiMessage(message: NormalizedMessage, attachments: CopiedAttachment[], level: MapiLevel, htmlBodyPath?: string): MapiMessageInput {
  const recipients = [
    ...message.to.map((a) => recipient(a, MAPI_TO)),
    ...message.cc.map((a) => recipient(a, MAPI_CC)),
    ...message.bcc.map((a) => recipient(a, MAPI_BCC)),
  ];
  const files = attachments.map((a) => ({ pathName: a.path, fileName: a.filename }));
  if (level === 'full' && message.html !== undefined && htmlBodyPath) {
    return { subject: message.subject, noteText: '', recipients, files: [{ pathName: htmlBodyPath, fileName: FULL_MAPI_BODY_NAME }, ...files] };
  }
  return { subject: message.subject, noteText: plainBody(message), recipients, files };
}

/** MAPISendMailW flags: compose shows the client's window (modal for simple, modeless for full); send shows none. */
export function mapiFlags(level: MapiLevel, action: HandoffAction): number {
  if (action === 'send') return MAPI_LOGON_UI;
  return MAPI_LOGON_UI | (level === 'full' ? MAPI_DIALOG_MODELESS : MAPI_DIALOG);
}

/** Needs the message files to stay after MAPISendMailW returns. */
export function mapiReadsLater(level: MapiLevel, action: HandoffAction): boolean {
  return level === 'full' && action === 'compose';
}

interface MapiTypes {
  recip: TypeObject;
  file: TypeObject;
  message: TypeObject;
}

let types: MapiTypes | null = null;

/**
 * The mapi.h structs. ULONG is 32-bit on Windows (uint32 here, not koffi's 'ulong'); strings are
 * UTF-16 (str16, not wchar_t, which is 32-bit off Windows) so the layout is the same everywhere.
 */
export function mapiTypes(): MapiTypes {
  if (types) return types;
  const recip = koffi.struct('MapiRecipDescW', {
    ulReserved: 'uint32',
    ulRecipClass: 'uint32',
    lpszName: 'str16',
    lpszAddress: 'str16',
    ulEIDSize: 'uint32',
    lpEntryID: 'void *',
  });
  const file = koffi.struct('MapiFileDescW', {
    ulReserved: 'uint32',
    flFlags: 'uint32',
    nPosition: 'uint32',
    lpszPathName: 'str16',
    lpszFileName: 'str16',
    lpFileType: 'void *',
  });
  const message = koffi.struct('MapiMessageW', {
    ulReserved: 'uint32',
    lpszSubject: 'str16',
    lpszNoteText: 'str16',
    lpszMessageType: 'str16',
    lpszDateReceived: 'str16',
    lpszConversationID: 'str16',
    flFlags: 'uint32',
    lpOriginator: koffi.pointer(recip),
    nRecipCount: 'uint32',
    lpRecips: koffi.pointer(recip),
    nFileCount: 'uint32',
    lpFiles: koffi.pointer(file),
  });
  types = { recip, file, message };
  return types;
}

/** The struct values koffi encodes, without the pointers that only exist once memory is allocated. */
export function mapiStructValues(input: MapiMessageInput) {
  return {
    recipients: input.recipients.map((r) => ({ ulReserved: 0, ulRecipClass: r.recipClass, lpszName: r.name, lpszAddress: r.address, ulEIDSize: 0, lpEntryID: null })),
    files: input.files.map((f) => ({ ulReserved: 0, flFlags: 0, nPosition: MAPI_NO_POSITION, lpszPathName: f.pathName, lpszFileName: f.fileName, lpFileType: null })),
    message: {
      ulReserved: 0,
      lpszSubject: input.subject,
      lpszNoteText: input.noteText,
      // NULL: an interpersonal message.
      lpszMessageType: null,
      lpszDateReceived: null,
      lpszConversationID: null,
      flFlags: 0,
      lpOriginator: null,
      nRecipCount: input.recipients.length,
      nFileCount: input.files.length,
    },
  };
}

export interface EncodedMapiMessage {
  /** Address of the MapiMessageW. */
  pointer: bigint;
  free(): void;
}

export function encodeMapiMessage(input: MapiMessageInput): EncodedMapiMessage {
  const t = mapiTypes();
  const values = mapiStructValues(input);
  const owned: unknown[] = [];
  try {
    let recips: unknown = null;
    if (values.recipients.length) {
      recips = koffi.alloc(t.recip, values.recipients.length);
      owned.push(recips);
      koffi.encode(recips, koffi.array(t.recip, values.recipients.length), values.recipients);
    }
    let files: unknown = null;
    if (values.files.length) {
      files = koffi.alloc(t.file, values.files.length);
      owned.push(files);
      koffi.encode(files, koffi.array(t.file, values.files.length), values.files);
    }
    const message = koffi.alloc(t.message, 1);
    owned.push(message);
    // Empty lists are NULL with a zero count, as MAPISendMailW requires.
    koffi.encode(message, t.message, { ...values.message, lpRecips: recips, lpFiles: files });
    return {
      pointer: koffi.address(message),
      free: () => {
        for (const block of owned.splice(0)) koffi.free(block);
      },
    };
  } catch (error) {
    for (const block of owned) koffi.free(block);
    throw error;
  }
}

/** Reads a MapiMessageW back, as MAPI would. */
export function decodeMapiMessage(pointer: bigint): MapiMessageInput {
  const t = mapiTypes();
  const m = koffi.decode(pointer, t.message) as {
    lpszSubject: string | null;
    lpszNoteText: string | null;
    nRecipCount: number;
    lpRecips: unknown;
    nFileCount: number;
    lpFiles: unknown;
  };
  const recips = (m.nRecipCount && m.lpRecips ? koffi.decode(m.lpRecips, t.recip, m.nRecipCount) : []) as { ulRecipClass: number; lpszName: string | null; lpszAddress: string | null }[];
  const files = (m.nFileCount && m.lpFiles ? koffi.decode(m.lpFiles, t.file, m.nFileCount) : []) as { lpszPathName: string | null; lpszFileName: string | null }[];
  return {
    subject: m.lpszSubject ?? '',
    noteText: m.lpszNoteText ?? '',
    recipients: recips.map((r) => ({ recipClass: r.ulRecipClass as MapiRecipClass, name: r.lpszName ?? '', address: r.lpszAddress ?? '' })),
    files: files.map((f) => ({ pathName: f.lpszPathName ?? '', fileName: f.lpszFileName ?? '' })),
  };
}

/** MAPISendMailW(lhSession, ulUIParam, lpMessage, flFlags, ulReserved), off the main thread. */
export type MapiSendMailW = (lhSession: number, ulUIParam: bigint, lpMessage: bigint, flFlags: number, ulReserved: number) => Promise<number>;

/** Windows only: binds MAPISendMailW from the MAPI32.DLL stub, which dispatches to the default client. */
export function loadMapiSendMailW(): MapiSendMailW {
  const lib = koffi.load('MAPI32.DLL');
  const fn = lib.func('__stdcall', 'MAPISendMailW', 'uint32', ['uintptr_t', 'uintptr_t', 'void *', 'uint32', 'uint32']);
  // async: a modal compose window would otherwise freeze the app's main thread.
  return (lhSession, ulUIParam, lpMessage, flFlags, ulReserved) =>
    new Promise((resolve, reject) => {
      fn.async(lhSession, ulUIParam, lpMessage, flFlags, ulReserved, (err: unknown, res: number) => (err ? reject(err) : resolve(res)));
    });
}

const MAPI_ERRORS: Record<number, string> = {
  2: 'MAPI_E_FAILURE',
  3: 'MAPI_E_LOGON_FAILURE',
  4: 'MAPI_E_DISK_FULL',
  5: 'MAPI_E_INSUFFICIENT_MEMORY',
  6: 'MAPI_E_ACCESS_DENIED',
  8: 'MAPI_E_TOO_MANY_SESSIONS',
  9: 'MAPI_E_TOO_MANY_FILES',
  10: 'MAPI_E_TOO_MANY_RECIPIENTS',
  11: 'MAPI_E_ATTACHMENT_NOT_FOUND',
  12: 'MAPI_E_ATTACHMENT_OPEN_FAILURE',
  13: 'MAPI_E_ATTACHMENT_WRITE_FAILURE',
  14: 'MAPI_E_UNKNOWN_RECIPIENT',
  15: 'MAPI_E_BAD_RECIPTYPE',
  16: 'MAPI_E_NO_MESSAGES',
  17: 'MAPI_E_INVALID_MESSAGE',
  18: 'MAPI_E_TEXT_TOO_LARGE',
  19: 'MAPI_E_INVALID_SESSION',
  20: 'MAPI_E_TYPE_NOT_SUPPORTED',
  21: 'MAPI_E_AMBIGUOUS_RECIPIENT',
  22: 'MAPI_E_MESSAGE_IN_USE',
  23: 'MAPI_E_NETWORK_FAILURE',
  24: 'MAPI_E_INVALID_EDITFIELDS',
  25: 'MAPI_E_INVALID_RECIPS',
  26: 'MAPI_E_NOT_SUPPORTED',
  27: 'MAPI_E_UNICODE_NOT_SUPPORTED',
  28: 'MAPI_E_ATTACHMENT_TOO_LARGE',
};

const MAPI_ADVICE: Record<number, string> = {
  3: 'The mail client could not sign in to its profile.',
  6: 'The mail client refused access.',
  11: 'An attachment was not found.',
  12: 'An attachment could not be opened.',
  14: 'A recipient is unknown to the mail client.',
  18: 'The text is too large for the mail client.',
  26: 'The default mail client does not support this.',
  28: 'An attachment is too large for the mail client.',
};

/** The meaning of MAPISendMailW's return value; null for SUCCESS_SUCCESS. */
export function describeMapiResult(code: number): HandoffFailure | null {
  if (code === 0) return null;
  if (code === 1) return { code: 'cancelled', message: 'The mail window was closed without sending.' };
  const name = MAPI_ERRORS[code] ?? `MAPI error ${code}`;
  return { code: 'mapi-failed', message: `${MAPI_ADVICE[code] ?? 'The default mail client could not take the message.'} (${name})` };
}

/** Encodes, calls and frees; the files named in the message must exist for as long as the client reads them. */
export async function sendWithMapi(input: MapiMessageInput, flags: number, send: MapiSendMailW, parentWindow: bigint = 0n): Promise<{ ok: true } | { ok: false; error: HandoffFailure }> {
  const encoded = encodeMapiMessage(input);
  try {
    const code = await send(0, parentWindow, encoded.pointer, flags, 0);
    const failure = describeMapiResult(code);
    return failure ? { ok: false, error: failure } : { ok: true };
  } catch (error) {
    return { ok: false, error: { code: 'mapi-failed', message: `MAPISendMailW failed: ${(error as Error).message}` } };
  } finally {
    encoded.free();
  }
}
