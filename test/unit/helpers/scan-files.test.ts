// A "no secret on disk" check that found nothing to read must fail, not pass.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filesToScan, scannedBytes } from '../../helpers/scan-files';
import { tempDir } from '../../helpers/temp-dir';

let work: ReturnType<typeof tempDir>;
beforeEach(() => (work = tempDir('scan-files-')));
afterEach(() => work.cleanup());

describe('filesToScan', () => {
  it('refuses a missing folder, an empty one, and one with only empty files', () => {
    expect(() => filesToScan(path.join(work.dir, 'nowhere'))).toThrow(/does not exist/);
    expect(() => filesToScan(work.dir)).toThrow(/Nothing to scan/);
    fs.mkdirSync(path.join(work.dir, 'logs'));
    fs.writeFileSync(path.join(work.dir, 'logs', 'empty.log'), '');
    expect(() => filesToScan(work.dir)).toThrow(/Nothing to scan/);
  });

  it('reads every file under the folder, or only the top level when asked', () => {
    fs.mkdirSync(path.join(work.dir, 'logs'));
    fs.writeFileSync(path.join(work.dir, 'settings.json'), '{}');
    fs.writeFileSync(path.join(work.dir, 'logs', 'smtp.log'), 'EHLO x');
    const all = filesToScan(work.dir);
    expect(all.map((f) => f.name).sort()).toEqual([path.join('logs', 'smtp.log'), 'settings.json']);
    expect(scannedBytes(all)).toBe(8);
    expect(filesToScan(work.dir, { recursive: false }).map((f) => f.name)).toEqual(['settings.json']);
  });
});
