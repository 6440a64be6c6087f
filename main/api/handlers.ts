// What each channel does. Inputs arrive already validated by dispatch; outputs are checked there too.
import type { z } from 'zod';
import { ok, type Channel, type Channels, type ChannelOutput, type Result, type Shell } from '../../preload/contract';
import type { Services } from '../services';

export interface CallContext {
  shell: Shell;
}

export type Handler<C extends Channel> = (
  input: z.output<Channels[C]['input']>,
  ctx: CallContext,
) => Result<ChannelOutput<C>> | Promise<Result<ChannelOutput<C>>>;

export type Handlers = { [C in Channel]: Handler<C> };

export function createHandlers(services: Services): Handlers {
  return {
    'app:get-info': () => ok(services.info()),
    'app:list-notices': () => ok(services.notices.list()),
    'app:dismiss-notice': ({ id }) => ok(services.notices.dismiss(id)),
    'settings:get': () => ok(services.settings.read()),
    'settings:save': (settings) => services.settings.save(settings),
  };
}
