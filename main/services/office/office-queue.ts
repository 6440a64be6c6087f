// The office outbox as the dialog and the command line use it: messages are queued in the database
// as the signed-in role and sent by the office's sender service, which alone holds the shared
// passwords. A message sent from the compose window is watched until its fate is known.
import { ok, type Advice, type OutboxEntry, type OutboxState } from '../../../preload/contract';
import { outcomeOf } from '../outbox/outbox';
import type { MessageQueue } from '../outbox/message-queue';
import type { OfficeOutbox } from './office-outbox';
import type { OfficeStore } from './office-store';

/** How long a send from the dialog waits for a sender's answer before saying it waits in the queue. */
const SEND_WAIT_MS = 30_000;
const FINAL: ReadonlySet<OutboxState> = new Set(['sent', 'failed', 'unknown', 'cancelled']);

export interface OfficeQueueDeps {
  outbox: OfficeOutbox;
  store: OfficeStore;
  /** Hears every change the database notifies on the outbox; returns how to stop hearing it. */
  onOutboxChange(listener: () => void): () => void;
  sendWaitMs?: number;
}

function waitingAdvice(noSender: boolean): Advice {
  return noSender
    ? {
        code: 'queued-elsewhere',
        title: 'Queued: no sender service is running',
        cause: "The office's sender service sends every message, and none has been seen in the last minute.",
        fix: 'Ask IT to start it (mailroom outbox serve); the message is sent as soon as one runs. Its progress shows on the Activity tab.',
      }
    : {
        code: 'queued-elsewhere',
        title: "Queued: the office's sender service sends it",
        cause: 'The sender service has not finished with it yet.',
        fix: 'Its progress shows on the Activity tab.',
      };
}

export function officeQueue(deps: OfficeQueueDeps): MessageQueue {
  const { outbox } = deps;

  /** The message once it is final, or tried and put back for later; undefined when the wait ran out. */
  async function settle(id: string, waitMs: number): Promise<OutboxEntry | undefined> {
    return new Promise((resolve) => {
      let done = false;
      let looking = false;
      let again = false;
      const finish = (entry: OutboxEntry | undefined) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        stop();
        resolve(entry);
      };
      const look = async () => {
        if (looking) {
          again = true;
          return;
        }
        looking = true;
        do {
          again = false;
          const found = await outbox.get(id);
          if (!found.ok) return finish(undefined);
          const entry = found.value;
          if (FINAL.has(entry.state) || (entry.state === 'queued' && entry.attempts > 0)) return finish(entry);
        } while (again && !done);
        looking = false;
      };
      const stop = deps.onOutboxChange(() => void look());
      const timer = setTimeout(() => finish(undefined), waitMs);
      void look();
    });
  }

  return {
    async sendNow(profile, message) {
      const queued = await outbox.queue(profile, [message]);
      if (!queued.ok) return queued;
      const entry = queued.value[0]!;
      const envelopeFrom = profile.fromAddress;
      if (FINAL.has(entry.state)) return ok({ entry, outcome: outcomeOf(entry, envelopeFrom) });
      const status = await deps.store.status();
      const noSender = status.ok && status.value.senders.length === 0;
      const settled = noSender ? undefined : await settle(entry.id, deps.sendWaitMs ?? SEND_WAIT_MS);
      if (!settled) return ok({ entry, outcome: { ok: false, advice: waitingAdvice(noSender) } });
      return ok({ entry: settled, outcome: outcomeOf(settled, envelopeFrom) });
    },
    queue: (profile, messages) => outbox.queue(profile, messages),
    view: (limit, states) => outbox.view(limit, states),
    retry: (id) => outbox.retry(id),
    cancel: (id) => outbox.cancel(id),
  };
}
