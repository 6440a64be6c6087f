// The first server profile saved becomes the default, so testing and sending without naming a
// profile work once the first one is set up.
import { describe, expect, it } from 'vitest';
import { defaultSettings, newProfile, withFirstProfileAsDefault } from '../../../preload/contract';

describe('the first profile becomes the default', () => {
  const withProfiles = (...ids: string[]) => {
    const s = defaultSettings();
    s.smtp.profiles = ids.map((id) => newProfile(id, id));
    return s;
  };

  it('when there were no profiles before and none is chosen', () => {
    const { settings, madeDefault } = withFirstProfileAsDefault(withProfiles(), withProfiles('first', 'second'));
    expect(settings.general.defaultProfile).toBe('first');
    expect(madeDefault?.id).toBe('first');
  });

  it('not when profiles existed, a default is chosen, or the saved settings could not be read', () => {
    expect(withFirstProfileAsDefault(withProfiles('old'), withProfiles('old', 'new')).madeDefault).toBeUndefined();
    const chosen = withProfiles('a', 'b');
    chosen.general.defaultProfile = 'b';
    expect(withFirstProfileAsDefault(withProfiles(), chosen).settings.general.defaultProfile).toBe('b');
    expect(withFirstProfileAsDefault(null, withProfiles('a')).madeDefault).toBeUndefined();
    expect(withFirstProfileAsDefault(withProfiles(), withProfiles()).madeDefault).toBeUndefined();
  });
});
