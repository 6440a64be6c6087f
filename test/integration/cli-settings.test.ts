// mailroom settings and serve. The commands run in this process through runCli; the built binary
// itself is run for what only a real process shows: npm run's output, exit codes, signals.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, ensureBuilt, mailroom, mailroomProcess } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';
import { defaultSettings } from '../../preload/contract';

let dir: string;
let cleanup: () => void;
const run = (args: string[], input?: string) => mailroom(args, { dataDir: dir, input });
const settingsFile = () => path.join(dir, 'settings.json');

function complete() {
  const s = defaultSettings();
  s.general.organisationName = 'Acme Ltd';
  s.general.alertFrom = 'alerts@acme.example';
  s.general.bouncedAlerts = 'bounces@acme.example';
  return s;
}

beforeAll(() => ensureBuilt());
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('mailroom settings (CLI)', () => {
  it('prints nothing but JSON on standard output through npm run, as the README shows', async () => {
    const out = spawnSync('npm', ['run', 'mailroom', '--', 'settings', 'get', 'general.debug', '--json'], {
      cwd: ROOT,
      env: { ...process.env, MAILROOM_DATA_DIR: dir },
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ path: 'general.debug', value: defaultSettings().general.debug });
  });

  it('prints help for every command and exits 0', async () => {
    for (const args of [['--help'], ['help'], ['settings', '--help'], ['settings', 'export', '--help'], ['settings', 'import', '--help'], ['settings', 'get', '--help'], ['settings', 'set', '--help'], ['serve', '--help']]) {
      const out = await run(args);
      expect(out.code, args.join(' ')).toBe(0);
      expect(out.stdout, args.join(' ')).toMatch(/Usage|Commands/);
    }
  });

  it('refuses an unknown command or option with exit 2 on stderr', async () => {
    // The real binary: its exit status is what a script sees.
    const unknown = await mailroomProcess(['frobnicate'], { dataDir: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
    const badOption = await run(['settings', 'export', '--bogus']);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('--bogus');
    const missing = await run(['settings', 'get']);
    expect(missing.code).toBe(2);
  });

  it('exports all settings as JSON, imports them back, and round-trips exactly', async () => {
    fs.writeFileSync(path.join(dir, 'in.json'), JSON.stringify(complete()));
    const imported = await run(['settings', 'import', 'in.json', '--json']);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ ok: true, settings: complete() });
    const exported = await run(['settings', 'export']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual(complete());
    fs.writeFileSync(path.join(dir, 'again.json'), exported.stdout);
    expect((await run(['settings', 'import', 'again.json'])).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8'))).toEqual(complete());
  });

  it('validates the whole import file first: names every bad field, exits 2 and keeps what was saved', async () => {
    fs.writeFileSync(path.join(dir, 'good.json'), JSON.stringify(complete()));
    await run(['settings', 'import', 'good.json']);
    const before = fs.readFileSync(settingsFile());
    const bad = complete() as unknown as { general: Record<string, unknown> };
    bad.general.alertFrom = 'alerts@acme.example\r\nBcc: x@evil.example';
    bad.general.systemNotification = 'Two <a@b.example>, c@d.example';
    bad.general.debug = { enabled: true, path: 'relative', level: 'loud', retentionDays: 1.5 };
    bad.general.extra = 1;
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(bad));
    const out = await run(['settings', 'import', 'bad.json']);
    expect(out.code).toBe(2);
    for (const field of ['general.alertFrom', 'general.systemNotification', 'general.debug.path', 'general.debug.level', 'general.debug.retentionDays', 'general.extra']) {
      expect(out.stderr).toContain(field);
    }
    expect(out.stdout).toBe('');
    expect(fs.readFileSync(settingsFile())).toEqual(before);

    const json = await run(['settings', 'import', 'bad.json', '--json']);
    expect(json.code).toBe(2);
    const doc = JSON.parse(json.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.error.fields.map((f: { path: string }) => f.path)).toContain('general.debug.level');

    fs.writeFileSync(path.join(dir, 'broken.json'), '{"version": 1,');
    const broken = await run(['settings', 'import', 'broken.json']);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not valid JSON');
    expect((await run(['settings', 'import', 'nowhere.json'])).stderr).toContain('Cannot read nowhere.json');
    expect(fs.readFileSync(settingsFile())).toEqual(before);
  });

  it('imports from standard input with "-"', async () => {
    const out = await run(['settings', 'import', '-'], JSON.stringify(complete()));
    expect(out.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(settingsFile(), 'utf8'))).toEqual(complete());
  });

  it('gets and sets single values by dot path, validated', async () => {
    expect((await run(['settings', 'set', 'general.alertFrom', 'alerts@acme.example'])).code).toBe(0);
    const get = await run(['settings', 'get', 'general.alertFrom']);
    expect(get.stdout).toBe('alerts@acme.example\n');
    const json = await run(['settings', 'get', 'general.debug', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ path: 'general.debug', value: defaultSettings().general.debug });

    const before = fs.readFileSync(settingsFile());
    const bad = await run(['settings', 'set', 'general.alertFrom', 'not an address']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('general.alertFrom: Enter one email address');
    const days = await run(['settings', 'set', 'general.debug.retentionDays', '-3', '--json']);
    expect(days.code).toBe(2);
    expect(JSON.parse(days.stdout).error.fields[0].path).toBe('general.debug.retentionDays');
    const unknown = await run(['settings', 'get', 'general.nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown setting "general.nope"');
    expect(fs.readFileSync(settingsFile())).toEqual(before);
  });

  it('recovers from a corrupt settings file, says so on stderr, and keeps the damaged file', async () => {
    fs.writeFileSync(settingsFile(), 'garbage{');
    const out = await run(['settings', 'export']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual(defaultSettings());
    expect(out.stderr).toMatch(/warning: .*not valid JSON.*settings\.corrupt-\d{8}T\d{6}Z\.json/);
    const kept = fs.readdirSync(dir).find((f) => f.startsWith('settings.corrupt-'))!;
    expect(fs.readFileSync(path.join(dir, kept), 'utf8')).toBe('garbage{');
    expect((await run(['settings', 'export'])).stderr).toBe('');
  });
});

describe('mailroom serve (CLI)', () => {
  function serve(args: string[], signal: NodeJS.Signals) {
    return new Promise<{ first: string; code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, MAILROOM_DATA_DIR: dir } });
      let stdout = '';
      let stderr = '';
      let first = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.stdout.on('data', async (c: Buffer) => {
        stdout += c.toString();
        if (!first && stdout.includes('\n')) {
          first = stdout.slice(0, stdout.indexOf('\n'));
          const url = args.includes('--json') ? (JSON.parse(first) as { url: string }).url : stdout.match(/http:\/\/\S+/)![0];
          const res = await fetch(new URL('/', url));
          expect(res.status).toBe(res.status);
          child.kill(signal);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ first, code, stderr }));
    });
  }

  it('prints one JSON line with the URL and stops cleanly on SIGTERM', async () => {
    const out = await serve(['--json'], 'SIGTERM');
    expect(JSON.parse(out.first)).toEqual({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{43}$/) });
    expect(out.code).toBe(0);
  });

  it('stops cleanly on SIGINT and uses the port asked for', async () => {
    const probe = await import('node:net').then((net) => new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    }));
    const out = await serve(['--port', String(probe), '--json'], 'SIGINT');
    expect(JSON.parse(out.first).url).toContain(`http://127.0.0.1:${probe}/`);
    expect(out.code).toBe(0);
  });

  it('refuses a bad port', async () => {
    const out = await run(['serve', '--port', '70000']);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('--port must be a whole number from 1 to 65535');
  });
});
