// Whether the saved debug folder can be written, for the warning on the General tab.
import { useEffect, useState } from 'react';
import type { DebugStatus } from '../../../preload/contract';
import { getBridge } from '../bridge';

/** Checked when logging is on and the saved path changes; null while off, unknown or unreadable. */
export function useDebugFolderStatus(enabled: boolean, savedPath: string): DebugStatus | null {
  const [status, setStatus] = useState<DebugStatus | null>(null);
  useEffect(() => {
    let live = true;
    if (!enabled || savedPath === '') {
      setStatus(null);
      return;
    }
    void getBridge()
      .invoke('debug:check', undefined)
      .then((result) => {
        if (live && result.ok) setStatus(result.value);
      });
    return () => {
      live = false;
    };
  }, [enabled, savedPath]);
  return status;
}
