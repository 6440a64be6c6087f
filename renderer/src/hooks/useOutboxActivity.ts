// The outbox and the debug folder's state, read again whenever main says the outbox changed while
// the Activity tab is on screen, and the actions on one message.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DebugStatus, OutboxEntry, OutboxView } from '../../../preload/contract';
import { getBridge } from '../bridge';

/** A slow safety net under the pushed outbox:changed (a stream that dropped, a debug folder that filled up). */
const POLL_MS = 30_000;
/** As many messages as the table shows; the counts cover the whole outbox regardless. */
const LIST_LIMIT = 500;

export type ActionOutcome = { ok: true; entry: OutboxEntry } | { ok: false; message: string };

export interface OutboxActivity {
  /** Null until the first answer. */
  view: OutboxView | null;
  /** Why the last read failed; the last view stays shown. */
  error: string | null;
  debug: DebugStatus | null;
  retry(id: string): Promise<ActionOutcome>;
  cancel(id: string): Promise<ActionOutcome>;
}

function usePageVisible(): boolean {
  const [visible, setVisible] = useState(() => document.visibilityState === 'visible');
  useEffect(() => {
    const onChange = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
}

/** Reads while `active` (the tab is selected) and the page is visible; stops otherwise. */
export function useOutboxActivity(active: boolean): OutboxActivity {
  const [view, setView] = useState<OutboxView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [debug, setDebug] = useState<DebugStatus | null>(null);
  const visible = usePageVisible();
  // Answers can cross (a poll and the read after an action): only a newer request's answer is shown.
  const issued = useRef(0);
  const shown = useRef(0);

  const read = useCallback(async () => {
    const ticket = ++issued.current;
    const bridge = getBridge();
    const [list, status] = await Promise.all([bridge.invoke('outbox:list', { limit: LIST_LIMIT }), bridge.invoke('debug:status', undefined)]);
    if (ticket < shown.current) return;
    shown.current = ticket;
    if (list.ok) {
      setView(list.value);
      setError(null);
    } else {
      setError(list.error.message);
    }
    if (status.ok) setDebug(status.value);
  }, []);

  const running = active && visible;
  useEffect(() => {
    if (!running) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      await read();
      if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    const stopHearing = getBridge().onEvent('outbox:changed', () => {
      if (!stopped) void read();
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
      stopHearing();
    };
  }, [running, read]);

  const act = useCallback(
    async (channel: 'outbox:retry' | 'outbox:cancel', id: string): Promise<ActionOutcome> => {
      const result = await getBridge().invoke(channel, { id });
      void read();
      return result.ok ? { ok: true, entry: result.value } : { ok: false, message: result.error.message };
    },
    [read],
  );
  const retry = useCallback((id: string) => act('outbox:retry', id), [act]);
  const cancel = useCallback((id: string) => act('outbox:cancel', id), [act]);

  return { view, error, debug, retry, cancel };
}
