// The one settings draft behind the whole dialog: what was saved, what the user has changed,
// which errors to show where, Save/Revert, and what to do when the settings change elsewhere
// (another window, the mailroom command) while the dialog is open.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Settings } from '../../../preload/contract';
import { isRequired, missingRequired } from '../../../preload/contract/required';
import { defaultSettings } from '../../../preload/contract/settings-values';
import { getBridge } from '../bridge';
import { loadValidators, useValidators, type Validators } from '../load-validators';
import { firstRead, useStartUpPart } from './start-up';
import type { FormBinding } from '../components/fields';
import { deepEqual, leafPaths, setAt } from '../settings/dot-path';
import { changedPaths, rebase } from '../settings/settings-merge';
import { POLICY_NOTE } from '../../../preload/contract/policy-values';
import { usePolicy } from './usePolicy';

export type FieldErrorMap = Readonly<Record<string, string>>;

export type LoadState = { status: 'loading' } | { status: 'failed'; message: string } | { status: 'ready' };

export interface Banner {
  /** warning: saved, with something the user should know about what was saved. */
  intent: 'success' | 'warning' | 'error';
  title?: string;
  message: string;
}

export type SaveOutcome = { ok: true; saved: Settings } | { ok: false; firstErrorPath?: string };

/** Settings saved elsewhere while this draft had unsaved edits (or a save based on the old ones was refused). */
export interface ChangedElsewhere {
  /** Dot paths that differ between what this draft started from and what is saved now. */
  changed: string[];
  /** The message of a refused save, when that is how it came to light. */
  refused?: string;
}

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
  /** Saves the draft, or the draft given (as keepMine returned it). */
  save(rebased?: Settings): Promise<SaveOutcome>;
  revert(): void;
  banner: Banner | null;
  /** Replaces the message bar (for what happens after a save, like storing passwords). */
  showBanner(banner: Banner): void;
  dismissBanner(): void;
  /** Set while settings saved elsewhere wait for the user's choice: reloadLatest or keepMine. */
  elsewhere: ChangedElsewhere | null;
  /** Drops the edits and shows the settings as saved now. */
  reloadLatest(): void;
  /** Carries the edits over onto the settings saved now and returns the draft to save. */
  keepMine(): Settings | null;
}

const SUCCESS_BANNER_MS = 4000;

/**
 * What is wrong with a draft, by dot path: the schema's own checks, then required fields left
 * empty. Until the schemas have loaded (validators null), only the required fields.
 */
export function validateDraft(draft: Settings, validators: Validators | null): FieldErrorMap {
  const errors: Record<string, string> = {};
  if (validators) {
    const parsed = validators.Settings.safeParse(draft);
    if (!parsed.success) for (const { path, message } of validators.fieldErrors(parsed.error)) errors[path] ??= message;
  }
  // Checked apart from the schema so "Required" shows even while another field is malformed.
  for (const { path, message } of missingRequired(draft)) errors[path] ??= message;
  return errors;
}

/**
 * What a save should add about the saved debug folder when it is known to be missing or not
 * writable (main remembers what the check beside the field found); undefined when nothing is known
 * against it. Asks main what it knows, without touching the folder.
 */
