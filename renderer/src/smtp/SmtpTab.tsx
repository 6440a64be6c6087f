// The SMTP tab: the server profiles in a list on the left, the selected one's editor on the right.
// Profiles live in the one settings draft (saved with the dialog's Save); passwords wait in
// usePasswords until then; test results are kept per profile while the dialog is open.
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { MasterDetail } from '../components/MasterDetail';
import {
  SmtpProfile,
  fieldErrors,
  newProfile,
  profileNeeds,
  type FieldError,
  type Settings,
} from '../../../preload/contract';
import type { FormBinding } from '../components/fields';
import type { TestRun } from './DiagnosisView';
import { AddProfileDialog, CreateProfileDialog, DeleteProfileDialog } from './ProfileDialogs';
import { ProfileEditor } from './ProfileEditor';
import { ProfileList } from './ProfileList';
import { DetectFromAddress } from './DetectFromAddress';
import { findByName, nameProblem, parseProfilePath, profilePath, validMailbox, type TestFieldErrors } from './profile-form';
import { SendTestDialog, type ProfileCheck } from './SendTestDialog';
import type { ProfilePasswords } from '../hooks/usePasswords';
import { useTestConnection } from '../hooks/useTestConnection';
import { byName, optionOf, useFocusRequest } from '../hooks/useFocusRequest';
import { POLICY_NOTE } from '../../../preload/contract/policy-values';


type DialogState =
  | { kind: 'create'; name: string }
  | { kind: 'add' }
  | { kind: 'delete'; id: string }
  | { kind: 'send'; id: string; opening: number }
  | null;

const PROFILE_KEYS = Object.keys(SmtpProfile.shape) as (keyof SmtpProfile & string)[];

export interface SmtpTabProps {
  form: FormBinding<Settings>;
  passwords: ProfilePasswords;
  /** A field to bring into view, by dot path: the first error of a refused save, say. */
  revealPath?: string | null;
}

