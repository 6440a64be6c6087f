// What the dialog, the command line and the compose window ask of an outbox, wherever it is: the
// file outbox on this computer (sent by this process), or the office outbox in the database (sent by
// the sender service).
import { fail, ok, type OutboxEntry, type OutboxState, type OutboxView, type OutgoingMessage, type Result, type SendOutcome, type SmtpProfile } from '../../../preload/contract';
import type { Outbox } from './outbox';

export interface SentNow {
  entry: OutboxEntry;
  outcome: SendOutcome;
}

export interface MessageQueue {
  /** Queues one message and answers once its fate is known, or says where it waits. */
  sendNow(profile: SmtpProfile, message: OutgoingMessage, kind?: OutboxEntry['kind'], options?: { password?: string | null }): Promise<Result<SentNow>>;
  /** Queues messages to be sent in the background. */
  queue(profile: SmtpProfile, messages: OutgoingMessage[]): Promise<Result<OutboxEntry[]>>;
  /** The newest messages (only those in `states` when given), the counts and the batches. */
  view(limit: number, states?: readonly OutboxState[]): Promise<Result<OutboxView>>;
  retry(id: string): Promise<Result<OutboxEntry>>;
  cancel(id: string): Promise<Result<OutboxEntry>>;
}

const gone = (): Result<never> => fail('not-found', 'That message is no longer in the outbox', [{ path: 'id', message: 'Unknown message' }]);

/** The outbox file on this computer, sent by this process. */
export function fileQueue(outbox: Outbox): MessageQueue {
  return {
    sendNow: async (profile, message, kind = 'message', options = {}) => ok(await outbox.sendNow(profile, message, kind, options)),
    queue: async (profile, messages) => ok(await outbox.queue(profile, messages)),
    view: async (limit, states) => {
      await outbox.open();
      return ok(outbox.view(limit, states));
    },
    retry: async (id) => {
      const entry = await outbox.retry(id);
      return entry ? ok(entry) : gone();
    },
    cancel: async (id) => {
      const entry = await outbox.cancel(id);
      return entry ? ok(entry) : gone();
    },
  };
}
