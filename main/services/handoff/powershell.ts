// Outlook (classic) through its COM interface, driven by a PowerShell script.
//
// The script is a constant: no value of the message is ever spliced into it. The message travels
// as a UTF-8 JSON file inside the hand-off folder, whose path the script reads from an environment
// variable and parses with ConvertFrom-Json, so CR/LF, quotes, backticks or $(...) in any field are
// only ever string data. The script itself goes in as -EncodedCommand (base64 of UTF-16LE), so no
// command-line quoting is involved either.
import fs from 'node:fs';
import path from 'node:path';
import { type CommandResult, type CommandRunner, printable } from './command-runner';
import { type HandoffAction, type HandoffFailure, type NormalizedMessage, formatAddress, type ParsedAddress } from './handoff-message';
import type { CopiedAttachment } from './temp-folder';

export const HANDOFF_DATA_ENV = 'MAILROOM_HANDOFF_DATA';
/** Outlook may start cold, and Send may wait on the security prompt for the user. */
export const OUTLOOK_TIMEOUT_MS = 5 * 60_000;

// OlMailRecipientType
export const OL_TO = 1;
export const OL_CC = 2;
export const OL_BCC = 3;

export const OUTLOOK_SCRIPT = `$ErrorActionPreference = 'Stop'
try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding($false) } catch { }
function Write-Result($result) { [Console]::Out.WriteLine((ConvertTo-Json -InputObject $result -Compress -Depth 4)) }
function Get-HResult($record) {
  $found = ''
  $e = $record.Exception
  while ($null -ne $e) {
    if ($e -is [System.Runtime.InteropServices.COMException]) { return ('0x{0:X8}' -f $e.HResult) }
    if ($e.HResult -ne 0) { $found = ('0x{0:X8}' -f $e.HResult) }
    $e = $e.InnerException
  }
  return $found
}
function Stop-WithFailure($stage, $record) {
  Write-Result @{ ok = $false; stage = $stage; hresult = (Get-HResult $record); message = [string]$record.Exception.Message }
  exit 1
}
$stage = 'read-data'
try {
  $json = [System.IO.File]::ReadAllText($env:MAILROOM_HANDOFF_DATA, [System.Text.Encoding]::UTF8)
  $data = ConvertFrom-Json -InputObject $json
} catch { Stop-WithFailure $stage $_ }
$stage = 'start-outlook'
try { $outlook = New-Object -ComObject Outlook.Application } catch { Stop-WithFailure $stage $_ }
try {
  $stage = 'create-item'
  $mail = $outlook.CreateItem(0)
  $stage = 'recipients'
  foreach ($r in $data.recipients) {
    $recipient = $mail.Recipients.Add([string]$r.display)
    $recipient.Type = [int]$r.type
  }
  $resolved = $true
  if ($mail.Recipients.Count -gt 0) { $resolved = [bool]$mail.Recipients.ResolveAll() }
  $stage = 'content'
  $mail.Subject = [string]$data.subject
  if ($null -ne $data.html) { $mail.HTMLBody = [string]$data.html } elseif ($null -ne $data.text) { $mail.Body = [string]$data.text }
  $stage = 'attachments'
  foreach ($a in $data.attachments) { [void]$mail.Attachments.Add([string]$a.path) }
  if ($data.action -eq 'send') {
    if (-not $resolved) {
      $unresolved = @(foreach ($r in $mail.Recipients) { if (-not $r.Resolved) { [string]$r.Name } })
      Write-Result @{ ok = $false; stage = 'resolve'; hresult = ''; message = 'Some recipients could not be resolved.'; unresolved = $unresolved }
      exit 1
    }
    $stage = 'send'
    $mail.Send()
    try { $outlook.GetNamespace('MAPI').SendAndReceive($false) } catch { }
  } else {
    $stage = 'display'
    $mail.Display($false)
  }
  Write-Result @{ ok = $true; resolved = $resolved }
  exit 0
} catch { Stop-WithFailure $stage $_ }
`;

export interface OutlookRecipient {
  name: string;
  address: string;
  type: typeof OL_TO | typeof OL_CC | typeof OL_BCC;
  /** What Recipients.Add receives. */
  display: string;
}

/** Exactly what the script reads; every message value lives here and nowhere else. */
export interface OutlookPayload {
  action: HandoffAction;
  subject: string;
  html: string | null;
  text: string | null;
  recipients: OutlookRecipient[];
  attachments: { filename: string; path: string }[];
}

