// The connection a saved secret belongs to: which profile fields decide it, and how they compare.
import { describe, expect, it } from 'vitest';
import { CONNECTION_FIELDS, SmtpProfile, changedConnectionFields, connectionFingerprint, newProfile, sameConnection, type SmtpProfile as Profile } from '../../../preload/contract';

const saved: Profile = { ...newProfile('p1', 'Office'), host: 'smtp.acme.example', username: 'invoices@acme.example', fromAddress: 'invoices@acme.example' };

/** A value different from the saved one for every connection field. */
const OTHER: { [K in (typeof CONNECTION_FIELDS)[number]]: Profile[K] } = {
  host: 'smtp.evil.example',
  port: 2525,
  security: 'none',
  minTls: '1.0',
  verifyCert: false,
  caFile: '/elsewhere/ca.pem',
  auth: 'optional',
  authModel: 'oauth2',
  username: 'someone@evil.example',
  credentials: 'per-user',
  oauthProvider: 'microsoft365',
  tenant: 'evil.onmicrosoft.com',
  clientId: '00000000-1111-2222-3333-444444444444',
  sendMethod: 'graph',
};

describe('connection fingerprint', () => {
  it('covers where the connection goes, how it is secured and who signs in', () => {
    expect([...CONNECTION_FIELDS].sort()).toEqual(
      ['auth', 'authModel', 'caFile', 'clientId', 'credentials', 'host', 'minTls', 'oauthProvider', 'port', 'security', 'sendMethod', 'tenant', 'username', 'verifyCert'].sort(),
    );
    // Every one is a real profile field, so a renamed field cannot silently drop out of the check.
    for (const field of CONNECTION_FIELDS) expect(Object.keys(SmtpProfile.shape)).toContain(field);
  });

  it.each(CONNECTION_FIELDS.filter((f) => f !== 'oauthProvider'))('changes when %s changes', (field) => {
    const changed = { ...saved, [field]: OTHER[field] } as Profile;
    expect(SmtpProfile.safeParse(changed).success).toBe(true);
    expect(sameConnection(saved, changed)).toBe(false);
    expect(connectionFingerprint(changed)).not.toBe(connectionFingerprint(saved));
    expect(changedConnectionFields(saved, changed)).toEqual([field]);
  });

  it('stays the same when only the name, sender or limits change', () => {
    const edited: Profile = { ...saved, name: 'Renamed', fromName: 'Acme', fromAddress: 'other@acme.example', bcc: 'archive@acme.example', timeoutSeconds: 90, perMinute: 10, maxConnections: 5, maxAttachmentsMb: 1, notifyUser: 'it@acme.example' };
    expect(sameConnection(saved, edited)).toBe(true);
    expect(changedConnectionFields(saved, edited)).toEqual([]);
  });

  it('compares the host trimmed and without regard to case, and nothing else loosely', () => {
    expect(sameConnection(saved, { ...saved, host: '  SMTP.Acme.Example ' })).toBe(true);
    expect(sameConnection(saved, { ...saved, host: 'smtp.acme.example.' })).toBe(false);
    expect(sameConnection(saved, { ...saved, username: 'Invoices@acme.example' })).toBe(false);
    expect(sameConnection(saved, { ...saved, port: 25 })).toBe(false);
  });

  it('can be taken over some fields only', () => {
    const moved = { ...saved, host: 'smtp.evil.example' };
    expect(connectionFingerprint(moved, ['tenant', 'clientId'])).toBe(connectionFingerprint(saved, ['tenant', 'clientId']));
    expect(connectionFingerprint(moved, ['host'])).not.toBe(connectionFingerprint(saved, ['host']));
  });
});
