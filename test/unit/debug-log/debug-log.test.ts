import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DebugLog, describeFolderError, localTimestamp, logFileName } from '../../../main/services/debug-log/debug-log';
import type { DebugSettings } from '../../../preload/contract';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
let settings: DebugSettings;
const clock = { now: new Date(2026, 10, 21, 8, 15, 30, 250) };

beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  settings = { enabled: true, path: dir, level: 'debug', retentionDays: 14 };
});
afterEach(() => cleanup());

function newLog(): DebugLog {
  return new DebugLog({ settings: () => settings, now: () => clock.now });
}

async function read(log: DebugLog): Promise<string[]> {
  await log.flush();
  const file = path.join(dir, logFileName(clock.now));
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

describe('DebugLog lines', () => {
  it('writes timestamp, profile, conversation id, direction and text', async () => {
    const log = newLog();
    const t = log.conversation({ profileName: 'Main "office"', kind: 'alert' })!;
    t.client('EHLO me');
    t.server('250 ok');
    t.end();
    const lines = await read(log);
    const stamp = localTimestamp(clock.now);
    expect(lines).toEqual([
      `${stamp} "Main 'office'" ${t.id} -- info: Conversation started: alert`,
      `${stamp} "Main 'office'" ${t.id} C: EHLO me`,
      `${stamp} "Main 'office'" ${t.id} S: 250 ok`,
      `${stamp} "Main 'office'" ${t.id} -- info: Conversation ended after ${lines[3]!.match(/after (\d+) ms/)![1]} ms`,
    ]);
    expect(stamp).toMatch(/^2026-11-21T08:15:30\.250[+-]\d{2}:\d{2}$/);
  });

  it('is off when disabled, and reads the settings for each conversation', async () => {
    const log = newLog();
    settings = { ...settings, enabled: false };
    expect(log.conversation({ profileName: 'P', kind: 'send' })).toBeNull();
    settings = { ...settings, enabled: true, level: 'warn' };
    const t = log.conversation({ profileName: 'P', kind: 'send' })!;
    expect(t.level).toBe('warn');
    t.note('info', 'not at warn');
    t.note('warn', 'shown');
    t.client('EHLO not shown');
    t.end();
    expect((await read(log)).map((l) => l.replace(/^.* -- /, ''))).toEqual(['warn: shown']);
  });

  it('never throws, whatever the settings function does', () => {
    const log = new DebugLog({
      settings: () => {
        throw new Error('settings unreadable');
      },
    });
    expect(log.conversation({ profileName: 'P', kind: 'send' })).toBeNull();
    expect(log.status()).toMatchObject({ enabled: false, writable: false });
  });

  it('ignores what is reported after end()', async () => {
    const log = newLog();
    const t = log.conversation({ profileName: 'P', kind: 'send' })!;
    t.end();
    t.client('late');
    t.note('error', 'late');
    expect(await read(log)).toHaveLength(2);
  });

  it('masks the secrets it was given, in the profile name too', async () => {
    const log = newLog();
    const t = log.conversation({ profileName: 'uses s3cret-pass', kind: 'send', secrets: ['s3cret-pass', undefined] })!;
    t.addSecret('token-abcdef-123');
    t.note('info', 'pass=s3cret-pass token=token-abcdef-123');
    t.end();
    const text = (await read(log)).join('\n');
    expect(text).not.toContain('s3cret-pass');
    expect(text).not.toContain('token-abcdef-123');
  });
});

describe('nodemailerLogger', () => {
  it('turns traffic into C:/S: lines, notes into notes, and the message into one line', async () => {
    const log = newLog();
    const t = log.conversation({ profileName: 'P', kind: 'send', secrets: ['pw-123456'] })!;
    const logger = t.nodemailerLogger();
    logger.info({ tnx: 'network', sid: 'x' }, 'Connection established to %s:%s', '127.0.0.1', 25);
    logger.debug({ tnx: 'server' }, '220 hello');
    logger.debug({ tnx: 'client' }, 'AUTH PLAIN AHVzZXIAcHctMTIzNDU2');
    logger.debug({ tnx: 'server' }, '235 ok');
    logger.debug({ tnx: 'client' }, 'DATA');
    logger.debug({ tnx: 'server' }, '354 go');
    logger.debug({ tnx: 'message' }, 'Subject: private\r\n\r\nprivate body');
    logger.debug({ tnx: 'message' }, '.');
    logger.info({ tnx: 'message', inByteCount: 40, outByteCount: 42 }, '<%s bytes encoded mime message (source size %s bytes)>', 42, 40);
    logger.debug({ tnx: 'server' }, '250 queued');
    logger.error({ tnx: 'smtp', err: new Error('x pw-123456') }, 'Send error for %s: %s', '<id>', 'boom pw-123456');
    logger.fatal('a message without fields');
    logger.trace({ tnx: 'dns' }, 'Resolved %s', 'host');
    t.end();
    const lines = (await read(log)).map((l) => l.replace(/^\S+ "P" [0-9a-f]{8} /, ''));
    expect(lines).toEqual([
      '-- info: Conversation started: send',
      '-- info: Connection established to 127.0.0.1:25',
      'S: 220 hello',
      'C: AUTH PLAIN [hidden]',
      'S: 235 ok',
      'C: DATA',
      'S: 354 go',
      'C: [message content: 42 bytes, not logged]',
      '-- info: <42 bytes encoded mime message (source size 40 bytes)>',
      'S: 250 queued',
      '-- error: Send error for <id>: boom ********',
      '-- error: a message without fields',
      '-- debug: Resolved host',
      expect.stringMatching(/^-- info: Conversation ended after \d+ ms$/),
    ]);
  });

  it('at level info, keeps the notes and drops the traffic', async () => {
    settings = { ...settings, level: 'info' };
    const log = newLog();
    const t = log.conversation({ profileName: 'P', kind: 'send' })!;
    const logger = t.nodemailerLogger();
    logger.debug({ tnx: 'server' }, '220 hello');
    logger.info({ tnx: 'network' }, 'Connection established');
    logger.debug({ tnx: 'smtp' }, 'SMTP handshake finished');
    t.end();
    expect((await read(log)).map((l) => l.replace(/^.* -- /, ''))).toEqual([
      'info: Conversation started: send',
      'info: Connection established',
      expect.stringMatching(/^info: Conversation ended/),
    ]);
  });
});

describe('describeFolderError', () => {
  it('says what is wrong in words, with the code', () => {
    expect(describeFolderError(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe('Permission denied: this user may not write there (EACCES)');
    expect(describeFolderError(Object.assign(new Error('x'), { code: 'ENOTDIR' }))).toBe('Part of the path is a file, not a folder (ENOTDIR)');
    expect(describeFolderError(Object.assign(new Error('x'), { code: 'EHOSTDOWN' }))).toMatch(/not answering/);
    expect(describeFolderError(new Error('odd'))).toBe('odd');
  });
});
