// The built-in mailer's saved drafts: the list the Drafts menu shows, and opening or deleting one.
import { useCallback, useState } from 'react';
import type { DraftSummary, SavedDraft } from '../../../preload/contract';
import { getBridge } from '../bridge';

export type DraftsState = { status: 'idle' | 'loading' } | { status: 'loaded'; drafts: DraftSummary[] } | { status: 'failed'; message: string };

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

export interface Drafts {
  state: DraftsState;
  refresh(): Promise<void>;
  open(id: string): Promise<Outcome<SavedDraft>>;
  remove(id: string): Promise<Outcome<boolean>>;
}

export function useDrafts(): Drafts {
  const [state, setState] = useState<DraftsState>({ status: 'idle' });

  const refresh = useCallback(async () => {
    setState((s) => (s.status === 'loaded' ? s : { status: 'loading' }));
    const result = await getBridge().invoke('drafts:list', undefined);
    setState(result.ok ? { status: 'loaded', drafts: result.value } : { status: 'failed', message: result.error.message });
  }, []);

  const open = useCallback(async (id: string): Promise<Outcome<SavedDraft>> => {
    const result = await getBridge().invoke('drafts:get', { id });
    return result.ok ? { ok: true, value: result.value } : { ok: false, message: result.error.message };
  }, []);

  const remove = useCallback(
    async (id: string): Promise<Outcome<boolean>> => {
      const result = await getBridge().invoke('drafts:delete', { id });
      void refresh();
      return result.ok ? { ok: true, value: result.value.deleted } : { ok: false, message: result.error.message };
    },
    [refresh],
  );

  return { state, refresh, open, remove };
}