export function SmtpTab({ form, passwords, revealPath }: SmtpTabProps) {
  const draft = form.draft;
  const profiles = draft.smtp.profiles;
  const [selectedId, setSelectedId] = useState<string | undefined>(() => profiles[0]?.id);
  const [filter, setFilter] = useState('');
  const [filterError, setFilterError] = useState<string | undefined>();
  const [dialog, setDialog] = useState<DialogState>(null);
  const [runs, setRuns] = useState<Readonly<Record<string, TestRun>>>({});
  const [testErrors, setTestErrors] = useState<Readonly<Record<string, TestFieldErrors>>>({});
  const [openings, setOpenings] = useState(0);
  const reportHeadingId = useId();
  const testConnection = useTestConnection();
  // Whoever may not change the settings sees the profiles and tests them, and adds or deletes none.
  const readOnly = form.isReadOnly('smtp.profiles');

  // The selection falls back to the first profile when its own is gone (after Revert, say).
  const selectedIndex = Math.max(0, profiles.findIndex((p) => p.id === selectedId));
  const selected = profiles[selectedIndex];
  // A profile whose fields machine policy sets stays: deleting it would change them.
  const setByPolicy = !readOnly && selected !== undefined && PROFILE_KEYS.some((key) => form.isReadOnly(profilePath(selectedIndex, key)));

  // Focus moves only once the element is drawn: a new profile's host, a field in error, a report.
  const setFocusRequest = useFocusRequest(selected?.id);

  // A refused save names its first field; when it belongs to a profile, select that profile.
  useEffect(() => {
    const parsed = revealPath ? parseProfilePath(revealPath) : null;
    const profile = parsed ? profiles[parsed.index] : undefined;
    if (!revealPath || !profile) return;
    setSelectedId(profile.id);
    setFocusRequest(byName(revealPath));
    // Only a new request moves the selection, not later edits of the list.
  }, [revealPath]);

  const setProfiles = (next: SmtpProfile[]) => form.onChange('smtp.profiles', next);

  const withErrors = useMemo(() => {
    const ids = new Set<string>();
    profiles.forEach((p, i) => {
      if (PROFILE_KEYS.some((key) => form.errorFor(profilePath(i, key)) !== undefined)) ids.add(p.id);
    });
    return ids;
  }, [profiles, form]);

  const create = (name: string) => {
    const id = crypto.randomUUID();
    setProfiles([...profiles, newProfile(id, name)]);
    setSelectedId(id);
    setFilter('');
    setFilterError(undefined);
    setDialog(null);
    setFocusRequest(byName(profilePath(profiles.length, 'host')));
  };

  const submitFilter = (text: string) => {
    const name = text.trim();
    if (name === '') return;
    const existing = findByName(name, profiles);
    if (existing) {
      setSelectedId(existing.id);
      setFocusRequest(optionOf(existing.id));
      return;
    }
    if (readOnly) return;
    const problem = nameProblem(name, profiles);
    if (problem) {
      setFilterError(problem);
      return;
    }
    setDialog({ kind: 'create', name });
  };

  const remove = (id: string) => {
    const at = profiles.findIndex((p) => p.id === id);
    if (at < 0) return;
    const next = profiles.filter((p) => p.id !== id);
    setProfiles(next);
    if (draft.general.defaultProfile === id) form.onChange('general.defaultProfile', '');
    passwords.forget(id);
    setRuns(({ [id]: _run, ...rest }) => rest);
    setTestErrors(({ [id]: _errors, ...rest }) => rest);
    const neighbour = next[at] ?? next[at - 1];
    setSelectedId(neighbour?.id);
    setDialog(null);
    setFocusRequest(neighbour ? optionOf(neighbour.id) : 'input[type="search"]');
  };

  const fieldEdited = useCallback((id: string, field: string) => {
    setTestErrors((all) => {
      const mine = all[id];
      if (!mine || !(field in mine)) return all;
      const { [field]: _gone, ...rest } = mine;
      return { ...all, [id]: rest };
    });
  }, []);

  /** Shows main's field errors under the profile's fields; answers the first one's dot path, if any. */
  const reportFieldErrors = (id: string, fields: readonly FieldError[]): string | undefined => {
    const mine: Record<string, string> = {};
    for (const { path, message } of fields) mine[path.replace(/^profile\./, '')] ??= message;
    setTestErrors((all) => ({ ...all, [id]: mine }));
    const index = profiles.findIndex((p) => p.id === id);
    const [first] = Object.keys(mine);
    return first !== undefined && index >= 0 ? `smtp.profiles.${index}.${first}` : undefined;
  };

  /**
   * The profile as Test connection ('test') or Send test ('send') needs it: well formed, and the
   * fields the contract says that needs filled; or why not, with the messages under the fields.
   */
  const check = (index: number, purpose: 'test' | 'send', moveFocus = true): ProfileCheck => {
    const profile = profiles[index];
    if (!profile) return { ok: false, message: 'The profile is gone.' };
    const prefix = `smtp.profiles.${index}.`;
    const parsed = SmtpProfile.safeParse(profile);
    const problems = [
      ...(parsed.success ? [] : fieldErrors(parsed.error, ['smtp', 'profiles', index])),
      ...profileNeeds(profile, purpose).map((e) => ({ ...e, path: prefix + e.path })),
    ];
    if (!parsed.success || problems.length > 0) {
      for (const { path } of problems) form.onBlur(path);
      // Not from inside a dialog: the field is behind it.
      if (problems[0] && moveFocus) setFocusRequest(byName(problems[0].path));
      const n = problems.length;
      return { ok: false, message: `${n === 1 ? 'One field needs' : `${n} fields need`} attention first. The messages are under the fields.` };
    }
    return { ok: true, profile: parsed.data };
  };

  const test = async (index: number, ping: boolean) => {
    const profile = profiles[index];
    if (!profile) return;
    const id = profile.id;
    const checked = check(index, 'test');
    if (!checked.ok) {
      // The refusal is the message under the field, which has the focus.
      setRuns(({ [id]: _old, ...rest }) => rest);
      return;
    }
    setRuns((all) => ({ ...all, [id]: { status: 'running' } }));
    setTestErrors(({ [id]: _old, ...rest }) => rest);
    const result = await testConnection(checked.profile, passwords.forTest(id), ping);
    if (result.ok) {
      setRuns((all) => ({ ...all, [id]: { status: 'done', diagnosis: result.value } }));
      // Stopped by a setting left empty (the username, say): said under that field, which takes the
      // focus in view; the report above says what ran before it.
      const empty = result.value.failure?.field;
      const field = empty ? reportFieldErrors(id, [empty]) : undefined;
      setFocusRequest(field ? byName(field) : `[id="${CSS.escape(reportHeadingId)}"]`);
      return;
    }
    const field = reportFieldErrors(id, result.error.fields ?? []);
    setRuns((all) => ({ ...all, [id]: { status: 'error', message: result.error.message } }));
    // A refusal about a field is read where the field is; any other, in the report.
    setFocusRequest(field ? byName(field) : `[id="${CSS.escape(reportHeadingId)}"]`);
  };

  const openSendTest = () => {
    if (!selected) return;
    setOpenings((n) => n + 1);
    setDialog({ kind: 'send', id: selected.id, opening: openings + 1 });
  };

  const dialogProfileIndex = dialog && 'id' in dialog ? profiles.findIndex((p) => p.id === dialog.id) : -1;
  const dialogProfile = profiles[dialogProfileIndex];

  return (
    <MasterDetail
      master={
        <>
          <ProfileList
            profiles={profiles}
            selectedId={selected?.id}
            defaultProfileId={draft.general.defaultProfile}
            withErrors={withErrors}
            filter={filter}
            filterError={filterError}
            onFilterChange={(text) => {
              setFilter(text);
              setFilterError(undefined);
            }}
            onFilterSubmit={submitFilter}
            onSelect={setSelectedId}
            onAdd={() => setDialog({ kind: 'add' })}
            onDelete={() => selected && setDialog({ kind: 'delete', id: selected.id })}
            readOnly={readOnly}
            deleteBlocked={setByPolicy ? `${POLICY_NOTE}: this profile cannot be deleted` : undefined}
          />
          {!readOnly && <DetectFromAddress form={form} current={selected} onSelect={setSelectedId} />}
        </>
      }
      detail={
        selected ? (
          <ProfileEditor
            key={selected.id}
            form={form}
            index={selectedIndex}
            profile={selected}
            passwords={passwords}
            testErrors={testErrors[selected.id] ?? {}}
            onFieldEdited={(field) => fieldEdited(selected.id, field)}
            onFieldErrors={(fields) => reportFieldErrors(selected.id, fields)}
            run={runs[selected.id]}
            reportHeadingId={reportHeadingId}
            onTest={(ping) => void test(selectedIndex, ping)}
            onCloseReport={() => setRuns(({ [selected.id]: _run, ...rest }) => rest)}
            onSendTest={openSendTest}
          />
        ) : null
      }
      empty={{
        title: 'No server profiles yet',
        text: [
          'A profile is one SMTP server Mailroom can send through: where it is, how the connection is secured, how to sign in, and who the mail comes from.',
          readOnly ? 'An administrator adds them.' : 'To add one, type its name in Filter profiles and press Enter, or choose Add.',
        ],
      }}
    >
      {dialog?.kind === 'create' && (
        <CreateProfileDialog name={dialog.name} onCreate={() => create(dialog.name)} onCancel={() => setDialog(null)} />
      )}
      {dialog?.kind === 'add' && <AddProfileDialog profiles={profiles} onAdd={create} onCancel={() => setDialog(null)} />}
      {dialog?.kind === 'delete' && dialogProfile && (
        <DeleteProfileDialog
          profile={dialogProfile}
          isDefault={draft.general.defaultProfile === dialogProfile.id}
          onDelete={() => remove(dialogProfile.id)}
          onCancel={() => setDialog(null)}
        />
      )}
      {dialog?.kind === 'send' && dialogProfile && (
        <SendTestDialog
          key={dialog.opening}
          open
          profile={dialogProfile}
          check={() => check(dialogProfileIndex, 'send', false)}
          systemNotification={validMailbox(draft.general.systemNotification) ? draft.general.systemNotification : ''}
          password={passwords.forTest(dialogProfile.id)}
          onFieldErrors={(fields) => reportFieldErrors(dialogProfile.id, fields)}
          onClose={() => setDialog(null)}
        />
      )}
    </MasterDetail>
  );
}
