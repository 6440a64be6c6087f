// The connection test of one profile as it stands in the editor, saved or not.
import { useCallback } from 'react';
import type { Diagnosis, Result, SmtpProfile } from '../../../preload/contract';
import { getBridge } from '../bridge';

/** password: a typed, unsaved one ('' for "none") in place of the saved one; ping adds an ICMP check. */
export type TestConnection = (profile: SmtpProfile, password: string | undefined, ping: boolean) => Promise<Result<Diagnosis>>;

export function useTestConnection(): TestConnection {
  return useCallback(
    (profile: SmtpProfile, password: string | undefined, ping: boolean) =>
      getBridge().invoke('smtp:test-connection', { profile, password: password ?? null, ping }),
    [],
  );
}
