// The files a "no secret on disk" check reads. A scan of nothing passes whatever it looks for, so
// this throws when the folder holds no file or only empty ones: the check must have had something
// to read. Plain Node, no test framework: Vitest and Playwright tests both use it.
import fs from 'node:fs';
import path from 'node:path';

export interface ScannedFile {
  /** The path under the folder scanned. */
  name: string;
  bytes: Buffer;
}

/** Every file under `folder` (all levels, or only the top one), whole. */
export function filesToScan(folder: string, options: { recursive?: boolean } = {}): ScannedFile[] {
  if (!fs.existsSync(folder)) throw new Error(`Nothing to scan: ${folder} does not exist`);
  const files: ScannedFile[] = [];
  for (const entry of fs.readdirSync(folder, { withFileTypes: true, recursive: options.recursive ?? true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.push({ name: path.relative(folder, full), bytes: fs.readFileSync(full) });
  }
  if (scannedBytes(files) === 0) throw new Error(`Nothing to scan: no file with any content in ${folder}`);
  return files;
}

export function scannedBytes(files: readonly ScannedFile[]): number {
  return files.reduce((sum, f) => sum + f.bytes.length, 0);
}
