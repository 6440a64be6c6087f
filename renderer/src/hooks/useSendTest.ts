// One test email with a profile as it stands in the editor, and what came of it.
import { useCallback, useState } from 'react';
import type { FieldError, SendOutcome, SendReceipt, SmtpProfile } from '../../../preload/contract';
import { getBridge } from '../bridge';

export type SendTestPhase =
  | { status: 'idle' }
  | { status: 'sending' }
  | { status: 'sent'; receipt: SendReceipt }
  | { status: 'refused'; outcome: Extract<SendOutcome, { ok: false }> }
  | { status: 'error'; message: string };

export interface SendTest {
  phase: SendTestPhase;
  /** password: a typed, unsaved one to use in place of the saved one. */
  send(profile: SmtpProfile, password: string | undefined, to: string): Promise<void>;
  /** The test could not start for a reason found before asking main. */
  fail(message: string): void;
}

/** onFieldErrors: main's field errors (password, caFile…), for the editor to show under its fields. */
export function useSendTest(onFieldErrors: (fields: readonly FieldError[]) => void): SendTest {
  const [phase, setPhase] = useState<SendTestPhase>({ status: 'idle' });

  const send = useCallback(
    async (profile: SmtpProfile, password: string | undefined, to: string) => {
      setPhase({ status: 'sending' });
      const result = await getBridge().invoke('smtp:send-test', { profile, password: password ?? null, to });
      if (!result.ok) {
        onFieldErrors(result.error.fields ?? []);
        setPhase({ status: 'error', message: result.error.message });
      } else if (result.value.ok) {
        setPhase({ status: 'sent', receipt: result.value.receipt });
      } else {
        setPhase({ status: 'refused', outcome: result.value });
      }
    },
    [onFieldErrors],
  );

  const fail = useCallback((message: string) => setPhase({ status: 'error', message }), []);

  return { phase, send, fail };
}
