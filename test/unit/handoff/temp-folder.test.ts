import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyAttachments, createHandoffFolder, HANDOFF_DIR_PREFIX, safeFileName, scheduleRemoval, sweepStaleHandoffFolders, whenCleanedUp } from '../../../main/services/handoff/temp-folder';
import { tempDir } from '../../helpers/temp-dir';

let work: ReturnType<typeof tempDir>;
beforeEach(() => {
  work = tempDir('handoff-temp-');
});
afterEach(() => work.cleanup());

describe('hand-off folders', () => {
  it('are fresh, private and carry their creation time in the name', () => {
    const a = createHandoffFolder(work.dir, 1_700_000_000_000);
    const b = createHandoffFolder(work.dir, 1_700_000_000_000);
    expect(a).not.toBe(b);
    expect(path.basename(a)).toMatch(/^mailroom-handoff-1700000000000-.{6}$/);
    if (process.platform !== 'win32') expect(fs.statSync(a).mode & 0o777).toBe(0o700);
  });

  it('are removed after the delay, without holding the process', async () => {
    const dir = createHandoffFolder(work.dir);
    fs.writeFileSync(path.join(dir, 'message.eml'), 'x');
    scheduleRemoval(dir, 50);
    expect(fs.existsSync(dir)).toBe(true);
    await whenCleanedUp();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('left by an earlier run are swept at start once older than the delay; nothing else is touched', () => {
    const now = 1_800_000_000_000;
    const old = createHandoffFolder(work.dir, now - 11 * 60_000);
    const fresh = createHandoffFolder(work.dir, now - 60_000);
    fs.writeFileSync(path.join(old, 'message.eml'), 'x');
    const stranger = path.join(work.dir, 'someone-else-1');
    fs.mkdirSync(stranger);
    const looksAlike = path.join(work.dir, `${HANDOFF_DIR_PREFIX}12-file`);
    fs.writeFileSync(looksAlike, 'a file, not ours');
    expect(sweepStaleHandoffFolders(work.dir, 10 * 60_000, now)).toEqual([old]);
    expect(fs.readdirSync(work.dir).sort()).toEqual([path.basename(fresh), path.basename(looksAlike), 'someone-else-1'].sort());
    expect(sweepStaleHandoffFolders(path.join(work.dir, 'missing'))).toEqual([]);
  });
});

describe('attachment copies', () => {
  it('get names safe on every platform, keeping the extension', () => {
    expect(safeFileName('..\\..\\evil\r\n"q" \'s 😀.txt')).toBe('.._.._evil___q_ \'s 😀.txt');
    expect(safeFileName('a/b:c*d?e<f>g|h.pdf')).toBe('a_b_c_d_e_f_g_h.pdf');
    expect(safeFileName('invoice $(calc) `x`.pdf')).toBe('invoice $(calc) `x`.pdf');
    expect(safeFileName('CON')).toBe('_CON');
    expect(safeFileName('lpt1.txt')).toBe('_lpt1.txt');
    expect(safeFileName('trailing. . ')).toBe('trailing');
    expect(safeFileName('..')).toBe('attachment');
    expect(safeFileName('')).toBe('attachment');
    const long = safeFileName(`${'x'.repeat(400)}.pdf`);
    expect(long).toHaveLength(150);
    expect(long.endsWith('.pdf')).toBe(true);
  });

  it('keep equal names apart and the bytes exact; a missing or non-file source is a clear failure', async () => {
    const dir = createHandoffFolder(work.dir);
    const a = path.join(work.dir, 'a.bin');
    const b = path.join(work.dir, 'b.bin');
    fs.writeFileSync(a, Buffer.from([0, 255, 10, 13]));
    fs.writeFileSync(b, 'second');
    const r = await copyAttachments(dir, [
      { filename: 'same.pdf', path: a, contentType: 'application/pdf' },
      { filename: 'same.pdf', path: b },
    ]);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.map((c) => path.relative(dir, c.path))).toEqual([path.join('attachment-1', 'same.pdf'), path.join('attachment-2', 'same.pdf')]);
    expect(r.value.map((c) => fs.readFileSync(c.path))).toEqual([fs.readFileSync(a), fs.readFileSync(b)]);
    expect(r.value[0]).toMatchObject({ filename: 'same.pdf', contentType: 'application/pdf' });
    expect(await copyAttachments(dir, [{ filename: 'x', path: work.dir }])).toEqual({ ok: false, message: 'Attachment "x" is not a file.' });
    expect(await copyAttachments(dir, [{ filename: 'y', path: path.join(work.dir, 'nope') }])).toEqual({ ok: false, message: 'Attachment "y" could not be read: ENOENT.' });
  });
});
