// The Microsoft stand-ins themselves: the Graph mail endpoints (plain HTTPS requests) and the
// XOAUTH2-only SMTP server (nodemailer), so the product's tests can rely on what they answer.
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import nodemailer from 'nodemailer';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphServer, type GraphServer, type GraphTokenInfo } from '../helpers/graph-server';
import { createTestCa, type KeyPair, type TestCa } from '../helpers/test-ca';
import { startXoauth2SmtpServer, type Xoauth2Server } from '../helpers/xoauth2-smtp';

const ALICE = 'alice@contoso.test';
const BOB = 'bob@contoso.test';

const GRAPH_TOKENS: Record<string, GraphTokenInfo> = {
  'graph-alice': { upn: ALICE, scopes: ['https://graph.microsoft.com/Mail.Send', 'https://graph.microsoft.com/Mail.ReadWrite'] },
  'graph-send-only': { upn: ALICE, scopes: ['Mail.Send'] },
  'graph-smtp-audience': { upn: ALICE, scopes: ['Mail.Send'], audience: 'https://outlook.office.com' },
};
const SMTP_TOKENS: Record<string, { upn: string; scopes: string[] }> = {
  'smtp-alice': { upn: ALICE, scopes: ['https://outlook.office.com/SMTP.Send'] },
  'smtp-bob': { upn: BOB, scopes: ['SMTP.Send'] },
  'smtp-alice-no-scope': { upn: ALICE, scopes: ['Mail.Send'] },
};

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

let ca: TestCa;
let cert: KeyPair;
let graph: GraphServer;
let smtp: Xoauth2Server;

/** A request with the test CA trusted (Node 20's fetch takes no CA). */
function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: init.method ?? 'GET', headers: init.headers, ca: [ca.cert], agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

function graphCall(path: string, init: { method?: string; token?: string | null; json?: unknown; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  const token = init.token === undefined ? 'graph-alice' : init.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body = init.body;
  if (init.json !== undefined) {
    body = JSON.stringify(init.json);
    headers['Content-Type'] = 'application/json';
  }
  if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
  return call(`${graph.url}/v1.0${path}`, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, ...(body !== undefined ? { body } : {}) });
}

const recipient = (address: string) => ({ emailAddress: { address } });
const message = (extra: Record<string, unknown> = {}) => ({
  subject: 'Invoice 1042',
  body: { contentType: 'HTML', content: '<p>Please find the invoice attached.</p>' },
  toRecipients: [recipient('customer@example.test')],
  ...extra,
});

beforeAll(async () => {
  ca = createTestCa();
  cert = ca.issue(['localhost', '127.0.0.1']);
  graph = await startGraphServer({ ca, cert, verifyToken: async (t) => GRAPH_TOKENS[t] ?? null });
  smtp = await startXoauth2SmtpServer({ ca, cert, verifyToken: async (t) => SMTP_TOKENS[t] ?? null, smtpAuthDisabledFor: [BOB] });
});

afterAll(async () => {
  await graph?.close();
  await smtp?.close();
});

