// Who is signed in for one profile: loaded when the panel appears and again after a sign-in or
// sign-out. The status belongs to the profile's id, so renaming a profile keeps its account.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { OAuthStatus, SmtpProfile } from '../../../preload/contract';
import { getBridge } from '../bridge';

export type OAuthStatusState =
  | { status: 'loading' }
  | { status: 'ready'; value: OAuthStatus }
  /** The status could not be read; the message says why. */
  | { status: 'failed'; message: string };

export interface ProfileOAuthStatus {
  state: OAuthStatusState;
  reload(): Promise<void>;
  /** Takes a status main returned (after signing in or out) without asking again. */
  set(value: OAuthStatus): void;
}

export function signedOut(profileId: string): OAuthStatus {
  return { profileId, signedIn: false, expiresAt: null, scopes: [] };
}

/** The profile as it stands in the dialog: a profile signed in before its first save still shows as signed in. */
export function useOAuthStatus(profile: SmtpProfile): ProfileOAuthStatus {
  const profileId = profile.id;
  const [state, setState] = useState<OAuthStatusState>({ status: 'loading' });
  const live = useRef(true);
  const current = useRef(profile);
  current.current = profile;

  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const reload = useCallback(async () => {
    const result = await getBridge().invoke('oauth:status', { profiles: [current.current] });
    if (!live.current) return;
    if (result.ok) setState({ status: 'ready', value: result.value[profileId] ?? signedOut(profileId) });
    else setState({ status: 'failed', message: result.error.message });
  }, [profileId]);

  useEffect(() => {
    setState({ status: 'loading' });
    void reload();
  }, [reload]);

  const set = useCallback(
    (value: OAuthStatus) => {
      if (value.profileId === profileId) setState({ status: 'ready', value });
    },
    [profileId],
  );

  return { state, reload, set };
}
