// The layering rules in eslint.config.js, tried the way a developer would break them: each forbidden
// import must be reported, and the imports each layer really needs must not be.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LAYER_RULE = 'layers/allowed-imports';
const IPC_RULE = 'no-restricted-imports';
// One instance for every case, running only the two import rules: the rest of the config is not
// what is tried here, and skipping it keeps each case to a few milliseconds.
const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => ruleId === LAYER_RULE || ruleId === IPC_RULE });

/** The layering problems ESLint reports for `code` written in `file` (a path from the project root). */
async function layerProblems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const messages = result?.messages ?? [];
  // A fatal parse error or an ignored file would otherwise look like "nothing reported".
  expect(messages.filter((m) => m.fatal || m.ruleId === null)).toEqual([]);
  return messages.filter((m) => m.ruleId === LAYER_RULE || m.ruleId === IPC_RULE).map((m) => m.message);
}

const importOf = (specifier: string) => `import '${specifier}';\n`;

// [file the import is written in, what it imports]
const forbidden: Array<[string, string]> = [
  // Services never reach up into the shells or across into the renderer.
  ['main/services/probe.ts', '../electron/ipc-main'],
  ['main/services/probe.ts', '../api/handlers'],
  ['main/services/probe.ts', '../host/http-host'],
  ['main/services/probe.ts', '../cli/index'],
  ['main/services/probe.ts', 'electron'],
  ['main/services/probe.ts', 'electron-store'],
  ['main/services/probe.ts', '../../renderer/src/bridge'],
  ['main/services/mail/probe.ts', '../../electron/ipc-main'],
  ['main/services/mail/probe.ts', '../../api/handlers'],
  ['main/services/use-cases/probe.ts', '../../cli/index'],
  ['main/services/outbox/probe.ts', 'react'],
  // The contract is zod and itself.
  ['preload/contract/probe.ts', 'fs'],
  ['preload/contract/probe.ts', 'node:fs'],
  ['preload/contract/probe.ts', '../../main/services'],
  ['preload/contract/probe.ts', '../../main/services/settings/settings-service'],
  ['preload/contract/probe.ts', 'electron'],
  ['preload/contract/probe.ts', '../ipc-renderer'],
  ['preload/contract/probe.ts', '../../renderer/src/bridge'],
  ['preload/contract/probe.ts', 'nodemailer'],
  // The renderer is a web page.
  ['renderer/src/probe.tsx', 'nodemailer'],
  ['renderer/src/probe.tsx', 'conf'],
  ['renderer/src/probe.tsx', 'node:fs'],
  ['renderer/src/probe.tsx', 'fs'],
  ['renderer/src/probe.tsx', 'path'],
  ['renderer/src/probe.tsx', 'electron'],
  ['renderer/src/probe.tsx', '../../main/services'],
  ['renderer/src/smtp/probe.tsx', '../../../main/api/handlers'],
  ['renderer/src/probe.tsx', '../../preload/ipc-renderer'],
  ['renderer/src/probe.tsx', '../../preload/index'],
  // The handlers sit below every shell and use the services through their front door.
  ['main/api/probe.ts', '../host/http-host'],
  ['main/api/probe.ts', '../cli/index'],
  ['main/api/probe.ts', '../electron/main'],
  ['main/api/probe.ts', 'electron'],
  ['main/api/probe.ts', '../services/settings/settings-service'],
  ['main/api/probe.ts', '../services/outbox/outbox'],
  // The shells.
  ['main/host/probe.ts', 'electron'],
  ['main/host/probe.ts', '../cli/index'],
  ['main/host/probe.ts', '../electron/main'],
  ['main/cli/probe.ts', 'electron'],
  ['main/cli/probe.ts', '../electron/main'],
  ['main/cli/commands/probe.ts', '../../../renderer/src/bridge'],
  ['main/electron/probe.ts', '../cli/commands/policy'],
  ['main/electron/probe.ts', '../cli/output'],
  ['main/electron/probe.ts', '../../renderer/src/bridge'],
  ['preload/probe.ts', '../main/services'],
  ['preload/probe.ts', 'node:fs'],
  // Inside the services a lower tier never imports a higher one.
  ['main/services/text/probe.ts', '../mail/compose'],
  ['main/services/text/probe.ts', '../settings/settings-service'],
  ['main/services/net/probe.ts', '../oauth/oauth-service'],
  ['main/services/atomic-file.ts', './settings/settings-service'],
  ['main/services/os-open.ts', './handoff/handoff'],
  ['main/services/settings/probe.ts', '../mail/mail-service'],
  ['main/services/oauth/probe.ts', '../mail/graph'],
  ['main/services/debug-log/probe.ts', '../outbox/outbox'],
  ['main/services/notices.ts', './mail/compose'],
  ['main/services/mail/probe.ts', '../outbox/outbox'],
  ['main/services/mail/probe.ts', '../compose/compose-service'],
  ['main/services/outbox/probe.ts', '../compose/compose-service'],
  ['main/services/outbox/probe.ts', '../handoff/handoff'],
  // Nothing below the top imports the front door or the shared rules.
  ['main/services/compose/probe.ts', '../index'],
  ['main/services/compose/probe.ts', '..'],
  ['main/services/outbox/probe.ts', '../use-cases/settings-use-cases'],
  ['main/services/oauth/probe.ts', '../access'],
];

