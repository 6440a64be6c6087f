import fs from 'node:fs';
import path from 'node:path';
import koffi from 'koffi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handOff } from '../../../main/services/handoff/handoff';
import { normalizeMessage, type HandoffMessage } from '../../../main/services/handoff/handoff-message';
import {
  buildMapiMessage,
  decodeMapiMessage,
  describeMapiResult,
  encodeMapiMessage,
  FULL_MAPI_BODY_NAME,
  MAPI_BCC,
  MAPI_CC,
  MAPI_DIALOG,
  MAPI_DIALOG_MODELESS,
  MAPI_LOGON_UI,
  MAPI_TO,
  mapiFlags,
  mapiStructValues,
  mapiTypes,
  type MapiMessageInput,
  type MapiSendMailW,
} from '../../../main/services/handoff/mapi';
import { whenCleanedUp } from '../../../main/services/handoff/temp-folder';
import { tempDir } from '../../helpers/temp-dir';
import { HOSTILE, HOSTILE_SUBJECT, hostileMessage, LONG_TEXT } from './hostile';

let work: ReturnType<typeof tempDir>;
let tempRoot: string;
beforeEach(() => {
  work = tempDir('handoff-mapi-');
  tempRoot = path.join(work.dir, 'tmp');
  fs.mkdirSync(tempRoot);
});
afterEach(() => work.cleanup());

