// The office database this computer's Mailroom uses (General tab): its status, and saving or
// clearing it. The password goes one way only; the dialog learns whether one is saved.
import { useCallback, useEffect, useState } from 'react';
import type { ChannelOutput, FieldError, OfficeLinkStatus } from '../../../preload/contract';
import { getBridge } from '../bridge';

export type OfficeLinkOutcome =
  | { ok: true; saved: ChannelOutput<'office:link-save'> }
  | { ok: false; message: string; fields: readonly FieldError[] };

export function useOfficeLink() {
  const [status, setStatus] = useState<OfficeLinkStatus | null>(null);
  useEffect(() => {
    let live = true;
    void getBridge()
      .invoke('office:link-status', undefined)
      .then((result) => {
        if (live && result.ok) setStatus(result.value);
      });
    return () => {
      live = false;
    };
  }, []);

  const save = useCallback(async (url: string, password: string | undefined): Promise<OfficeLinkOutcome> => {
    const result = await getBridge().invoke('office:link-save', { url, ...(password !== undefined ? { password } : {}) });
    if (!result.ok) return { ok: false, message: result.error.message, fields: result.error.fields ?? [] };
    const fresh = await getBridge().invoke('office:link-status', undefined);
    if (fresh.ok) setStatus(fresh.value);
    return { ok: true, saved: result.value };
  }, []);

  const clear = useCallback(async (): Promise<void> => {
    const result = await getBridge().invoke('office:link-clear', undefined);
    if (result.ok) setStatus(result.value);
  }, []);

  return { status, save, clear };
}
