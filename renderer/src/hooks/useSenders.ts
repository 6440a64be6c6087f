// What the built-in mailer needs to know before it can send: the saved server profiles, which is
// the default, and the current user's compose and send modes.
import { useEffect, useState } from 'react';
import type { SmtpProfile, WhoAmI } from '../../../preload/contract';
import { getBridge } from '../bridge';

export type Senders =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'loaded'; profiles: SmtpProfile[]; defaultProfile: string; modes: WhoAmI['modes'] | null };

/** Read once per compose window: settings saved while it is open apply to the next one. */
export function useSenders(): Senders {
  const [senders, setSenders] = useState<Senders>({ status: 'loading' });
  useEffect(() => {
    let current = true;
    const bridge = getBridge();
    void Promise.all([bridge.invoke('settings:get', undefined), bridge.invoke('app:whoami', undefined)]).then(([settings, whoami]) => {
      if (!current) return;
      if (!settings.ok) {
        setSenders({ status: 'failed', message: settings.error.message });
        return;
      }
      setSenders({
        status: 'loaded',
        profiles: settings.value.smtp.profiles,
        defaultProfile: settings.value.general.defaultProfile,
        modes: whoami.ok ? whoami.value.modes : null,
      });
    });
    return () => {
      current = false;
    };
  }, []);
  return senders;
}

/** Whether the user's send mode goes through Mailroom's outbox, and so needs a server profile. */
export function sendsThroughOutbox(modes: WhoAmI['modes'] | null): boolean {
  return !modes || modes.send === 'smtp' || modes.send === 'm365-graph' || modes.send === 'autodetect';
}
