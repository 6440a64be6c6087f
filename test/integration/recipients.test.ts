// Recipients with display names, sent for real: through the API (mail:send) and the outbox to
// smtp-server on loopback, where the envelope (RCPT TO) must hold bare addresses and the To and Cc
// headers must read back, through mailparser, as the same names and addresses. A hostile name
// never adds a header or a recipient.
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch } from '../../main/api/dispatch';
import { createHandlers } from '../../main/api/handlers';
import { parseBatchFile } from '../../main/cli/batch-file';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { defaultSettings, newProfile, type MailSendResult, type OutgoingMessage } from '../../preload/contract';
import { createTestCerts, startSmtpServer, type RunningServer, type TestCerts } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';

let certs: TestCerts;
let srv: RunningServer;
let data: ReturnType<typeof tempDir>;
let services: FileServices;
let dispatch: ReturnType<typeof createDispatch>;
const ctx = { shell: 'browser' as const };

beforeAll(async () => {
  certs = createTestCerts();
  srv = await startSmtpServer(certs, { mode: 'plain', authOptional: true });
});
afterAll(() => srv.close());

beforeEach(() => {
  data = tempDir();
  services = createServices({ dataDir: data.dir, shell: 'browser', version: 't', createFile: createConfFile });
  const s = defaultSettings();
  s.general.organisationName = 'Acme';
  s.general.alertFrom = 'alerts@acme.example';
  const profile = { ...newProfile('p1', 'Relay'), host: srv.host, port: srv.port, security: 'none' as const, auth: 'none' as const, fromAddress: 'invoices@acme.example', fromName: 'Acme Accounts', timeoutSeconds: 5 };
  s.smtp.profiles.push(profile);
  s.general.defaultProfile = profile.id;
  expect(services.settings.save(s)).toMatchObject({ ok: true });
  dispatch = createDispatch(createHandlers(services));
  srv.log.messages.length = 0;
});
afterEach(async () => {
  await services.outbox.stop();
  data.cleanup();
});

function message(over: Partial<OutgoingMessage>): OutgoingMessage {
  return { to: [], cc: [], bcc: [], subject: 'Invoice 42', text: 'Attached.', attachments: [], ...over };
}

