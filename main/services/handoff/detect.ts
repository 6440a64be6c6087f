// Autodetect: which hand-off fits this machine, with the reason for every step so the UI and
// the CLI can say why.
//
// Order:
//   1. Outlook (classic), if its automation class is registered: `reg query
//      HKCR\Outlook.Application\CLSID /ve` names a CLSID. The new Outlook registers no such class.
//   2. Else MAPI, at the level the default mail client supports. The default client is the
//      default value of HKCU\Software\Clients\Mail (per user), else of HKLM\Software\Clients\Mail;
//      its key HKLM\Software\Clients\Mail\<client> is where the MAPI32.DLL stub finds the DLL to
//      dispatch to: DLLPathEx (or MSIComponentID, the way Office registers it) names an Extended
//      MAPI implementation -> Full MAPI; DLLPath alone is a Simple MAPI DLL -> Simple MAPI.
//      Read in the registry view of the app's own bitness (/reg:64 or /reg:32), the view the stub
//      in this process reads: a 64-bit app cannot load a client's 32-bit DLL.
//   3. Else the OS default client (a draft .eml, or mailto: for short plain messages).
// Off Windows only step 3 applies.
import path from 'node:path';
import { type CommandRunner, printable } from './command-runner';
import type { HandoffMode } from './handoff-message';

export interface DetectionStep {
  check: 'outlook-classic' | 'mapi' | 'os-default';
  found: boolean;
  reason: string;
}

export interface Detection {
  mode: HandoffMode;
  steps: DetectionStep[];
}

export interface DetectOptions {
  platform?: NodeJS.Platform;
  arch?: string;
  env?: NodeJS.ProcessEnv;
  /** Runs reg.exe; injectable so tests can answer for the registry. */
  reg: CommandRunner;
}

export const OUTLOOK_APPLICATION_CLSID = '{0006F03A-0000-0000-C000-000000000046}';

/**
 * The data of the one value a `reg query KEY /v NAME` or `/ve` printed, or null when there was none.
 * Lines look like "    (Default)    REG_SZ    Microsoft Outlook"; the value's label is localised,
 * so only the type column is relied on. An empty or unset value gives ''.
 */
export function parseRegValue(stdout: string): string | null {
  for (const line of stdout.split(/\r?\n/)) {
    const m = /^\s+.*?\s{4}(REG_SZ|REG_EXPAND_SZ)(?:\s{4}(.*))?$/.exec(line);
    if (!m) continue;
    const data = (m[2] ?? '').trim();
    // An unset default prints a localised "(value not set)".
    return /^\(.*\)$/.test(data) ? '' : data;
  }
  return null;
}

export function regExePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.win32.join(env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows', 'System32', 'reg.exe');
}

async function queryValue(options: DetectOptions, key: string, value: string | null): Promise<string | null> {
  const view = options.arch === 'ia32' ? '/reg:32' : '/reg:64';
  const args = ['query', key, ...(value === null ? ['/ve'] : ['/v', value]), view];
  const run = await options.reg(regExePath(options.env), args, { ...(options.env ? { env: options.env } : {}), timeoutMs: 10_000 });
  if (run.code !== 0) return null;
  return parseRegValue(run.stdout);
}

export async function detectHandoffMode(options: DetectOptions): Promise<Detection> {
  const platform = options.platform ?? process.platform;
  const steps: DetectionStep[] = [];
  const osDefault = (): Detection => {
    steps.push({
      check: 'os-default',
      found: true,
      reason: 'The OS default mail client opens a draft (.eml), or a mailto: link for a short plain message.',
    });
    return { mode: 'os-default', steps };
  };
  if (platform !== 'win32') {
    steps.push({ check: 'outlook-classic', found: false, reason: 'Outlook (classic) automation exists only on Windows.' });
    steps.push({ check: 'mapi', found: false, reason: 'MAPI exists only on Windows.' });
    return osDefault();
  }

  const clsid = await queryValue(options, 'HKCR\\Outlook.Application\\CLSID', null);
  if (clsid && /^\{[0-9a-f-]{36}\}$/i.test(clsid)) {
    steps.push({ check: 'outlook-classic', found: true, reason: `Outlook (classic) is registered for automation (Outlook.Application, ${clsid}).` });
    return { mode: 'outlook', steps };
  }
  steps.push({ check: 'outlook-classic', found: false, reason: 'Outlook.Application is not registered: Outlook (classic) is not installed (the new Outlook cannot be automated).' });

  let client = await queryValue(options, 'HKCU\\Software\\Clients\\Mail', null);
  if (!client) client = await queryValue(options, 'HKLM\\Software\\Clients\\Mail', null);
  if (!client) {
    steps.push({ check: 'mapi', found: false, reason: 'No default mail client is registered for MAPI (Software\\Clients\\Mail has no default).' });
    return osDefault();
  }
  const name = printable(client, 100);
  const key = `HKLM\\Software\\Clients\\Mail\\${client}`;
  const extended = (await queryValue(options, key, 'DLLPathEx')) || (await queryValue(options, key, 'MSIComponentID'));
  if (extended) {
    steps.push({ check: 'mapi', found: true, reason: `The default mail client "${name}" registers Extended MAPI (DLLPathEx): Full MAPI, HTML in a modeless window.` });
    return { mode: 'full-mapi', steps };
  }
  const simple = await queryValue(options, key, 'DLLPath');
  if (simple) {
    steps.push({ check: 'mapi', found: true, reason: `The default mail client "${name}" registers Simple MAPI (DLLPath): plain text in its modal window.` });
    return { mode: 'simple-mapi', steps };
  }
  steps.push({ check: 'mapi', found: false, reason: `The default mail client "${name}" registers no MAPI DLL.` });
  return osDefault();
}
