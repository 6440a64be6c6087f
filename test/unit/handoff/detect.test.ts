import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandResult, CommandRunner } from '../../../main/services/handoff/command-runner';
import { detectHandoffMode, OUTLOOK_APPLICATION_CLSID, parseRegValue, regExePath } from '../../../main/services/handoff/detect';
import { handOff } from '../../../main/services/handoff/handoff';
import { tempDir } from '../../helpers/temp-dir';

type Registry = Record<string, Record<string, string>>;

/** Answers `reg query KEY (/ve | /v NAME) /reg:NN` from a map the way reg.exe prints it. */
function fakeReg(registry: Registry): { runner: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const runner: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    const [verb, key, flag, name] = args;
    const values = registry[key!.toUpperCase()];
    const valueName = flag === '/ve' ? '' : (name ?? '');
    const missing: CommandResult = { code: 1, stdout: '', stderr: 'ERROR: The system was unable to find the specified registry key or value.\r\n' };
    if (verb !== 'query' || !values || !(valueName in values)) return missing;
    const label = valueName === '' ? '(Standard)' : valueName;
    return { code: 0, stdout: `\r\n${key}\r\n    ${label}    REG_SZ    ${values[valueName]}\r\n\r\n`, stderr: '' };
  };
  return { runner, calls };
}

const OUTLOOK_CLSID_KEY = 'HKCR\\OUTLOOK.APPLICATION\\CLSID';
const HKLM_MAIL = 'HKLM\\SOFTWARE\\CLIENTS\\MAIL';
const HKCU_MAIL = 'HKCU\\SOFTWARE\\CLIENTS\\MAIL';

describe('reading reg.exe output', () => {
  it('takes the data of a value whatever the localised label, and an unset default as empty', () => {
    expect(parseRegValue('\r\nHKEY_CLASSES_ROOT\\Outlook.Application\\CLSID\r\n    (Default)    REG_SZ    {0006F03A-0000-0000-C000-000000000046}\r\n\r\n')).toBe(OUTLOOK_APPLICATION_CLSID);
    expect(parseRegValue('\r\nKEY\r\n    (Standardwert)    REG_SZ    Mozilla Thunderbird\r\n')).toBe('Mozilla Thunderbird');
    expect(parseRegValue('\r\nKEY\r\n    DLLPath    REG_EXPAND_SZ    %ProgramFiles%\\x\\mozMapi32.dll\r\n')).toBe('%ProgramFiles%\\x\\mozMapi32.dll');
    expect(parseRegValue('\r\nKEY\r\n    (Default)    REG_SZ    (value not set)\r\n')).toBe('');
    expect(parseRegValue('\r\nKEY\r\n    (Default)    REG_SZ    \r\n')).toBe('');
    expect(parseRegValue('\r\nKEY\r\n    Flags    REG_DWORD    0x1\r\n')).toBeNull();
    expect(parseRegValue('')).toBeNull();
  });

  it('runs reg.exe from System32', () => {
    expect(regExePath({ SystemRoot: 'D:\\Win' })).toBe('D:\\Win\\System32\\reg.exe');
  });
});

