// Lint, including the layering rules: who may import what.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noRawIpc = {
  name: 'electron',
  importNames: ['ipcMain', 'ipcRenderer'],
  message: 'Use the wrappers: main/electron/ipc-main.ts and preload/ipc-renderer.ts.',
};
const noElectron = { name: 'electron', message: 'Only main/electron/ and preload/ may import electron; pass Electron pieces into services.' };
const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'child_process', 'crypto', 'http', 'https', 'net', 'tls', 'url', 'util', 'stream', 'events'];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
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
    // The renderer is a web page: no main-process code, no Electron, no Node.
    files: ['renderer/**/*.{ts,tsx}'],
    ignores: ['renderer/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer reaches main only through the bridge (renderer/src/bridge.ts).' }, ...nodeBuiltins.filter((n) => !n.includes('*')).map((name) => ({ name, message: 'No Node in the renderer.' }))],
          patterns: [
            { group: ['node:*'], message: 'No Node in the renderer.' },
            { group: ['**/main/**', '../main', '../../main', '../../../main'], message: 'The renderer may not import main/.' },
            { group: ['**/preload/index', '**/preload/ipc-renderer'], message: 'Only the contract (preload/contract) is shared with the renderer.' },
          ],
        },
      ],
    },
  },
  {
    // The contract is shared by every layer, so it depends on nothing but zod.
    files: ['preload/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            { group: ['node:*'], message: 'The contract imports only zod.' },
            { group: ['**/main/**', '**/renderer/**', '../*', '!./*'], message: 'The contract imports only zod and itself.' },
          ],
        },
      ],
    },
  },
  {
    // Services run in plain Node: no electron, no renderer.
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [noElectron, noRawIpc], patterns: [{ group: ['**/renderer/**'], message: 'main/ may not import renderer/.' }] },
      ],
    },
  },
  {
    files: ['main/electron/**/*.ts'],
    ignores: ['main/electron/ipc-main.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noRawIpc], patterns: [{ group: ['**/renderer/**'], message: 'main/ may not import renderer/.' }] }],
    },
  },
  {
    files: ['preload/**/*.ts'],
    ignores: ['preload/ipc-renderer.ts', 'preload/contract/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noRawIpc] }] },
  },
  {
    files: ['main/electron/ipc-main.ts', 'preload/ipc-renderer.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
