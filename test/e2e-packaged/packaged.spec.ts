// The app as users get it: the packaged executable `npm run dist` made, with its real fuses, started
// as is. The release workflow runs this on Windows and macOS after packaging; it is not part of
// `npm test` (see playwright.config.ts here).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { configuredFuses, fuseMismatches, readFuses } from './fuses';
import { launchPackaged, packagedExecutable, ROOT, startPackaged } from './launch';

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