describe('Autodetect', () => {
  it('off Windows: the OS default client, saying why for every step', async () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const { runner, calls } = fakeReg({});
      const d = await detectHandoffMode({ platform, reg: runner });
      expect(d).toEqual({
        mode: 'os-default',
        steps: [
          { check: 'outlook-classic', found: false, reason: 'Outlook (classic) automation exists only on Windows.' },
          { check: 'mapi', found: false, reason: 'MAPI exists only on Windows.' },
          { check: 'os-default', found: true, reason: expect.stringContaining('.eml') },
        ],
      });
      expect(calls).toEqual([]);
    }
  });

  it('1. Outlook (classic) when Outlook.Application is registered, before anything else', async () => {
    const { runner, calls } = fakeReg({ [OUTLOOK_CLSID_KEY]: { '': OUTLOOK_APPLICATION_CLSID }, [HKLM_MAIL]: { '': 'Mozilla Thunderbird' } });
    const d = await detectHandoffMode({ platform: 'win32', arch: 'x64', env: { SystemRoot: 'C:\\Windows' }, reg: runner });
    expect(d.mode).toBe('outlook');
    expect(d.steps).toEqual([{ check: 'outlook-classic', found: true, reason: `Outlook (classic) is registered for automation (Outlook.Application, ${OUTLOOK_APPLICATION_CLSID}).` }]);
    expect(calls).toEqual([['C:\\Windows\\System32\\reg.exe', 'query', 'HKCR\\Outlook.Application\\CLSID', '/ve', '/reg:64']]);
  });

  it('2a. Full MAPI when the default client registers Extended MAPI (DLLPathEx or MSIComponentID)', async () => {
    for (const ex of [{ DLLPathEx: 'C:\\x\\olmapi32.dll' }, { MSIComponentID: '{6F4A2A3B-0000-0000-0000-000000000000}' }] as Record<string, string>[]) {
      const { runner } = fakeReg({ [HKLM_MAIL]: { '': 'Microsoft Outlook' }, [`${HKLM_MAIL}\\MICROSOFT OUTLOOK`]: { DLLPath: '', ...ex } });
      const d = await detectHandoffMode({ platform: 'win32', reg: runner });
      expect(d.mode).toBe('full-mapi');
      expect(d.steps.map((s) => [s.check, s.found])).toEqual([
        ['outlook-classic', false],
        ['mapi', true],
      ]);
      expect(d.steps[1]!.reason).toContain('"Microsoft Outlook" registers Extended MAPI');
    }
  });

  it('2b. Simple MAPI when the default client registers DLLPath only', async () => {
    const { runner } = fakeReg({ [HKLM_MAIL]: { '': 'Mozilla Thunderbird' }, [`${HKLM_MAIL}\\MOZILLA THUNDERBIRD`]: { DLLPath: 'C:\\tb\\mozMapi32_InUse.dll' } });
    const d = await detectHandoffMode({ platform: 'win32', reg: runner });
    expect(d.mode).toBe('simple-mapi');
    expect(d.steps[0]!.reason).toContain('the new Outlook cannot be automated');
    expect(d.steps[1]).toEqual({ check: 'mapi', found: true, reason: 'The default mail client "Mozilla Thunderbird" registers Simple MAPI (DLLPath): plain text in its modal window.' });
  });

  it('takes the per-user default client first, and reads the view of the app\'s bitness', async () => {
    const { runner, calls } = fakeReg({
      [HKCU_MAIL]: { '': 'Mozilla Thunderbird' },
      [HKLM_MAIL]: { '': 'Microsoft Outlook' },
      [`${HKLM_MAIL}\\MOZILLA THUNDERBIRD`]: { DLLPath: 'C:\\tb\\mozMapi32.dll' },
      [`${HKLM_MAIL}\\MICROSOFT OUTLOOK`]: { DLLPathEx: 'C:\\x\\olmapi32.dll' },
    });
    const d = await detectHandoffMode({ platform: 'win32', arch: 'ia32', reg: runner });
    expect(d.mode).toBe('simple-mapi');
    expect(calls.every((c) => c.at(-1) === '/reg:32')).toBe(true);
    expect(calls.map((c) => c[2])).not.toContain('HKLM\\Software\\Clients\\Mail');
  });

  it('3. the OS default client when there is no MAPI client, or it names no DLL', async () => {
    for (const registry of [{}, { [HKLM_MAIL]: { '': '' } }, { [HKLM_MAIL]: { '': 'Some Mail' }, [`${HKLM_MAIL}\\SOME MAIL`]: {} }] as Registry[]) {
      const d = await detectHandoffMode({ platform: 'win32', reg: fakeReg(registry).runner });
      expect(d.mode).toBe('os-default');
      expect(d.steps.map((s) => [s.check, s.found])).toEqual([
        ['outlook-classic', false],
        ['mapi', false],
        ['os-default', true],
      ]);
    }
  });

  it('does not take a registered value that is not a CLSID as Outlook', async () => {
    const d = await detectHandoffMode({ platform: 'win32', reg: fakeReg({ [OUTLOOK_CLSID_KEY]: { '': 'garbage' } }).runner });
    expect(d.mode).toBe('os-default');
  });
});

describe('handOff with Autodetect', () => {
  let work: ReturnType<typeof tempDir>;
  beforeEach(() => {
    work = tempDir('handoff-detect-');
  });
  afterEach(() => work.cleanup());

  it('uses the mode found and returns the steps with the result', async () => {
    const tempRoot = path.join(work.dir, 'tmp');
    const reg = fakeReg({ [OUTLOOK_CLSID_KEY]: { '': OUTLOOK_APPLICATION_CLSID } }).runner;
    const powershell: CommandRunner = async () => ({ code: 0, stdout: '{"ok":true,"resolved":true}', stderr: '' });
    const result = await handOff({ to: ['a@example.test'], cc: [], bcc: [], subject: 's', text: 't', attachments: [] }, { mode: 'autodetect', action: 'compose', platform: 'win32', tempRoot, runners: { reg, powershell } });
    expect(result).toMatchObject({ ok: true, mode: 'outlook', detection: { mode: 'outlook', steps: [{ check: 'outlook-classic', found: true }] } });
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('cannot send through the OS default client, and says so with the steps', async () => {
    const result = await handOff({ to: ['a@example.test'], cc: [], bcc: [], subject: 's', text: 't', attachments: [] }, { mode: 'autodetect', action: 'send', platform: 'win32', runners: { reg: fakeReg({}).runner, open: async () => ({ ok: true, detail: '' }) } });
    expect(result).toMatchObject({ ok: false, mode: 'os-default', code: 'send-unsupported', detection: { mode: 'os-default' } });
  });
});
