// End-to-end tests of browser mode: each test starts its own `mailroom serve` (see fixtures.ts)
// and drives the dialog in Debian's Chromium.
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  testDir: fileURLToPath(new URL('.', import.meta.url)),
  testMatch: '**/*.spec.ts',
  // Screenshots are taken by `npm run shots` (shots/playwright.config.ts), not tested.
  grepInvert: /@shots/,
  outputDir: fileURLToPath(new URL('../../test-results', import.meta.url)),
  // Every test has its own server, data folder and browser context: any order, one per core.
  workers: 2,
  fullyParallel: true,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    },
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    // A trace records every step and slows each test by about a third on two cores: on demand only
    // (MAILROOM_E2E_TRACE=1), with a screenshot of every failure always kept.
    trace: process.env.MAILROOM_E2E_TRACE ? 'retain-on-failure' : 'off',
    screenshot: 'only-on-failure',
  },
});