// Outlook splits a recipient string on ';' and ',' and reads <> and quotes itself: a name holding
// any of them is left out and the bare address is resolved instead.
function outlookDisplay(a: ParsedAddress): string {
  return a.name && !/[;,<>"]/.test(a.name) ? formatAddress(a) : a.address;
}

export function buildOutlookPayload(message: NormalizedMessage, attachments: CopiedAttachment[], action: HandoffAction): OutlookPayload {
  const recipients: OutlookRecipient[] = [];
  const add = (list: ParsedAddress[], type: OutlookRecipient['type']) => {
    for (const a of list) recipients.push({ name: a.name, address: a.address, type, display: outlookDisplay(a) });
  };
  add(message.to, OL_TO);
  add(message.cc, OL_CC);
  add(message.bcc, OL_BCC);
  return {
    action,
    subject: message.subject,
    html: message.html ?? null,
    text: message.html === undefined ? (message.text ?? null) : null,
    recipients,
    attachments: attachments.map((a) => ({ filename: a.filename, path: a.path })),
  };
}

export function encodePowerShellCommand(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

export function powershellPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
}

/** The program, argv and environment that run the script against the payload in dataFile. */
export function outlookInvocation(dataFile: string, env: NodeJS.ProcessEnv = process.env): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    file: powershellPath(env),
    args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand', encodePowerShellCommand(OUTLOOK_SCRIPT)],
    env: { ...env, [HANDOFF_DATA_ENV]: dataFile },
  };
}

interface ScriptReport {
  ok: boolean;
  stage?: string;
  hresult?: string;
  message?: string;
  resolved?: boolean;
  unresolved?: string[] | string;
}

function lastJsonLine(stdout: string): ScriptReport | null {
  const lines = stdout.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as ScriptReport;
    } catch {
      // not ours
    }
  }
  return null;
}

/** What an HRESULT from Outlook's automation means for the user. */
export function classifyOutlookError(hresult: string, message: string, stage: string): HandoffFailure {
  const hr = hresult.toUpperCase();
  const detail = printable(message);
  if (hr === '0X80040154' || /80040154/.test(message)) {
    return { code: 'outlook-not-installed', message: 'Outlook (classic) is not installed: Outlook.Application is not registered (class not registered, 0x80040154). The new Outlook cannot be automated.' };
  }
  if (hr === '0X80080005' || /80080005/.test(message)) {
    return { code: 'outlook-unavailable', message: 'Outlook could not be started for automation (0x80080005). This happens when Outlook runs as administrator and Mailroom does not, or the reverse.' };
  }
  if (hr === '0X80004004' || hr === '0X80070005' || /programmatic|not trusted|operation aborted|access (is )?denied/i.test(message)) {
    return { code: 'outlook-access-denied', message: `Outlook refused programmatic access: its security prompt was denied, or policy blocks other programs from using Outlook (${hresult || 'no code'}). ${detail}`.trim() };
  }
  return { code: 'outlook-failed', message: `Outlook failed at "${stage}"${hresult ? ` (${hresult})` : ''}: ${detail || 'no message'}` };
}

export function interpretOutlookRun(run: CommandResult, action: HandoffAction): { ok: true; detail: string } | { ok: false; error: HandoffFailure } {
  if (run.code === null) {
    if (run.error === 'timed out') return { ok: false, error: { code: 'outlook-failed', message: 'Outlook did not answer in time.' } };
    return { ok: false, error: { code: 'outlook-unavailable', message: `PowerShell could not start (${run.error ?? 'unknown error'}).` } };
  }
  const report = lastJsonLine(run.stdout);
  if (!report) {
    return { ok: false, error: { code: 'outlook-failed', message: `The Outlook script gave no result (exit code ${run.code})${run.stderr ? `: ${printable(run.stderr)}` : ''}.` } };
  }
  if (report.ok && run.code === 0) {
    if (action === 'send') return { ok: true, detail: "Handed to Outlook: the message is in Outlook's Outbox." };
    return { ok: true, detail: report.resolved === false ? 'Opened in Outlook; some recipients are not resolved yet, Outlook marks them.' : 'Opened in Outlook for editing.' };
  }
  if (report.stage === 'resolve') {
    const names = Array.isArray(report.unresolved) ? report.unresolved : report.unresolved ? [report.unresolved] : [];
    return { ok: false, error: { code: 'outlook-unresolved-recipients', message: `Outlook could not resolve: ${names.map((n) => printable(n, 100)).join('; ') || 'some recipients'}. Nothing was sent.` } };
  }
  return { ok: false, error: classifyOutlookError(report.hresult ?? '', report.message ?? '', report.stage ?? 'unknown') };
}

/** Writes the payload next to the attachment copies and runs the script; the caller removes the folder. */
export async function runOutlookHandoff(options: {
  message: NormalizedMessage;
  attachments: CopiedAttachment[];
  action: HandoffAction;
  folder: string;
  runner: CommandRunner;
  env?: NodeJS.ProcessEnv;
}): Promise<{ ok: true; detail: string } | { ok: false; error: HandoffFailure }> {
  const dataFile = path.join(options.folder, 'outlook-message.json');
  await fs.promises.writeFile(dataFile, JSON.stringify(buildOutlookPayload(options.message, options.attachments, options.action)), { encoding: 'utf8', mode: 0o600 });
  const call = outlookInvocation(dataFile, options.env);
  const run = await options.runner(call.file, call.args, { env: call.env, timeoutMs: OUTLOOK_TIMEOUT_MS });
  return interpretOutlookRun(run, options.action);
}
