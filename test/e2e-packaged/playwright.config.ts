// End-to-end tests of the packaged app (release/, made by `npm run dist`), run by the release
// workflow: `npx playwright test --config test/e2e-packaged/playwright.config.ts`. Not part of
// `npm test`, whose Playwright config reads test/e2e only: there is no packaged app to test until a
// release build has made one.
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  testDir: fileURLToPath(new URL('.', import.meta.url)),
  testMatch: 'packaged.spec.ts',
  outputDir: fileURLToPath(new URL('../../test-results/packaged', import.meta.url)),
  // One app at a time: each run starts the real executable, with its GPU and renderer processes.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  reporter: 'list',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  forbidOnly: !!process.env.CI,
});
