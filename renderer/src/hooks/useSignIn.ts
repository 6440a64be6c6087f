// Signing one profile in with Microsoft and out again: who is signed in, the flow under way, and
// what came of the last attempt. A flow left behind (the panel closed) is called off in main too.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Advice, FieldError, OAuthStatus, SignInFlow, SignInMethod, SmtpProfile } from '../../../preload/contract';
import { getBridge } from '../bridge';
import { useOAuthStatus, type OAuthStatusState } from './useOAuthStatus';

export type SignInPhase =
  | { status: 'idle' }
  | { status: 'starting'; method: SignInMethod }
  | { status: 'waiting'; flow: SignInFlow }
  | { status: 'failed'; advice: Advice }
  | { status: 'error'; title: string; message: string }
  | { status: 'cancelled' };

export interface SignInCallbacks {
  /** The profile as main needs it, or null after showing under the fields what is wrong. */
  prepare(): SmtpProfile | null;
  /** Field errors main reported when the sign-in could not start. */
  onFieldErrors(fields: readonly FieldError[]): void;
  onSignedIn(status: OAuthStatus): void;
  /** A sign-in or sign-out ended: the panel moves focus back to its heading. */
  onSettled(): void;
}

export interface ProfileSignIn {
  state: OAuthStatusState;
  phase: SignInPhase;
  signingOut: boolean;
  /** A sign-in is starting or waiting, or a sign-out is under way. */
  busy: boolean;
  signIn(method: SignInMethod): Promise<void>;
  cancel(): void;
  signOut(): Promise<void>;
}

export function useSignIn(profile: SmtpProfile, callbacks: SignInCallbacks): ProfileSignIn {
  const { state, reload, set } = useOAuthStatus(profile);
  const [phase, setPhase] = useState<SignInPhase>({ status: 'idle' });
  const [signingOut, setSigningOut] = useState(false);
  const flowRef = useRef<string | null>(null);
  // The sign-in outlives many renders; what it calls at the end must be the latest.
  const latest = useRef(callbacks);
  latest.current = callbacks;
  const profileId = profile.id;

  useEffect(
    () => () => {
      const open = flowRef.current;
      flowRef.current = null;
      if (open) void getBridge().invoke('oauth:sign-in-cancel', { flowId: open });
    },
    [],
  );

  const signIn = useCallback(
    async (method: SignInMethod) => {
      const prepared = latest.current.prepare();
      if (!prepared) {
        setPhase({ status: 'error', title: 'Check the profile', message: 'Some fields need attention first. The messages are under the fields.' });
        return;
      }
      setPhase({ status: 'starting', method });
      const started = await getBridge().invoke('oauth:sign-in-start', { profile: prepared, method });
      if (!started.ok) {
        latest.current.onFieldErrors(started.error.fields ?? []);
        setPhase({ status: 'error', title: 'Signing in could not start', message: started.error.message });
        return;
      }
      const flow = started.value;
      flowRef.current = flow.flowId;
      setPhase({ status: 'waiting', flow });
      const ended = await getBridge().invoke('oauth:sign-in-wait', { flowId: flow.flowId });
      // Cancelled, or another sign-in took its place: this one's ending is no news.
      if (flowRef.current !== flow.flowId) return;
      flowRef.current = null;
      if (!ended.ok) {
        setPhase({ status: 'error', title: 'Not signed in', message: ended.error.message });
        void reload();
      } else if (ended.value.ok) {
        set(ended.value.status);
        setPhase({ status: 'idle' });
        latest.current.onSignedIn(ended.value.status);
        latest.current.onSettled();
      } else {
        setPhase({ status: 'failed', advice: ended.value.advice });
      }
    },
    [reload, set],
  );

  const cancel = useCallback(() => {
    const open = flowRef.current;
    flowRef.current = null;
    setPhase({ status: 'cancelled' });
    if (open) void getBridge().invoke('oauth:sign-in-cancel', { flowId: open });
  }, []);

  const signOut = useCallback(async () => {
    setSigningOut(true);
    setPhase({ status: 'idle' });
    const result = await getBridge().invoke('oauth:sign-out', { profileId });
    setSigningOut(false);
    if (result.ok) set(result.value);
    else setPhase({ status: 'error', title: 'Not signed out', message: result.error.message });
    latest.current.onSettled();
  }, [profileId, set]);

  const busy = phase.status === 'starting' || phase.status === 'waiting' || signingOut;
  return { state, phase, signingOut, busy, signIn, cancel, signOut };
}