async function send(m: OutgoingMessage) {
  const result = await dispatch('mail:send', { message: m }, ctx);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.error)}`);
  const value = result.value as MailSendResult;
  if (value.via !== 'outbox') throw new Error('not sent through the outbox');
  if (!value.outcome.ok) throw new Error(`not sent: ${value.outcome.advice.title}: ${value.outcome.advice.cause}`);
  const arrived = srv.log.messages.find((x) => x.raw.includes(value.outcome.ok ? value.outcome.receipt.messageId : '-'));
  expect(arrived, 'the server has the message').toBeDefined();
  return { entry: value.entry, arrived: arrived!, parsed: await simpleParser(arrived!.raw) };
}

const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a.flatMap((x) => x.value) : (a?.value ?? [])).map((v) => ({ name: v.name, address: v.address }));

/** The raw header block, unfolded: what any mail program reads. */
const headerBlock = (raw: string) => raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');

describe('a recipient with a display name', () => {
  it('goes to the bare address in the envelope, and keeps its name in the To and Cc headers', async () => {
    const { entry, arrived, parsed } = await send(
      message({
        to: ['"Accounts Payable" <ap@example.com>', 'Zoë Ångström <zoe@example.com>'],
        cc: ['"Smith, John" <j.smith@example.com>', 'AP@Example.com'],
        bcc: ['Audit Trail <audit@acme.example>'],
      }),
    );
    // RCPT TO: addresses only, each once whatever its case.
    expect(arrived.to).toEqual(['ap@example.com', 'zoe@example.com', 'j.smith@example.com', 'audit@acme.example']);
    expect(addresses(parsed.to)).toEqual([
      { name: 'Accounts Payable', address: 'ap@example.com' },
      { name: 'Zoë Ångström', address: 'zoe@example.com' },
    ]);
    expect(addresses(parsed.cc)).toEqual([
      { name: 'Smith, John', address: 'j.smith@example.com' },
      // MailComposer writes the domain in lower case (it is case-blind).
      { name: '', address: 'AP@example.com' },
    ]);
    const headers = headerBlock(arrived.raw);
    // The name that is not ASCII is an RFC 2047 encoded word; the raw header stays ASCII.
    expect(headers).toMatch(/^To: .*=\?UTF-8\?[BQ]\?[^?]+\?= <zoe@example\.com>/im);
    expect(headers).not.toContain('Zoë');
    expect(/^[\x20-\x7e\r\n\t]*$/.test(headers)).toBe(true);
    expect(headers).not.toMatch(/^Bcc:/im);
    expect(parsed.text).toContain('Attached.');
    // The outbox lists bare addresses; the names live in the message itself.
    expect(entry.to).toEqual(['ap@example.com', 'zoe@example.com', 'j.smith@example.com', 'AP@Example.com']);
    expect(entry.recipients.map((r) => r.address)).toEqual(['ap@example.com', 'zoe@example.com', 'j.smith@example.com', 'audit@acme.example']);
  });

  it('stays one recipient when its quoted name holds addresses, commas, semicolons and angle brackets', async () => {
    const { arrived, parsed } = await send(message({ to: ['"a@evil.com, b@evil.com; <c@evil.com>" <ok@example.com>'] }));
    expect(arrived.to).toEqual(['ok@example.com']);
    expect(addresses(parsed.to)).toEqual([{ name: 'a@evil.com, b@evil.com; <c@evil.com>', address: 'ok@example.com' }]);
    expect(arrived.raw).not.toMatch(/^Bcc:/im);
  });

  it('is refused with a field error, and nothing is sent, when its name carries a line break or another control character', async () => {
    const hostile = [
      '"Evil\r\nBcc: x@evil.com" <ok@example.com>',
      'Evil\r\nBcc: x@evil.com <ok@example.com>',
      '"Evil\nTo: x@evil.com" <ok@example.com>',
      '"Evil\u0000" <ok@example.com>',
      '"Evil\u0085" <ok@example.com>',
      '"\u202eEvil" <ok@example.com>',
    ];
    for (const [i, to] of hostile.entries()) {
      const result = await dispatch('mail:send', { message: message({ to: ['fine@example.com'], cc: [to] }) }, ctx);
      expect(result, JSON.stringify(to)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      if (!result.ok) expect(result.error.fields, `case ${i}`).toEqual([{ path: 'message.cc.0', message: 'A recipient cannot contain line breaks or control characters' }]);
    }
    expect(srv.log.messages).toEqual([]);
  });

  it('is refused, naming the field, when a name with a comma is not quoted or two recipients are run together', async () => {
    for (const to of ['Smith, John <j@example.com>', 'Evil <a@evil.com> <ok@example.com>', '"One" <a@example.com>, "Two" <b@example.com>', 'Accounts <ap@example>']) {
      const result = await dispatch('mail:send', { message: message({ to: [to] }) }, ctx);
      expect(result, to).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'message.to.0' }] } });
    }
    expect(srv.log.messages).toEqual([]);
  });
});

describe('a batch file with display names', () => {
  it('reads them from CSV cells and JSON lines, a quoted name\'s ";" and "," included', () => {
    const csv = path.join(data.dir, 'batch.csv');
    fs.writeFileSync(
      csv,
      ['to,cc,subject,text', '"""Smith; John"" <j@example.com>; Accounts Payable <ap@example.com>","""Payable, Accounts"" <ap2@example.com>",October,Hello'].join('\r\n'),
    );
    const fromCsv = parseBatchFile(csv);
    expect(fromCsv).toMatchObject({ ok: true });
    if (fromCsv.ok) {
      expect(fromCsv.messages[0]!.to).toEqual(['"Smith; John" <j@example.com>', 'Accounts Payable <ap@example.com>']);
      expect(fromCsv.messages[0]!.cc).toEqual(['"Payable, Accounts" <ap2@example.com>']);
    }

    const jsonl = path.join(data.dir, 'batch.jsonl');
    fs.writeFileSync(jsonl, [{ to: ['"Smith, John" <j@example.com>'], subject: 'One', text: 'x' }, { to: 'Zoë <zoe@example.com>; b@example.com', subject: 'Two', text: 'y' }].map((l) => JSON.stringify(l)).join('\n'));
    const fromJson = parseBatchFile(jsonl);
    expect(fromJson).toMatchObject({ ok: true });
    if (fromJson.ok) expect(fromJson.messages.map((m) => m.to)).toEqual([['"Smith, John" <j@example.com>'], ['Zoë <zoe@example.com>', 'b@example.com']]);
  });

  it('names the line and field of a hostile name, and queues nothing', () => {
    const jsonl = path.join(data.dir, 'bad.jsonl');
    fs.writeFileSync(jsonl, [{ to: 'ok@example.com', subject: 'Fine', text: 'x' }, { to: ['"Evil\r\nBcc: x@evil.com" <ok@example.com>'], subject: 'Bad', text: 'y' }].map((l) => JSON.stringify(l)).join('\n'));
    expect(parseBatchFile(jsonl)).toEqual({ ok: false, errors: [{ line: 2, field: 'to', message: 'A recipient cannot contain line breaks or control characters' }] });
  });
});
