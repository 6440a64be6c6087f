// The renderer's hooks rule in eslint.config.js, tried the way a developer would break it: a
// component that reaches main itself (the bridge, or window.mailroom) is reported; a hook is not.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const RULES = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-properties']);
const eslint = new ESLint({ cwd: root, ruleFilter: ({ ruleId }) => RULES.has(ruleId) });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  const messages = result?.messages ?? [];
  // A parse error or an ignored file would otherwise look like "nothing reported".
  expect(messages.filter((m) => m.fatal || m.ruleId === null)).toEqual([]);
  return messages.filter((m) => m.ruleId !== null && RULES.has(m.ruleId)).map((m) => m.message);
}

const bridgeCall = (specifier: string) => `import { getBridge } from '${specifier}';\nexport const probe = () => getBridge();\n`;

describe('components reach main only through hooks', () => {
  it.each([
    ['renderer/src/smtp/Probe.tsx', '../bridge'],
    ['renderer/src/compose/Probe.tsx', '../bridge'],
    ['renderer/src/components/Probe.tsx', '../bridge'],
    ['renderer/src/smtp/probe-form.ts', '../bridge'],
    ['renderer/src/Probe.tsx', './bridge'],
    ['renderer/src/smtp/parts/Probe.tsx', '../../bridge'],
  ])('%s importing %s is reported', async (file, specifier) => {
    const found = await problems(file, bridgeCall(specifier));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/hook in renderer\/src\/hooks\//);
  });

  it('a component reading window.mailroom is reported', async () => {
    const found = await problems('renderer/src/smtp/Probe.tsx', 'export const probe = () => window.mailroom;\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/renderer\/src\/bridge\.ts/);
  });

  it('a hook may call the bridge', async () => {
    expect(await problems('renderer/src/hooks/useProbe.ts', bridgeCall('../bridge'))).toEqual([]);
  });

  it('the renderer as it stands has no component calling main', async () => {
    const results = await eslint.lintFiles(['renderer/src/**/*.{ts,tsx}']);
    const found = results.flatMap((r) => r.messages.filter((m) => m.ruleId !== null && RULES.has(m.ruleId)).map((m) => `${path.relative(root, r.filePath)}: ${m.message}`));
    expect(results.length).toBeGreaterThan(20);
    expect(found).toEqual([]);
  });
});
