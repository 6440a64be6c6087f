// The app as users get it: the packaged executable `npm run dist` made, with its real fuses, started
// as is. The release workflow runs this on Windows and macOS after packaging; it is not part of
// `npm test` (see playwright.config.ts here).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { configuredFuses, fuseMismatches, readFuses } from './fuses';
import { launchPackaged, packagedExecutable, ROOT, runPackagedCli, startPackaged, type Answer } from './launch';

const executable = packagedExecutable();
let tempDirs: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailroom-packaged-'));
  tempDirs.push(dir);
  return dir;
}

test.beforeAll(() => {
  expect(fs.existsSync(executable), `${executable}: run npm run dist first, or set MAILROOM_PACKAGED_APP`).toBe(true);
});

test.afterEach(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  tempDirs = [];
});

/** The app's window, once it has loaded the dialog from app://. */
async function appWindow(browser: Browser): Promise<Page> {
  const [context] = browser.contexts();
  if (!context) throw new Error('no browser context over CDP');
  await expect.poll(() => context.pages().filter((p) => p.url().startsWith('app://')).length, { timeout: 30_000 }).toBe(1);
  return context.pages().find((p) => p.url().startsWith('app://'))!;
}

test('the binary carries the fuses electron-builder.yml sets', async () => {
  const actual = await readFuses(executable);
  const configured = configuredFuses(path.join(ROOT, 'electron-builder.yml'));
  expect(Object.keys(configured).length).toBeGreaterThanOrEqual(8);
  expect(fuseMismatches(configured, actual), JSON.stringify(actual)).toEqual([]);
});

test('opens the dialog, and ignores ELECTRON_RUN_AS_NODE and NODE_OPTIONS', async () => {
  const dataDir = tempDir();
  const marker = path.join(tempDir(), 'node-options-ran');
  const preload = path.join(tempDir(), 'preload.cjs');
  fs.writeFileSync(preload, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  // With RunAsNode on, the binary would run as plain Node and refuse --remote-debugging-port; with
  // NODE_OPTIONS honoured, the preload would leave its marker.
  const launched = await launchPackaged(executable, {
    dataDir,
    env: { ELECTRON_RUN_AS_NODE: '1', NODE_OPTIONS: `--require "${preload}"` },
  });
  try {
    const page = await appWindow(launched.browser);
    await expect(page).toHaveTitle('Email settings — Mailroom');
    await expect(page.getByRole('tab', { name: 'General' })).toHaveAttribute('aria-selected', 'true');
    await expect(page.getByRole('tab', { name: 'SMTP' })).toBeVisible();
    await expect(page.getByRole('textbox', { name: 'Organisation name' })).toBeEditable();
    // The renderer has no Node, and reaches main only through the bridge.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { mailroom?: unknown }).mailroom)).toBe('object');
    expect(fs.existsSync(marker), 'NODE_OPTIONS --require ran in the packaged app').toBe(false);
  } finally {
    await launched.stop();
  }
});

test('opens no Node inspector for --inspect', async () => {
  const started = startPackaged(executable, { dataDir: tempDir(), args: ['--inspect=0'] });
  try {
    // Refused at the start, or started without it: either way the inspector never listens. When the
    // app is up, wait for its window, by which time the inspector would long have said so.
    const address = await started.devtools;
    if (address) {
      const browser = await chromium.connectOverCDP(address);
      try {
        await appWindow(browser);
      } finally {
        await browser.close().catch(() => undefined);
      }
    }
    expect(started.output()).not.toMatch(/Debugger listening on/);
  } finally {
    await started.stop();
  }
});

// The command line IT uses on a desktop with no Node.js: the installed app itself, with --cli.
const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function policyFile(): string {
  const file = path.join(tempDir(), 'policy.json');
  fs.writeFileSync(file, JSON.stringify({ general: { organisationName: 'Example Ltd' } }));
  return file;
}

/** policy show --json answered: exit 0, and stdout one JSON document naming the setting the file sets. */
function expectPolicyDocument(answer: Answer, file: string): void {
  expect(answer.code, answer.stderr).toBe(0);
  const view = JSON.parse(answer.stdout) as { sources: { location: string; found: boolean }[]; entries: { path: string; value: unknown; source: string }[]; problems: unknown[] };
  expect(view.entries).toContainEqual({ path: 'general.organisationName', value: 'Example Ltd', source: file });
  expect(view.sources).toContainEqual({ location: file, found: true });
  expect(view.problems).toEqual([]);
}

test('answers the command line with --cli: its version, policy show --json, and a bad command on stderr', async () => {
  const dataDir = tempDir();
  const versionAnswer = await runPackagedCli(executable, ['--version'], { dataDir });
  expect(versionAnswer.code, versionAnswer.stderr).toBe(0);
  expect(versionAnswer.stdout.trim()).toBe(version);

  const file = policyFile();
  expectPolicyDocument(await runPackagedCli(executable, ['policy', 'show', '--json'], { dataDir, env: { MAILROOM_POLICY_FILE: file } }), file);

  const bad = await runPackagedCli(executable, ['polcy', 'show'], { dataDir });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('error: Unknown command "polcy"');
  expect(bad.stdout).toBe('');
});

test('answers the command line while the dialog is open: --cli takes no single-instance lock', async () => {
  const dataDir = tempDir();
  const launched = await launchPackaged(executable, { dataDir });
  try {
    await appWindow(launched.browser);
    const file = policyFile();
    expectPolicyDocument(await runPackagedCli(executable, ['policy', 'show', '--json'], { dataDir, env: { MAILROOM_POLICY_FILE: file } }), file);
    // The dialog is still there: the call neither took it over nor closed it.
    expect(launched.child.exitCode).toBeNull();
  } finally {
    await launched.stop();
  }
});

test('mailroom.cmd beside Mailroom.exe waits for the answer and hands on the exit code', async () => {
  test.skip(process.platform !== 'win32', 'Windows only: the script electron-builder.yml ships there');
  const script = path.join(path.dirname(executable), 'mailroom.cmd');
  expect(fs.existsSync(script), script).toBe(true);
  const dataDir = tempDir();
  const file = policyFile();
  expectPolicyDocument(await runPackagedCli(executable, ['policy', 'show', '--json'], { dataDir, script, env: { MAILROOM_POLICY_FILE: file } }), file);
  const bad = await runPackagedCli(executable, ['polcy', 'show'], { dataDir, script });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('error: Unknown command "polcy"');
});
