// Bundles the Node side (CLI, Electron main, preload) with esbuild. The renderer is built by Vite.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  outExtension: { '.js': '.cjs' },
  define: { MAILROOM_VERSION: JSON.stringify(pkg.version) },
};

rmSync('dist/main', { recursive: true, force: true });
rmSync('dist/preload', { recursive: true, force: true });
await Promise.all([
  // koffi carries a native module per platform: loaded from node_modules, never bundled.
  build({ ...common, entryPoints: { cli: 'main/cli/bin.ts' }, outdir: 'dist', external: ['koffi'] }),
  build({ ...common, entryPoints: { electron: 'main/electron/main.ts' }, outdir: 'dist/main', external: ['electron', 'koffi'] }),
  // The preload runs sandboxed: one self-contained file, with only electron left to require.
  build({ ...common, entryPoints: { preload: 'preload/index.ts' }, outdir: 'dist/preload', external: ['electron'], target: 'chrome130', minify: true }),
]);
