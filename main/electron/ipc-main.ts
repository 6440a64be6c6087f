// The only file that touches ipcMain: one handler per contract channel, each behind the sender check.
import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNEL_NAMES, IPC_PREFIX, fail } from '../../preload/contract';
import type { Dispatch } from '../api/dispatch';
import { isTrustedSender } from './trusted-sender';

export function registerChannels(dispatch: Dispatch, trustedIds: ReadonlySet<number>): () => void {
  for (const channel of CHANNEL_NAMES) {
    ipcMain.handle(IPC_PREFIX + channel, (event: IpcMainInvokeEvent, input: unknown) => {
      const frame = event.senderFrame;
      const trusted = isTrustedSender(frame && { url: frame.url, isMainFrame: frame.parent === null }, event.sender.id, trustedIds);
      if (!trusted) return fail('forbidden', 'This window may not call Mailroom');
      return dispatch(channel, input, { shell: 'electron' });
    });
  }
  return () => {
    for (const channel of CHANNEL_NAMES) ipcMain.removeHandler(IPC_PREFIX + channel);
  };
}
