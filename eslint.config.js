// Lint, including the layering rules: who may import what.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import layers from './scripts/eslint-import-layers.mjs';

const noRawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Use the wrappers: main/electron/ipc-main.ts and preload/ipc-renderer.ts.',
};

// Each layer names what it MAY import; anything else is an error (see scripts/eslint-import-layers.mjs).
// Entries: `node` (Node's built-ins), a package name or `@scope/*`, a folder from the project root
// ending in `/`, or one module from the project root without extension.
const contract = 'preload/contract/';
const servicePackages = ['zod', 'nodemailer', 'mailparser', '@azure/msal-node', 'conf', 'koffi', 'pg'];
const servicesWhy = 'Services run in plain Node and are called from above: pass what they need in, never reach up into main/api, main/host, main/cli, main/electron or the renderer.';

// The services, lowest tier first. A tier may import its own tier and those below it, never one
// above. Anything else in main/services sits on top and may use every tier: index.ts (the front
// door), use-cases/ and access.ts (the rules every caller shares), live-updates.ts. A new module is
// importable from a tier only once it is placed here.
const serviceTiers = [
  {
    name: 'utilities',
    modules: ['main/services/text/', 'main/services/net/', 'main/services/atomic-file', 'main/services/data-dir', 'main/services/os-open'],
  },
  {
    name: 'stores and sign-in',
    modules: ['main/services/settings/', 'main/services/secrets/', 'main/services/oauth/', 'main/services/notices', 'main/services/debug-log/', 'main/services/conf-file'],
  },
  { name: 'mail', modules: ['main/services/mail/'] },
  { name: 'outbox', modules: ['main/services/outbox/'] },
  { name: 'compose and hand-off', modules: ['main/services/compose/', 'main/services/handoff/'] },
];

const filesOf = (module) => (module.endsWith('/') ? `${module}**/*.ts` : `${module}.ts`);

const importLayers = [
  {
    layer: 'The contract (preload/contract)',
    files: ['preload/contract/**/*.ts'],
    allow: ['zod', contract],
    why: 'It is shared by every layer, so it depends on nothing but zod and itself.',
  },
  {
    layer: 'A service (main/services)',
    files: ['main/services/**/*.ts'],
    allow: ['node', ...servicePackages, contract, 'main/services/'],
    why: servicesWhy,
  },
  ...serviceTiers.map((tier, index) => ({
    layer: `The ${tier.name} tier of main/services`,
    files: tier.modules.map(filesOf),
    allow: ['node', ...servicePackages, contract, ...serviceTiers.slice(0, index + 1).flatMap((t) => t.modules)],
    why: `${servicesWhy} Lower tiers may not import higher ones: ${serviceTiers.map((t) => t.name).join(' < ')} < main/services/index.ts.`,
  })),
  {
    layer: 'The request handlers (main/api)',
    files: ['main/api/**/*.ts'],
    allow: ['zod', contract, 'main/api/', 'main/services/index'],
    why: 'Handlers map channels to services through the front door, main/services/index.ts; browser mode, the CLI and Electron call the handlers, not the other way round.',
  },
  {
    layer: 'Browser mode (main/host)',
    files: ['main/host/**/*.ts'],
    allow: ['node', contract, 'main/host/', 'main/api/', 'main/services/'],
    why: 'Browser mode serves the renderer and passes requests to main/api.',
  },
  {
    layer: 'The CLI (main/cli)',
    files: ['main/cli/**/*.ts'],
    // `mailroom serve` starts browser mode.
    allow: ['node', contract, 'main/cli/', 'main/api/', 'main/services/', 'main/host/http-host'],
    why: 'The CLI calls the handlers and services; it never imports Electron.',
  },
  {
    layer: 'The Electron shell (main/electron)',
    files: ['main/electron/**/*.ts'],
    // The app window loads the renderer's files the way browser mode serves them; `Mailroom --cli`
    // runs the CLI through its front door, runCli, and nothing else of it.
    allow: ['node', 'electron', 'electron-store', contract, 'main/electron/', 'main/api/', 'main/services/', 'main/host/static-files', 'main/cli/index'],
    why: 'The shell wires Electron to the handlers and services, and `--cli` to runCli (main/cli/index).',
  },
  {
    layer: 'The preload script (preload)',
    files: ['preload/**/*.ts'],
    ignores: ['preload/contract/**'],
    allow: ['electron', 'preload/'],
    why: 'The preload exposes the contract to the renderer over IPC and nothing else.',
  },
  {
    layer: 'The renderer',
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    allow: ['react', 'react-dom', '@fluentui/*', contract, 'renderer/'],
    why: 'The renderer is a web page: it reaches main only through the bridge (renderer/src/bridge.ts), with no Node, Electron or main/ code.',
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { layers },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { paths: [noRawIpc] }],
    },
  },
  {
    files: ['bin/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  // Later blocks win, so each tier's list replaces the general services list for its files.
  ...importLayers.map(({ layer, files, ignores, allow, why }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: { 'layers/allowed-imports': ['error', { layer, allow, why }] },
  })),
  {
    files: ['main/electron/ipc-main.ts', 'preload/ipc-renderer.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  // --- Renderer: components reach main only through hooks (renderer/src/hooks/). ---
  // Its own rule name, so it adds to the layering rules above instead of replacing them.
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    ignores: [
      'renderer/src/hooks/**',
      'renderer/src/bridge.ts',
    ],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['./bridge', '../bridge', '../../bridge', '**/renderer/src/bridge'],
              message: 'Call main from a hook in renderer/src/hooks/, and use the hook here.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'window', property: 'mailroom', message: 'Reach main through renderer/src/bridge.ts, from a hook in renderer/src/hooks/.' },
      ],
    },
  },
  // --- end of the renderer's hooks rule ---
);
