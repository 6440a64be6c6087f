import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // electron-store imports electron at load; inlining lets the unit tests replace it.
    server: { deps: { inline: ['electron-store'] } },
  },
});
