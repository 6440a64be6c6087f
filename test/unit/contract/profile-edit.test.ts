// The profile-edit rules the dialog and `mailroom profile set` share.
import { describe, expect, it } from 'vitest';
import { applyProfileEdit, newProfile, type SmtpProfile } from '../../../preload/contract';

const relay = (over: Partial<SmtpProfile> = {}): SmtpProfile => ({ ...newProfile('p1', 'Relay'), host: 'relay.example.com', auth: 'none', credentials: 'per-user', ...over });

describe('choosing OAuth2 with Microsoft 365', () => {
  it('fills in Exchange Online: host, port 587, STARTTLS required, sign-in required and shared credentials', () => {
    expect(applyProfileEdit(relay({ security: 'tls', port: 465 }), { authModel: 'oauth2' })).toMatchObject({
      authModel: 'oauth2',
      host: 'smtp.office365.com',
      port: 587,
      security: 'starttls-required',
      auth: 'required',
      credentials: 'shared',
    });
  });

  it('keeps what the same change gives (the command line may name its own host or port)', () => {
    expect(applyProfileEdit(relay(), { authModel: 'oauth2', host: 'smtp-eu.office365.com', credentials: 'shared' })).toMatchObject({ host: 'smtp-eu.office365.com', port: 587 });
    expect(applyProfileEdit(relay(), { authModel: 'oauth2', port: 25, security: 'starttls' })).toMatchObject({ host: 'smtp.office365.com', port: 25, security: 'starttls' });
    expect(applyProfileEdit(relay({ port: 2525 }), { authModel: 'oauth2' }, { portTyped: true })).toMatchObject({ port: 2525 });
  });

  it('fills in again when Microsoft 365 is chosen as the provider of an OAuth2 profile', () => {
    const oauth = relay({ authModel: 'oauth2', host: 'elsewhere.example.com', credentials: 'per-user' });
    expect(applyProfileEdit(oauth, { oauthProvider: 'microsoft365' })).toMatchObject({ host: 'smtp.office365.com', credentials: 'shared' });
  });

  it('does nothing more for a profile that already signs in with OAuth2, or for a password profile', () => {
    const oauth = relay({ authModel: 'oauth2', host: 'elsewhere.example.com' });
    expect(applyProfileEdit(oauth, { authModel: 'oauth2' })).toEqual(oauth);
    expect(applyProfileEdit(relay(), { username: 'u' })).toEqual({ ...relay(), username: 'u' });
  });
});

describe('the port follows the security mode', () => {
  it('moves a port still on the old mode\'s default to the new one\'s', () => {
    expect(applyProfileEdit(relay({ security: 'starttls', port: 587 }), { security: 'tls' }).port).toBe(465);
    expect(applyProfileEdit(relay({ security: 'tls', port: 465 }), { security: 'none' }).port).toBe(25);
  });

  it('leaves a port the user chose: one already off the default, typed in this change, or marked typed', () => {
    expect(applyProfileEdit(relay({ security: 'starttls', port: 2525 }), { security: 'tls' }).port).toBe(2525);
    expect(applyProfileEdit(relay({ security: 'starttls', port: 587 }), { security: 'tls', port: 587 }).port).toBe(587);
    expect(applyProfileEdit(relay({ security: 'starttls', port: 587 }), { security: 'tls' }, { portTyped: true }).port).toBe(587);
  });

  it('leaves the fields machine policy sets, whatever the change implies', () => {
    expect(applyProfileEdit(relay({ security: 'starttls', port: 587 }), { security: 'tls' }, { locked: new Set(['port']) }).port).toBe(587);
    const oauth = applyProfileEdit(relay({ host: 'smtp.contoso.test', port: 25, security: 'none' }), { authModel: 'oauth2' }, { locked: new Set(['host', 'port']) });
    expect(oauth).toMatchObject({ host: 'smtp.contoso.test', port: 25, security: 'starttls-required', auth: 'required' });
  });

  it('does not change the profile it was given', () => {
    const before = relay();
    applyProfileEdit(before, { authModel: 'oauth2', security: 'tls' });
    expect(before).toEqual(relay());
  });
});
