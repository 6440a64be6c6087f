// `npm run shots`: only the tests tagged @shots, with the end-to-end settings, pictures into shots/.
import { defineConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import base from '../playwright.config';

// Read by the spec files in the workers, which inherit this environment.
process.env.MAILROOM_SHOTS = '1';

export default defineConfig({
  ...base,
  testDir: fileURLToPath(new URL('..', import.meta.url)),
  grep: /@shots/,
  grepInvert: undefined,
  outputDir: fileURLToPath(new URL('../../../test-results/shots', import.meta.url)),
  // The pictures are the output; a slow machine still gets them all.
  timeout: 180_000,
});
