// The machine policy in force, for showing locked fields: part of the start-up answer, so the first
// paint already shows them locked; policy:show when that answer is not there. It does not change
// while Mailroom runs. Main refuses a change to a locked setting whatever the page shows.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PolicyEntry, PolicyView } from '../../../preload/contract';
import { policyPathOf } from '../../../preload/contract/policy-values';
import { getBridge } from '../bridge';
import { firstRead, useStartUpPart } from './start-up';

export interface PolicyLocks {
  /** The policy entry locking a field, by its dot path in the draft (a profile's field by its place there). */
  lockOf(path: string, draft?: { smtp: { profiles: readonly { id: string }[] } }): PolicyEntry | undefined;
}

const NO_PROFILES = { smtp: { profiles: [] } };

/** `reader` names the caller, so each takes its own part of the start-up answer. */
export function usePolicy(reader: string): PolicyLocks {
  const first = useStartUpPart('policy', reader);
  const [view, setView] = useState<PolicyView | null>(first ?? null);
  useEffect(() => {
    if (first) return;
    let live = true;
    void firstRead('policy', () => getBridge().invoke('policy:show', undefined), reader).then((result) => {
      if (live && result.ok) setView(result.value);
    });
    return () => {
      live = false;
    };
  }, [first, reader]);
  const byPath = useMemo(() => new Map((view?.entries ?? []).map((e) => [e.path, e])), [view]);
  const lockOf = useCallback<PolicyLocks['lockOf']>(
    (path, draft = NO_PROFILES) => (byPath.size === 0 ? undefined : byPath.get(policyPathOf(path, draft))),
    [byPath],
  );
  return useMemo(() => ({ lockOf }), [lockOf]);
}
