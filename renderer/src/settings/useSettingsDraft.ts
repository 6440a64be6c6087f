// The one settings draft behind the whole dialog: what was saved, what the user has changed,
// which errors to show where, and Save/Revert.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Settings, defaultSettings, fieldErrors, isRequired, missingRequired } from '../../../preload/contract';
import { getBridge } from '../bridge';
import type { FormBinding } from '../components/fields';
import { deepEqual, leafPaths, setAt } from './dot-path';

export type FieldErrorMap = Readonly<Record<string, string>>;

export type LoadState = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready' };

export interface Banner {
  intent: 'success' | 'error';
  title?: string;
  message: string;
}

export type SaveOutcome = { ok: true; saved: Settings } | { ok: false; firstErrorPath?: string };

export interface SettingsDraft {
  load: LoadState;
  reload(): void;
  /** The document as last loaded or saved; null until loaded. */
  saved: Settings | null;
  draft: Settings;
  dirty: boolean;
  saving: boolean;
  /** Every error the draft has now, shown or not yet, by dot path. */
  errors: FieldErrorMap;
  form: FormBinding<Settings>;
  save(): Promise<SaveOutcome>;
  revert(): void;
  banner: Banner | null;
  /** Replaces the message bar (for what happens after a save, like storing passwords). */
  showBanner(banner: Banner): void;
  dismissBanner(): void;
}

const SUCCESS_BANNER_MS = 4000;

/** What is wrong with a draft, by dot path: the schema's own checks, then required fields left empty. */
export function validateDraft(draft: Settings): FieldErrorMap {
  const errors: Record<string, string> = {};
  const parsed = Settings.safeParse(draft);
  if (!parsed.success) {
    for (const { path, message } of fieldErrors(parsed.error)) errors[path] ??= message;
  }
  // Checked apart from the schema so "Required" shows even while another field is malformed.
  for (const { path, message } of missingRequired(draft)) errors[path] ??= message;
  return errors;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function useSettingsDraft(): SettingsDraft {
  const [load, setLoad] = useState<LoadState>({ status: 'loading' });
  const [saved, setSaved] = useState<Settings | null>(null);
  const [draft, setDraft] = useState<Settings>(defaultSettings);
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrorMap>({});
  const [saving, setSaving] = useState(false);
  const [banner, setBanner] = useState<Banner | null>(null);
  const [loadCount, setLoadCount] = useState(0);

  const savingRef = useRef(false);

  useEffect(() => {
    let live = true;
    setLoad({ status: 'loading' });
    void getBridge()
      .invoke('settings:get', undefined)
      .then((result) => {
        if (!live) return;
        if (result.ok) {
          setSaved(result.value);
          setDraft(result.value);
          setTouched(new Set());
          setSubmitted(false);
          setServerErrors({});
          setLoad({ status: 'ready' });
        } else {
          setLoad({ status: 'failed', message: result.error.message });
        }
      });
    return () => {
      live = false;
    };
  }, [loadCount]);

  useEffect(() => {
    if (banner?.intent !== 'success') return;
    const timer = setTimeout(() => setBanner((b) => (b === banner ? null : b)), SUCCESS_BANNER_MS);
    return () => clearTimeout(timer);
  }, [banner]);

  const clientErrors = useMemo(() => validateDraft(draft), [draft]);
  const errors = useMemo(() => ({ ...clientErrors, ...serverErrors }), [clientErrors, serverErrors]);
  const dirty = saved !== null && !deepEqual(draft, saved);

  const onChange = useCallback((path: string, value: unknown) => {
    setDraft((d) => setAt(d, path, value));
    // The server's verdict was on the old value; the schema re-checks the new one.
    setServerErrors((e) => {
      if (!(path in e)) return e;
      const rest = { ...e };
      delete rest[path];
      return rest;
    });
    setBanner((b) => (b?.intent === 'success' ? null : b));
  }, []);

  const onBlur = useCallback((path: string) => {
    setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));
  }, []);

  const form = useMemo<FormBinding<Settings>>(
    () => ({
      draft,
      errorFor: (path) => serverErrors[path] ?? (submitted || touched.has(path) ? clientErrors[path] : undefined),
      isRequired: (path) => isRequired(path, draft),
      isReadOnly: () => false,
      onChange,
      onBlur,
    }),
    [draft, serverErrors, submitted, touched, clientErrors, onChange, onBlur],
  );

  const save = useCallback(async (): Promise<SaveOutcome> => {
    if (savingRef.current || saved === null) return { ok: false };
    setSubmitted(true);
    setBanner(null);
    const order = leafPaths(draft);
    const problems = Object.keys(clientErrors).sort((a, b) => order.indexOf(a) - order.indexOf(b));
    if (problems.length > 0) {
      setBanner({
        intent: 'error',
        title: 'Not saved',
        message: `${plural(problems.length, 'field needs', 'fields need')} attention. The messages are under the fields.`,
      });
      return { ok: false, firstErrorPath: problems[0] };
    }

    const sent = draft;
    savingRef.current = true;
    setSaving(true);
    const result = await getBridge().invoke('settings:save', sent);
    savingRef.current = false;
    setSaving(false);

    if (result.ok) {
      setSaved(result.value);
      // Edits made while the save was under way stay in the draft (and keep it dirty).
      setDraft((current) => (deepEqual(current, sent) ? result.value : current));
      setTouched(new Set());
      setSubmitted(false);
      setServerErrors({});
      setBanner({ intent: 'success', message: 'Settings saved' });
      return { ok: true, saved: result.value };
    }

    const fields = result.error.fields ?? [];
    if (fields.length === 0) {
      setBanner({ intent: 'error', title: 'Not saved', message: result.error.message });
      return { ok: false };
    }
    const byPath: Record<string, string> = {};
    for (const { path, message } of fields) byPath[path] ??= message;
    setServerErrors(byPath);
    // Errors on paths no field shows (the document's version, say) would otherwise go unseen.
    // Every bound field names its control by its path, so the page says which ones are shown.
    const unseen = Object.entries(byPath).filter(([path]) => document.getElementsByName(path).length === 0);
    setBanner({
      intent: 'error',
      title: 'Not saved',
      message: [
        `${plural(Object.keys(byPath).length, 'field needs', 'fields need')} attention.`,
        ...unseen.map(([path, message]) => `${path}: ${message}`),
      ].join(' '),
    });
    return { ok: false, firstErrorPath: fields[0]?.path };
  }, [saved, draft, clientErrors]);

  const revert = useCallback(() => {
    if (saved === null) return;
    setDraft(saved);
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
    setBanner(null);
  }, [saved]);

  return {
    load,
    reload: useCallback(() => setLoadCount((n) => n + 1), []),
    saved,
    draft,
    dirty,
    saving,
    errors,
    form,
    save,
    revert,
    banner,
    showBanner: setBanner,
    dismissBanner: useCallback(() => setBanner(null), []),
  };
}
