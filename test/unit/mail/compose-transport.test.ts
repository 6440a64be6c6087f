import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../../main/services/mail/compose';
import { sendDeadlineMs, signsIn, transportOptions } from '../../../main/services/mail/transport';
import { newProfile, type SmtpProfile } from '../../../preload/contract';

function profile(over: Partial<SmtpProfile> = {}): SmtpProfile {
  return { ...newProfile('p1', 'Office'), host: 'smtp.acme.example', username: 'u', fromAddress: 'invoices@acme.example', ...over };
}

describe('transport options from a profile', () => {
  it('maps each security mode to what nodemailer needs', () => {
    expect(transportOptions({ profile: profile({ security: 'none', port: 25 }) })).toMatchObject({ secure: false, ignoreTLS: true, requireTLS: false, port: 25 });
    expect(transportOptions({ profile: profile({ security: 'starttls' }) })).toMatchObject({ secure: false, ignoreTLS: false, requireTLS: false });
    expect(transportOptions({ profile: profile({ security: 'starttls-required' }) })).toMatchObject({ secure: false, ignoreTLS: false, requireTLS: true });
    expect(transportOptions({ profile: profile({ security: 'tls', port: 465 }) })).toMatchObject({ secure: true, port: 465 });
  });

  it('sets the TLS floor, certificate checking, CA and SNI', () => {
    const opts = transportOptions({ profile: profile({ minTls: '1.3', verifyCert: false }), ca: 'PEM' });
    expect(opts.tls).toMatchObject({ minVersion: 'TLSv1.3', rejectUnauthorized: false, ca: 'PEM', servername: 'smtp.acme.example' });
    expect(transportOptions({ profile: profile() }).tls).toMatchObject({ rejectUnauthorized: true });
    expect(transportOptions({ profile: profile({ host: '10.0.0.5' }) }).tls).not.toHaveProperty('servername');
  });

  it('lowers the OpenSSL security level only for TLS 1.0 and 1.1', () => {
    expect(transportOptions({ profile: profile({ minTls: '1.0' }) }).tls).toMatchObject({ minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(transportOptions({ profile: profile({ minTls: '1.1' }) }).tls).toMatchObject({ minVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
    expect(transportOptions({ profile: profile({ minTls: '1.2' }) }).tls).not.toHaveProperty('ciphers');
  });

  it('uses the connection timeout for connecting and the greeting, and signs in as the profile says', () => {
    const opts = transportOptions({ profile: profile({ timeoutSeconds: 12 }), credentials: { username: 'u', password: 'p' } });
    expect(opts).toMatchObject({ connectionTimeout: 12000, greetingTimeout: 12000, socketTimeout: 24000, auth: { user: 'u', pass: 'p' } });
    expect(transportOptions({ profile: profile({ auth: 'none' }), credentials: { username: 'u', password: 'p' } }).auth).toBeUndefined();
    expect(signsIn(profile({ auth: 'optional' }), { username: 'u' })).toBe(false);
    expect(signsIn(profile({ auth: 'optional' }), { username: 'u', password: 'p' })).toBe(true);
  });

  it('gives a slow upload more time, but never unlimited', () => {
    expect(sendDeadlineMs(profile({ timeoutSeconds: 10 }), 1000)).toBe(41_000);
    expect(sendDeadlineMs(profile({ timeoutSeconds: 10 }), 10_000_000)).toBe(240_000);
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