async function debugFolderNote(): Promise<string | undefined> {
  const status = await getBridge().invoke('debug:status', undefined);
  if (!status.ok || status.value.writable || status.value.path.trim() === '') return undefined;
  return status.value.missing
    ? 'The debug folder does not exist, so no debug log is written until it is created: Create folder is beside the Debug folder field on the General tab.'
    : 'No debug log is written until its folder can be written: the reason is beside the Debug folder field on the General tab.';
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function useSettingsDraft(): SettingsDraft {
  // Drawn with the start-up answer, the dialog shows the settings in its first render.
  const first = useStartUpPart('settings');
  const [load, setLoad] = useState<LoadState>(first ? { status: 'ready' } : { status: 'loading' });
  const [saved, setSaved] = useState<Settings | null>(first?.settings ?? null);
  const [draft, setDraft] = useState<Settings>(() => first?.settings ?? defaultSettings());
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrorMap>({});
  const [saving, setSaving] = useState(false);
  const [banner, setBanner] = useState<Banner | null>(null);
  const [loadCount, setLoadCount] = useState(0);

  const [elsewhere, setElsewhere] = useState<ChangedElsewhere | null>(null);

  const savingRef = useRef(false);
  /** The revision `saved` is: a save names it, and an event naming another one means a change elsewhere. */
  const revisionRef = useRef<string | null>(first?.revision ?? null);
  /** The settings saved now, when they differ from `saved` and the user has yet to choose. */
  const latestRef = useRef<{ settings: Settings; revision: string } | null>(null);
  const savedRef = useRef(saved);
  savedRef.current = saved;
  const draftRef = useRef(draft);
  draftRef.current = draft;
  /** An event came while a save was under way; looked into once it is done. */
  const checkAfterSave = useRef(false);

  const adopt = useCallback((settings: Settings, revision: string) => {
    revisionRef.current = revision;
    latestRef.current = null;
    setSaved(settings);
    setDraft(settings);
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
    setElsewhere(null);
  }, []);

  /** Reads the settings saved now; quietly shows them when nothing is being edited, else asks. */
  const lookAgain = useCallback(
    async (refused?: string) => {
      const result = await getBridge().invoke('settings:get-with-revision', undefined);
      if (!result.ok || savingRef.current) return;
      const { settings: latest, revision } = result.value;
      const base = savedRef.current;
      if (base === null) return;
      if (revision === revisionRef.current && !refused) return;
      if (deepEqual(draftRef.current, base)) {
        adopt(latest, revision);
        return;
      }
      latestRef.current = { settings: latest, revision };
      setElsewhere({ changed: changedPaths(base, latest), ...(refused ? { refused } : {}) });
    },
    [adopt],
  );

  useEffect(
    () =>
      getBridge().onEvent('settings:changed', ({ revision }) => {
        if (revision === revisionRef.current || revisionRef.current === null) return;
        if (savingRef.current) checkAfterSave.current = true;
        else void lookAgain();
      }),
    [lookAgain],
  );

  useEffect(() => {
    if (loadCount === 0 && first) return;
    let live = true;
    setLoad({ status: 'loading' });
    const read = () => getBridge().invoke('settings:get-with-revision', undefined);
    // The first load comes with the start-up answer; Try again asks afresh.
    void (loadCount === 0 ? firstRead('settings', read) : read()).then((result) => {
      if (!live) return;
      if (result.ok) {
        adopt(result.value.settings, result.value.revision);
        setLoad({ status: 'ready' });
      } else {
        setLoad({ status: 'failed', message: result.error.message });
      }
    });
    return () => {
      live = false;
    };
  }, [loadCount, adopt, first]);

  useEffect(() => {
    if (banner?.intent !== 'success') return;
    const timer = setTimeout(() => setBanner((b) => (b === banner ? null : b)), SUCCESS_BANNER_MS);
    return () => clearTimeout(timer);
  }, [banner]);

  const validators = useValidators();
  const clientErrors = useMemo(() => validateDraft(draft, validators), [draft, validators]);
  const errors = useMemo(() => ({ ...clientErrors, ...serverErrors }), [clientErrors, serverErrors]);
  const dirty = saved !== null && !deepEqual(draft, saved);

  // A field machine policy sets is read-only; a change that would follow from another (a port
  // following the security mode, say) leaves it as the policy has it.
  const { lockOf } = usePolicy('settings');

  const onChange = useCallback((path: string, value: unknown) => {
    setDraft((d) => (lockOf(path, d) ? d : setAt(d, path, value)));
    // The server's verdict was on the old value; the schema re-checks the new one.
    setServerErrors((e) => {
      if (!(path in e)) return e;
      const rest = { ...e };
      delete rest[path];
      return rest;
    });
    setBanner((b) => (b?.intent === 'success' || b?.intent === 'warning' ? null : b));
  }, [lockOf]);

  const onBlur = useCallback((path: string) => {
    setTouched((t) => (t.has(path) ? t : new Set(t).add(path)));
  }, []);

  const form = useMemo<FormBinding<Settings>>(
    () => ({
      draft,
      errorFor: (path) => serverErrors[path] ?? (submitted || touched.has(path) ? clientErrors[path] : undefined),
      isRequired: (path) => isRequired(path, draft),
      isReadOnly: (path) => lockOf(path, draft) !== undefined,
      readOnlyNote: (path) => (lockOf(path, draft) ? POLICY_NOTE : undefined),
      onChange,
      onBlur,
    }),
    [draft, serverErrors, submitted, touched, clientErrors, onChange, onBlur, lockOf],
  );

  const save = useCallback(async (rebased?: Settings): Promise<SaveOutcome> => {
    if (savingRef.current || saved === null || revisionRef.current === null) return { ok: false };
    const sent = rebased ?? draft;
    setSubmitted(true);
    setBanner(null);
    // From here on a second Save waits for this one, including while the checks are still loading.
    savingRef.current = true;
    let checks: Validators;
    try {
      checks = await loadValidators();
    } catch {
      savingRef.current = false;
      setBanner({ intent: 'error', title: 'Not saved', message: 'The settings could not be checked, so nothing was saved. Try again.' });
      return { ok: false };
    }
    const order = leafPaths(sent);
    const problems = Object.keys(validateDraft(sent, checks)).sort((a, b) => order.indexOf(a) - order.indexOf(b));
    if (problems.length > 0) {
      savingRef.current = false;
      setBanner({
        intent: 'error',
        title: 'Not saved',
        message: `${plural(problems.length, 'field needs', 'fields need')} attention. The messages are under the fields.`,
      });
      return { ok: false, firstErrorPath: problems[0] };
    }

    setSaving(true);
    const answer = await getBridge().invoke('settings:save-if-unchanged', { settings: sent, baseRevision: revisionRef.current });
    // Saved with a debug folder the admin was just shown to be missing or unwritable: the one
    // message about the save says so, rather than "Settings saved" beside that warning as if all were well.
    const debugNote = answer.ok && answer.value.settings.general.debug.enabled ? await debugFolderNote() : undefined;
    savingRef.current = false;
    setSaving(false);
    const heardDuringSave = checkAfterSave.current;
    checkAfterSave.current = false;

    if (answer.ok) {
      const result = { value: answer.value.settings };
      revisionRef.current = answer.value.revision;
      latestRef.current = null;
      setElsewhere(null);
      setSaved(result.value);
      // Edits made while the save was under way stay in the draft (and keep it dirty).
      setDraft((current) => (deepEqual(current, sent) ? result.value : current));
      setTouched(new Set());
      setSubmitted(false);
      setServerErrors({});
      // The first profile saved becomes the default (main's rule): say so, since nobody chose it.
      const stored = result.value;
      const madeDefault = sent.general.defaultProfile === '' ? stored.smtp.profiles.find((p) => p.id === stored.general.defaultProfile) : undefined;
      const defaultNote = madeDefault ? `${madeDefault.name} is now the default profile: it is the first one.` : undefined;
      setBanner(
        debugNote
          ? { intent: 'warning', title: 'Settings saved', message: [defaultNote, debugNote].filter(Boolean).join(' ') }
          : { intent: 'success', message: defaultNote ? `Settings saved. ${defaultNote}` : 'Settings saved' },
      );
      if (heardDuringSave) void lookAgain();
      return { ok: true, saved: result.value };
    }

    const result = answer;
    if (result.error.code === 'conflict') {
      // Someone saved in between: nothing was written; say what they changed and let the user choose.
      await lookAgain(result.error.message);
      return { ok: false };
    }

    // The draft travels as `settings` in the request; its fields are named as in the document.
    const fields = (result.error.fields ?? []).map((f) => ({ ...f, path: f.path.replace(/^settings\./, '') }));
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
  }, [saved, draft, lookAgain]);

  const reloadLatest = useCallback(() => {
    const latest = latestRef.current;
    if (latest) adopt(latest.settings, latest.revision);
    else setElsewhere(null);
    setBanner(null);
  }, [adopt]);

  const keepMine = useCallback((): Settings | null => {
    const latest = latestRef.current;
    const base = savedRef.current;
    if (!latest || base === null) return null;
    const merged = rebase(base, draftRef.current, latest.settings);
    revisionRef.current = latest.revision;
    latestRef.current = null;
    setSaved(latest.settings);
    setDraft(merged);
    setElsewhere(null);
    setBanner(null);
    return merged;
  }, []);

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
    elsewhere,
    reloadLatest,
    keepMine,
  };
}
