// What a profile cannot do without: one rule for Save, Test connection, Send test and every send.
import { describe, expect, it } from 'vitest';
import { defaultSettings, missingRequired, newProfile, profileNeeds, type SmtpProfile } from '../../../preload/contract';

function profile(changes: Partial<SmtpProfile> = {}): SmtpProfile {
  return { ...newProfile('p-1', 'Harbour relay'), ...changes };
}

const paths = (errors: readonly { path: string }[]) => errors.map((e) => e.path);

describe('what a profile needs filled', () => {
  it('a test of a new profile needs only its server: no username, password or From address', () => {
    const fresh = profile();
    expect(fresh.auth).toBe('required');
    expect(paths(profileNeeds(fresh, 'test'))).toEqual(['host']);
    expect(profileNeeds(profile({ host: 'smtp.example.com' }), 'test')).toEqual([]);
  });

  it('a send needs the account it signs in as, and a message its From address', () => {
    const withHost = profile({ host: 'smtp.example.com' });
    expect(paths(profileNeeds(withHost, 'connection'))).toEqual(['username']);
    expect(paths(profileNeeds(withHost, 'send'))).toEqual(['fromAddress', 'username']);
    expect(paths(profileNeeds({ ...withHost, auth: 'none' }, 'send'))).toEqual(['fromAddress']);
    // Each user's own credentials come from the Users tab, not the profile.
    expect(paths(profileNeeds({ ...withHost, credentials: 'per-user' }, 'connection'))).toEqual([]);
  });

  it('OAuth2 needs the app registration to get a token, and Graph no server', () => {
    const graph = profile({ authModel: 'oauth2', sendMethod: 'graph' });
    expect(paths(profileNeeds(graph, 'test'))).toEqual(['clientId']);
    expect(profileNeeds(graph, 'test')[0]?.message).toBe('Required for OAuth2 sign-in');
  });

  it('Save needs everything a send needs, and the name', () => {
    const settings = defaultSettings();
    settings.general.organisationName = 'Acme';
    settings.general.alertFrom = 'alerts@acme.example';
    settings.smtp.profiles = [profile({ name: '' })];
    expect(paths(missingRequired(settings))).toEqual(['smtp.profiles.0.name', 'smtp.profiles.0.host', 'smtp.profiles.0.fromAddress', 'smtp.profiles.0.username']);
  });
});
