// Test connection of a saved profile in office mode: asked of the sender services through the
// database (mailroom.requests), since only they can open the saved password; the steps come back
// as the dialog shows them in file mode.
import { AppError, Diagnosis, fail, type Result } from '../../../preload/contract';
import type { OfficeStore } from './office-store';

/** Long enough for a test with every step timing out (the profile's timeout, several steps). */
const EXTRA_WAIT_MS = 15_000;

export interface SenderTestDeps {
  store: OfficeStore;
  /** Resolves when the database notifies a change to this request (or soon after, as a fallback). */
  changed(id: string, withinMs: number): Promise<void>;
}

export async function testThroughSender(deps: SenderTestDeps, profile: { id: string; timeoutSeconds: number }, ping: boolean): Promise<Result<Diagnosis>> {
  const status = await deps.store.status();
  if (status.ok && status.value.senders.length === 0) {
    return fail('unavailable', 'No sender service is running, and only it can use the saved password. Ask IT to start it (mailroom outbox serve), or type the password to test from here.', [
      { path: 'password', message: 'Type the password to test from here' },
    ]);
  }
  const asked = await deps.store.requestTest(profile.id, ping);
  if (!asked.ok) return asked;
  const deadline = Date.now() + profile.timeoutSeconds * 4_000 + EXTRA_WAIT_MS;
  for (;;) {
    const answer = await deps.store.requestAnswer(asked.value);
    if (!answer.ok) return answer;
    if (answer.value !== undefined) return readAnswer(answer.value);
    const left = deadline - Date.now();
    if (left <= 0) return fail('unavailable', 'The sender service did not answer the test in time; it may be busy or stopped. Try again, or see mailroom office status.');
    await deps.changed(asked.value, Math.min(left, 1_000));
  }
}

function readAnswer(value: unknown): Result<Diagnosis> {
  const answer = value as { ok?: unknown; value?: unknown; error?: unknown };
  if (answer?.ok === true) {
    const diagnosis = Diagnosis.safeParse(answer.value);
    if (diagnosis.success) return { ok: true, value: diagnosis.data };
  } else if (answer?.ok === false) {
    const error = AppError.safeParse(answer.error);
    if (error.success) return { ok: false, error: error.data };
  }
  return fail('internal', 'The sender service answered the test in a form this Mailroom does not read; update Mailroom on both computers.');
}
