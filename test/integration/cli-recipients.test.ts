// Display names on the command line, as an IT script passes them: mailroom send to a real
// smtp-server (envelope bare, header named) and mailroom compose into the default mail client.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailroom } from '../helpers/cli';
import { createTestCerts, startSmtpServer, type RunningServer } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';

const RECORDER = `#!/bin/sh
dir="$RECORD_DIR/call-$(date +%s%N)-$$"
mkdir -p "$dir"
if [ -f "$1" ]; then cp "$1" "$dir/file"; fi
`;

let srv: RunningServer;
let work: ReturnType<typeof tempDir>;
let env: Record<string, string>;
let records: string;
const run = (args: string[]) => mailroom(args, { dataDir: work.dir, env });
const named = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a.flatMap((x) => x.value) : (a?.value ?? [])).map((v) => ({ name: v.name, address: v.address }));

beforeAll(async () => {
  srv = await startSmtpServer(createTestCerts(), { mode: 'plain', authOptional: true });
  work = tempDir('cli-recipients-');
  const bin = path.join(work.dir, 'bin');
  records = path.join(work.dir, 'records');
  fs.mkdirSync(bin);
  fs.mkdirSync(records);
  fs.writeFileSync(path.join(bin, 'xdg-open'), RECORDER, { mode: 0o755 });
  env = { PATH: `${bin}:${process.env.PATH ?? ''}`, RECORD_DIR: records, TMPDIR: path.join(work.dir, 'tmp') };
  fs.mkdirSync(env.TMPDIR!);
  for (const args of [
    ['settings', 'set', 'general.organisationName', 'Acme'],
    ['settings', 'set', 'general.alertFrom', 'alerts@acme.example'],
    ['settings', 'set', 'mail.compose', 'autodetect'],
    ['profile', 'set', 'Relay', '--host', `127.0.0.1,${srv.port}`, '--security', 'none', '--auth', 'none', '--from-address', 'invoices@acme.example', '--default'],
  ]) {
    const out = await run(args);
    expect(out.code, out.stderr).toBe(0);
  }
});
afterAll(async () => {
  await srv?.close();
  work?.cleanup();
});

describe('display names on the command line', () => {
  it('mailroom send --to "Name <address>": the server gets the bare address, the header the name', async () => {
    const out = await run(['send', '--to', '"Accounts Payable" <ap@example.com>', '--cc', '"Smith, John" <j@example.com>', '--subject', 'Invoice 7', '--text', 'Attached.', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const arrived = srv.log.messages.at(-1)!;
    expect(arrived.to).toEqual(['ap@example.com', 'j@example.com']);
    const parsed = await simpleParser(arrived.raw);
    expect(named(parsed.to)).toEqual([{ name: 'Accounts Payable', address: 'ap@example.com' }]);
    expect(named(parsed.cc)).toEqual([{ name: 'Smith, John', address: 'j@example.com' }]);
  });

  it('mailroom send refuses an unquoted name with a comma and a name with a line break, naming the option', async () => {
    const before = srv.log.messages.length;
    const comma = await run(['send', '--to', 'Smith, John <j@example.com>', '--subject', 'S', '--text', 'T']);
    expect(comma.code).toBe(2);
    expect(comma.stderr).toMatch(/--to: Put a name with commas.*in double quotes/);
    const injected = await run(['send', '--to', 'ok@example.com', '--bcc', '"x\r\nBcc: y@evil.com" <z@example.com>', '--subject', 'S', '--text', 'T']);
    expect(injected.code).toBe(2);
    expect(injected.stderr).toContain('--bcc: A recipient cannot contain line breaks or control characters');
    expect(srv.log.messages.length).toBe(before);
  });

  it('mailroom compose --to "Name <address>" hands the named recipient to the mail client', async () => {
    // HTML makes it a draft .eml (a short plain message would be a mailto: link, which carries addresses only).
    const out = await run(['compose', '--to', 'Zoë Ångström <zoe@example.com>', '--subject', 'Statement', '--html', '<p>Hello</p>', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const file = fs.readdirSync(records).sort().map((d) => path.join(records, d, 'file')).filter((f) => fs.existsSync(f)).at(-1)!;
    const parsed = await simpleParser(fs.readFileSync(file));
    expect(named(parsed.to)).toEqual([{ name: 'Zoë Ångström', address: 'zoe@example.com' }]);
  });
});
