// What a user who is not an administrator may change: their own SMTP username, and their own
// Compose with and Send with where the administrator allows selection. Everything else in the
// dialog reads as read-only. The changes wait for Save like any other and then go through
// users:set-own, which main checks against the same rules.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Settings, SystemUser, WhoAmI } from '../../../preload/contract';
import { getBridge } from '../bridge';
import { loadValidators, useValidators, type Validators } from '../load-validators';
import type { FormBinding } from '../components/fields';
import { deepEqual, setAt } from '../settings/dot-path';
import { userPath } from '../users/user-form';

const OWN_KEYS = ['compose', 'send', 'smtpUsername'] as const;
type OwnKey = (typeof OWN_KEYS)[number];
type OwnFields = Pick<SystemUser, OwnKey>;

export type OwnSaveOutcome = { ok: true; changed: boolean } | { ok: false; message: string; firstErrorPath?: string };

export interface OwnSettings {
  /** The settings draft as this user sees it: their own edits in their row, everything else read-only. */
  form: FormBinding<Settings>;
  /** This user's row in the saved settings, or -1 when the account is not a system user. */
  index: number;
  dirty: boolean;
  save(): Promise<OwnSaveOutcome>;
  revert(): void;
}

function isOwnKey(key: string): key is OwnKey {
  return (OWN_KEYS as readonly string[]).includes(key);
}

/** What is wrong with the user's own fields, by dot path; nothing until the schemas have loaded. */
function ownErrors(shown: OwnFields | undefined, index: number, validators: Validators | null): Record<string, string> {
  const errors: Record<string, string> = {};
  if (validators && shown && index >= 0) {
    const parsed = validators.SystemUser.shape.smtpUsername.safeParse(shown.smtpUsername);
    if (!parsed.success) errors[userPath(index, 'smtpUsername')] = parsed.error.issues[0]?.message ?? 'Not valid';
  }
  return errors;
}

export function useOwnSettings(base: FormBinding<Settings>, saved: Settings | null, who: WhoAmI | null): OwnSettings {
  const [stored, setStored] = useState<Partial<OwnFields>>({});
  const [edits, setEdits] = useState<Partial<OwnFields>>({});
  const [touched, setTouched] = useState<ReadonlySet<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Readonly<Record<string, string>>>({});

  // Freshly loaded settings already hold what was stored.
  useEffect(() => {
    setStored({});
  }, [saved]);

  const userId = who?.user?.id;
  const index = saved && userId !== undefined ? saved.users.findIndex((u) => u.id === userId) : -1;
  const row = index >= 0 ? saved?.users[index] : undefined;
  const current = useMemo<OwnFields | undefined>(
    () => (row ? { compose: row.compose, send: row.send, smtpUsername: row.smtpUsername, ...stored } : undefined),
    [row, stored],
  );
  const shown = useMemo(() => (current ? { ...current, ...edits } : undefined), [current, edits]);

  const editable = useCallback(
    (path: string): OwnKey | null => {
      if (!saved || index < 0) return null;
      if (path === userPath(index, 'smtpUsername')) return 'smtpUsername';
      if (path === userPath(index, 'compose') && saved.mail.composeUserSelectable) return 'compose';
      if (path === userPath(index, 'send') && saved.mail.sendUserSelectable) return 'send';
      return null;
    },
    [saved, index],
  );

  const validators = useValidators();
  const clientErrors = useMemo(() => ownErrors(shown, index, validators), [shown, index, validators]);

  const draft = useMemo(
    () => (row && shown ? setAt(base.draft, `users.${index}`, { ...row, ...shown }) : base.draft),
    [base.draft, row, shown, index],
  );

  const form = useMemo<FormBinding<Settings>>(
    () => ({
      draft,
      errorFor: (path) => serverErrors[path] ?? (submitted || touched.has(path) ? clientErrors[path] : undefined),
      isRequired: () => false,
      isReadOnly: (path) => editable(path) === null,
      // A field machine policy sets says so; any other read-only one is the administrator's.
      readOnlyNote: (path) => base.readOnlyNote?.(path),
      onChange: (path, value) => {
        const key = editable(path);
        if (!key || !current) return;
        setEdits((e) => {
          const rest = { ...e };
          if (deepEqual(value, current[key])) delete rest[key];
          else (rest as Record<OwnKey, unknown>)[key] = value;
          return rest;
        });
        setServerErrors((e) => {
          if (!(path in e)) return e;
          const rest = { ...e };
          delete rest[path];
          return rest;
        });
      },
      onBlur: (path) => setTouched((t) => (t.has(path) ? t : new Set(t).add(path))),
    }),
    [draft, serverErrors, submitted, touched, clientErrors, editable, current, base],
  );

  const save = useCallback(async (): Promise<OwnSaveOutcome> => {
    const sent = edits;
    if (Object.keys(sent).length === 0 || index < 0) return { ok: true, changed: false };
    setSubmitted(true);
    let checks: Validators;
    try {
      checks = await loadValidators();
    } catch {
      return { ok: false, message: 'Your settings could not be checked, so nothing was saved. Try again.' };
    }
    const [firstClient] = Object.keys(ownErrors(shown, index, checks));
    if (firstClient !== undefined) return { ok: false, message: 'One field needs attention. The message is under the field.', firstErrorPath: firstClient };
    const result = await getBridge().invoke('users:set-own', sent);
    if (!result.ok) {
      const byPath: Record<string, string> = {};
      for (const { path, message } of result.error.fields ?? []) {
        if (isOwnKey(path)) byPath[userPath(index, path)] ??= message;
      }
      setServerErrors(byPath);
      return { ok: false, message: result.error.message, ...(Object.keys(byPath)[0] ? { firstErrorPath: Object.keys(byPath)[0] } : {}) };
    }
    const user = result.value;
    setStored({ compose: user.compose, send: user.send, smtpUsername: user.smtpUsername });
    // Only what was sent: anything changed while the save was under way still waits.
    setEdits((e) => {
      const rest = { ...e };
      for (const key of OWN_KEYS) if (key in sent && deepEqual(rest[key], sent[key])) delete rest[key];
      return rest;
    });
    setSubmitted(false);
    setTouched(new Set());
    setServerErrors({});
    return { ok: true, changed: true };
  }, [edits, index, shown]);

  const revert = useCallback(() => {
    setEdits({});
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
  }, []);

  return { form, index, dirty: Object.keys(edits).length > 0, save, revert };
}
