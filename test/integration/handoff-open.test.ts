// The OS-default hand-off for real on Linux: a recording xdg-open first on PATH is spawned by the
// real opener code, keeps its argv and a copy of what it was given, and the draft is parsed back.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handOff, openWebLink, sweepStaleHandoffFolders, whenCleanedUp } from '../../main/services/handoff/handoff';
import { normalizeMessage } from '../../main/services/handoff/handoff-message';
import { openWithDefaultApp } from '../../main/services/handoff/os-open';
import { tempDir } from '../helpers/temp-dir';
import { HOSTILE, hostileMessage } from '../unit/handoff/hostile';

const RECORDER = `#!/bin/sh
# Records one call: argv NUL-separated, and a copy of the file it was asked to open.
dir="$RECORD_DIR/call-$(date +%s%N)-$$"
mkdir -p "$dir"
for a in "$@"; do printf '%s\\0' "$a"; done > "$dir/argv"
if [ -f "$1" ]; then cp "$1" "$dir/file"; fi
if [ -n "$OPENER_STDERR" ]; then printf '%s' "$OPENER_STDERR" >&2; fi
if [ -n "$OPENER_SLEEP" ]; then sleep "$OPENER_SLEEP"; fi
exit "\${OPENER_EXIT:-0}"
`;

let work: ReturnType<typeof tempDir>;
let bin: string;
let records: string;
let tempRoot: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  work = tempDir('handoff-open-');
  bin = path.join(work.dir, 'bin');
  records = path.join(work.dir, 'records');
  tempRoot = path.join(work.dir, 'tmp');
  for (const d of [bin, records, tempRoot]) fs.mkdirSync(d);
  fs.writeFileSync(path.join(bin, 'xdg-open'), RECORDER, { mode: 0o755 });
  env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, RECORD_DIR: records };
});
afterEach(() => work.cleanup());

function calls(): { argv: string[]; file: Buffer | null }[] {
  return fs
    .readdirSync(records)
    .sort()
    .map((name) => {
      const dir = path.join(records, name);
      const argv = fs.readFileSync(path.join(dir, 'argv'), 'utf8').split('\0').slice(0, -1);
      const file = fs.existsSync(path.join(dir, 'file')) ? fs.readFileSync(path.join(dir, 'file')) : null;
      return { argv, file };
    });
}

function addresses(field: AddressObject | AddressObject[] | undefined) {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list.flatMap((f) => f.value.map((v) => ({ name: v.name, address: v.address ?? '' })));
}

