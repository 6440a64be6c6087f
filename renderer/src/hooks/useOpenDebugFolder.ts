// Opens the debug log's folder in the system's file manager, and keeps what came of the last try.
import { useCallback, useState } from 'react';
import { getBridge } from '../bridge';

export type OpenFolderOutcome =
  | { kind: 'idle' }
  | { kind: 'opened'; path: string }
  /** field: the setting (a dot path) the failure is about, when it names one. */
  | { kind: 'failed'; message: string; field?: string };

export interface OpenDebugFolderAction {
  busy: boolean;
  outcome: OpenFolderOutcome;
  open(): Promise<void>;
}

export function useOpenDebugFolder(): OpenDebugFolderAction {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<OpenFolderOutcome>({ kind: 'idle' });

  const open = useCallback(async () => {
    setBusy(true);
    const result = await getBridge().invoke('debug:open-folder', undefined);
    setBusy(false);
    if (result.ok) setOutcome({ kind: 'opened', path: result.value.path });
    else {
      const field = result.error.fields?.[0]?.path;
      setOutcome({ kind: 'failed', message: result.error.message, ...(field ? { field } : {}) });
    }
  }, []);

  return { busy, outcome, open };
}
