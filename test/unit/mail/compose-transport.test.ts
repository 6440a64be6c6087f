import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../../main/services/mail/compose';
import { signsIn, smtpEndpoint } from '../../../main/services/mail/transport';
import { attemptDeadlineMs } from '../../../main/services/mail/smtp-delivery';
import { newProfile, type SmtpProfile } from '../../../preload/contract';

function profile(over: Partial<SmtpProfile> = {}): SmtpProfile {
  return { ...newProfile('p1', 'Office'), host: 'smtp.acme.example', username: 'u', fromAddress: 'invoices@acme.example', ...over };
}

describe('the connection a profile opens', () => {
  it('carries every connection setting of the profile', () => {
    const e = smtpEndpoint(profile({ security: 'starttls-required', port: 2525, minTls: '1.3', verifyCert: false, timeoutSeconds: 12 }), { ca: 'PEM' });
    expect(e).toMatchObject({ host: 'smtp.acme.example', port: 2525, security: 'starttls-required', minTls: '1.3', verifyCert: false, ca: 'PEM', timeoutSeconds: 12 });
  });

  it('hands over credentials only when the profile signs in', () => {
    expect(smtpEndpoint(profile({ auth: 'required' }), { credentials: { username: 'u', password: 'p' } }).credentials).toEqual({ username: 'u', password: 'p' });
    expect(smtpEndpoint(profile({ auth: 'none' }), { credentials: { username: 'u', password: 'p' } }).credentials).toBeUndefined();
    expect(smtpEndpoint(profile({ auth: 'optional' }), { credentials: { username: 'u' } }).credentials).toBeUndefined();
    expect(signsIn(profile({ auth: 'optional' }), { username: 'u', password: 'p' })).toBe(true);
    // An access token always signs in, with XOAUTH2.
    expect(smtpEndpoint(profile({ auth: 'none' }), { credentials: { username: 'u', accessToken: 't' } })).toMatchObject({ auth: 'required', credentials: { accessToken: 't' } });
  });

  it('gives a slow upload more time, but never unlimited', () => {
    expect(attemptDeadlineMs(10, 1000)).toBe(30_050);
    expect(attemptDeadlineMs(10, 10_000_000)).toBe(530_000);
  });
});

describe('composing a message', () => {
  it('applies From name and address, the profile BCC (kept out of the headers), and a fixed Message-ID', async () => {
    const composed = await composeMessage(profile({ fromName: 'Acme Accounts', bcc: 'archive@acme.example' }), {
      to: ['client@example.com'],
      cc: ['boss@example.com'],
      bcc: ['audit@acme.example'],
      subject: 'Invoice 42',
      text: 'Please find attached.',
      attachments: [{ filename: 'invoice-42.pdf', contentBase64: Buffer.from('%PDF-1.4 test').toString('base64') }],
    });
    const head = composed.raw.toString('utf8').split('\r\n\r\n')[0]!;
    expect(head).toContain('From: Acme Accounts <invoices@acme.example>');
    expect(head).toContain('To: client@example.com');
    expect(head).toContain('Cc: boss@example.com');
    expect(head).not.toMatch(/^Bcc:/m);
    expect(head).toContain(`Message-ID: ${composed.messageId}`);
    expect(composed.messageId).toMatch(/^<[0-9a-f-]{36}@acme\.example>$/);
    expect(composed.envelope).toEqual({ from: 'invoices@acme.example', to: ['client@example.com', 'boss@example.com', 'audit@acme.example', 'archive@acme.example'] });
    expect(composed.attachmentBytes).toBe(13);
    expect(composed.raw.toString('utf8')).toContain('filename=invoice-42.pdf');
  });

  it('puts the bounce mailbox on the envelope only', async () => {
    const composed = await composeMessage(profile(), { to: ['c@example.com'], cc: [], bcc: [], subject: 's', text: 't', attachments: [] }, { bounceAddress: 'bounces@acme.example' });
    expect(composed.envelope.from).toBe('bounces@acme.example');
    expect(composed.raw.toString('utf8')).toContain('From: invoices@acme.example');
  });

  it('keeps a hostile From name inside its header', async () => {
    const composed = await composeMessage(profile({ fromName: 'Eve" <eve@evil.example>, "x' }), { to: ['c@example.com'], cc: [], bcc: [], subject: 'Ünïcode ✓ subject', text: 't', attachments: [] });
    const head = composed.raw.toString('utf8').split('\r\n\r\n')[0]!;
    const from = head.split('\r\n').find((l) => l.startsWith('From:'))!;
    expect(from).toMatch(/<invoices@acme\.example>$/);
    expect(head).not.toMatch(/^From:.*<eve@evil\.example>$/m);
    expect(head).toMatch(/^Subject: =\?UTF-8\?/m);
  });
});
