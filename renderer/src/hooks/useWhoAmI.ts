// Who is using the dialog: the OS account, the system user it maps to, whether that user may change
// the settings, and the compose and send modes in force for them. Main decides all of it.
import { useCallback, useEffect, useState } from 'react';
import type { Result, WhoAmI } from '../../../preload/contract';
import { getBridge } from '../bridge';
import { firstRead, useStartUpPart } from './start-up';

export type WhoAmIState = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; value: WhoAmI };

export interface Identity {
  state: WhoAmIState;
  /** The answer, once there is one. */
  who: WhoAmI | null;
  /** Asks again: after a save, the user's modes (or the users themselves) may have changed. */
  refresh(): Promise<void>;
}

export function useWhoAmI(): Identity {
  const first = useStartUpPart('whoami');
  const [state, setState] = useState<WhoAmIState>(first ? { status: 'ready', value: first } : { status: 'loading' });

  const take = useCallback((result: Result<WhoAmI>) => {
    // A failed refresh keeps what was known.
    setState((current) =>
      result.ok ? { status: 'ready', value: result.value } : current.status === 'ready' ? current : { status: 'failed', message: result.error.message },
    );
  }, []);

  const refresh = useCallback(async () => take(await getBridge().invoke('app:whoami', undefined)), [take]);

  useEffect(() => {
    if (first) return;
    void firstRead('whoami', () => getBridge().invoke('app:whoami', undefined)).then(take);
  }, [take, first]);

  return { state, who: state.status === 'ready' ? state.value : null, refresh };
}
