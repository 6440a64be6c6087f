// A profile's CA certificate file is read without ever waiting on it: a named pipe, a device or a
// huge file named there is refused at once, under the field, and the app goes on answering.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch, type Dispatch } from '../../main/api/dispatch';
import { createHandlers } from '../../main/api/handlers';
import { createServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { newProfile, type SmtpProfile } from '../../preload/contract';
import { tempDir } from '../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
let dispatch: Dispatch;
const children: ChildProcess[] = [];
const ctx = { shell: 'electron' as const };

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  dispatch = createDispatch(createHandlers(createServices({ dataDir: dir, shell: 'browser', version: 't', createFile: createConfFile })));
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill();
  cleanup();
});

function profileWithCa(caFile: string): SmtpProfile {
  // Port 9 (discard) on loopback: nothing listens, and nothing should be tried before the CA file is read.
  return { ...newProfile('p1', 'Office'), host: '127.0.0.1', port: 9, username: 'u', fromAddress: 'a@acme.example', caFile, timeoutSeconds: 2 };
}

async function caFileError(caFile: string) {
  const tested = await dispatch('smtp:test-connection', { profile: profileWithCa(caFile), password: 'typed' }, ctx);
  const sent = await dispatch('smtp:send-test', { profile: profileWithCa(caFile), password: 'typed', to: 'it@acme.example' }, ctx);
  expect(sent).toEqual(tested);
  return tested;
}

const unix = process.platform !== 'win32';

describe('the CA certificate file', () => {
  it.runIf(unix)('a named pipe is refused as not a regular file, without waiting for a writer', async () => {
    const fifo = path.join(dir, 'ca.pem');
    execFileSync('mkfifo', [fifo]);
    // Were the pipe opened for a blocking read, only this writer would end the wait, 20 seconds on
    // (so a broken build fails here instead of hanging the run).
    children.push(spawn('sh', ['-c', 'sleep 20; printf x > "$1"', 'sh', fifo], { stdio: 'ignore' }));
    const started = Date.now();
    const result = await caFileError(fifo);
    // A generous bound: it proves no wait for the writer, not any speed.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'caFile', message: expect.stringMatching(/not a regular file/i) }] } });
  });

  it.runIf(fs.existsSync('/dev/zero'))('a device is refused as not a regular file', async () => {
    expect(await caFileError('/dev/zero')).toMatchObject({ ok: false, error: { fields: [{ path: 'caFile', message: expect.stringMatching(/not a regular file/i) }] } });
  });

  it('a folder is refused as not a regular file', async () => {
    expect(await caFileError(dir)).toMatchObject({ ok: false, error: { fields: [{ path: 'caFile', message: expect.stringMatching(/not a regular file/i) }] } });
  });

  it('a file larger than 1 MB is refused, even one that starts like a certificate', async () => {
    const big = path.join(dir, 'big.pem');
    const head = '-----BEGIN CERTIFICATE-----\n';
    fs.writeFileSync(big, head + 'A'.repeat(1024 * 1024 + 1 - head.length));
    expect(fs.statSync(big).size).toBe(1024 * 1024 + 1);
    expect(await caFileError(big)).toMatchObject({ ok: false, error: { fields: [{ path: 'caFile', message: expect.stringMatching(/larger than 1 MB/) }] } });
    // 1 MB exactly is still read: it starts like a certificate, so the test goes on to connect.
    fs.truncateSync(big, 1024 * 1024);
    const read = await dispatch('smtp:test-connection', { profile: profileWithCa(big), password: 'typed' }, ctx);
    expect(read).toMatchObject({ ok: true, value: { ok: false, target: '127.0.0.1:9' } });
  });

  it('a missing file, and one without a certificate, still say so', async () => {
    expect(await caFileError(path.join(dir, 'missing.pem'))).toMatchObject({ ok: false, error: { fields: [{ path: 'caFile', message: 'The file does not exist' }] } });
    const empty = path.join(dir, 'empty.pem');
    fs.writeFileSync(empty, 'not a certificate');
    expect(await caFileError(empty)).toMatchObject({ ok: false, error: { fields: [{ path: 'caFile', message: 'No PEM certificate in this file' }] } });
  });
});
