// Notices main keeps until the user dismisses them (a settings file set aside, say).
import { useCallback, useEffect, useState } from 'react';
import type { Notice } from '../../../preload/contract';
import { getBridge } from '../bridge';
import { firstRead, useStartUpPart } from './start-up';

export interface Notices {
  notices: readonly Notice[];
  /** Why the last list or dismiss failed, if it did. */
  error: string | null;
  dismiss(id: string): Promise<void>;
}

export function useNotices(): Notices {
  const first = useStartUpPart('notices');
  const [notices, setNotices] = useState<readonly Notice[]>(first ?? []);
  const [error, setError] = useState<string | null>(null);

  // Read at once, and again whenever main says a notice was added or dismissed (by any process).
  useEffect(() => {
    let live = true;
    const list = () => getBridge().invoke('app:list-notices', undefined);
    const read = (first = false) =>
      void (first ? firstRead('notices', list) : list()).then((result) => {
        if (!live) return;
        if (result.ok) {
          setNotices(result.value);
          setError(null);
        } else setError(result.error.message);
      });
    // Unless the list came with the start-up answer the dialog was drawn with.
    if (!first) read(true);
    const stopHearing = getBridge().onEvent('notices:changed', () => read());
    return () => {
      live = false;
      stopHearing();
    };
  }, [first]);

  const dismiss = useCallback(async (id: string) => {
    const result = await getBridge().invoke('app:dismiss-notice', { id });
    if (result.ok) {
      setNotices(result.value);
      setError(null);
    } else {
      setError(result.error.message);
    }
  }, []);

  return { notices, error, dismiss };
}