function normalized(m: HandoffMessage) {
  const r = normalizeMessage(m);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

interface MapiCall {
  session: number;
  uiParam: bigint;
  flags: number;
  reserved: number;
  message: MapiMessageInput;
  fileBytes: Buffer[];
}

/** Plays MAPI32.DLL: reads the native structure it is given, and the files it names, as a mail client would. */
function recordingMapi(returns = 0): { send: MapiSendMailW; calls: MapiCall[] } {
  const calls: MapiCall[] = [];
  const send: MapiSendMailW = async (session, uiParam, pointer, flags, reserved) => {
    const message = decodeMapiMessage(pointer);
    calls.push({ session, uiParam, flags, reserved, message, fileBytes: message.files.map((f) => fs.readFileSync(f.pathName)) });
    return returns;
  };
  return { send, calls };
}

describe('MAPI structures', () => {
  it('have the Windows x64 layout of mapi.h (32-bit ULONG, pointer-aligned strings)', () => {
    const t = mapiTypes();
    expect(koffi.sizeof(t.recip)).toBe(40);
    expect(koffi.sizeof(t.file)).toBe(40);
    expect(koffi.sizeof(t.message)).toBe(96);
    expect(['ulRecipClass', 'lpszName', 'lpszAddress', 'ulEIDSize', 'lpEntryID'].map((f) => koffi.offsetof(t.recip, f))).toEqual([4, 8, 16, 24, 32]);
    expect(['flFlags', 'nPosition', 'lpszPathName', 'lpszFileName', 'lpFileType'].map((f) => koffi.offsetof(t.file, f))).toEqual([4, 8, 16, 24, 32]);
    expect(
      ['lpszSubject', 'lpszNoteText', 'lpszMessageType', 'lpszDateReceived', 'lpszConversationID', 'flFlags', 'lpOriginator', 'nRecipCount', 'lpRecips', 'nFileCount', 'lpFiles'].map((f) => koffi.offsetof(t.message, f)),
    ).toEqual([8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88]);
    // Defining them twice would throw: they are made once.
    expect(mapiTypes()).toBe(t);
  });

  it('builds Simple MAPI: plain text, recipient classes, SMTP addresses, named files', () => {
    const m = normalized({ to: ['Ann <a@example.test>'], cc: ['c@example.test'], bcc: ['"B $(x)" <b@example.test>'], subject: 'S', html: '<p>Hi&amp;bye</p>', attachments: [] });
    const input = buildMapiMessage(m, [{ filename: 'inv `1`.pdf', path: '/tmp/h/attachment-1/inv `1`.pdf' }], 'simple');
    expect(input).toEqual({
      subject: 'S',
      noteText: 'Hi&bye',
      recipients: [
        { recipClass: MAPI_TO, name: 'Ann', address: 'SMTP:a@example.test' },
        { recipClass: MAPI_CC, name: 'c@example.test', address: 'SMTP:c@example.test' },
        { recipClass: MAPI_BCC, name: 'B $(x)', address: 'SMTP:b@example.test' },
      ],
      files: [{ pathName: '/tmp/h/attachment-1/inv `1`.pdf', fileName: 'inv `1`.pdf' }],
    });
    expect([MAPI_TO, MAPI_CC, MAPI_BCC]).toEqual([1, 2, 3]);
  });

  it('builds Full MAPI: empty note text and the HTML body as the first file', () => {
    const m = normalized({ to: ['a@example.test'], cc: [], bcc: [], subject: 'S', text: 'plain', html: '<b>rich</b>', attachments: [] });
    const input = buildMapiMessage(m, [{ filename: 'a.pdf', path: '/h/a.pdf' }], 'full', '/h/body/message.htm');
    expect(input.noteText).toBe('');
    expect(input.files).toEqual([
      { pathName: '/h/body/message.htm', fileName: FULL_MAPI_BODY_NAME },
      { pathName: '/h/a.pdf', fileName: 'a.pdf' },
    ]);
    // Without HTML, Full MAPI carries the text like Simple MAPI.
    expect(buildMapiMessage(normalized({ ...m, to: [], html: undefined, text: 'plain', attachments: [] } as unknown as HandoffMessage), [], 'full').noteText).toBe('plain');
  });

  it('asks for the modal window (simple), the modeless one (full), or none (send)', () => {
    expect(mapiFlags('simple', 'compose')).toBe(MAPI_LOGON_UI | MAPI_DIALOG);
    expect(mapiFlags('simple', 'compose')).toBe(0x9);
    expect(mapiFlags('full', 'compose')).toBe(MAPI_LOGON_UI | MAPI_DIALOG_MODELESS);
    expect(mapiFlags('full', 'compose')).toBe(0xd);
    expect(mapiFlags('simple', 'send')).toBe(MAPI_LOGON_UI);
    expect(mapiFlags('full', 'send')).toBe(MAPI_LOGON_UI);
  });

  it('encodes to native memory and decodes back exactly, hostile input included', () => {
    const { message } = hostileMessage(work.dir);
    const m = normalized(message);
    const files = [
      { filename: HOSTILE[9]!, path: `C:\\Users\\Ünïcode $(calc)\\AppData\\Local\\Temp\\mailroom-handoff-1-x\\attachment-1\\${HOSTILE[9]}` },
      { filename: '..\\..\\evil\r\n"q".txt', path: '/tmp/x/`rm -rf`.txt' },
    ];
    const input = buildMapiMessage(m, files, 'simple');
    expect(input.subject.length).toBeGreaterThan(100 * 1024);
    expect(input.noteText).toBe(LONG_TEXT);
    expect(input.recipients).toHaveLength(500);
    const encoded = encodeMapiMessage(input);
    try {
      expect(typeof encoded.pointer).toBe('bigint');
      expect(decodeMapiMessage(encoded.pointer)).toEqual(input);

      // Raw look: the reserved and unused fields as MAPISendMailW expects them.
      const t = mapiTypes();
      const raw = koffi.decode(encoded.pointer, t.message);
      expect(raw).toMatchObject({ ulReserved: 0, lpszMessageType: null, lpszDateReceived: null, lpszConversationID: null, flFlags: 0, lpOriginator: null, nRecipCount: 500, nFileCount: 2 });
      const recips = koffi.decode(raw.lpRecips, t.recip, 500);
      expect(recips[0]).toMatchObject({ ulReserved: 0, ulEIDSize: 0, lpEntryID: null });
      const rawFiles = koffi.decode(raw.lpFiles, t.file, 2);
      expect(rawFiles.map((f: { nPosition: number; flFlags: number }) => [f.nPosition, f.flFlags])).toEqual([
        [0xffffffff, 0],
        [0xffffffff, 0],
      ]);

      // The subject is UTF-16 code units, NUL-terminated: surrogate pairs and combining marks intact.
      const subjectPtr = koffi.decode(encoded.pointer, 8, 'void *');
      const units = Array.from(koffi.decode(subjectPtr, 'uint16', input.subject.length + 1) as ArrayLike<number>);
      expect(units).toEqual([...Array.from({ length: input.subject.length }, (_, i) => input.subject.charCodeAt(i)), 0]);
      expect(units).toContain(0xd83d);
    } finally {
      encoded.free();
    }
  });

  it('leaves the recipient and file lists NULL when empty', () => {
    const input: MapiMessageInput = { subject: '', noteText: '', recipients: [], files: [] };
    const encoded = encodeMapiMessage(input);
    try {
      const raw = koffi.decode(encoded.pointer, mapiTypes().message);
      expect(raw).toMatchObject({ nRecipCount: 0, lpRecips: null, nFileCount: 0, lpFiles: null, lpszSubject: '', lpszNoteText: '' });
      expect(decodeMapiMessage(encoded.pointer)).toEqual(input);
    } finally {
      encoded.free();
    }
    expect(mapiStructValues(input).message).toMatchObject({ nRecipCount: 0, nFileCount: 0 });
  });
});

describe('MAPI results', () => {
  it('reads cancel and the MAPI error codes', () => {
    expect(describeMapiResult(0)).toBeNull();
    expect(describeMapiResult(1)).toEqual({ code: 'cancelled', message: 'The mail window was closed without sending.' });
    expect(describeMapiResult(11)).toEqual({ code: 'mapi-failed', message: 'An attachment was not found. (MAPI_E_ATTACHMENT_NOT_FOUND)' });
    expect(describeMapiResult(2)).toEqual({ code: 'mapi-failed', message: 'The default mail client could not take the message. (MAPI_E_FAILURE)' });
    expect(describeMapiResult(28)?.message).toContain('MAPI_E_ATTACHMENT_TOO_LARGE');
    expect(describeMapiResult(99)?.message).toContain('MAPI error 99');
  });
});

describe('MAPI hand-off', () => {
  it('Simple MAPI: modal, plain text, hostile input arrives exactly, files gone on return', async () => {
    const { message, bytes } = hostileMessage(work.dir);
    const m = normalized(message);
    const { send, calls } = recordingMapi();
    const result = await handOff(message, { mode: 'simple-mapi', action: 'compose', platform: 'win32', tempRoot, parentWindow: 0x1234n, runners: { mapiSendMail: send } });
    expect(result).toEqual({ ok: true, mode: 'simple-mapi', detail: 'Handed to the default mail client (Simple MAPI).' });
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call).toMatchObject({ session: 0, uiParam: 0x1234n, flags: MAPI_LOGON_UI | MAPI_DIALOG, reserved: 0 });
    // eslint-disable-next-line no-control-regex
    expect(call.message.subject).toBe(HOSTILE_SUBJECT.replace(/\r\n|[\r\n\t]/g, ' ').replace(/[\u0000-\u001f\u007f]/g, ''));
    expect(call.message.noteText).toBe(message.text);
    expect(call.message.recipients.map((r) => [r.recipClass, r.name, r.address])).toEqual([
      ...m.to.map((a) => [1, a.name || a.address, `SMTP:${a.address}`]),
      ...m.cc.map((a) => [2, a.name || a.address, `SMTP:${a.address}`]),
      ...m.bcc.map((a) => [3, a.name || a.address, `SMTP:${a.address}`]),
    ]);
    expect(call.message.files.map((f) => f.fileName)).toEqual(m.attachments.map((a) => a.filename));
    expect(call.fileBytes).toEqual(bytes);
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('Full MAPI: modeless with the HTML body file; the files stay for the client, then go', async () => {
    const { message, bytes } = hostileMessage(work.dir, { to: ['a@example.test'], cc: [], bcc: [] });
    const { send, calls } = recordingMapi();
    const result = await handOff(message, { mode: 'full-mapi', action: 'compose', platform: 'win32', tempRoot, cleanupDelayMs: 150, runners: { mapiSendMail: send } });
    expect(result).toMatchObject({ ok: true, mode: 'full-mapi' });
    const call = calls[0]!;
    expect(call.flags).toBe(MAPI_LOGON_UI | MAPI_DIALOG_MODELESS);
    // Modeless needs lhSession 0.
    expect(call.session).toBe(0);
    expect(call.message.noteText).toBe('');
    expect(call.message.files[0]!.fileName).toBe('message.htm');
    expect(call.fileBytes[0]!.toString('utf8')).toBe(message.html);
    expect(call.fileBytes.slice(1)).toEqual(bytes);
    // Still there right after the call: the modeless window reads them later.
    expect(fs.readdirSync(tempRoot)).toHaveLength(1);
    expect(fs.existsSync(call.message.files[0]!.pathName)).toBe(true);
    await whenCleanedUp();
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('sends without a window when asked to send, and removes the files at once', async () => {
    const { send, calls } = recordingMapi();
    const result = await handOff({ to: ['a@example.test'], cc: [], bcc: [], subject: 's', html: '<b>x</b>', attachments: [] }, { mode: 'full-mapi', action: 'send', platform: 'win32', tempRoot, runners: { mapiSendMail: send } });
    expect(result).toEqual({ ok: true, mode: 'full-mapi', detail: 'Sent through the default mail client (Full MAPI).' });
    expect(calls[0]!.flags).toBe(MAPI_LOGON_UI);
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('reports cancel, MAPI errors, a throwing call and a missing MAPI32.DLL, and cleans up each time', async () => {
    const msg: HandoffMessage = { to: ['a@example.test'], cc: [], bcc: [], subject: 's', text: 't', attachments: [] };
    const opts = { mode: 'simple-mapi' as const, action: 'compose' as const, platform: 'win32' as const, tempRoot };
    expect(await handOff(msg, { ...opts, runners: { mapiSendMail: recordingMapi(1).send } })).toMatchObject({ ok: false, code: 'cancelled' });
    expect(await handOff(msg, { ...opts, runners: { mapiSendMail: recordingMapi(3).send } })).toMatchObject({ ok: false, code: 'mapi-failed', reason: expect.stringContaining('MAPI_E_LOGON_FAILURE') });
    expect(
      await handOff(msg, {
        ...opts,
        runners: {
          mapiSendMail: async () => {
            throw new Error('access violation');
          },
        },
      }),
    ).toMatchObject({ ok: false, code: 'mapi-failed', reason: 'MAPISendMailW failed: access violation' });
    // No runner: this machine has no MAPI32.DLL to load.
    expect(await handOff(msg, opts)).toMatchObject({ ok: false, code: 'mapi-unavailable' });
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('is Windows-only', async () => {
    expect(await handOff({ to: [], cc: [], bcc: [], subject: 's', attachments: [] }, { mode: 'simple-mapi', action: 'compose', platform: 'darwin', tempRoot })).toMatchObject({
      ok: false,
      code: 'unsupported-platform',
      reason: 'Simple MAPI is available only on Windows.',
    });
  });
});
