// Loads the dialog's schemas (validators.ts) apart from the first paint: zod and the contract's
// schemas are a fifth of the dialog's script and take longer to build than the dialog takes to
// draw. They are fetched once the dialog is drawn (App), or at once by whatever needs a verdict
// (Save); until they are here, fields show only "Required".
import { useEffect, useState } from 'react';
import type * as ValidatorsModule from './validators';

export type Validators = typeof ValidatorsModule;

let loaded: Validators | null = null;
let loading: Promise<Validators> | null = null;
const waiting = new Set<(validators: Validators) => void>();

export function loadValidators(): Promise<Validators> {
  loading ??= import('./validators').then(
    (validators) => {
      loaded = validators;
      for (const listener of [...waiting]) listener(validators);
      return validators;
    },
    (error: unknown) => {
      // A failed fetch is tried again by the next caller.
      loading = null;
      throw error;
    },
  );
  return loading;
}

/** The validators once someone has loaded them, null until then: this does not fetch them. */
export function useValidators(): Validators | null {
  const [validators, setValidators] = useState(loaded);
  useEffect(() => {
    if (validators) return;
    if (loaded) {
      setValidators(loaded);
      return;
    }
    waiting.add(setValidators);
    return () => {
      waiting.delete(setValidators);
    };
  }, [validators]);
  return validators;
}
