// Reading a policy file (a JSON file, or a managed preferences plist): whole, never more than a
// policy file can be, and what a failure to read it means for the policy.
import fs from 'node:fs';

/** A file over the size a policy file can be: its message is said as it is. */
export class TooLargeError extends Error {}

/**
 * The whole file, refusing a folder and a file over `maxBytes` (said by `tooLarge`); otherwise
 * fails as fs does, with the errno code.
 */
export async function readPolicyFile(file: string, maxBytes: number, tooLarge: (size: number) => string): Promise<Buffer> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw Object.assign(new Error('A folder stands where the file should be'), { code: 'EISDIR' });
    if (stat.size > maxBytes) throw new TooLargeError(tooLarge(stat.size));
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * What an error reading a policy file means: undefined when the file is not there (no policy), else
 * the problem of the whole file. `permission` says who should be able to read such a file.
 */
export function policyFileProblem(error: unknown, permission: string): string | undefined {
  if (error instanceof TooLargeError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
  if (code === 'EACCES' || code === 'EPERM') return `The file cannot be read: permission denied (${permission})`;
  if (code === 'EISDIR') return 'A folder stands where the file should be';
  return `The file cannot be read: ${error instanceof Error ? error.message : String(error)}`;
}
