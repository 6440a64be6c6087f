import type { Result } from './result';
import type { Channel, ChannelInput, ChannelOutput } from './channels';

/** The one API the renderer talks to, whether preload (Electron) or HTTP (browser mode) provides it. */
export interface MailroomApi {
  invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
}
