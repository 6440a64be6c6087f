import { describe, expect, it } from 'vitest';
import {
  CompleteSettings,
  OutgoingMessage,
  Settings,
  SmtpProfile,
  defaultSettings,
  fieldErrors,
  isHost,
  isRequired,
  missingRequired,
  newProfile,
  splitHostPort,
  type Settings as SettingsType,
} from '../../../preload/contract';

function withProfiles(...names: string[]): SettingsType {
  const s = defaultSettings();
  s.general.organisationName = 'Acme';
  s.general.alertFrom = 'alerts@acme.example';
  s.smtp.profiles = names.map((name, i) => ({ ...newProfile(`p${i}`, name), host: 'smtp.acme.example', username: 'u', fromAddress: 'invoices@acme.example' }));
  return s;
}

describe('server host', () => {
  it.each(['smtp.office365.com', 'localhost', 'mail-1.example.co.uk', '10.2.3.4', '::1', '[2001:db8::1]', 'smtp.example.com.'])('accepts %s', (h) => expect(isHost(h)).toBe(true));
  it.each(['smtp example.com', 'smtp.example.com:587', 'http://smtp.example.com', '-bad.example', '999.1.1.1', 'a..b', '', 'smtp.example.com\r\nX'])('refuses %j', (h) => expect(isHost(h)).toBe(false));

  it('splits host,port the way the accounting packages write it', () => {
    expect(splitHostPort('smtp-mail.outlook.com,587')).toEqual({ host: 'smtp-mail.outlook.com', port: 587 });
    expect(splitHostPort(' 10.2.3.4 , 25 ')).toEqual({ host: '10.2.3.4', port: 25 });
    expect(splitHostPort('smtp.example.com')).toBeNull();
    expect(splitHostPort('smtp.example.com,0')).toBeNull();
    expect(splitHostPort('smtp.example.com,70000')).toBeNull();
    expect(splitHostPort('a,b,25')).toBeNull();
  });
});

