import { useEffect, useState } from 'react';
import type { AppInfo } from '../../../preload/contract';
import { getBridge } from '../bridge';
import { firstRead } from './start-up';

/** Facts about the running app (version, shell, where the data lives); null until known or if unavailable. */
export function useAppInfo(): AppInfo | null {
  const [info, setInfo] = useState<AppInfo | null>(null);
  useEffect(() => {
    let live = true;
    void firstRead('info', () => getBridge().invoke('app:get-info', undefined)).then((result) => {
      if (live && result.ok) setInfo(result.value);
    });
    return () => {
      live = false;
    };
  }, []);
  return info;
}
