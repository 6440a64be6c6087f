// mailroom compose, as the accounting package calls it: the user's Compose with mode decides, the
// OS-default path runs for real with a recording xdg-open first on PATH, and the built-in mailer
// gets a draft. Runs through runCli in this process; PATH and TMPDIR are laid over its environment.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailroom } from '../helpers/cli';
import { tempDir } from '../helpers/temp-dir';

const RECORDER = `#!/bin/sh
dir="$RECORD_DIR/call-$(date +%s%N)-$$"
mkdir -p "$dir"
printf '%s' "$1" > "$dir/target"
if [ -f "$1" ]; then cp "$1" "$dir/file"; fi
`;

let work: ReturnType<typeof tempDir>;
let env: Record<string, string>;
let records: string;
const run = (args: string[]) => mailroom(args, { dataDir: work.dir, env });

function calls(): { target: string; file?: Buffer }[] {
  return fs
    .readdirSync(records)
    .sort()
    .map((d) => {
      const dir = path.join(records, d);
      const file = path.join(dir, 'file');
      return { target: fs.readFileSync(path.join(dir, 'target'), 'utf8'), ...(fs.existsSync(file) ? { file: fs.readFileSync(file) } : {}) };
    });
}

beforeAll(async () => {
  work = tempDir('cli-compose-');
  const bin = path.join(work.dir, 'bin');
  records = path.join(work.dir, 'records');
  fs.mkdirSync(bin);
  fs.mkdirSync(records);
  fs.writeFileSync(path.join(bin, 'xdg-open'), RECORDER, { mode: 0o755 });
  env = { PATH: `${bin}:${process.env.PATH ?? ''}`, RECORD_DIR: records, TMPDIR: path.join(work.dir, 'tmp') };
  fs.mkdirSync(env.TMPDIR!);
  for (const [k, v] of [['general.organisationName', 'Contoso'], ['general.alertFrom', 'alerts@contoso.test'], ['mail.compose', 'autodetect']] as const) {
    const set = await run(['settings', 'set', k, v]);
    expect(set.code, set.stderr).toBe(0);
  }
});
afterAll(() => work?.cleanup());

describe('mailroom compose', () => {
  it('Autodetect on Linux opens a draft .eml (X-Unsent: 1) in the default mail client, attachment included', async () => {
    const invoice = path.join(work.dir, 'Invoice 42.pdf');
    fs.writeFileSync(invoice, Buffer.from('%PDF-1.4 invoice'));
    const subject = 'Invoice 42 "quoted" `tick` $(calc) — ünïcode';
    const result = await run(['compose', '--to', 'client@fabrikam.test', '--cc', 'boss@contoso.test', '--subject', subject, '--html', '<p>Please find <b>invoice 42</b> attached.</p>', '--attach', invoice, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, mode: 'autodetect', detail: expect.stringContaining('default mail client') });
    const call = calls().at(-1)!;
    expect(call.target).toMatch(/mailroom-handoff-.*\/message\.eml$/);
    const parsed = await simpleParser(call.file!);
    expect(parsed.headers.get('x-unsent')).toBe('1');
    expect(parsed.subject).toBe(subject);
    expect((parsed.to as AddressObject).value.map((a) => a.address)).toEqual(['client@fabrikam.test']);
    expect((parsed.cc as AddressObject).value.map((a) => a.address)).toEqual(['boss@contoso.test']);
    expect(parsed.html).toContain('<b>invoice 42</b>');
    expect(parsed.attachments[0]?.filename).toBe('Invoice 42.pdf');
    expect(parsed.attachments[0]?.content.toString()).toBe('%PDF-1.4 invoice');
  });

  it('a short plain message goes as a mailto: link', async () => {
    const result = await run(['compose', '--to', 'client@fabrikam.test', '--subject', 'Statement & balance', '--text', 'Hello,\nyour statement.']);
    expect(result.code, result.stderr).toBe(0);
    const url = new URL(calls().at(-1)!.target);
    expect(url.protocol).toBe('mailto:');
    expect(decodeURIComponent(url.pathname)).toBe('client@fabrikam.test');
    expect(url.searchParams.get('subject')).toBe('Statement & balance');
    expect(url.searchParams.get('body')).toBe('Hello,\r\nyour statement.');
  });

  it('says clearly when the opener is missing, and Outlook is refused off Windows', async () => {
    const noOpener = await mailroom(['compose', '--to', 'client@fabrikam.test', '--subject', 'x', '--text', 'y'], { dataDir: work.dir, env: { ...env, PATH: '/nonexistent' } });
    expect(noOpener.code).toBe(1);
    expect(noOpener.stderr).toMatch(/xdg-open/);
    expect((await run(['settings', 'set', 'mail.compose', 'outlook'])).code).toBe(0);
    const outlook = await run(['compose', '--to', 'client@fabrikam.test', '--subject', 'x']);
    expect(outlook.code).toBe(1);
    expect(outlook.stderr).toMatch(/only on Windows/i);
  });

  it('the built-in mailer gets a draft to finish in New email', async () => {
    expect((await run(['settings', 'set', 'mail.compose', 'builtin'])).code).toBe(0);
    const result = await run(['compose', '--to', 'client@fabrikam.test', '--subject', 'Draft me', '--text', 'a < b', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const { draftId } = JSON.parse(result.stdout) as { draftId: string };
    const draft = JSON.parse(fs.readFileSync(path.join(work.dir, 'drafts', `${draftId}.json`), 'utf8')) as { subject: string; html: string; to: string[] };
    expect(draft).toMatchObject({ subject: 'Draft me', html: '<p>a &lt; b</p>', to: ['client@fabrikam.test'] });
  });
});
