// The built-in table of providers: the submission server each address domain and each hosted
// mail exchanger leads to, as the providers document them.
import { describe, expect, it } from 'vitest';
import { providerForDomain, providerForMx } from '../../../main/services/mail/detect/provider-table';

const server = (found: ReturnType<typeof providerForDomain>) => found && `${found.provider.host}:${found.provider.port} ${found.provider.security} ${found.provider.authModel}`;

describe('providers by address domain', () => {
  it.each([
    ['gmail.com', 'smtp.gmail.com:465 tls basic'],
    ['googlemail.com', 'smtp.gmail.com:465 tls basic'],
    ['outlook.com', 'smtp-mail.outlook.com:587 starttls-required oauth2'],
    ['hotmail.com', 'smtp-mail.outlook.com:587 starttls-required oauth2'],
    ['live.com', 'smtp-mail.outlook.com:587 starttls-required oauth2'],
    ['contoso.onmicrosoft.com', 'smtp.office365.com:587 starttls-required oauth2'],
    ['icloud.com', 'smtp.mail.me.com:587 starttls-required basic'],
    ['me.com', 'smtp.mail.me.com:587 starttls-required basic'],
    ['mac.com', 'smtp.mail.me.com:587 starttls-required basic'],
    ['yahoo.com', 'smtp.mail.yahoo.com:465 tls basic'],
    ['aol.com', 'smtp.aol.com:465 tls basic'],
    ['zoho.com', 'smtp.zoho.com:465 tls basic'],
    ['zoho.eu', 'smtp.zoho.eu:465 tls basic'],
    ['fastmail.com', 'smtp.fastmail.com:465 tls basic'],
    ['gmx.net', 'mail.gmx.net:587 starttls-required basic'],
    ['gmx.de', 'mail.gmx.net:587 starttls-required basic'],
    ['gmx.com', 'mail.gmx.com:587 starttls-required basic'],
    ['web.de', 'smtp.web.de:587 starttls-required basic'],
    ['mail.com', 'smtp.mail.com:587 starttls-required basic'],
    ['proton.me', '127.0.0.1:1025 starttls-required basic'],
  ])('%s → %s', (domain, expected) => {
    expect(server(providerForDomain(domain))).toBe(expected);
  });

  it('matches whatever the case and a final dot, and only whole domains', () => {
    expect(providerForDomain('GMail.COM.')?.provider.name).toBe('Gmail');
    expect(providerForDomain('notgmail.com')).toBeUndefined();
    expect(providerForDomain('mail.gmail.com')).toBeUndefined();
    expect(providerForDomain('onmicrosoft.com')).toBeUndefined();
    expect(providerForDomain('example.com')).toBeUndefined();
  });

  it('signs Outlook.com in as a personal account and Microsoft 365 in the address domain tenant', () => {
    expect(providerForDomain('outlook.com')?.provider).toMatchObject({ tenant: 'consumers' });
    expect(providerForDomain('contoso.onmicrosoft.com')?.provider).toMatchObject({ tenant: 'address-domain' });
  });

  it('tells Proton users about the Bridge and Gmail users about app passwords', () => {
    expect(providerForDomain('pm.me')?.provider.notes.join(' ')).toContain('Proton Mail Bridge');
    expect(providerForDomain('gmail.com')?.provider.notes.join(' ')).toContain('app password');
  });
});

describe('providers by mail exchanger', () => {
  it.each([
    ['contoso-com.mail.protection.outlook.com', 'Microsoft 365'],
    ['contoso-com.m-v1.mx.microsoft', 'Microsoft 365'],
    ['aspmx.l.google.com.', 'Google Workspace'],
    ['alt2.aspmx.l.google.com', 'Google Workspace'],
    ['smtp.google.com', 'Google Workspace'],
    ['aspmx2.googlemail.com', 'Google Workspace'],
    ['mx.zoho.com', 'Zoho Mail for organisations'],
    ['mx2.zoho.eu', 'Zoho Mail for organisations (EU)'],
    ['in1-smtp.messagingengine.com', 'Fastmail'],
    ['mx01.mail.icloud.com', 'iCloud Mail'],
    ['mta5.am0.yahoodns.net', 'Yahoo Mail'],
    ['mail.protonmail.ch', 'Proton Mail'],
  ])('%s → %s', (mx, name) => {
    expect(providerForMx(mx)?.provider.name).toBe(name);
  });

  it('sends Zoho organisations to smtppro and Microsoft 365 to smtp.office365.com', () => {
    expect(providerForMx('mx.zoho.com')?.provider.host).toBe('smtppro.zoho.com');
    expect(providerForMx('x.mail.protection.outlook.com')?.provider.host).toBe('smtp.office365.com');
  });

  it('knows nothing of an exchanger of its own, or a look-alike', () => {
    expect(providerForMx('mx.example.com')).toBeUndefined();
    expect(providerForMx('google.com.evil.example')).toBeUndefined();
    expect(providerForMx('mail.protection.outlook.com.evil.example')).toBeUndefined();
    expect(providerForMx('')).toBeUndefined();
  });
});
