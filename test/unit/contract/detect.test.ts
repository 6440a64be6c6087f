// What a proposal changes in a profile, through the same edit rules as the dialog and profile set.
import { describe, expect, it } from 'vitest';
import { applyProfileEdit, detectedChange, newProfile, type DetectedSettings, type SmtpProfile } from '../../../preload/contract';

const source = 'test';
const at = <T>(value: T) => ({ value, source });

const microsoft: DetectedSettings = {
  provider: 'Microsoft 365',
  host: at('smtp.office365.com'),
  port: at(587),
  security: at('starttls-required'),
  auth: at('required'),
  authModel: at('oauth2'),
  oauthProvider: at('microsoft365'),
  tenant: at('contoso.com'),
  username: at('invoices@contoso.com'),
  notes: [],
};

const implicitTls: DetectedSettings = { host: at('smtp.example.com'), port: at(465), security: at('tls'), auth: at('required'), authModel: at('basic'), username: at('ada@example.com'), notes: [] };

describe('detectedChange', () => {
  it('replaces the open profile\'s connection and nothing else', () => {
    const relay: SmtpProfile = { ...newProfile('p1', 'Office relay'), host: 'relay.local', port: 25, security: 'none', auth: 'none', credentials: 'per-user', fromAddress: 'accounts@example.com', bcc: 'records@example.com' };
    const next = applyProfileEdit(relay, detectedChange(microsoft));
    expect(next).toMatchObject({ host: 'smtp.office365.com', port: 587, security: 'starttls-required', auth: 'required', authModel: 'oauth2', oauthProvider: 'microsoft365', tenant: 'contoso.com', username: 'invoices@contoso.com', credentials: 'shared' });
    expect(next).toMatchObject({ name: 'Office relay', fromAddress: 'accounts@example.com', bcc: 'records@example.com', id: 'p1' });
  });

  it('keeps the proposed port though the security mode changed, and fills From only when asked', () => {
    const next = applyProfileEdit(newProfile('p2', 'Example'), detectedChange(implicitTls, { fromAddress: 'ada@example.com' }));
    expect(next).toMatchObject({ host: 'smtp.example.com', port: 465, security: 'tls', authModel: 'basic', fromAddress: 'ada@example.com' });
    expect(detectedChange(implicitTls)).not.toHaveProperty('fromAddress');
  });

  it('sets no tenant for a Basic proposal', () => {
    expect(detectedChange({ ...implicitTls, tenant: at('ignored') })).not.toHaveProperty('tenant');
  });
});
