// The single door into main for both shells: unknown channels, bad input and thrown errors all
// come back as result objects, because a thrown error loses everything but its message across IPC.
import { channels, fail, invalidInput, isChannel, type Result } from '../../preload/contract';
import type { CallContext, Handler, Handlers } from './handlers';

export type Dispatch = (channel: unknown, input: unknown, ctx: CallContext) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** Called with unexpected errors; never with the input, which may hold secrets. */
  onInternalError?: (channel: string, error: unknown) => void;
}

export function createDispatch(handlers: Handlers, options: DispatchOptions = {}): Dispatch {
  return async (channel, input, ctx) => {
    if (!isChannel(channel)) {
      return fail('unknown-channel', `Unknown channel: ${typeof channel === 'string' ? channel.slice(0, 80) : typeof channel}`);
    }
    const spec = channels[channel];
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) return invalidInput(parsed.error);
    try {
      const handler = handlers[channel] as Handler<typeof channel>;
      const result = await handler(parsed.data as never, ctx);
      if (!result.ok) return result;
      const out = spec.output.safeParse(result.value);
      if (!out.success) {
        options.onInternalError?.(channel, out.error);
        return fail('internal', `Mailroom produced an unexpected answer on ${channel}`);
      }
      return { ok: true, value: out.data };
    } catch (error) {
      options.onInternalError?.(channel, error);
      return fail('internal', `Something went wrong in ${channel}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}
