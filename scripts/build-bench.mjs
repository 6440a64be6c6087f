// Bundles the benchmarks so they run on plain Node.
import { build } from 'esbuild';

await build({
  entryPoints: { outbox: 'bench/outbox.bench.ts', 'sink-process': 'bench/sink-process.ts', ui: 'bench/ui.bench.ts' },
  // The browser driver stays in node_modules: it finds its own files at run time.
  external: ['@playwright/test', 'playwright', 'playwright-core'],
  outdir: 'dist/bench',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  banner: { js: "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);" },
  logLevel: 'warning',
  define: { MAILROOM_VERSION: '"bench"' },
});
