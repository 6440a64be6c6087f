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

// Loaded from node_modules when first needed, not bundled: koffi carries a native module per
// platform, and MSAL and the MIME parser are large and needed only for Microsoft 365, so every
// command starts without parsing them.
const LOADED_ON_USE = ['koffi', '@azure/msal-node', 'mailparser'];

rmSync('dist/main', { recursive: true, force: true });
rmSync('dist/preload', { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: { cli: 'main/cli/bin.ts' }, outdir: 'dist', external: LOADED_ON_USE }),
  build({ ...common, entryPoints: { electron: 'main/electron/main.ts' }, outdir: 'dist/main', external: ['electron', ...LOADED_ON_USE] }),
  // The preload runs sandboxed: one self-contained file, with only electron left to require.
  build({ ...common, entryPoints: { preload: 'preload/index.ts' }, outdir: 'dist/preload', external: ['electron'], target: 'chrome130', minify: true }),
]);
