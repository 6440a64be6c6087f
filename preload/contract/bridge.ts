import type { Result } from './result';
import type { Channel, ChannelInput, ChannelOutput } from './channels';
import type { AppEvent, EventListener } from './events';

/** The one API the renderer talks to, whether preload (Electron) or HTTP (browser mode) provides it. */
export interface MailroomApi {
  invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>>;
  /** Hears one kind of event main pushes; returns the way to stop hearing it. */
  onEvent<E extends AppEvent>(name: E, listener: EventListener<E>): () => void;
}
