// The packaging as IT and the release depend on it. The installers cannot be built here (electron-
// builder downloads Electron, and signs with secrets only the release workflow has), so this holds
// electron-builder.yml to electron-builder's own schema and to what the release promises: the fuses,
// per-machine Windows packages and MSI, a notarised DMG and PKG, no secret in a file, and a release
// workflow that builds, signs and uploads exactly that. Each rule is also tried on a broken copy, so
// a rule that could never fail would show.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { flipFuses, FuseVersion, type FuseConfig } from '@electron/fuses';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { configFromEnv, dropEmptySigningEnv, releaseProblems, SIGNING_ENV } from '../../scripts/dist.mjs';
import { configuredFuses, fuseMismatches, readFuses, type FuseName } from '../e2e-packaged/fuses';
import { ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';

const require = createRequire(import.meta.url);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Config = { [key: string]: Json };
type Target = { target: string; arch?: string[] };

const CONFIG_FILE = path.join(ROOT, 'electron-builder.yml');
const WORKFLOW_FILE = path.join(ROOT, '.github', 'workflows', 'release.yml');
const config = parse(fs.readFileSync(CONFIG_FILE, 'utf8')) as Config;
const workflow = parse(fs.readFileSync(WORKFLOW_FILE, 'utf8')) as Config;
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { main: string; version: string; scripts: Record<string, string> };

/** What the release promises of the fuses: off what lets someone run their code in the app, on the checks. */
const REQUIRED_FUSES: Record<FuseName, boolean> = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  grantFileProtocolExtraPrivileges: false,
  loadBrowserProcessSpecificV8Snapshot: false,
};

const clone = (value: Config): Config => structuredClone(value);
const section = (c: Config, key: string): Config => (c[key] ?? {}) as Config;
const targetsOf = (c: Config, platform: string): Target[] =>
  ((section(c, platform).target ?? []) as Json[]).map((t) => (typeof t === 'string' ? { target: t } : (t as unknown as Target)));

// --- The rules, each a function of a config, so they can be tried on broken copies too. ---

