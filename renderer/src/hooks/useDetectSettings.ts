// Server settings proposed for an email address (smtp:detect): nothing is saved by asking.
import { useCallback } from 'react';
import type { Detection, Result } from '../../../preload/contract';
import { getBridge } from '../bridge';

export type DetectSettings = (address: string) => Promise<Result<Detection>>;

export function useDetectSettings(): DetectSettings {
  return useCallback((address: string) => getBridge().invoke('smtp:detect', { address }), []);
}
