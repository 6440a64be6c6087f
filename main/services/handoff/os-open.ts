// The hand-off's view of the system opener (../os-open.ts): the same programs, found the same way,
// with the hand-off's own failure codes so it can say "the default mail client" in its messages.
import type { Result } from '../../../preload/contract';
import { openWithSystem, openerCommand, type OpenOptions } from '../os-open';

export { findOnPath, openerCommand, DEFAULT_OPEN_WAIT_MS, type OpenOptions } from '../os-open';

export type OpenResult = { ok: true; detail: string } | { ok: false; code: 'opener-missing' | 'opener-failed'; message: string };
export type Opener = (target: string) => Promise<OpenResult>;

export async function openWithDefaultApp(target: string, options: OpenOptions = {}): Promise<OpenResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  if (target === '' || target.startsWith('-')) return { ok: false, code: 'opener-failed', message: 'Nothing valid to open.' };
  const cmd = openerCommand(target, platform, env);
  if ('missing' in cmd) return { ok: false, code: 'opener-missing', message: `No "${cmd.missing}" was found to open the default mail client.` };
  return fromResult(await openWithSystem(target, options));
}

function fromResult(result: Result<string>): OpenResult {
  if (result.ok) return { ok: true, detail: result.value };
  return { ok: false, code: result.error.code === 'unavailable' ? 'opener-missing' : 'opener-failed', message: result.error.message };
}
