// Write-only passwords as the dialog sees them: whether one is saved (never the password itself),
// and what the user typed or cleared since. Changes wait in memory until Save; main stores them only
// for profiles (or users) it has saved, so they are applied after the settings themselves were saved.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Result, SecretStatus, Settings } from '../../../preload/contract';
import { getBridge } from '../bridge';
import { firstRead, useStartUpPart } from './start-up';

/** Whose passwords a store keeps: server profiles' (the SMTP tab) or system users' own (the Users tab). */
export interface PasswordKind {
  /** Which passwords: names this reader of the start-up answer. */
  name: string;
  saved(status: SecretStatus): Readonly<Record<string, boolean>>;
  /** The ids main keeps passwords for in these saved settings. */
  ids(settings: Settings): string[];
  store(id: string, password: string | null): Promise<Result<SecretStatus>>;
}

export const PROFILE_PASSWORDS: PasswordKind = {
  name: 'profiles',
  saved: (status) => status.profilePasswords,
  ids: (settings) => settings.smtp.profiles.map((p) => p.id),
  store: (profileId, password) => getBridge().invoke('secrets:set-profile-password', { profileId, password }),
};

/** A typed replacement, or null for "remove the saved one". */
export type PendingPassword = string | null;

export interface PasswordApplyOutcome {
  ok: boolean;
  /** Why a password could not be stored, by profile id. */
  failed: Readonly<Record<string, string>>;
}

export interface ProfilePasswords {
  /** Whether main holds a password for the profile; undefined until known. */
  isSaved(profileId: string): boolean | undefined;
  /** What waits for Save: a new password, null to remove the saved one, undefined for nothing. */
  pending(profileId: string): PendingPassword | undefined;
  /** Why the last attempt to store this profile's password failed, if it did. */
  errorFor(profileId: string): string | undefined;
  type(profileId: string, password: string): void;
  clear(profileId: string): void;
  /** Drops whatever waits for this profile (it was deleted, say). */
  forget(profileId: string): void;
  /** The password a test should use in place of the saved one: what was typed, if anything. */
  forTest(profileId: string): string | undefined;
  /** Something typed or cleared is waiting for Save. */
  dirty: boolean;
  /** Stores every waiting change for the profiles in saved settings; call after settings:save succeeded. */
  apply(saved: Settings): Promise<PasswordApplyOutcome>;
  revert(): void;
}

export function usePasswords(kind: PasswordKind = PROFILE_PASSWORDS): ProfilePasswords {
  const first = useStartUpPart('secrets', kind.name);
  const [status, setStatus] = useState<Readonly<Record<string, boolean>> | null>(() => (first ? kind.saved(first) : null));
  const [pendingById, setPendingById] = useState<Readonly<Record<string, PendingPassword>>>({});
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});

  const refresh = useCallback(async () => {
    const result = await getBridge().invoke('secrets:status', undefined);
    if (result.ok) setStatus(kind.saved(result.value));
  }, [kind]);

  useEffect(() => {
    if (first) return;
    void firstRead('secrets', () => getBridge().invoke('secrets:status', undefined), kind.name).then((result) => {
      if (result.ok) setStatus(kind.saved(result.value));
    });
  }, [kind, first]);

  const isSaved = useCallback(
    (id: string) => (status === null ? undefined : status[id] === true),
    [status],
  );

  const setPending = useCallback((id: string, value: PendingPassword | undefined) => {
    setPendingById((current) => {
      if (value === undefined) {
        if (!(id in current)) return current;
        const rest = { ...current };
        delete rest[id];
        return rest;
      }
      return { ...current, [id]: value };
    });
    setErrors((current) => {
      if (!(id in current)) return current;
      const rest = { ...current };
      delete rest[id];
      return rest;
    });
  }, []);

  const type = useCallback(
    // Typing and then erasing it all leaves the saved password as it was.
    (id: string, password: string) => setPending(id, password === '' ? undefined : password),
    [setPending],
  );

  const clear = useCallback(
    (id: string) => setPending(id, status?.[id] === true ? null : undefined),
    [setPending, status],
  );

  const forget = useCallback((id: string) => setPending(id, undefined), [setPending]);

  const apply = useCallback(
    async (saved: Settings): Promise<PasswordApplyOutcome> => {
      const savedIds = new Set(kind.ids(saved));
      const failed: Record<string, string> = {};
      const done: string[] = [];
      let latest: Readonly<Record<string, boolean>> | null = null;
      for (const [profileId, password] of Object.entries(pendingById)) {
        if (!savedIds.has(profileId)) {
          done.push(profileId);
          continue;
        }
        const result = await kind.store(profileId, password);
        if (result.ok) {
          done.push(profileId);
          latest = kind.saved(result.value);
        } else {
          failed[profileId] = result.error.fields?.[0]?.message ?? result.error.message;
        }
      }
      setPendingById((current) => {
        const rest = { ...current };
        // Only what was sent: anything typed while the save was under way still waits.
        for (const id of done) if (rest[id] === pendingById[id]) delete rest[id];
        return rest;
      });
      setErrors(failed);
      if (latest) setStatus(latest);
      // Saving may have dropped the passwords of deleted profiles too.
      await refresh();
      return { ok: Object.keys(failed).length === 0, failed };
    },
    [pendingById, refresh, kind],
  );

  const revert = useCallback(() => {
    setPendingById({});
    setErrors({});
  }, []);

  return useMemo(
    () => ({
      isSaved,
      pending: (id: string) => (id in pendingById ? pendingById[id] : undefined),
      errorFor: (id: string) => errors[id],
      type,
      clear,
      forget,
      // A cleared password tests as no password at all (''), not as the saved one.
      forTest: (id: string) => {
        const value = pendingById[id];
        return typeof value === 'string' ? value : value === null ? '' : undefined;
      },
      dirty: Object.keys(pendingById).length > 0,
      apply,
      revert,
    }),
    [isSaved, pendingById, errors, type, clear, forget, apply, revert],
  );
}