function schemaProblems(c: Config): string[] {
  const schema = JSON.parse(fs.readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  return validate(c) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function fuseProblems(c: Config): string[] {
  const fuses = section(c, 'electronFuses');
  return Object.entries(REQUIRED_FUSES)
    .filter(([name, value]) => fuses[name] !== value)
    .map(([name, value]) => `electronFuses.${name} must be ${String(value)}, is ${JSON.stringify(fuses[name] ?? 'missing')}`);
}

function windowsProblems(c: Config): string[] {
  const problems: string[] = [];
  const targets = targetsOf(c, 'win').map((t) => t.target);
  if (!targets.includes('msi')) problems.push('win.target has no msi');
  if (!targets.includes('nsis')) problems.push('win.target has no nsis');
  const nsis = section(c, 'nsis');
  // The assisted installer with the install-mode choice is the one that reads /allusers; a one-click
  // installer, or one that cannot elevate, cannot install for every user from a silent command line.
  if (nsis.oneClick !== false) problems.push('nsis.oneClick must be false (assisted installer, which reads /allusers)');
  if (nsis.perMachine === true) problems.push('nsis.perMachine must leave the per-user / per-machine choice (/allusers or /currentuser)');
  if (nsis.allowElevation === false) problems.push('nsis.allowElevation must not be false: /allusers needs elevation');
  const msi = section(c, 'msi');
  if (msi.perMachine !== true) problems.push('msi.perMachine must be true (Group Policy and Intune install for the machine)');
  if (msi.runAfterFinish !== false) problems.push('msi.runAfterFinish must be false: a deployment must not start the app as SYSTEM');
  return problems;
}

function macProblems(c: Config): string[] {
  const problems: string[] = [];
  const targets = targetsOf(c, 'mac').map((t) => t.target);
  if (!targets.includes('dmg')) problems.push('mac.target has no dmg');
  if (!targets.includes('pkg')) problems.push('mac.target has no pkg');
  const mac = section(c, 'mac');
  if (mac.hardenedRuntime !== true) problems.push('mac.hardenedRuntime must be true');
  // notarize: false turns notarisation off even when the credentials are there.
  if (mac.notarize !== true) problems.push('mac.notarize must be true (credentials from the environment)');
  if (typeof mac.entitlements !== 'string' || !fs.existsSync(path.join(ROOT, mac.entitlements))) problems.push('mac.entitlements must name a file that exists');
  return problems;
}

/** Keys electron-builder would take a certificate, password or token from, were they in the file. */
const SECRET_KEYS = /^(cscLink|cscKeyPassword|cscInstallerLink|cscInstallerKeyPassword|certificateFile|certificatePassword|password|token|appleIdPassword|appleApiKey|clientSecret|.*Secret|.*Password)$/i;
/** Values that are secrets or point at one: a PEM block, a key or certificate file, a long base64 run. */
const SECRET_VALUES = [/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/, /\.(p12|pfx|p8|pem|key)$/i, /[A-Za-z0-9+/]{120,}={0,2}/];

function secretProblems(c: Json, at = ''): string[] {
  if (Array.isArray(c)) return c.flatMap((v, i) => secretProblems(v, `${at}[${i}]`));
  if (c !== null && typeof c === 'object') {
    return Object.entries(c).flatMap(([key, value]) => [
      ...(SECRET_KEYS.test(key) ? [`${at}${key}: signing secrets come from the environment, never from this file`] : []),
      ...secretProblems(value, `${at}${key}.`),
    ]);
  }
  if (typeof c === 'string' && SECRET_VALUES.some((pattern) => pattern.test(c))) return [`${at.replace(/\.$/, '')}: looks like a secret or a key file`];
  return [];
}

/** The file names electron-builder gives each configured target of a platform, as its artifactName patterns say. */
function artifactNames(c: Config, platform: 'win' | 'mac', version: string): string[] {
  const ext: Record<string, string> = { nsis: 'exe', msi: 'msi', dmg: 'dmg', pkg: 'pkg' };
  return targetsOf(c, platform).flatMap(({ target, arch }) => {
    const pattern = section(c, target).artifactName;
    if (typeof pattern !== 'string') return [`<${target} has no artifactName>`];
    return (arch ?? ['x64']).map((a) =>
      pattern
        .replaceAll('${productName}', String(c.productName))
        .replaceAll('${version}', version)
        .replaceAll('${arch}', a)
        .replaceAll('${ext}', ext[target] ?? target),
    );
  });
}

/**
 * The Windows command line: mailroom.cmd, shipped beside Mailroom.exe, runs it with --cli and hands
 * on its exit code. A script is needed because a command prompt does not wait for a windowed program
 * (which Mailroom.exe is) unless a command script runs it.
 */
function windowsCliProblems(c: Config, script = fs.readFileSync(path.join(ROOT, 'packaging', 'windows', 'mailroom.cmd'), 'utf8')): string[] {
  const problems: string[] = [];
  const extra = (section(c, 'win').extraFiles ?? []) as Array<{ from?: string; to?: string }>;
  const entry = extra.find((e) => e.from === 'packaging/windows/mailroom.cmd');
  if (!entry) problems.push('win.extraFiles does not ship packaging/windows/mailroom.cmd');
  else if (entry.to !== 'mailroom.cmd') problems.push(`win.extraFiles puts mailroom.cmd at ${String(entry.to)}, not beside ${String(c.productName)}.exe`);
  const lines = script.split('\r\n');
  if (script.replaceAll('\r\n', '').includes('\n')) problems.push('mailroom.cmd must have Windows (CRLF) line endings');
  if (!lines.includes(`"%~dp0${String(c.productName)}.exe" --cli %*`)) problems.push(`mailroom.cmd must run "%~dp0${String(c.productName)}.exe" --cli %*`);
  const run = lines.findIndex((l) => l.includes('.exe" --cli'));
  if (lines[run + 1] !== 'exit /b %ERRORLEVEL%') problems.push('mailroom.cmd must hand on the exit code (exit /b %ERRORLEVEL%) right after the run');
  return problems;
}

// --- The release workflow, read as the GitHub runner reads it. ---

type Step = { name?: string; run?: string; uses?: string; if?: string; env?: Record<string, string>; with?: Record<string, string> };
const jobs = (w: Config) => (w.jobs ?? {}) as Record<string, { 'runs-on'?: string; steps?: Step[]; strategy?: { matrix?: { os?: string[] } } }>;
const steps = (w: Config) => Object.values(jobs(w)).flatMap((job) => job.steps ?? []);

function uploadGlobs(w: Config): string[] {
  return steps(w)
    .filter((s) => s.uses?.startsWith('actions/upload-artifact') && /installers/.test(s.with?.name ?? ''))
    .flatMap((s) => (s.with?.path ?? '').split('\n').map((line) => line.trim()).filter(Boolean));
}

const globMatches = (glob: string, file: string) => new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}$`).test(file);

/** The packaging step for a runner OS, and the variables it hands electron-builder. */
function packagingStep(w: Config, os: 'Windows' | 'macOS'): Step | undefined {
  return steps(w).find((s) => /npm run dist/.test(s.run ?? '') && (s.if ?? '').includes(`'${os}'`));
}

function workflowProblems(w: Config, c: Config): string[] {
  const problems: string[] = [];
  const on = (w.on ?? {}) as { push?: { tags?: string[] } };
  if (!on.push?.tags?.includes('v*')) problems.push('the workflow must run on a pushed tag v*');
  const oses = Object.values(jobs(w)).flatMap((job) => job.strategy?.matrix?.os ?? []);
  for (const os of ['windows-latest', 'macos-latest']) if (!oses.includes(os)) problems.push(`the workflow must package on ${os}`);
  const runs = steps(w).map((s) => s.run ?? '');
  const order = ['npm ci', 'npm run test:unit', 'npm run dist -- --release', 'npx playwright test --config test/e2e-packaged/playwright.config.ts'];
  const at = order.map((command) => runs.findIndex((run) => run.includes(command)));
  order.forEach((command, i) => {
    if (at[i] === -1) problems.push(`the workflow never runs ${command}`);
  });
  if (at.every((i) => i !== -1) && at.some((i, k) => k > 0 && i < at[k - 1]!)) problems.push(`the workflow must run ${order.join(', then ')}`);

  // Every installer the config makes is uploaded, and attached to the release.
  const globs = uploadGlobs(w);
  for (const file of [...artifactNames(c, 'win', pkg.version), ...artifactNames(c, 'mac', pkg.version)]) {
    if (!globs.some((glob) => globMatches(glob, `${String(section(c, 'directories').output)}/${file}`))) problems.push(`no upload picks up ${file}`);
  }
  if (!runs.some((run) => /gh release upload/.test(run))) problems.push('the workflow never attaches the installers to the release');

  // Signing: each variable signing reads is handed to the packaging step, from a secret or variable.
  const wanted: Record<'Windows' | 'macOS', string[]> = {
    Windows: [...SIGNING_ENV.certificate, ...SIGNING_ENV.azureAccount, ...SIGNING_ENV.azureCredentials],
    macOS: [...SIGNING_ENV.certificate, ...SIGNING_ENV.installerCertificate, ...SIGNING_ENV.notarisation.flat()],
  };
  for (const os of ['Windows', 'macOS'] as const) {
    const step = packagingStep(w, os);
    if (!step) {
      problems.push(`no packaging step for ${os}`);
      continue;
    }
    const env = step.env ?? {};
    for (const name of wanted[os]) {
      // The API key is a file: a step writes it from a secret and names it in GITHUB_ENV.
      if (name === 'APPLE_API_KEY') {
        if (!runs.some((run) => run.includes(`${name}=`) && run.includes('GITHUB_ENV'))) problems.push(`${os}: nothing sets ${name}`);
        continue;
      }
      if (!(name in env)) problems.push(`${os}: the packaging step does not pass ${name}`);
    }
  }
  // No value of a signing variable anywhere in the workflow is written out.
  const signingNames = new Set([...Object.values(wanted).flat(), 'APPLE_API_KEY_P8']);
  for (const step of steps(w)) {
    for (const [name, value] of Object.entries(step.env ?? {})) {
      if (signingNames.has(name) && !/^\$\{\{\s*(secrets|vars)\.[A-Z0-9_]+\s*\}\}$/.test(String(value))) problems.push(`${name} in "${step.name ?? step.run ?? step.uses}" must come from secrets or vars`);
    }
  }
  return problems;
}

describe('electron-builder.yml', () => {
  it("matches the schema electron-builder ships, which it also enforces", () => {
    expect(schemaProblems(config)).toEqual([]);
    const misspelt = clone(config);
    (misspelt.nsis as Config).perMachin = true;
    expect(schemaProblems(misspelt).join('\n')).toMatch(/additionalProperty.*perMachin/);
  });

  it('points at the files the build produces and the assets that exist', () => {
    expect(section(config, 'extraMetadata').main).toBe(pkg.main);
    expect(fs.existsSync(path.join(ROOT, String(section(config, 'mac').entitlements)))).toBe(true);
  });

  it('flips every fuse the release promises, to the promised value', () => {
    expect(fuseProblems(config)).toEqual([]);
    for (const [name, value] of Object.entries(REQUIRED_FUSES)) {
      const flipped = clone(config);
      (flipped.electronFuses as Config)[name] = !value;
      expect(fuseProblems(flipped), name).toEqual([`electronFuses.${name} must be ${String(value)}, is ${String(!value)}`]);
      const missing = clone(config);
      delete (missing.electronFuses as Config)[name];
      expect(fuseProblems(missing), name).toHaveLength(1);
    }
    expect(fuseProblems({ ...clone(config), electronFuses: null })).toHaveLength(Object.keys(REQUIRED_FUSES).length);
  });

  it('builds NSIS that installs for every user with /S /allusers, and a per-machine MSI', () => {
    expect(windowsProblems(config)).toEqual([]);
    const broken: Array<[string, (c: Config) => void, RegExp]> = [
      ['no MSI', (c) => ((c.win as Config).target = (targetsOf(c, 'win').filter((t) => t.target !== 'msi') as unknown as Json)), /no msi/],
      ['no NSIS', (c) => ((c.win as Config).target = [{ target: 'msi', arch: ['x64'] }]), /no nsis/],
      ['one-click NSIS', (c) => ((c.nsis as Config).oneClick = true), /oneClick/],
      ['NSIS without the choice', (c) => ((c.nsis as Config).perMachine = true), /choice/],
      ['NSIS that cannot elevate', (c) => ((c.nsis as Config).allowElevation = false), /allowElevation/],
      ['per-user MSI', (c) => ((c.msi as Config).perMachine = false), /msi.perMachine/],
      ['MSI that starts the app', (c) => delete (c.msi as Config).runAfterFinish, /runAfterFinish/],
    ];
    for (const [what, breakIt, problem] of broken) {
      const c = clone(config);
      breakIt(c);
      expect(windowsProblems(c).join('\n'), what).toMatch(problem);
    }
  });

  it('builds a DMG and a PKG with the hardened runtime, notarised', () => {
    expect(macProblems(config)).toEqual([]);
    const broken: Array<[string, (c: Config) => void, RegExp]> = [
      ['no PKG', (c) => ((c.mac as Config).target = [{ target: 'dmg', arch: ['arm64'] }]), /no pkg/],
      ['no DMG', (c) => ((c.mac as Config).target = [{ target: 'pkg', arch: ['arm64'] }]), /no dmg/],
      ['no hardened runtime', (c) => ((c.mac as Config).hardenedRuntime = false), /hardenedRuntime/],
      ['notarisation off', (c) => ((c.mac as Config).notarize = false), /notarize/],
      ['notarisation left to chance', (c) => delete (c.mac as Config).notarize, /notarize/],
      ['entitlements missing', (c) => ((c.mac as Config).entitlements = 'assets/none.plist'), /entitlements/],
    ];
    for (const [what, breakIt, problem] of broken) {
      const c = clone(config);
      breakIt(c);
      expect(macProblems(c).join('\n'), what).toMatch(problem);
    }
  });

  it('asks the hardened runtime for JIT only', () => {
    const plist = fs.readFileSync(path.join(ROOT, String(section(config, 'mac').entitlements)), 'utf8');
    const granted = [...plist.matchAll(/<key>([^<]+)<\/key>\s*<true\/>/g)].map((m) => m[1]);
    expect(granted).toContain('com.apple.security.cs.allow-jit');
    // Nothing on macOS loads unsigned code: koffi (MAPI) is loaded on Windows only.
    for (const weaker of ['com.apple.security.cs.allow-unsigned-executable-memory', 'com.apple.security.cs.disable-library-validation', 'com.apple.security.cs.allow-dyld-environment-variables']) {
      expect(granted).not.toContain(weaker);
    }
  });

  it('writes no signing secret into the file', () => {
    expect(secretProblems(config)).toEqual([]);
    const leaks: Array<[string, (c: Config) => void]> = [
      ['a certificate', (c) => ((c.win as Config).cscLink = 'MIIKcQIBAzCCCjcGCSqGSIb3DQEHAaCCCigEggokMIIKIDCCBNcGCSqGSIb3DQEHBqCCBMgwggTEAgEAMIIEvQYJKoZIhvcNAQcBMBwGCiqGSIb3DQEMAQYwDgQI')],
      ['a certificate password', (c) => ((c.mac as Config).cscKeyPassword = 'hunter2')],
      ['a signtool password', (c) => ((section(c, 'win').signtoolOptions as Config).certificatePassword = 'hunter2')],
      ['a certificate file', (c) => ((section(c, 'win').signtoolOptions as Config).certificateFile = 'certs/mailroom.pfx')],
      ['an API key file', (c) => ((c.mac as Config).identity = 'keys/AuthKey_ABC123.p8')],
      ['a pasted key', (c) => ((c.mac as Config).provisioningProfile = '-----BEGIN PRIVATE KEY-----\nMIIE')],
      ['an Azure client secret', (c) => ((c.win as Config).azureSignOptions = { endpoint: 'https://eus.codesigning.azure.net', certificateProfileName: 'p', codeSigningAccountName: 'a', clientSecret: 'x' })],
    ];
    for (const [what, leak] of leaks) {
      const c = clone(config);
      leak(c);
      expect(secretProblems(c), what).not.toEqual([]);
    }
  });

  it('ships the policy templates in resources/policy', () => {
    const extra = (config.extraResources ?? []) as Array<{ from: string; to: string; filter?: string[] }>;
    const policy = extra.find((entry) => entry.from === 'packaging/policy');
    expect(policy?.to).toBe('policy');
    const filter = policy?.filter ?? ['**/*'];
    const shipped = (file: string) => filter.some((glob) => (glob === '**/*' ? true : file.endsWith(glob.replace('**/*', ''))));
    const files = fs.readdirSync(path.join(ROOT, 'packaging', 'policy'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    // The Group Policy template, its English strings and the macOS sample profile, each found and shipped.
    for (const ext of ['.admx', '.adml', '.mobileconfig']) {
      const named = files.filter((f) => f.endsWith(ext));
      expect(named, ext).not.toEqual([]);
      for (const f of named) expect(shipped(f), f).toBe(true);
    }
  });

  it('ships mailroom.cmd beside Mailroom.exe, which runs it with --cli and hands on its exit code', () => {
    expect(windowsCliProblems(config)).toEqual([]);
    const script = fs.readFileSync(path.join(ROOT, 'packaging', 'windows', 'mailroom.cmd'), 'utf8');
    const notShipped = clone(config);
    delete (notShipped.win as Config).extraFiles;
    expect(windowsCliProblems(notShipped).join('\n')).toMatch(/does not ship/);
    const elsewhere = clone(config);
    ((elsewhere.win as Config).extraFiles as Config[])[0]!.to = 'bin/mailroom.cmd';
    expect(windowsCliProblems(elsewhere).join('\n')).toMatch(/not beside Mailroom.exe/);
    expect(windowsCliProblems(config, script.replaceAll('\r\n', '\n')).join('\n')).toMatch(/CRLF/);
    expect(windowsCliProblems(config, script.replace(' --cli %*', ' %*')).join('\n')).toMatch(/--cli %\*/);
    expect(windowsCliProblems(config, script.replace('exit /b %ERRORLEVEL%', 'exit /b 0')).join('\n')).toMatch(/hand on the exit code/);
    // The README tells IT where it is.
    expect(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')).toContain('C:\\Program Files\\Mailroom\\mailroom.cmd');
  });

  it("names the installers the way the README's install commands do", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const names = [...artifactNames(config, 'win', 'x.y.z'), ...artifactNames(config, 'mac', 'x.y.z')];
    expect(names).toEqual(['Mailroom-Setup-x.y.z.exe', 'Mailroom-x.y.z.msi', 'Mailroom-x.y.z-x64.dmg', 'Mailroom-x.y.z-arm64.dmg', 'Mailroom-x.y.z-x64.pkg', 'Mailroom-x.y.z-arm64.pkg']);
    for (const name of ['Mailroom-Setup-x.y.z.exe', 'Mailroom-x.y.z.msi', 'Mailroom-x.y.z-arm64.pkg', 'Mailroom-x.y.z-x64.pkg']) expect(readme, name).toContain(name);
  });
});

describe('the fuses in the built binary', () => {
  const { dir, cleanup } = tempDir('mailroom-fuses-');
  afterAll(cleanup);

  /** A stand-in for the Electron binary: its fuse wire as Electron 45 ships it (9 fuses), amid other bytes. */
  function standInElectron(name: string): string {
    const file = path.join(dir, name);
    const wire = Buffer.concat([Buffer.from('dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'), Buffer.from([1, 9]), Buffer.from('101100011')]);
    fs.writeFileSync(file, Buffer.concat([Buffer.alloc(4096, 0x90), wire, Buffer.alloc(4096, 0x90)]));
    return file;
  }

  it('read back as configured after electron-builder flips them with this config', async () => {
    // electron-builder's own translation of electronFuses into @electron/fuses' config, the one it
    // runs on the real binary before signing.
    const { PlatformPackager } = require('app-builder-lib') as { PlatformPackager: { prototype: { generateFuseConfig(fuses: unknown): Promise<FuseConfig> } } };
    const fuseConfig = await PlatformPackager.prototype.generateFuseConfig.call(null, config.electronFuses);
    expect(fuseConfig.version).toBe(FuseVersion.V1);
    const binary = standInElectron('Electron');
    await flipFuses(binary, fuseConfig);
    const actual = await readFuses(binary);
    expect(fuseMismatches(configuredFuses(CONFIG_FILE), actual)).toEqual([]);
    // Electron's newer fuse (WebAssembly trap handlers), which electron-builder does not know, keeps its default.
    expect(actual.fuse8).toBe(true);
  });

  it('are reported when the binary does not carry them', async () => {
    const binary = standInElectron('Unflipped');
    expect(fuseMismatches(configuredFuses(CONFIG_FILE), await readFuses(binary)).sort()).toEqual([
      'enableCookieEncryption: configured true, binary has false',
      'enableEmbeddedAsarIntegrityValidation: configured true, binary has false',
      'enableNodeCliInspectArguments: configured false, binary has true',
      'enableNodeOptionsEnvironmentVariable: configured false, binary has true',
      'grantFileProtocolExtraPrivileges: configured false, binary has true',
      'onlyLoadAppFromAsar: configured true, binary has false',
      'runAsNode: configured false, binary has true',
    ]);
  });
});

describe('release workflow', () => {
  it('builds on Windows and macOS, tests, signs from secrets and attaches every installer', () => {
    expect(workflowProblems(workflow, config)).toEqual([]);
  });

  it('fails when it drifts from the config', () => {
    const moreTargets = clone(config);
    (moreTargets.win as Config).target = [...targetsOf(moreTargets, 'win'), { target: 'portable', arch: ['x64'] }] as unknown as Json;
    (moreTargets as Config).portable = { artifactName: '${productName}-Portable-${version}.${ext}' };
    expect(workflowProblems(workflow, moreTargets).join('\n')).toMatch(/no upload picks up Mailroom-Portable-/);

    const renamed = clone(config);
    (renamed.msi as Config).artifactName = '${productName} Installer ${version}.${ext}';
    expect(workflowProblems(workflow, renamed).join('\n')).toMatch(/no upload picks up Mailroom Installer/);

    const noNotarisation = clone(workflow);
    const macStep = packagingStep(noNotarisation, 'macOS')!;
    delete macStep.env!.APPLE_TEAM_ID;
    expect(workflowProblems(noNotarisation, config)).toEqual(['macOS: the packaging step does not pass APPLE_TEAM_ID']);

    const literal = clone(workflow);
    packagingStep(literal, 'Windows')!.env!.CSC_KEY_PASSWORD = 'hunter2';
    expect(workflowProblems(literal, config).join('\n')).toMatch(/CSC_KEY_PASSWORD .* must come from secrets or vars/);

    const untested = clone(workflow);
    for (const job of Object.values(jobs(untested))) job.steps = (job.steps ?? []).filter((s) => !/playwright test/.test(s.run ?? ''));
    expect(workflowProblems(untested, config).join('\n')).toMatch(/never runs npx playwright test/);
  });

  it('is the only place the packaged app is tested: npm test picks up neither its spec nor its config', async () => {
    const spec = 'test/e2e-packaged/packaged.spec.ts';
    expect(fs.existsSync(path.join(ROOT, spec))).toBe(true);
    const vitestConfig = (await import('../../vitest.config')).default as { test: { projects: Array<{ test: { include: string[] } }> } };
    for (const project of vitestConfig.test.projects) for (const glob of project.test.include) expect(glob.startsWith('test/e2e-packaged'), glob).toBe(false);
    const e2eConfig = (await import('../e2e/playwright.config')).default as { testDir: string };
    expect(path.relative(e2eConfig.testDir, path.join(ROOT, spec)).startsWith('..')).toBe(true);
    expect(pkg.scripts.test).not.toMatch(/e2e-packaged/);
  });
});

describe('scripts/dist.mjs', () => {
  it('adds Azure Trusted Signing only when its account is named, and all of it', () => {
    expect(configFromEnv({})).toEqual({});
    const account = {
      AZURE_TRUSTED_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net',
      AZURE_TRUSTED_SIGNING_ACCOUNT: 'mailroom',
      AZURE_TRUSTED_SIGNING_PROFILE: 'public',
      AZURE_TRUSTED_SIGNING_PUBLISHER: 'Example Ltd',
    };
    const overlay = configFromEnv(account);
    expect(overlay).toEqual({
      win: { azureSignOptions: { endpoint: 'https://weu.codesigning.azure.net', codeSigningAccountName: 'mailroom', certificateProfileName: 'public', publisherName: 'Example Ltd' } },
    });
    expect(() => configFromEnv({ AZURE_TRUSTED_SIGNING_ENDPOINT: 'https://weu.codesigning.azure.net' })).toThrow(
      /AZURE_TRUSTED_SIGNING_ACCOUNT and AZURE_TRUSTED_SIGNING_PROFILE and AZURE_TRUSTED_SIGNING_PUBLISHER/,
    );
    // Laid over the file, as electron-builder does, it is valid config: the schema wants all four.
    expect(schemaProblems({ ...clone(config), win: { ...section(config, 'win'), ...overlay.win } as Config })).toEqual([]);
  });

  it('treats a secret that arrives empty as not set', () => {
    expect(dropEmptySigningEnv({ CSC_LINK: '', CSC_KEY_PASSWORD: 'x', PATH: '' })).toEqual({ CSC_KEY_PASSWORD: 'x', PATH: '' });
  });

  it('refuses a release that would not be signed, or on macOS not notarised', () => {
    expect(releaseProblems('win32', {})).toHaveLength(1);
    expect(releaseProblems('win32', { CSC_LINK: 'MIIK...' })).toEqual([]);
    const azure = { AZURE_TRUSTED_SIGNING_ENDPOINT: 'e', AZURE_TRUSTED_SIGNING_ACCOUNT: 'a', AZURE_TRUSTED_SIGNING_PROFILE: 'p', AZURE_TRUSTED_SIGNING_PUBLISHER: 'n', AZURE_TENANT_ID: 't', AZURE_CLIENT_ID: 'c' };
    expect(releaseProblems('win32', azure).join('')).toMatch(/AZURE_CLIENT_SECRET/);
    expect(releaseProblems('win32', { ...azure, AZURE_CLIENT_SECRET: 's' })).toEqual([]);

    expect(releaseProblems('darwin', {})).toHaveLength(2);
    expect(releaseProblems('darwin', { CSC_LINK: 'x', APPLE_ID: 'a', APPLE_APP_SPECIFIC_PASSWORD: 'p' }).join('')).toMatch(/neither set is complete/);
    expect(releaseProblems('darwin', { CSC_LINK: 'x', APPLE_ID: 'a', APPLE_APP_SPECIFIC_PASSWORD: 'p', APPLE_TEAM_ID: 't' })).toEqual([]);
    expect(releaseProblems('darwin', { CSC_LINK: 'x', APPLE_API_KEY: '/tmp/k.p8', APPLE_API_KEY_ID: 'i', APPLE_API_ISSUER: 's' })).toEqual([]);
    expect(releaseProblems('linux', { CSC_LINK: 'x' })).toHaveLength(1);
  });

  it('is what npm run dist runs', () => {
    expect(pkg.scripts.dist).toMatch(/node scripts\/dist\.mjs$/);
  });
});
