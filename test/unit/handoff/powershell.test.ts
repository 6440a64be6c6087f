import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandOptions, CommandResult, CommandRunner } from '../../../main/services/handoff/command-runner';
import { handOff } from '../../../main/services/handoff/handoff';
import { normalizeMessage, type HandoffMessage } from '../../../main/services/handoff/handoff-message';
import {
  buildOutlookPayload,
  classifyOutlookError,
  encodePowerShellCommand,
  HANDOFF_DATA_ENV,
  interpretOutlookRun,
  OUTLOOK_SCRIPT,
  outlookInvocation,
  type OutlookPayload,
} from '../../../main/services/handoff/powershell';
import { tempDir } from '../../helpers/temp-dir';
import { HOSTILE, hostileMessage } from './hostile';

interface Call {
  file: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  payload: OutlookPayload;
  attachmentBytes: Buffer[];
}

/** A stand-in for powershell.exe: records argv, reads the payload the real script would read, answers like the script. */
function recordingPowerShell(answer: Partial<CommandResult> = {}): { runner: CommandRunner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: CommandRunner = async (file: string, args: string[], options?: CommandOptions) => {
    const env = options?.env ?? {};
    const payload = JSON.parse(fs.readFileSync(env[HANDOFF_DATA_ENV] as string, 'utf8')) as OutlookPayload;
    calls.push({ file, args, env, payload, attachmentBytes: payload.attachments.map((a) => fs.readFileSync(a.path)) });
    return { code: 0, stdout: '{"ok":true,"resolved":true}\r\n', stderr: '', ...answer };
  };
  return { runner, calls };
}

function decodeCommand(args: string[]): string {
  const b64 = args[args.indexOf('-EncodedCommand') + 1] ?? '';
  return Buffer.from(b64, 'base64').toString('utf16le');
}

let work: ReturnType<typeof tempDir>;
let tempRoot: string;
beforeEach(() => {
  work = tempDir('handoff-ps-');
  tempRoot = path.join(work.dir, 'tmp');
  fs.mkdirSync(tempRoot);
});
afterEach(() => work.cleanup());

