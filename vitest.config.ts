// Projects, run apart with `npm run test:unit` / `npm run test:integration` and together by
// `npm test`: unit tests (test/unit; the Electron shell's in unit-electron) touch no network and
// no other process; integration tests (test/integration) use real servers on loopback, real files
// and child processes.
import { defineConfig } from 'vitest/config';

const ALONE = ['test/integration/smtp-fuzz.test.ts'];
// Integration files that need modules of their own: handoff-open waits for every hand-off folder
// removal scheduled in the process (whenCleanedUp), and another file's ten-minute one would be among them.
const FRESH = ['test/integration/handoff-open.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    // Vitest's default is one worker less than the cores: one worker on a two-core machine. Both
    // cores, then: unit tests are pure computation, and integration tests mostly wait on sockets.
    maxWorkers: 2,
    // electron-store imports electron at load; inlining lets the unit tests replace it.
    server: { deps: { inline: ['electron-store'] } },
    projects: [
      {
        // No module is replaced here, so the files share their workers' loaded modules: most of a
        // unit file's time was loading them afresh.
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], exclude: ['test/unit/electron/**'], isolate: false, testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        // These replace the electron module (vi.mock), so each file gets fresh modules of its own.
        extends: true,
        test: { name: 'unit-electron', include: ['test/unit/electron/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        // Nothing is replaced here either (no vi.mock), and every change to process.env, the umask
        // or the process's listeners is put back by the file that made it: the files share their
        // workers' loaded modules too, which saves most of the time spent importing them.
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: [...ALONE, ...FRESH], isolate: false, testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        extends: true,
        test: { name: 'integration-fresh', include: FRESH, testTimeout: 30_000, hookTimeout: 30_000 },
      },
      {
        // Thousands of conversations against deadlines: run last, with the machine to itself, so
        // a deadline it misses is its own and not the neighbour's.
        extends: true,
        test: { name: 'integration-alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 }, testTimeout: 30_000, hookTimeout: 30_000 },
      },
    ],
  },
});
