// What the compose window asks of main: send a message (through the outbox or the user's mail
// client), hand it to the compose mode's client, and save it as a draft.
import { useMemo } from 'react';
import type { ChannelInput, ChannelOutput, Result } from '../../../preload/contract';
import { getBridge } from '../bridge';

export interface MailActions {
  send(input: ChannelInput<'mail:send'>): Promise<Result<ChannelOutput<'mail:send'>>>;
  handOff(input: ChannelInput<'mail:compose'>): Promise<Result<ChannelOutput<'mail:compose'>>>;
  saveDraft(draft: ChannelInput<'drafts:save'>['draft']): Promise<Result<ChannelOutput<'drafts:save'>>>;
}

export function useMailActions(): MailActions {
  return useMemo(
    () => ({
      send: (input) => getBridge().invoke('mail:send', input),
      handOff: (input) => getBridge().invoke('mail:compose', input),
      saveDraft: (draft) => getBridge().invoke('drafts:save', { draft }),
    }),
    [],
  );
}