const allowed: Array<[string, string]> = [
  ['preload/contract/probe.ts', 'zod'],
  ['preload/contract/probe.ts', './smtp'],
  ['main/services/probe.ts', 'node:fs'],
  ['main/services/probe.ts', 'fs/promises'],
  ['main/services/probe.ts', '../../preload/contract'],
  ['main/services/probe.ts', './use-cases/settings-use-cases'],
  ['main/services/probe.ts', './compose/compose-service'],
  ['main/services/probe.ts', '@azure/msal-node'],
  ['main/services/text/probe.ts', './other'],
  ['main/services/net/probe.ts', 'node:https'],
  ['main/services/net/probe.ts', '../text/server-text'],
  ['main/services/settings/probe.ts', '../atomic-file'],
  ['main/services/settings/probe.ts', '../notices'],
  ['main/services/oauth/probe.ts', '../net/https-request'],
  ['main/services/oauth/probe.ts', '../secrets/secret-store'],
  ['main/services/oauth/probe.ts', '../text/server-text'],
  ['main/services/debug-log/probe.ts', '../text/server-text'],
  ['main/services/mail/probe.ts', '../net/https-request'],
  ['main/services/mail/probe.ts', '../oauth/oauth-service'],
  ['main/services/mail/probe.ts', '../../../preload/contract'],
  ['main/services/mail/probe.ts', 'nodemailer/lib/mail-composer'],
  ['main/services/mail/probe.ts', 'mailparser'],
  ['main/services/outbox/probe.ts', '../mail/compose'],
  ['main/services/outbox/probe.ts', '../settings/settings-service'],
  ['main/services/compose/probe.ts', '../outbox/outbox'],
  ['main/services/compose/probe.ts', '../handoff/handoff'],
  ['main/services/handoff/probe.ts', 'koffi'],
  ['main/services/handoff/probe.ts', '../os-open'],
  ['main/services/use-cases/probe.ts', '../access'],
  ['main/services/use-cases/probe.ts', '../outbox/outbox'],
  ['renderer/src/probe.tsx', 'react'],
  ['renderer/src/probe.tsx', 'react-dom/client'],
  ['renderer/src/probe.tsx', '@fluentui/react-components'],
  ['renderer/src/probe.tsx', '@fluentui/react-icons'],
  ['renderer/src/probe.tsx', '../../preload/contract'],
  ['renderer/src/smtp/probe.tsx', '../bridge'],
  ['main/api/probe.ts', '../services'],
  ['main/api/probe.ts', '../services/index'],
  ['main/api/probe.ts', '../../preload/contract'],
  ['main/api/probe.ts', './handlers'],
  ['main/api/probe.ts', 'zod'],
  ['main/host/probe.ts', '../api/dispatch'],
  ['main/host/probe.ts', 'node:http'],
  ['main/cli/probe.ts', '../api/handlers'],
  ['main/cli/probe.ts', '../services/settings/settings-service'],
  ['main/cli/probe.ts', '../host/http-host'],
  ['main/cli/commands/probe.ts', '../output'],
  ['main/electron/probe.ts', 'electron'],
  ['main/electron/probe.ts', 'electron-store'],
  ['main/electron/probe.ts', '../api/dispatch'],
  ['main/electron/probe.ts', '../services/secrets/codecs'],
  ['main/electron/probe.ts', '../cli/index'],
  ['preload/probe.ts', 'electron'],
  ['preload/probe.ts', './contract'],
];

describe('import layering (eslint.config.js)', () => {
  it.each(forbidden)('reports %s importing %s', async (file, specifier) => {
    const problems = await layerProblems(file, importOf(specifier));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`'${specifier}'`);
  });

  it.each(allowed)('lets %s import %s', async (file, specifier) => {
    expect(await layerProblems(file, importOf(specifier))).toEqual([]);
  });

  it('catches every way of writing an import, not only import declarations', async () => {
    const file = 'main/services/mail/probe.ts';
    const forms = [
      "import type { Handlers } from '../../api/handlers';\nexport type H = Handlers;\n",
      "export * from '../../api/handlers';\n",
      "export { dispatch } from '../../api/dispatch';\n",
      "export async function load() { return import('../../cli/index'); }\n",
      "export type T = import('../../host/http-host').HostOptions;\n",
      "// eslint-disable-next-line @typescript-eslint/no-require-imports\nexport const e = require('electron');\n",
    ];
    for (const code of forms) expect(await layerProblems(file, code), code).toHaveLength(1);
  });

  it('refuses an import that leaves the project', async () => {
    expect(await layerProblems('main/services/probe.ts', importOf('../../../outside/thing'))).toHaveLength(1);
  });

  it('says which layer broke the rule, what the import points at, and what to do instead', async () => {
    const [message] = await layerProblems('main/services/mail/probe.ts', importOf('../outbox/outbox'));
    expect(message).toContain('The mail tier of main/services');
    expect(message).toContain('(main/services/outbox/outbox)');
    expect(message).toContain('Lower tiers may not import higher ones');
  });

  it('keeps raw ipcMain and ipcRenderer inside their two wrappers', async () => {
    const raw = "import { ipcMain, ipcRenderer } from 'electron';\nexport { ipcMain, ipcRenderer };\n";
    expect(await layerProblems('main/electron/probe.ts', raw)).toHaveLength(2);
    expect(await layerProblems('preload/probe.ts', raw)).toHaveLength(2);
    expect(await layerProblems('main/electron/ipc-main.ts', raw)).toEqual([]);
    expect(await layerProblems('preload/ipc-renderer.ts', raw)).toEqual([]);
  });
});