describe('the Outlook script', () => {
  it('is one constant, run as -EncodedCommand with the agreed flags', () => {
    const call = outlookInvocation('C:\\Temp\\mailroom-handoff-1-abc\\outlook-message.json', { SystemRoot: 'C:\\Windows' });
    expect(call.file).toBe('C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(call.args.slice(0, 5)).toEqual(['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(call.args).toHaveLength(6);
    expect(decodeCommand(call.args)).toBe(OUTLOOK_SCRIPT);
    expect(call.env[HANDOFF_DATA_ENV]).toBe('C:\\Temp\\mailroom-handoff-1-abc\\outlook-message.json');
    // Well under the 32,767-character Windows command line.
    expect(call.args.join(' ').length).toBeLessThan(20_000);
    expect(encodePowerShellCommand('$a')).toBe(Buffer.from('$\u0000a\u0000', 'latin1').toString('base64'));
  });

  it('reads its data with ConvertFrom-Json and drives the Outlook object model as documented', () => {
    expect(OUTLOOK_SCRIPT).toContain('$env:MAILROOM_HANDOFF_DATA');
    expect(OUTLOOK_SCRIPT).toContain('ConvertFrom-Json -InputObject $json');
    expect(OUTLOOK_SCRIPT).toContain('New-Object -ComObject Outlook.Application');
    expect(OUTLOOK_SCRIPT).toContain('$outlook.CreateItem(0)');
    expect(OUTLOOK_SCRIPT).toContain('$recipient.Type = [int]$r.type');
    expect(OUTLOOK_SCRIPT).toContain('$mail.Recipients.ResolveAll()');
    expect(OUTLOOK_SCRIPT).toContain('$mail.HTMLBody = [string]$data.html');
    expect(OUTLOOK_SCRIPT).toContain('$mail.Body = [string]$data.text');
    expect(OUTLOOK_SCRIPT).toContain('$mail.Attachments.Add([string]$a.path)');
    expect(OUTLOOK_SCRIPT).toContain('$mail.Display($false)');
    expect(OUTLOOK_SCRIPT).toContain('$mail.Send()');
    // Nothing in it turns data back into code.
    expect(OUTLOOK_SCRIPT).not.toMatch(/Invoke-Expression|\biex\b|ExpandString|ScriptBlock|Add-Type|\[scriptblock\]/i);
    expect(OUTLOOK_SCRIPT).not.toContain('`');
  });
});

describe('Outlook hand-off with hostile input', () => {
  it('passes every value only inside the data file, the script never changes, and the data reads back exactly', async () => {
    const { message, bytes } = hostileMessage(work.dir);
    const { runner, calls } = recordingPowerShell();
    const other: HandoffMessage = { to: ['plain@example.test'], cc: [], bcc: [], subject: 'Plain', text: 'Plain', attachments: [] };

    for (const [m, action] of [[message, 'compose'], [message, 'send'], [other, 'compose']] as const) {
      const result = await handOff(m, { mode: 'outlook', action, platform: 'win32', tempRoot, env: { SystemRoot: 'C:\\Windows' }, runners: { powershell: runner } });
      expect(result).toMatchObject({ ok: true, mode: 'outlook' });
    }
    expect(calls).toHaveLength(3);

    // Same program, same argv, whatever the message.
    expect(new Set(calls.map((c) => JSON.stringify([c.file, c.args]))).size).toBe(1);
    const call = calls[0]!;
    expect(decodeCommand(call.args)).toBe(OUTLOOK_SCRIPT);
    const argvText = [call.file, ...call.args, decodeCommand(call.args)].join('\n');
    for (const h of [...HOSTILE.map((x) => x.slice(0, 12)), 'calc', 'rm -rf', 'attacker', 'example.test', 'invoice']) expect(argvText).not.toContain(h);
    // Only the data-file path is added to the environment.
    const added = Object.keys(call.env).filter((k) => k !== 'SystemRoot');
    expect(added).toEqual([HANDOFF_DATA_ENV]);
    expect(path.dirname(call.env[HANDOFF_DATA_ENV] as string).startsWith(path.join(tempRoot, 'mailroom-handoff-'))).toBe(true);

    // The data blob is the message, exactly.
    const norm = normalizeMessage(message);
    if (!norm.ok) throw new Error('fixture');
    const payload = call.payload;
    expect(payload.action).toBe('compose');
    expect(calls[1]!.payload.action).toBe('send');
    expect(payload.subject).toBe(norm.value.subject);
    expect(payload.html).toBe(message.html);
    expect(payload.text).toBeNull();
    expect(payload.recipients).toHaveLength(500);
    expect(payload.recipients.map((r) => ({ name: r.name, address: r.address }))).toEqual([...norm.value.to, ...norm.value.cc, ...norm.value.bcc]);
    expect(payload.recipients.map((r) => r.type)).toEqual([...Array(300).fill(1), ...Array(150).fill(2), ...Array(50).fill(3)]);
    expect(payload.attachments.map((a) => a.filename)).toEqual(norm.value.attachments.map((a) => a.filename));
    expect(call.attachmentBytes).toEqual(bytes);
    // Copies live in the hand-off folder, under names safe on Windows.
    for (const a of payload.attachments) {
      expect(a.path.startsWith(path.dirname(call.env[HANDOFF_DATA_ENV] as string))).toBe(true);
      expect(path.basename(a.path)).not.toMatch(/[\\/:*?"<>|\r\n]/);
    }
    expect(path.basename(payload.attachments[2]!.path)).toBe('_con.txt');

    // A text-only message sends its text as Body.
    expect(calls[2]!.payload).toMatchObject({ html: null, text: 'Plain', recipients: [{ name: '', address: 'plain@example.test', type: 1, display: 'plain@example.test' }] });

    // Nothing is left once Outlook has copied the attachments into the item.
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('gives Outlook the display name only when Outlook would not split or re-parse it', () => {
    const norm = normalizeMessage({ to: ['Ann Lee <a@example.test>', '"Lee, Ann" <b@example.test>', '"x;y" <c@example.test>', '"q\\"q" <d@example.test>', 'e@example.test'], cc: [], bcc: [], subject: '', attachments: [] });
    if (!norm.ok) throw new Error('fixture');
    const payload = buildOutlookPayload(norm.value, [], 'compose');
    expect(payload.recipients.map((r) => r.display)).toEqual(['Ann Lee <a@example.test>', 'b@example.test', 'c@example.test', 'd@example.test', 'e@example.test']);
    expect(payload.recipients.map((r) => r.name)).toEqual(['Ann Lee', 'Lee, Ann', 'x;y', 'q"q', '']);
  });

  it('is Windows-only, and refuses a message it cannot send before starting anything', async () => {
    const { runner, calls } = recordingPowerShell();
    expect(await handOff({ to: ['a@example.test'], cc: [], bcc: [], subject: 's', attachments: [] }, { mode: 'outlook', action: 'compose', platform: 'linux', tempRoot, runners: { powershell: runner } })).toMatchObject({
      ok: false,
      code: 'unsupported-platform',
    });
    expect(await handOff({ to: ['a@example.test\r\nBcc: x@attacker.test'], cc: [], bcc: [], subject: 's', attachments: [] }, { mode: 'outlook', action: 'compose', platform: 'win32', tempRoot, runners: { powershell: runner } })).toMatchObject({
      ok: false,
      code: 'invalid-message',
    });
    expect(calls).toHaveLength(0);
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('reports an unreadable attachment and removes what it copied', async () => {
    const { runner, calls } = recordingPowerShell();
    const good = path.join(work.dir, 'good.txt');
    fs.writeFileSync(good, 'x');
    const result = await handOff(
      { to: ['a@example.test'], cc: [], bcc: [], subject: 's', attachments: [{ filename: 'good.txt', path: good }, { filename: 'gone.pdf', path: path.join(work.dir, 'missing.pdf') }] },
      { mode: 'outlook', action: 'compose', platform: 'win32', tempRoot, runners: { powershell: runner } },
    );
    expect(result).toMatchObject({ ok: false, code: 'attachment-unreadable', reason: 'Attachment "gone.pdf" could not be read: ENOENT.' });
    expect(calls).toHaveLength(0);
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });
});

describe('Outlook failures', () => {
  const report = (o: object, code = 1): CommandResult => ({ code, stdout: `noise\r\n${JSON.stringify(o)}\r\n`, stderr: '' });

  it('names "Outlook not installed" from class not registered', () => {
    expect(interpretOutlookRun(report({ ok: false, stage: 'start-outlook', hresult: '0x80040154', message: 'Retrieving the COM class factory ... failed due to the following error: 80040154 Class not registered' }), 'compose')).toEqual({
      ok: false,
      error: { code: 'outlook-not-installed', message: expect.stringContaining('0x80040154') },
    });
    expect(classifyOutlookError('', 'failed due to the following error: 80040154', 'start-outlook').code).toBe('outlook-not-installed');
  });

  it('names a denied security prompt or blocked programmatic access', () => {
    expect(classifyOutlookError('0x80004004', 'Operation aborted', 'send').code).toBe('outlook-access-denied');
    expect(classifyOutlookError('0x80070005', 'Access denied', 'recipients').code).toBe('outlook-access-denied');
    expect(classifyOutlookError('0x80020009', 'A program is trying to access e-mail addresses... programmatic access', 'recipients').code).toBe('outlook-access-denied');
  });

  it('names a server start failure, and anything else with its stage and code', () => {
    expect(classifyOutlookError('0x80080005', 'Server execution failed', 'start-outlook').code).toBe('outlook-unavailable');
    expect(classifyOutlookError('0x800401E3', 'Operation unavailable\u001b[31m', 'display')).toEqual({ code: 'outlook-failed', message: 'Outlook failed at "display" (0x800401E3): Operation unavailable?[31m' });
  });

  it('refuses to send with unresolved recipients and names them', () => {
    expect(interpretOutlookRun(report({ ok: false, stage: 'resolve', hresult: '', unresolved: ['Ann', 'Bob'] }), 'send')).toEqual({
      ok: false,
      error: { code: 'outlook-unresolved-recipients', message: 'Outlook could not resolve: Ann; Bob. Nothing was sent.' },
    });
    expect(interpretOutlookRun(report({ ok: false, stage: 'resolve', unresolved: 'Ann' }), 'send')).toMatchObject({ error: { message: 'Outlook could not resolve: Ann. Nothing was sent.' } });
  });

  it('tells success apart for compose and send', () => {
    expect(interpretOutlookRun(report({ ok: true, resolved: true }, 0), 'compose')).toEqual({ ok: true, detail: 'Opened in Outlook for editing.' });
    expect(interpretOutlookRun(report({ ok: true, resolved: false }, 0), 'compose')).toMatchObject({ ok: true, detail: expect.stringContaining('not resolved') });
    expect(interpretOutlookRun(report({ ok: true }, 0), 'send')).toEqual({ ok: true, detail: "Handed to Outlook: the message is in Outlook's Outbox." });
  });

  it('reports PowerShell missing, a time-out and a script that said nothing', () => {
    expect(interpretOutlookRun({ code: null, stdout: '', stderr: '', error: 'ENOENT' }, 'compose')).toEqual({ ok: false, error: { code: 'outlook-unavailable', message: 'PowerShell could not start (ENOENT).' } });
    expect(interpretOutlookRun({ code: null, stdout: '', stderr: '', error: 'timed out' }, 'compose')).toMatchObject({ ok: false, error: { code: 'outlook-failed', message: 'Outlook did not answer in time.' } });
    expect(interpretOutlookRun({ code: 1, stdout: '', stderr: 'Execution policy\r\nblah' }, 'compose')).toEqual({
      ok: false,
      error: { code: 'outlook-failed', message: 'The Outlook script gave no result (exit code 1): Execution policy blah.' },
    });
  });

  it('surfaces the failure through handOff and still removes the folder', async () => {
    const { runner } = recordingPowerShell({ code: 1, stdout: '{"ok":false,"stage":"start-outlook","hresult":"0x80040154","message":"Class not registered"}' });
    const result = await handOff({ to: ['a@example.test'], cc: [], bcc: [], subject: 's', text: 't', attachments: [] }, { mode: 'outlook', action: 'send', platform: 'win32', tempRoot, runners: { powershell: runner } });
    expect(result).toMatchObject({ ok: false, mode: 'outlook', code: 'outlook-not-installed' });
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });
});