describe('Graph stand-in', () => {
  it('sends with sendMail and a file attachment: 202, empty body, the message recorded', async () => {
    const pdf = Buffer.from('%PDF-1.7 invoice');
    const reply = await graphCall('/me/sendMail', {
      json: {
        message: message({
          ccRecipients: [recipient('accounts@example.test')],
          internetMessageId: '<1042.invoice@contoso.test>',
          attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'invoice.pdf', contentType: 'application/pdf', contentBytes: pdf.toString('base64') }],
        }),
        saveToSentItems: false,
      },
      headers: { 'client-request-id': 'c0ffee00-0000-4000-8000-000000000001' },
    });
    expect(reply.status).toBe(202);
    expect(reply.text).toBe('');
    expect(reply.headers['client-request-id']).toBe('c0ffee00-0000-4000-8000-000000000001');
    const sent = graph.sent.at(-1)!;
    expect(sent).toMatchObject({
      via: 'sendMail',
      mailbox: ALICE,
      subject: 'Invoice 1042',
      bodyType: 'HTML',
      to: ['customer@example.test'],
      cc: ['accounts@example.test'],
      bcc: [],
      internetMessageId: '<1042.invoice@contoso.test>',
      saveToSentItems: false,
    });
    expect(sent.attachments).toEqual([{ name: 'invoice.pdf', contentType: 'application/pdf', bytes: pdf, uploaded: false }]);
    expect(graph.requests.at(-1)).toEqual({ method: 'POST', path: '/v1.0/me/sendMail', status: 202, authorization: true });
  });

  it('reads sendMail as strictly as Graph', async () => {
    const before = graph.sent.length;
    const unknown = await graphCall('/me/sendMail', { json: { message: message({ colour: 'blue' }) } });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error.code).toBe('RequestBodyRead');

    const nobody = await graphCall('/me/sendMail', { json: { message: message({ toRecipients: [] }) } });
    expect(nobody.status).toBe(400);
    expect(nobody.json().error.code).toBe('ErrorInvalidRecipients');

    const broken = await graphCall('/me/sendMail', { body: '{"message": ', headers: { 'Content-Type': 'application/json' } });
    expect(broken.status).toBe(400);
    expect(broken.json().error).toMatchObject({ code: 'BadRequest' });

    const missing = await graphCall('/me/sendMail', { json: { saveToSentItems: true } });
    expect(missing.status).toBe(400);
    expect(missing.json().error.code).toBe('ErrorInvalidParameter');

    const badBase64 = await graphCall('/me/sendMail', {
      json: { message: message({ attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'a.txt', contentBytes: 'not base64!' }] }) },
    });
    expect(badBase64.status).toBe(400);

    const big = Buffer.alloc(3_200_000, 7).toString('base64');
    const tooLarge = await graphCall('/me/sendMail', {
      json: { message: message({ attachments: [{ '@odata.type': '#microsoft.graph.fileAttachment', name: 'big.bin', contentBytes: big }] }) },
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json().error.code).toBe('RequestEntityTooLarge');

    const sendAs = await graphCall('/me/sendMail', { json: { message: message({ from: recipient('ceo@contoso.test') }) } });
    expect(sendAs.status).toBe(403);
    expect(sendAs.json().error.code).toBe('ErrorSendAsDenied');
    expect(graph.sent.length).toBe(before);
  });

  it('takes sendMail in MIME format (text/plain, base64)', async () => {
    const mime = [
      `From: ${ALICE}`,
      'To: customer@example.test',
      'Subject: MIME route',
      'Message-ID: <mime.1@contoso.test>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello over MIME.',
      '',
    ].join('\r\n');
    const ok = await graphCall('/me/sendMail', { body: Buffer.from(mime).toString('base64'), headers: { 'Content-Type': 'text/plain' } });
    expect(ok.status).toBe(202);
    expect(graph.sent.at(-1)).toMatchObject({ subject: 'MIME route', to: ['customer@example.test'], internetMessageId: '<mime.1@contoso.test>', bodyType: 'Text' });
    const bad = await graphCall('/me/sendMail', { body: '***', headers: { 'Content-Type': 'text/plain' } });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatchObject({ code: 'ErrorMimeContentInvalidBase64String', message: 'Invalid base64 string for MIME content.' });
  });

  it('creates a draft, uploads a 4 MB attachment in a session, adds a small one, and sends it', async () => {
    const created = await graphCall('/me/messages', { json: message({ bccRecipients: [recipient('archive@example.test')] }) });
    expect(created.status).toBe(201);
    const draft = created.json();
    expect(draft).toMatchObject({ isDraft: true, subject: 'Invoice 1042', body: { contentType: 'html' } });
    const id: string = draft.id;
    expect(graph.drafts.has(id)).toBe(true);
    const messagePath = `/me/messages/${encodeURIComponent(id)}`;

    const small = await graphCall(`${messagePath}/attachments`, {
      json: { '@odata.type': '#microsoft.graph.fileAttachment', name: 'note.txt', contentType: 'text/plain', contentBytes: Buffer.from('hi').toString('base64') },
    });
    expect(small.status).toBe(201);
    expect(small.json()).toMatchObject({ name: 'note.txt', size: 2 });

    const tooSmall = await graphCall(`${messagePath}/attachments/createUploadSession`, {
      json: { AttachmentItem: { attachmentType: 'file', name: 'tiny.bin', size: 1000 } },
    });
    expect(tooSmall.status).toBe(400);
    expect(tooSmall.json().error.code).toBe('ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');

    const file = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < file.length; i += 1) file[i] = (i * 31) & 0xff;
    const session = await graphCall(`${messagePath}/attachments/createUploadSession`, {
      json: { AttachmentItem: { attachmentType: 'file', name: 'ledger.xlsx', size: file.length, contentType: 'application/vnd.ms-excel' } },
    });
    expect(session.status).toBe(201);
    const { uploadUrl, nextExpectedRanges, expirationDateTime } = session.json();
    expect(nextExpectedRanges).toEqual(['0-']);
    expect(typeof expirationDateTime).toBe('string');
    expect(uploadUrl.startsWith(graph.url)).toBe(true);

    const put = (start: number, end: number, headers: Record<string, string> = {}) =>
      call(uploadUrl, {
        method: 'PUT',
        headers: {
          'Content-Type': 'application/octet-stream',
          'Content-Length': String(end - start + 1),
          'Content-Range': `bytes ${start}-${end}/${file.length}`,
          ...headers,
        },
        body: file.subarray(start, end + 1),
      });

    const chunk = 4 * 320 * 1024;
    const withAuth = await put(0, chunk - 1, { Authorization: 'Bearer graph-alice' });
    expect(withAuth.status).toBe(401);
    const outOfOrder = await put(chunk, 2 * chunk - 1);
    expect(outOfOrder.status).toBe(416);

    let status = 0;
    let last: Reply | undefined;
    for (let start = 0; start < file.length; start += chunk) {
      const end = Math.min(start + chunk, file.length) - 1;
      last = await put(start, end);
      status = last.status;
      if (end < file.length - 1) {
        expect(last.status).toBe(200);
        expect(last.json().nextExpectedRanges).toEqual([String(end + 1)]);
      }
    }
    expect(status).toBe(201);
    expect(last!.headers.location).toMatch(/\/Attachments\('/);

    const sendReply = await graphCall(`${messagePath}/send`, { method: 'POST', body: '' });
    expect(sendReply.status).toBe(202);
    expect(graph.drafts.size).toBe(0);
    const sent = graph.sent.at(-1)!;
    expect(sent.via).toBe('draft');
    expect(sent.bcc).toEqual(['archive@example.test']);
    expect(sent.attachments.map((a) => [a.name, a.uploaded, a.bytes.length])).toEqual([
      ['note.txt', false, 2],
      ['ledger.xlsx', true, file.length],
    ]);
    expect(sent.attachments[1]!.bytes.equals(file)).toBe(true);
    // The upload URL is called without a bearer; the Graph calls with one.
    expect(graph.requests.filter((r) => r.method === 'PUT' && r.status < 300).every((r) => !r.authorization)).toBe(true);
  });

  it('deletes a draft, and refuses drafts to a token without Mail.ReadWrite', async () => {
    const created = await graphCall('/me/messages', { json: message() });
    const id: string = created.json().id;
    expect((await graphCall(`/me/messages('${encodeURIComponent(id)}')`, { method: 'DELETE' })).status).toBe(204);
    expect(graph.drafts.size).toBe(0);
    const again = await graphCall(`/me/messages/${encodeURIComponent(id)}`, { method: 'DELETE' });
    expect(again.status).toBe(404);
    expect(again.json().error.code).toBe('ErrorItemNotFound');

    const other = (await graphCall('/me/messages', { json: message() })).json().id as string;
    const chunked = await graphCall(`/me/messages/${encodeURIComponent(other)}/send`, { method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } });
    expect(chunked.status).toBe(411);
    expect((await graphCall(`/me/messages/${encodeURIComponent(other)}`, { method: 'DELETE' })).status).toBe(204);

    const denied = await graphCall('/me/messages', { token: 'graph-send-only', json: message() });
    expect(denied.status).toBe(403);
    expect(denied.json().error).toMatchObject({ code: 'ErrorAccessDenied', message: 'Access is denied. Check credentials and try again.' });
  });

  it('requires 320 KiB multiples in upload sessions only when asked to', async () => {
    const strict = await startGraphServer({ ca, cert, verifyToken: async (t) => GRAPH_TOKENS[t] ?? null, requireChunkMultiple: 320 * 1024 });
    try {
      const headers = { Authorization: 'Bearer graph-alice', 'Content-Type': 'application/json' };
      const draft = await call(`${strict.url}/v1.0/me/messages`, { method: 'POST', headers, body: JSON.stringify(message()) });
      const id = encodeURIComponent(JSON.parse(draft.text).id);
      const size = 3_500_000;
      const session = await call(`${strict.url}/v1.0/me/messages/${id}/attachments/createUploadSession`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ AttachmentItem: { attachmentType: 'file', name: 'big.bin', size } }),
      });
      const chunk = 2 * 1024 * 1024; // the Outlook page's own example size, not a multiple of 320 KiB
      const put = await call(JSON.parse(session.text).uploadUrl, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(chunk), 'Content-Range': `bytes 0-${chunk - 1}/${size}` },
        body: Buffer.alloc(chunk),
      });
      expect(put.status).toBe(400);
    } finally {
      await strict.close();
    }
  });

  it('throttles with 429 and Retry-After, then answers normally; fails once on request', async () => {
    graph.throttle(2, 7);
    for (let i = 0; i < 2; i += 1) {
      const throttled = await graphCall('/me/sendMail', { json: { message: message() } });
      expect(throttled.status).toBe(429);
      expect(throttled.headers['retry-after']).toBe('7');
      expect(throttled.json().error.code).toBe('TooManyRequests');
    }
    expect((await graphCall('/me/sendMail', { json: { message: message() } })).status).toBe(202);

    graph.failNext(503, 'ServiceUnavailable', 'Service unavailable.', 3);
    const failed = await graphCall('/me/mailFolders/SentItems');
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('3');
    expect(failed.json()).toMatchObject({ error: { code: 'ServiceUnavailable', message: 'Service unavailable.' } });
  });

  it('answers 401 InvalidAuthenticationToken without a bearer, with a bad one, or one for another audience', async () => {
    const none = await graphCall('/me/sendMail', { token: null, json: { message: message() } });
    expect(none.status).toBe(401);
    expect(none.json().error).toMatchObject({ code: 'InvalidAuthenticationToken', message: 'Access token is empty.' });
    expect(none.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(graph.requests.at(-1)).toMatchObject({ status: 401, authorization: false });

    const bad = await graphCall('/me/sendMail', { token: 'expired', json: { message: message() } });
    expect(bad.status).toBe(401);
    expect(bad.json().error.code).toBe('InvalidAuthenticationToken');

    const audience = await graphCall('/me/sendMail', { token: 'graph-smtp-audience', json: { message: message() } });
    expect(audience.status).toBe(401);
  });

  it('serves the Sent Items folder, and 404 for anything else', async () => {
    for (const path of ['/me/mailFolders/SentItems', "/me/mailFolders('SentItems')", `/users/${ALICE}/mailFolders/sentitems`]) {
      const folder = await graphCall(path);
      expect(folder.status).toBe(200);
      expect(folder.json().displayName).toBe('Sent Items');
    }
    const readless = await graphCall('/me/mailFolders/SentItems', { token: 'graph-send-only' });
    expect(readless.status).toBe(403);
    const other = await graphCall('/me/calendar');
    expect(other.status).toBe(404);
    expect(other.json().error.code).toBeTruthy();
  });
});

