import { useEffect, useState } from 'react';
import type { AppInfo } from '../../../preload/contract';
import { getBridge } from '../bridge';
import { firstRead, useStartUpPart } from './start-up';

/** Facts about the running app (version, shell, where the data lives); null until known or if unavailable. */
export function useAppInfo(): AppInfo | null {
  const first = useStartUpPart('info');
  const [info, setInfo] = useState<AppInfo | null>(first ?? null);
  useEffect(() => {
    if (first) return;
    let live = true;
    void firstRead('info', () => getBridge().invoke('app:get-info', undefined)).then((result) => {
      if (live && result.ok) setInfo(result.value);
    });
    return () => {
      live = false;
    };
  }, [first]);
  return info;
}