describe.skipIf(process.platform !== 'linux')('OS default client on Linux, for real', () => {
  it('opens a draft .eml that parses back to exactly the message, then removes it after the delay', async () => {
    const { message, bytes } = hostileMessage(work.dir);
    const norm = normalizeMessage(message);
    if (!norm.ok) throw new Error(norm.error.message);

    const result = await handOff(message, { mode: 'os-default', action: 'compose', platform: 'linux', env, tempRoot, cleanupDelayMs: 300 });
    expect(result).toEqual({ ok: true, mode: 'os-default', detail: 'Opened a draft in the default mail client.' });

    const [call, ...more] = calls();
    expect(more).toEqual([]);
    // One argument: the draft's own path, inside a fresh hand-off folder.
    expect(call!.argv).toHaveLength(1);
    const opened = call!.argv[0]!;
    expect(path.basename(opened)).toBe('message.eml');
    expect(path.dirname(path.dirname(opened))).toBe(tempRoot);
    expect(path.basename(path.dirname(opened))).toMatch(/^mailroom-handoff-\d+-/);
    // The client reads it later: it is still there now.
    expect(fs.existsSync(opened)).toBe(true);

    const parsed = await simpleParser(call!.file!);
    expect(parsed.headers.get('x-unsent')).toBe('1');
    expect(parsed.subject).toBe(norm.value.subject);
    expect(addresses(parsed.to)).toEqual(norm.value.to);
    expect(addresses(parsed.cc)).toEqual(norm.value.cc);
    expect(addresses(parsed.bcc)).toEqual(norm.value.bcc);
    expect(addresses(parsed.to)).toHaveLength(300);
    expect(parsed.text).toBe(message.text!.replace(/\r\n|\r/g, '\n'));
    expect(parsed.html).toBe(message.html!.replace(/\r\n|\r/g, '\n'));
    expect(parsed.attachments.map((a) => a.filename)).toEqual(norm.value.attachments.map((a) => a.filename));
    expect(parsed.attachments.map((a) => Buffer.from(a.content))).toEqual(bytes);

    await whenCleanedUp();
    expect(fs.existsSync(opened)).toBe(false);
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('opens a short plain message as a mailto: link, leaving no file at all', async () => {
    const subject = `Invoice 42 ${HOSTILE[4]} ${HOSTILE[9]}`;
    const text = `Dear Ann,\n${HOSTILE[3]}\n${HOSTILE[7]}`;
    const result = await handOff({ to: ['Ann <ann@example.test>', 'bob@example.test'], cc: ['c@example.test'], bcc: [], subject, text, attachments: [] }, { mode: 'os-default', action: 'compose', platform: 'linux', env, tempRoot });
    expect(result).toEqual({ ok: true, mode: 'os-default', detail: 'Opened a new message in the default mail client (mailto:).' });
    const [call] = calls();
    expect(call!.argv).toHaveLength(1);
    const url = new URL(call!.argv[0]!);
    expect(url.protocol).toBe('mailto:');
    expect(url.pathname.split(',').map(decodeURIComponent)).toEqual(['ann@example.test', 'bob@example.test']);
    expect(url.searchParams.get('cc')).toBe('c@example.test');
    expect(url.searchParams.get('subject')).toBe(subject);
    expect(url.searchParams.get('body')).toBe(text.replace(/\n/g, '\r\n'));
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('Autodetect on Linux goes to the OS default client and says why', async () => {
    const result = await handOff({ to: ['a@example.test'], cc: [], bcc: [], subject: 's', html: '<p>x</p>', attachments: [] }, { mode: 'autodetect', action: 'compose', platform: 'linux', env, tempRoot, cleanupDelayMs: 50 });
    expect(result).toMatchObject({ ok: true, mode: 'os-default', detection: { mode: 'os-default', steps: [{ check: 'outlook-classic', found: false }, { check: 'mapi', found: false }, { check: 'os-default', found: true }] } });
    expect(calls()).toHaveLength(1);
    await whenCleanedUp();
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('reports an opener that fails, with its stderr made harmless, and removes the draft at once', async () => {
    const result = await handOff(
      { to: ['a@example.test'], cc: [], bcc: [], subject: 's', html: '<p>x</p>', attachments: [] },
      { mode: 'os-default', action: 'compose', platform: 'linux', env: { ...env, OPENER_EXIT: '4', OPENER_STDERR: 'xdg-open: no method available\n\u001b[31mred' }, tempRoot, cleanupDelayMs: 60_000 },
    );
    expect(result).toEqual({ ok: false, mode: 'os-default', code: 'opener-failed', reason: 'xdg-open failed (exit code 4): xdg-open: no method available ?[31mred.' });
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('reports a missing opener', async () => {
    const result = await handOff(
      { to: ['a@example.test'], cc: [], bcc: [], subject: 's', html: '<p>x</p>', attachments: [] },
      { mode: 'os-default', action: 'compose', platform: 'linux', env: { ...env, PATH: path.join(work.dir, 'empty') }, tempRoot },
    );
    expect(result).toMatchObject({ ok: false, code: 'opener-missing' });
    expect(fs.readdirSync(tempRoot)).toEqual([]);
  });

  it('takes an opener still running after the wait as handed over', async () => {
    const started = Date.now();
    const result = await openWithDefaultApp(path.join(work.dir, 'x.eml'), { platform: 'linux', env: { ...env, OPENER_SLEEP: '1' }, waitMs: 200 });
    expect(result).toEqual({ ok: true, detail: 'Handed to xdg-open.' });
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('cannot send through the default client: nothing is opened', async () => {
    const result = await handOff({ to: ['a@example.test'], cc: [], bcc: [], subject: 's', text: 't', attachments: [] }, { mode: 'os-default', action: 'send', platform: 'linux', env, tempRoot });
    expect(result).toMatchObject({ ok: false, code: 'send-unsupported' });
    expect(calls()).toEqual([]);
  });

  it('opens a Microsoft 365 draft link as given', async () => {
    const link = 'https://outlook.office365.com/owa/?ItemID=AAMkAGI2%2BTHIS%3D&exvsurl=1&viewmodel=ReadMessageItem';
    expect(await openWebLink(link, { platform: 'linux', env })).toMatchObject({ ok: true });
    expect(calls().map((c) => c.argv)).toEqual([[link]]);
  });

  it('sweeps folders a previous run left behind on the next start', () => {
    const old = path.join(tempRoot, `mailroom-handoff-${Date.now() - 11 * 60_000}-abcdef`);
    const recent = path.join(tempRoot, `mailroom-handoff-${Date.now()}-ghijkl`);
    fs.mkdirSync(old);
    fs.writeFileSync(path.join(old, 'message.eml'), 'x');
    fs.mkdirSync(recent);
    expect(sweepStaleHandoffFolders(tempRoot)).toEqual([old]);
    expect(fs.readdirSync(tempRoot)).toEqual([path.basename(recent)]);
  });
});
