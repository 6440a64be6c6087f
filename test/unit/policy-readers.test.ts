// The platform readers of machine policy: reg query's output on Windows and managed preferences
// plists on macOS, read from fixtures as each system writes them, into the shape the policy
// service checks; and what the service makes of it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  REG_QUERY_EXEC_OPTIONS,
  WINDOWS_POLICY_KEYS,
  parseRegQuery,
  readWindowsPolicy,
  regQueryCommand,
  type RunCommand,
} from '../../main/services/policy/windows';
import { MAC_BUNDLE_ID, readMacPolicy } from '../../main/services/policy/macos';
import { MachinePolicy } from '../../main/services/policy/policy-service';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WINDOWS = path.join(ROOT, 'test/fixtures/policy/windows');
const MACOS = path.join(ROOT, 'test/fixtures/policy/macos');
const HKLM = 'HKLM\\SOFTWARE\\Policies\\Mailroom';
const HKCU = 'HKCU\\SOFTWARE\\Policies\\Mailroom';

function regOutput(name: string): string {
  return fs.readFileSync(path.join(WINDOWS, name), 'utf8');
}

/** A stand-in for cmd.exe: answers each key's query with a fixture, and keeps the commands it was given. */
function fakeRun(answers: Record<string, { fixture: string; code: number }>): { run: RunCommand; calls: { file: string; args: string[] }[] } {
  const calls: { file: string; args: string[] }[] = [];
  const run: RunCommand = async (file, args) => {
    calls.push({ file, args });
    const line = args[args.length - 1] as string;
    const key = /query "([^"]+)"/.exec(line)?.[1] as string;
    const answer = answers[key];
    if (!answer) throw new Error(`No answer for ${key}`);
    return { stdout: regOutput(answer.fixture), code: answer.code };
  };
  return { run, calls };
}

