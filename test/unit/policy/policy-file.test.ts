// Policy files as they are on disk, not as they should be: missing, a folder in their place, or far
// larger than a policy can be. Each is no policy or a problem of the whole file, never a crash.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJsonPolicy } from '../../../main/services/policy/linux';
import { readManagedPlist } from '../../../main/services/policy/macos';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const whole = (source: string, message: string | RegExp) => ({ source, found: true, values: {}, problems: [{ path: '', message }] });

describe.each([
  ['a JSON policy file', 'policy.json', readJsonPolicy, /^The file is \d+ bytes; a policy file is at most 1048576$/],
  ['a managed preferences plist', 'com.mailroom.desktop.plist', (file: string) => readManagedPlist(file), /^The file cannot be read: it is \d+ bytes; managed preferences for one app are at most 4194304$/],
] as const)('%s', (_what, name, read, tooLarge) => {
  it('that is missing is no policy, with nothing to report', async () => {
    const file = path.join(dir, name);
    expect(await read(file)).toEqual({ source: file, found: false, values: {}, problems: [] });
  });

  it('with a folder in its place is a problem of the whole file', async () => {
    const file = path.join(dir, name);
    fs.mkdirSync(file);
    expect(await read(file)).toEqual(whole(file, 'A folder stands where the file should be'));
  });

  it('far larger than a policy can be is refused unread', async () => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, Buffer.alloc(5 * 1024 * 1024, 0x20));
    expect(await read(file)).toMatchObject(whole(file, expect.stringMatching(tooLarge) as unknown as string));
  });
});
