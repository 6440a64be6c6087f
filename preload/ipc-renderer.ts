// The only file that touches ipcRenderer: invoke a contract channel, hear a contract event, nothing else.
import { ipcRenderer, type IpcRendererEvent } from 'electron';
import {
  EVENT_PREFIX,
  IPC_PREFIX,
  events,
  fail,
  isAppEvent,
  isChannel,
  type AppEvent,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type EventListener,
  type Result,
} from './contract';

export async function invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
  if (!isChannel(channel)) return fail('unknown-channel', 'Unknown channel');
  return (await ipcRenderer.invoke(IPC_PREFIX + channel, input)) as Result<ChannelOutput<C>>;
}

/** Hears one contract event; the page never sees the IPC event object (it would lead to ipcRenderer). */
export function onEvent<E extends AppEvent>(name: E, listener: EventListener<E>): () => void {
  if (!isAppEvent(name) || typeof listener !== 'function') return () => {};
  const handler = (_event: IpcRendererEvent, payload: unknown) => {
    const parsed = events[name].safeParse(payload);
    if (parsed.success) listener(parsed.data as Parameters<EventListener<E>>[0]);
  };
  ipcRenderer.on(EVENT_PREFIX + name, handler);
  return () => {
    ipcRenderer.removeListener(EVENT_PREFIX + name, handler);
  };
}