describe('SMTP profile schema', () => {
  it('accepts a new profile with its defaults: STARTTLS on 587, TLS 1.2, certificate checked', () => {
    const p = newProfile('x1', 'Office');
    expect(SmtpProfile.parse(p)).toMatchObject({ port: 587, security: 'starttls', minTls: '1.2', verifyCert: true, auth: 'required', authModel: 'basic' });
  });

  it('names each bad field', () => {
    const bad = { ...newProfile('x1', 'Office'), host: 'smtp example', port: 70000, security: 'ssl', minTls: '1.4', fromAddress: 'x', timeoutSeconds: 0, perMinute: -1, maxAttachmentsMb: -5, fromName: 'A\r\nBcc: x@y.z' };
    const result = SmtpProfile.safeParse(bad);
    expect(result.success).toBe(false);
    expect(fieldErrors(result.error!).map((e) => e.path).sort()).toEqual(['fromAddress', 'fromName', 'host', 'maxAttachmentsMb', 'minTls', 'perMinute', 'port', 'security', 'timeoutSeconds']);
  });

  it('accepts OAuth2 with a tenant by name, domain or ID, and a GUID client ID', () => {
    const base = { ...newProfile('x1', 'Office'), authModel: 'oauth2' as const, clientId: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' };
    for (const tenant of ['organizations', 'common', 'contoso.onmicrosoft.com', 'c0ffee00-1234-4abc-8def-0123456789ab']) {
      expect(SmtpProfile.safeParse({ ...base, tenant }).success).toBe(true);
    }
    const bad = SmtpProfile.safeParse({ ...base, tenant: 'not a tenant', clientId: 'my-app', sendMethod: 'pigeon' });
    expect(fieldErrors(bad.error!).map((e) => e.path)).toEqual(['tenant', 'clientId', 'sendMethod']);
    expect(fieldErrors(bad.error!)[1]?.message).toContain('Application (client) ID');
  });

  it('keeps profile names unique, whatever their case and spaces', () => {
    const s = withProfiles('Office', 'office ');
    const result = Settings.safeParse(s);
    expect(fieldErrors(result.error!)).toEqual([{ path: 'smtp.profiles.1.name', message: 'Another profile is already called "office"' }]);
  });

  it('requires the default profile to exist', () => {
    const s = withProfiles('Office');
    s.general.defaultProfile = 'nope';
    expect(fieldErrors(Settings.safeParse(s).error!)).toEqual([{ path: 'general.defaultProfile', message: 'Choose one of the server profiles' }]);
    s.general.defaultProfile = 'p0';
    expect(CompleteSettings.safeParse(s).success).toBe(true);
  });

  it('requires name, host and From address, and the username only when signing in with shared credentials', () => {
    const s = withProfiles('Office');
    const p = s.smtp.profiles[0]!;
    p.host = '';
    p.fromAddress = '';
    p.username = '';
    expect(missingRequired(s).map((e) => e.path)).toEqual(['smtp.profiles.0.host', 'smtp.profiles.0.fromAddress', 'smtp.profiles.0.username']);
    p.credentials = 'per-user';
    expect(isRequired('smtp.profiles.0.username', s)).toBe(false);
    p.credentials = 'shared';
    p.auth = 'none';
    expect(isRequired('smtp.profiles.0.username', s)).toBe(false);
    p.auth = 'optional';
    expect(missingRequired(s).find((e) => e.path === 'smtp.profiles.0.username')?.message).toContain('password may be left empty');
  });

  it('asks an OAuth2 profile for its app registration, not a username, and a Graph one for no server', () => {
    const s = withProfiles('Office');
    const p = s.smtp.profiles[0]!;
    p.authModel = 'oauth2';
    p.username = '';
    p.host = '';
    expect(missingRequired(s).map((e) => e.path)).toEqual(['smtp.profiles.0.host', 'smtp.profiles.0.clientId']);
    p.sendMethod = 'graph';
    expect(missingRequired(s).map((e) => e.path)).toEqual(['smtp.profiles.0.clientId']);
  });
});

describe('outgoing message', () => {
  const base = { to: ['a@acme.example'], subject: 'Invoice 42', text: 'Hello' };
  it('accepts a plain message and fills the empty lists', () => {
    expect(OutgoingMessage.parse(base)).toEqual({ ...base, cc: [], bcc: [], attachments: [] });
  });

  it('refuses header injection through addresses and subject', () => {
    const cases = [
      { ...base, to: ['a@acme.example\r\nBcc: victim@evil.example'] },
      // A display name is fine (Boss <a@acme.example>); one that carries a line break is not.
      { ...base, to: ['"Boss\r\nBcc: victim@evil.example" <a@acme.example>'] },
      { ...base, to: ['Boss <a@acme.example>, b@acme.example'] },
      { ...base, cc: ['a@acme.example, b@acme.example'] },
      { ...base, bcc: ['undisclosed-recipients:;'] },
      { ...base, subject: 'Invoice\r\nBcc: victim@evil.example' },
      { ...base, subject: 'Invoice\nX-Evil: 1' },
      { ...base, to: [] },
    ];
    for (const c of cases) expect(OutgoingMessage.safeParse(c).success, JSON.stringify(c)).toBe(false);
  });

  it('refuses attachment names with paths and content that is not base64', () => {
    expect(OutgoingMessage.safeParse({ ...base, attachments: [{ filename: '../../etc/passwd', contentBase64: '' }] }).success).toBe(false);
    expect(OutgoingMessage.safeParse({ ...base, attachments: [{ filename: 'a.pdf', contentBase64: 'not base64!' }] }).success).toBe(false);
    expect(OutgoingMessage.safeParse({ ...base, attachments: [{ filename: 'a.pdf', contentBase64: 'JVBERi0=' }] }).success).toBe(true);
  });
});