describe('Windows: reg query output', () => {
  it('is the format reg prints: a blank line first, CRLF line ends, the key, then four-space columns', () => {
    const raw = fs.readFileSync(path.join(WINDOWS, 'hklm-values-and-subkeys.txt'));
    const text = raw.toString('utf8');
    expect(text.startsWith('\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mailroom\r\n    general.organisationName    REG_SZ    ')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    // UTF-8, as reg writes it once the console's code page is 65001.
    expect(raw.includes(Buffer.from('Müller & Söhne GmbH', 'utf8'))).toBe(true);
    expect(raw.includes(Buffer.from('東京', 'utf8'))).toBe(true);
  });

  it('reads every value type, subkeys as dot paths, and says what it cannot read by path', () => {
    const policy = parseRegQuery(regOutput('hklm-values-and-subkeys.txt'), HKLM);
    expect(policy.source).toBe(HKLM);
    expect(policy.found).toBe(true);
    expect(policy.values).toEqual({
      'general.organisationName': 'Müller & Söhne GmbH',
      'general.debug.enabled': 1,
      // REG_EXPAND_SZ: the variable stays as written.
      'general.debug.path': '%ProgramData%\\Mailroom\\logs',
      'outbox.retryForHours': 48,
      'office.databaseUrl': 'postgres://db.example.com/mailroom',
      'smtp.profiles': ['[{"id": "head-office", "name": "Head office",', ' "host": "smtp.example.com", "port": 587}]'],
      'general.alertFrom': '',
      'Support Contact': 'IT desk, room 4',
      'general.debug.retentionDays': 14,
      'general.debug.level': 'info',
      'smtp.profiles.main.host': 'smtp.example.com',
      'smtp.profiles.main.port': 587,
      'smtp.profiles.main.fromName': 'Zoë',
      'smtp.profiles.tokyo.name': '東京',
      'smtp.profiles.tokyo.maxAttachmentsMb': 4294967295,
      'smtp.profiles.tokyo.bcc': [],
    });
    // The unnamed (Default) value is not a setting; a REG_BINARY is a problem by path.
    expect(policy.problems).toEqual([{ path: 'Organisation Logo', message: expect.stringContaining('REG_BINARY values are not read') }]);
  });

  it('reads the same with LF line ends', () => {
    const crlf = parseRegQuery(regOutput('hklm-values-and-subkeys.txt'), HKLM);
    const lf = parseRegQuery(regOutput('hklm-values-and-subkeys.txt').replace(/\r\n/g, '\n'), HKLM);
    expect(lf).toEqual(crlf);
  });

  it('reads a key with only subkeys, whose own line reg leaves out', () => {
    expect(parseRegQuery(regOutput('hkcu-subkeys-only.txt'), HKCU)).toEqual({
      source: HKCU,
      found: true,
      values: { 'general.alertFrom': 'zoë@example.com', 'mail.composeUserSelectable': 0 },
      problems: [],
    });
  });

  it('takes a key that is there but empty as found, with nothing in it', () => {
    expect(parseRegQuery(regOutput('empty-key.txt'), HKLM)).toEqual({ source: HKLM, found: true, values: {}, problems: [] });
  });

  it('takes a missing key (exit code 1) as no policy and no problem', () => {
    expect(parseRegQuery(regOutput('missing-key.txt'), HKCU, 1)).toEqual({ source: HKCU, found: false, values: {}, problems: [] });
  });

  it('takes access denied as a problem of the whole key', () => {
    const policy = parseRegQuery(regOutput('access-denied.txt'), HKLM, 1);
    expect(policy.values).toEqual({});
    expect(policy.problems).toEqual([{ path: '', message: expect.stringContaining('ERROR: Access is denied.') }]);
  });

  it('keeps what was read before reg stopped, and says it stopped', () => {
    const policy = parseRegQuery(regOutput('partly-denied.txt'), HKLM, 1);
    expect(policy.values).toEqual({ 'general.alertFrom': 'alerts@example.com' });
    expect(policy.problems).toEqual([{ path: '', message: 'Only part of the key could be read: ERROR: Access is denied.' }]);
  });

  it('reads a value over several lines, and refuses what it cannot hold exactly', () => {
    const policy = parseRegQuery(regOutput('multi-line-and-large.txt'), HKLM);
    expect(policy.values).toEqual({
      'general.organisationName': 'Müller & Söhne GmbH\nBuchhaltung',
      'general.debug.enabled': 1,
    });
    expect(policy.problems).toEqual([
      { path: 'outbox.retryForHours', message: 'The REG_QWORD 18446744073709551615 is too large to read' },
      { path: 'general.debug.enabled', message: expect.stringContaining('REG_DWORD_BIG_ENDIAN values are not read') },
      { path: 'general.bouncedAlerts', message: expect.stringContaining('REG_NONE values are not read') },
      // general\debug's enabled is the path general's debug.enabled already gave.
      { path: 'general.debug.enabled', message: expect.stringContaining('Given twice here') },
    ]);
  });

  it('reads a failure whose message did not reach the output by its exit code alone', () => {
    const text = '\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mailroom\r\n    general.alertFrom    REG_SZ    a@example.com\r\n';
    const policy = parseRegQuery(text, HKLM, 1);
    expect(policy.values).toEqual({ 'general.alertFrom': 'a@example.com' });
    expect(policy.problems).toEqual([{ path: '', message: 'Only part of the key could be read: reg query stopped with exit code 1' }]);
  });

  it('says so when reg prints something that is neither a key nor a value', () => {
    const policy = parseRegQuery('\r\nsomething else\r\n', HKLM);
    expect(policy.problems).toEqual([{ path: '', message: expect.stringContaining('"something else"') }]);
  });

  it('never lets a value name reach an object prototype', () => {
    const policy = parseRegQuery('\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Mailroom\r\n    __proto__    REG_SZ    x\r\n\r\n', HKLM);
    expect(Object.getPrototypeOf(policy.values)).toBe(Object.prototype);
    expect(Object.keys(policy.values)).toEqual(['__proto__']);
  });
});

describe('Windows: the command run', () => {
  const line = (key: string, recurse = true) =>
    `"C:\\Windows\\System32\\chcp.com" 65001 >nul & "C:\\Windows\\System32\\reg.exe" query "${key}"${recurse ? ' /s' : ''} /reg:64 2>&1`;

  it('is cmd.exe from the system folder, switching to UTF-8 before reg query, stderr with stdout', () => {
    const command = regQueryCommand(HKLM, { env: { SystemRoot: 'C:\\Windows' } });
    expect(command).toEqual({ file: 'C:\\Windows\\System32\\cmd.exe', args: ['/d', '/s', '/c', `"${line(HKLM)}"`] });
    // With windowsVerbatimArguments the arguments reach Windows joined by spaces, unquoted; cmd /s
    // then takes off the outer quotes and runs the line.
    expect([command.file, ...command.args].join(' ')).toBe(
      'C:\\Windows\\System32\\cmd.exe /d /s /c ""C:\\Windows\\System32\\chcp.com" 65001 >nul & "C:\\Windows\\System32\\reg.exe" query "HKLM\\SOFTWARE\\Policies\\Mailroom" /s /reg:64 2>&1"',
    );
    expect(REG_QUERY_EXEC_OPTIONS).toMatchObject({ windowsVerbatimArguments: true, windowsHide: true, shell: false, encoding: 'utf8' });
  });

  it('finds the system folder whatever the variable is called, and only a plain path', () => {
    expect(regQueryCommand(HKCU, { env: { SYSTEMROOT: 'D:\\WINNT\\' } }).file).toBe('D:\\WINNT\\System32\\cmd.exe');
    expect(regQueryCommand(HKCU, { env: { SystemRoot: 'C:\\Windows" & calc & "' } }).file).toBe('C:\\Windows\\System32\\cmd.exe');
    expect(regQueryCommand(HKCU, { env: { SystemRoot: '%OTHER%' } }).file).toBe('C:\\Windows\\System32\\cmd.exe');
    expect(regQueryCommand(HKCU, { env: {} }).file).toBe('C:\\Windows\\System32\\cmd.exe');
  });

  it('queries only the keys it knows', () => {
    expect(() => regQueryCommand('HKLM\\SOFTWARE\\Policies\\Mailroom" & del *')).toThrow('Not a registry key');
  });

  it('reads HKLM first, then HKCU, each with its own query', async () => {
    const { run, calls } = fakeRun({ [HKLM]: { fixture: 'hklm-values-and-subkeys.txt', code: 0 }, [HKCU]: { fixture: 'hkcu-subkeys-only.txt', code: 0 } });
    const policies = await readWindowsPolicy(run);
    expect(policies.map((p) => p.source)).toEqual([HKLM, HKCU]);
    expect(WINDOWS_POLICY_KEYS).toEqual([HKLM, HKCU]);
    expect(calls).toEqual([regQueryCommand(HKLM), regQueryCommand(HKCU)]);
    if (!process.env.SystemRoot) expect(calls[0]).toEqual({ file: 'C:\\Windows\\System32\\cmd.exe', args: ['/d', '/s', '/c', `"${line(HKLM)}"`] });
    expect(policies[1]?.values).toEqual({ 'general.alertFrom': 'zoë@example.com', 'mail.composeUserSelectable': 0 });
  });

  it('takes missing keys as no policy, without asking again', async () => {
    const { run, calls } = fakeRun({ [HKLM]: { fixture: 'missing-key.txt', code: 1 }, [HKCU]: { fixture: 'missing-key.txt', code: 1 } });
    expect(await readWindowsPolicy(run)).toEqual([
      { source: HKLM, found: false, values: {}, problems: [] },
      { source: HKCU, found: false, values: {}, problems: [] },
    ]);
    expect(calls).toHaveLength(2);
  });

  it('asks the parent whether the key is there when the message is in another language', async () => {
    const parent = 'HKLM\\SOFTWARE\\Policies';
    const absent = fakeRun({ [HKLM]: { fixture: 'missing-key-german.txt', code: 1 }, [HKCU]: { fixture: 'empty-key.txt', code: 0 }, [parent]: { fixture: 'policies-listing-without-mailroom.txt', code: 0 } });
    const [machine] = await readWindowsPolicy(absent.run);
    expect(machine).toEqual({ source: HKLM, found: false, values: {}, problems: [] });
    expect(absent.calls[2]).toEqual(regQueryCommand(parent, { recurse: false }));
    expect(absent.calls[2]?.args[3]).not.toContain('/s');

    const present = fakeRun({ [HKLM]: { fixture: 'missing-key-german.txt', code: 1 }, [HKCU]: { fixture: 'empty-key.txt', code: 0 }, [parent]: { fixture: 'policies-listing-with-mailroom.txt', code: 0 } });
    const [unreadable] = await readWindowsPolicy(present.run);
    expect(unreadable).toEqual({
      source: HKLM,
      found: true,
      values: {},
      problems: [{ path: '', message: 'The key could not be read: FEHLER: Der angegebene Registrierungsschlüssel bzw. Wert wurde nicht gefunden.' }],
    });
  });

  it('makes a command that cannot run a problem of its key, and still reads the other', async () => {
    const run: RunCommand = async (_file, args) => {
      if ((args[3] as string).includes(HKLM)) throw new Error('spawn C:\\Windows\\System32\\cmd.exe ENOENT');
      return { stdout: regOutput('hkcu-subkeys-only.txt'), code: 0 };
    };
    const [machine, user] = await readWindowsPolicy(run);
    expect(machine).toEqual({ source: HKLM, found: false, values: {}, problems: [{ path: '', message: 'reg query could not be run: spawn C:\\Windows\\System32\\cmd.exe ENOENT' }] });
    expect(user?.found).toBe(true);
  });

  it('gives the policy service what it checks: DWORD 1 as on, a profile list over the lines of a multi-string', async () => {
    const { run } = fakeRun({ [HKLM]: { fixture: 'hklm-values-and-subkeys.txt', code: 0 }, [HKCU]: { fixture: 'hkcu-subkeys-only.txt', code: 0 } });
    const policy = MachinePolicy.from(await readWindowsPolicy(run));
    expect(policy.lockOf('general.debug.enabled')).toEqual({ path: 'general.debug.enabled', value: true, source: HKLM });
    expect(policy.lockOf('general.organisationName')?.value).toBe('Müller & Söhne GmbH');
    expect(policy.lockOf('smtp.profiles.head-office.host')).toEqual({ path: 'smtp.profiles.head-office.host', value: 'smtp.example.com', source: HKLM });
    expect(policy.lockOf('smtp.profiles.tokyo.name')?.value).toBe('東京');
    expect(policy.lockOf('mail.composeUserSelectable')).toEqual({ path: 'mail.composeUserSelectable', value: false, source: HKCU });
    expect(policy.view().sources).toEqual([
      { location: HKLM, found: true },
      { location: HKCU, found: true },
    ]);
  });
});

describe('macOS: managed preferences', () => {
  const files = (map: Record<string, string>) => async (file: string) => {
    const name = map[file];
    if (name === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
    return new Uint8Array(fs.readFileSync(path.join(MACOS, name)));
  };
  const USER_FILE = '/Library/Managed Preferences/zoe/com.mailroom.desktop.plist';
  const MACHINE_FILE = '/Library/Managed Preferences/com.mailroom.desktop.plist';

  const machineValues = {
    general: { organisationName: 'Müller & Söhne GmbH', debug: { enabled: true, retentionDays: 14 } },
    'general.alertFrom': 'alerts@example.com',
    'mail.composeUserSelectable': false,
    'outbox.retryForHours': 48,
    'smtp.profiles.main.host': 'smtp.example.com',
    'smtp.profiles.main.port': 587,
    'smtp.profiles.main.fromName': 'Zoë',
    'smtp.profiles.tokyo.name': '東京',
    'smtp.profiles': [{ id: 'head-office', name: 'Head office', host: 'smtp.example.com', port: 587, security: 'starttls-required' }],
    'office.databaseUrl': 'postgres://db.example.com/mailroom',
  };

  it('uses the appId of electron-builder.yml as the bundle id', () => {
    const config = parseYaml(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as { appId: string };
    expect(MAC_BUNDLE_ID).toBe(config.appId);
  });

  it("reads the user's file, then the computer's, in that order, nested dictionaries kept nested", async () => {
    for (const format of ['binary', 'xml']) {
      const policies = await readMacPolicy({ user: 'zoe', readFile: files({ [USER_FILE]: `user-${format}.plist`, [MACHINE_FILE]: `machine-${format}.plist` }) });
      expect(policies).toEqual([
        { source: USER_FILE, found: true, values: { 'general.alertFrom': 'me@example.com', smtp: { profiles: { main: { host: 'smtp.user.example.com' } } } }, problems: [] },
        { source: MACHINE_FILE, found: true, values: machineValues, problems: [] },
      ]);
    }
  });

  it('takes missing files as no policy and no problem', async () => {
    expect(await readMacPolicy({ user: 'zoe', readFile: files({}) })).toEqual([
      { source: USER_FILE, found: false, values: {}, problems: [] },
      { source: MACHINE_FILE, found: false, values: {}, problems: [] },
    ]);
  });

  it('reads every type in both formats; data and integers beyond 2^53 are problems by path', async () => {
    for (const format of ['binary', 'xml']) {
      const [, machine] = await readMacPolicy({ user: 'zoe', readFile: files({ [MACHINE_FILE]: `types-${format}.plist` }) });
      expect(machine?.values).toEqual({
        ascii: 'plain text',
        asciiLong: 'a string of more than fifteen characters',
        utf16: 'Zoë 東京',
        empty: '',
        int8: 200,
        int16: 60000,
        int32: 4000000000,
        int64: 2 ** 40,
        negative: -5,
        negativeBig: -(2 ** 40),
        real: 2.5,
        yes: true,
        no: false,
        when: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
        list: [1, 'two', [3]],
        nested: { a: { b: 'c' } },
        emptyList: [],
        emptyDict: {},
      });
      expect(machine?.problems).toEqual([
        { path: 'blob', message: expect.stringContaining('Data values are not read') },
        { path: 'unsigned64', message: 'The integer 9223372036854775813 is too large to read' },
      ]);
    }
  });

  it('makes a malformed file a problem of that file, naming it, in either format', async () => {
    const broken = {
      'truncated-binary.plist': /cut short or damaged/,
      'offset-outside-binary.plist': /outside the objects/,
      'cycle-binary.plist': /contains itself/,
      'self-cycle-binary.plist': /contains itself/,
      'deep-binary.plist': /Nested more than 100 deep/,
      'doubling-binary.plist': /More than 100000 values/,
      'huge-count-binary.plist': /An array at byte 8 claims more than 9007199254740991 members/,
      'huge-object-count-binary.plist': /claims 1099511627776 objects/,
    };
    for (const [name, reason] of Object.entries(broken)) {
      const [, machine] = await readMacPolicy({ user: 'zoe', readFile: files({ [MACHINE_FILE]: name }) });
      expect(machine?.source, name).toBe(MACHINE_FILE);
      expect(machine?.found, name).toBe(true);
      expect(machine?.values, name).toEqual({});
      expect(machine?.problems, name).toEqual([{ path: '', message: expect.stringMatching(reason) }]);
      expect(machine?.problems[0]?.message, name).toMatch(/^Not a valid property list: /);
    }
    const xml = fs.readFileSync(path.join(MACOS, 'machine-xml.plist'), 'utf8');
    const brokenXml = {
      'unclosed dict': [xml.replace('</dict>\n</plist>', '</plist>'), /Expected <\/dict>/],
      'unknown entity': [xml.replace('Head office', 'Head &office;'), /Unknown entity &office;/],
      'entities of its own': [xml.replace('PropertyList-1.0.dtd">', 'PropertyList-1.0.dtd" [<!ENTITY a "aaaa">]>'), /DOCTYPE with declarations of its own/],
      'key without value': [xml.replace('<key>outbox.retryForHours</key>\n\t<integer>48</integer>', '<key>outbox.retryForHours</key>'), /has no value/],
      'not a number': [xml.replace('<integer>48</integer>', '<integer>forty-eight</integer>'), /"forty-eight" is not an integer \(line \d+\)/],
      'not a plist at all': ['{ "general.alertFrom": "a@example.com" }', /Neither a binary nor an XML property list/],
      'empty file': ['', /there is no element/],
    } as const;
    for (const [what, [text, reason]] of Object.entries(brokenXml)) {
      const [, machine] = await readMacPolicy({ user: 'zoe', readFile: async (file) => {
        if (file !== MACHINE_FILE) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        return new TextEncoder().encode(text);
      } });
      expect(machine?.problems, what).toEqual([{ path: '', message: expect.stringMatching(reason) }]);
    }
  });

  it('takes a well-formed plist that is not a dictionary as a problem', async () => {
    const [, machine] = await readMacPolicy({ user: 'zoe', readFile: files({ [MACHINE_FILE]: 'top-array-binary.plist' }) });
    expect(machine?.problems).toEqual([{ path: '', message: 'Expected a dictionary of settings at the top, found an array' }]);
  });

  it('reads a 4-byte real, which Python never writes', async () => {
    const [, machine] = await readMacPolicy({ user: 'zoe', readFile: files({ [MACHINE_FILE]: 'float32-binary.plist' }) });
    expect(machine?.values).toEqual({ f: 1.5 });
  });

  it('makes an unreadable file a problem, and reads nothing for a user name that is not one', async () => {
    const denied = async () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    const [user] = await readMacPolicy({ user: 'zoe', readFile: denied });
    expect(user).toEqual({ source: USER_FILE, found: true, values: {}, problems: [{ path: '', message: expect.stringContaining('permission denied') }] });
    const [odd, machine] = await readMacPolicy({ user: '../zoe', readFile: files({}) });
    expect(odd).toEqual({ source: '/Library/Managed Preferences/<user>/com.mailroom.desktop.plist', found: false, values: {}, problems: [{ path: '', message: '"../zoe" is not a user name' }] });
    expect(machine?.found).toBe(false);
  });

  it('reads a real file from disk with its own reader', async () => {
    const [, machine] = await readMacPolicy({ user: 'zoe', bundleId: 'machine-binary' });
    // No such folder here: both are simply not found.
    expect(machine).toEqual({ source: '/Library/Managed Preferences/machine-binary.plist', found: false, values: {}, problems: [] });
  });

  it('gives the policy service what it checks: the user over the computer, nested and dotted paths alike', async () => {
    const policy = MachinePolicy.from(await readMacPolicy({ user: 'zoe', readFile: files({ [USER_FILE]: 'user-binary.plist', [MACHINE_FILE]: 'machine-xml.plist' }) }));
    expect(policy.lockOf('general.alertFrom')).toEqual({ path: 'general.alertFrom', value: 'me@example.com', source: USER_FILE });
    expect(policy.lockOf('smtp.profiles.main.host')).toEqual({ path: 'smtp.profiles.main.host', value: 'smtp.user.example.com', source: USER_FILE });
    expect(policy.lockOf('general.debug.enabled')).toEqual({ path: 'general.debug.enabled', value: true, source: MACHINE_FILE });
    expect(policy.lockOf('smtp.profiles.main.fromName')?.value).toBe('Zoë');
    expect(policy.lockOf('smtp.profiles.head-office.security')?.value).toBe('starttls-required');
  });
});
