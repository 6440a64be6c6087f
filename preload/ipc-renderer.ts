// The only file that touches ipcRenderer: invoke a contract channel, nothing else.
import { ipcRenderer } from 'electron';
import { IPC_PREFIX, fail, isChannel, type Channel, type ChannelInput, type ChannelOutput, type Result } from './contract';

export async function invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<Result<ChannelOutput<C>>> {
  if (!isChannel(channel)) return fail('unknown-channel', 'Unknown channel');
  return (await ipcRenderer.invoke(IPC_PREFIX + channel, input)) as Result<ChannelOutput<C>>;
}
