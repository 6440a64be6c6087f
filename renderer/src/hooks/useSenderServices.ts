// Office mode: the sender services seen in the last minute, read while the Activity tab is on
// screen and again every 15 seconds (they report every few seconds; a stopped one drops out).
import { useEffect, useState } from 'react';
import type { SendersStatus } from '../../../preload/contract';
import { getBridge } from '../bridge';

const EVERY_MS = 15_000;

export type SenderServices = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready'; senders: SendersStatus['senders'] };

export function useSenderServices(enabled: boolean): SenderServices {
  const [state, setState] = useState<SenderServices>({ status: 'loading' });
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const read = () =>
      void getBridge()
        .invoke('office:senders', undefined)
        .then((result) => {
          if (!live) return;
          setState(result.ok ? { status: 'ready', senders: result.value.senders } : { status: 'failed', message: result.error.message });
        });
    read();
    const timer = setInterval(read, EVERY_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [enabled]);
  return state;
}
