// The General tab's "Office database": where this computer's Mailroom keeps its settings. Empty, it
// uses the settings file on this computer; set, it signs in to the office database as the user's
// own database role (the password kept in the keychain) from the next start.
import { useState } from 'react';
import { Button, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens } from '@fluentui/react-components';
import type { AppInfo } from '../../../preload/contract';
import { FormSection } from '../components/FormSection';
import { FIELD_MAX_WIDTH, ReadOnlyInput } from '../components/fields';
import { useOfficeLink } from '../hooks/useOfficeLink';
import { usePolicy } from '../hooks/usePolicy';
import { POLICY_NOTE, POLICY_OFFICE_DATABASE } from '../../../preload/contract/policy-values';

const useStyles = makeStyles({
  field: { maxWidth: FIELD_MAX_WIDTH, width: '100%' },
  actions: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalS },
  result: { maxWidth: FIELD_MAX_WIDTH },
});

type Outcome = { intent: 'success' | 'info'; title: string; text: string } | null;

export function OfficeDatabase({ info }: { info: AppInfo | null }) {
  const styles = useStyles();
  const { status, save, clear } = useOfficeLink();
  // Machine policy may set the address: then only the password is the user's to give.
  const locked = usePolicy('office-database').lockOf(POLICY_OFFICE_DATABASE);
  const [url, setUrl] = useState<string | null>(null);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<{ url?: string; password?: string }>({});
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const shown = locked ? String(locked.value) : (url ?? status?.url ?? '');

  const inUse = info?.office
    ? `This Mailroom keeps its settings in the office database ${info.office.database}, signed in as ${info.office.role}.`
    : "This Mailroom keeps its settings in a file on this computer. Leave the address empty for one person on one computer; an office shares one PostgreSQL database.";

  const onConnect = async () => {
    setBusy(true);
    setOutcome(null);
    const result = await save(shown, password === '' ? undefined : password);
    setBusy(false);
    if (!result.ok) {
      const onPassword = result.fields.some((f) => f.path === 'officeDatabasePassword');
      setErrors(onPassword ? { password: result.message } : { url: result.message });
      return;
    }
    setErrors({});
    setPassword('');
    setUrl(null);
    setOutcome({
      intent: 'success',
      title: 'Office database saved',
      text: `Signed in to ${result.saved.database} as ${result.saved.role}${result.saved.admin ? ', an administrator' : ''}. Restart Mailroom to use it.`,
    });
  };

  const onClear = async () => {
    await clear();
    setUrl(null);
    setPassword('');
    setErrors({});
    setOutcome({ intent: 'info', title: 'Office database removed', text: "From the next start this Mailroom uses the settings file on this computer." });
  };

  return (
    <FormSection title="Office database" description={inUse}>
      <Field
        className={styles.field}
        label="Office database"
        hint="A postgres:// address with your own database role, like postgres://alice@db.example.com/mailroom. IT gives it to you."
        validationState={errors.url ? 'error' : 'none'}
        validationMessage={errors.url}
      >
        {locked ? (
          <ReadOnlyInput name="officeDatabase" value={shown} note={POLICY_NOTE} />
        ) : (
          <Input name="officeDatabase" value={shown} onChange={(_, d) => setUrl(d.value)} placeholder="postgres://you@server/mailroom" spellCheck={false} />
        )}
      </Field>
      <Field
        className={styles.field}
        label="Database password"
        hint={status?.passwordSet ? 'A password is saved, encrypted on this computer; type a new one to replace it.' : 'Kept encrypted on this computer (in the keychain in the desktop app), never shown again.'}
        validationState={errors.password ? 'error' : 'none'}
        validationMessage={errors.password}
      >
        <Input name="officeDatabasePassword" type="password" autoComplete="off" value={password} onChange={(_, d) => setPassword(d.value)} />
      </Field>
      {status?.fromEnvironment && (
        <MessageBar intent="info" layout="multiline" className={styles.result}>
          <MessageBarBody>MAILROOM_DATABASE_URL is set on this computer and is used instead of the address above.</MessageBarBody>
        </MessageBar>
      )}
      <div className={styles.actions}>
        <Button appearance="primary" disabled={busy || shown.trim() === ''} onClick={() => void onConnect()}>
          {busy ? 'Signing in…' : 'Check and save'}
        </Button>
        {status?.url && !locked && (
          <Button disabled={busy} onClick={() => void onClear()}>
            Use this computer&apos;s settings
          </Button>
        )}
      </div>
      {outcome && (
        <MessageBar intent={outcome.intent} layout="multiline" className={styles.result} role="status">
          <MessageBarBody>
            <MessageBarTitle>{outcome.title}</MessageBarTitle>
            {outcome.text}
          </MessageBarBody>
        </MessageBar>
      )}
    </FormSection>
  );
}