describe('XOAUTH2 SMTP stand-in', () => {
  const transport = (user: string, accessToken: string) =>
    nodemailer.createTransport({
      host: 'localhost',
      port: smtp.port,
      secure: false,
      requireTLS: true,
      tls: { ca: [ca.cert] },
      auth: { type: 'OAuth2', user, accessToken },
    });

  it('signs in with XOAUTH2 after STARTTLS and takes the message', async () => {
    const info = await transport(ALICE, 'smtp-alice').sendMail({
      from: ALICE,
      to: 'customer@example.test',
      subject: 'Over SMTP',
      text: 'Hello.',
    });
    expect(info.accepted).toEqual(['customer@example.test']);
    const got = smtp.received.at(-1)!;
    expect(got).toMatchObject({ from: ALICE, to: ['customer@example.test'], user: ALICE });
    expect((await simpleParser(got.raw)).subject).toBe('Over SMTP');
    expect(smtp.authAttempts.at(-1)).toEqual({ method: 'XOAUTH2', user: ALICE, ok: true });
  });

  it('refuses a bad token, a wrong user and a token without SMTP.Send with 535 5.7.3', async () => {
    for (const [user, token] of [
      [ALICE, 'nonsense'],
      [BOB, 'smtp-alice'],
      [ALICE, 'smtp-alice-no-scope'],
    ] as const) {
      const error = await transport(user, token)
        .sendMail({ from: user, to: 'customer@example.test', subject: 'x', text: 'x' })
        .catch((e: unknown) => e as { responseCode?: number; response?: string; code?: string });
      expect(error).toMatchObject({ code: 'EAUTH', responseCode: 535 });
      expect((error as { response: string }).response).toMatch(/^535 5\.7\.3 Authentication unsuccessful/);
    }
    expect(smtp.authAttempts.slice(-3).every((a) => !a.ok)).toBe(true);
  });

  it('answers 535 5.7.139 for a mailbox with SMTP AUTH disabled', async () => {
    const error = await transport(BOB, 'smtp-bob')
      .sendMail({ from: BOB, to: 'customer@example.test', subject: 'x', text: 'x' })
      .catch((e: unknown) => e as { responseCode?: number; response?: string });
    expect(error).toMatchObject({ responseCode: 535 });
    expect((error as { response: string }).response).toMatch(/^535 5\.7\.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox\./);
  });

  it('offers no AUTH before STARTTLS, only XOAUTH2 after it', async () => {
    const lines: string[] = [];
    const socket = net.connect(smtp.port, '127.0.0.1');
    let buffer = '';
    const waitFor = (re: RegExp) =>
      new Promise<string>((resolve) => {
        const check = () => {
          const m = re.exec(buffer);
          if (m) {
            buffer = buffer.slice(m.index + m[0].length);
            resolve(m[0]);
          } else socket.once('data', (d: Buffer) => ((buffer += d.toString()), check()));
        };
        check();
      });
    await waitFor(/^220 .*\r\n/m);
    socket.write('EHLO client.test\r\n');
    lines.push(await waitFor(/(?:^250-.*\r\n)*^250 .*\r\n/m));
    socket.write('AUTH XOAUTH2 dGVzdA==\r\n');
    lines.push(await waitFor(/^\d{3} .*\r\n/m));
    socket.write('STARTTLS\r\n');
    await waitFor(/^220 .*\r\n/m);
    const secure = tls.connect({ socket, servername: 'localhost', ca: [ca.cert] });
    await new Promise((r) => secure.once('secureConnect', r));
    const ehlo = await new Promise<string>((resolve) => {
      let text = '';
      secure.on('data', (d: Buffer) => {
        text += d.toString();
        if (/^250 .*\r\n/m.test(text)) resolve(text);
      });
      secure.write('EHLO client.test\r\n');
    });
    secure.end('QUIT\r\n');
    expect(lines[0]).toMatch(/STARTTLS/);
    expect(lines[0]).not.toMatch(/AUTH/);
    expect(lines[1]).toMatch(/^504 5\.7\.4 /);
    expect(ehlo).toMatch(/^250-AUTH XOAUTH2\r$/m);
  });
});
