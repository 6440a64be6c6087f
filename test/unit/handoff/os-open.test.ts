import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOnPath, openerCommand, openWithDefaultApp } from '../../../main/services/handoff/os-open';
import { openWebLink } from '../../../main/services/handoff/handoff';
import { tempDir } from '../../helpers/temp-dir';

let work: ReturnType<typeof tempDir>;
beforeEach(() => {
  work = tempDir('handoff-open-unit-');
});
afterEach(() => work.cleanup());

function executable(dir: string, name: string, body = '#!/bin/sh\nexit 0\n'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, body, { mode: 0o755 });
  return file;
}

describe('choosing the opener', () => {
  it('Windows: rundll32 url.dll,FileProtocolHandler from System32, never from PATH', () => {
    expect(openerCommand('C:\\T\\message.eml', 'win32', { SystemRoot: 'C:\\Windows', PATH: work.dir })).toEqual({
      command: 'C:\\Windows\\System32\\rundll32.exe',
      args: ['url.dll,FileProtocolHandler', 'C:\\T\\message.eml'],
    });
  });

  it('macOS: open; Linux: xdg-open; both the first on PATH, the target as one argument', () => {
    const first = path.join(work.dir, 'first');
    const second = path.join(work.dir, 'second');
    fs.mkdirSync(first);
    fs.mkdirSync(second);
    const xdg = executable(second, 'xdg-open');
    const early = executable(first, 'xdg-open');
    executable(second, 'open');
    const env = { PATH: `${first}:${second}` };
    expect(openerCommand('/t/a b.eml', 'linux', env)).toEqual({ command: early, args: ['/t/a b.eml'] });
    expect(openerCommand('mailto:a@b', 'freebsd', { PATH: second })).toEqual({ command: xdg, args: ['mailto:a@b'] });
    expect(openerCommand('/t/x', 'darwin', env)).toEqual({ command: path.join(second, 'open'), args: ['/t/x'] });
    expect(openerCommand('/t/x', 'linux', { PATH: path.join(work.dir, 'none') })).toEqual({ missing: 'xdg-open' });
  });

  it('skips files that are not executable, and directories', () => {
    fs.writeFileSync(path.join(work.dir, 'xdg-open'), 'not executable', { mode: 0o644 });
    fs.mkdirSync(path.join(work.dir, 'open'));
    expect(findOnPath('xdg-open', { PATH: work.dir }, 'linux')).toBeNull();
    expect(findOnPath('open', { PATH: work.dir }, 'darwin')).toBeNull();
    expect(findOnPath('x', {}, 'linux')).toBeNull();
  });
});

describe('opening', () => {
  it('refuses a target that an opener could read as an option', async () => {
    expect(await openWithDefaultApp('--help', { platform: 'linux', env: { PATH: work.dir } })).toMatchObject({ ok: false, code: 'opener-failed' });
    expect(await openWithDefaultApp('', { platform: 'linux', env: { PATH: work.dir } })).toMatchObject({ ok: false, code: 'opener-failed' });
  });

  it('reports a missing opener', async () => {
    expect(await openWithDefaultApp('/x.eml', { platform: 'linux', env: { PATH: work.dir } })).toEqual({ ok: false, code: 'opener-missing', message: 'No "xdg-open" was found to open the default mail client.' });
  });
});

describe('Microsoft 365 drafts', () => {
  it('opens a Graph webLink, and only a plain https one', async () => {
    const opened: string[] = [];
    const open = async (t: string) => {
      opened.push(t);
      return { ok: true as const, detail: 'x' };
    };
    const link = 'https://outlook.office365.com/owa/?ItemID=AAMk%2BAB%3D&exvsurl=1&viewmodel=ReadMessageItem';
    expect(await openWebLink(link, { open })).toEqual({ ok: true, detail: 'x' });
    expect(opened).toEqual([link]);
    expect(await openWebLink('http://outlook.office365.com/x', { open })).toMatchObject({ ok: false, code: 'opener-failed' });
    expect(await openWebLink('https://user:pw@outlook.office365.com/x', { open })).toMatchObject({ ok: false });
    expect(await openWebLink('javascript:alert(1)', { open })).toMatchObject({ ok: false });
    expect(await openWebLink('not a url', { open })).toMatchObject({ ok: false, message: 'The draft link is not a web address.' });
    expect(opened).toHaveLength(1);
  });
});
