// Whether Mailroom can write its debug log to the folder being typed on the General tab, checked as
// the user types (a moment after the last key), before anything is saved; and creating that folder
// when the user agrees to.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { DebugStatus } from '../../../preload/contract';
import { getBridge } from '../bridge';

/** How long typing must pause before the folder is tried: no probe file for every key. */
export const DEBUG_CHECK_DELAY_MS = 500;

export type DebugFolderCheck =
  | { status: 'idle' }
  /** Asked, no answer yet: a network share may take seconds. */
  | { status: 'checking'; path: string; creating: boolean }
  | { status: 'done'; path: string; result: DebugStatus }
  | { status: 'failed'; path: string; message: string };

export interface DebugFolderChecker {
  check: DebugFolderCheck;
  /** Creates the folder checked last (the user said yes), and tries it again. */
  create(): void;
}

/** `path` is the folder as typed; `checkable` is false while it is empty or not a full path (its field says why). */
export function useDebugFolderCheck(path: string, checkable: boolean): DebugFolderChecker {
  const [check, setCheck] = useState<DebugFolderCheck>({ status: 'idle' });
  // Answers can come back out of order (a slow share, then a quick local folder): only the last asked counts.
  const asked = useRef(0);

  const run = useCallback(async (folder: string, create: boolean) => {
    const ask = ++asked.current;
    setCheck({ status: 'checking', path: folder, creating: create });
    const answer = await getBridge().invoke('debug:check', { path: folder, ...(create ? { create: true } : {}) });
    if (ask !== asked.current) return;
    setCheck(answer.ok ? { status: 'done', path: folder, result: answer.value } : { status: 'failed', path: folder, message: answer.error.message });
  }, []);

  useEffect(() => {
    // Whatever was asked or answered was about other text.
    asked.current++;
    setCheck({ status: 'idle' });
    const folder = path.trim();
    if (!checkable || folder === '') return;
    const timer = setTimeout(() => void run(folder, false), DEBUG_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [path, checkable, run]);

  const create = useCallback(() => {
    const folder = path.trim();
    if (checkable && folder !== '') void run(folder, true);
  }, [path, checkable, run]);

  return { check, create };
}
