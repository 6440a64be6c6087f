// A profile's (or a user's own) password, write-only: the dialog learns only whether one is saved.
// What the user types or clears waits in memory until Save (see usePasswords).
import { Button, Field, Input, makeStyles, mergeClasses, tokens, typographyStyles } from '@fluentui/react-components';
import { Eraser20Regular, LockClosed16Regular, LockOpen16Regular } from '@fluentui/react-icons';
import { FIELD_MAX_WIDTH, ReadOnlyInput } from './fields';
import type { ProfilePasswords } from '../hooks/usePasswords';

const useStyles = makeStyles({
  field: {
    maxWidth: FIELD_MAX_WIDTH,
    width: '100%',
  },
  row: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
  },
  input: {
    flexGrow: 1,
    minWidth: 0,
  },
  state: {
    ...typographyStyles.caption1,
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
    color: tokens.colorNeutralForeground2,
  },
});

export interface PasswordFieldProps {
  /** The id the password is kept under: the profile's, or the user's on the Users tab. */
  profileId: string;
  label?: string;
  /** The control's name: a dot path, like the document's fields, so errors can move focus to it. */
  name: string;
  passwords: ProfilePasswords;
  /** Why the last test or save could not use the password. */
  error?: string;
  disabled?: boolean;
  /** Shown instead of the saved state, when the field does not apply. */
  disabledHint?: string;
  /** Not this user's to change: shows only whether one is saved, locked, and why. */
  readOnly?: boolean;
  readOnlyHint?: string;
  onEdited(): void;
}

export function PasswordField(props: PasswordFieldProps) {
  const { profileId, label = 'Password', name, passwords, error, disabled, disabledHint, onEdited } = props;
  const styles = useStyles();
  const saved = passwords.isSaved(profileId);
  const pending = passwords.pending(profileId);
  const message = error ?? passwords.errorFor(profileId);

  let state: string;
  if (disabled && disabledHint) state = disabledHint;
  else if (pending === null) state = 'The saved password will be removed when you save.';
  else if (typeof pending === 'string') state = saved ? 'A new password is typed: it replaces the saved one when you save.' : 'A password is typed: it is stored when you save.';
  else if (saved === undefined) state = 'Checking for a saved password…';
  else state = saved ? 'A password is saved' : 'No password saved';

  const canClear = !disabled && (typeof pending === 'string' || (saved === true && pending !== null));

  if (props.readOnly) {
    return (
      <Field label={label} className={styles.field} hint={props.readOnlyHint}>
        <ReadOnlyInput name={name} value={saved === undefined ? 'Checking…' : saved ? 'A password is saved' : 'No password saved'} />
      </Field>
    );
  }

  return (
    <Field
      label={label}
      className={styles.field}
      hint={
        <span className={styles.state}>
          {saved && pending !== null ? <LockClosed16Regular aria-hidden /> : <LockOpen16Regular aria-hidden />}
          {state}
        </span>
      }
      {...(message ? { validationState: 'error' as const, validationMessage: message } : {})}
    >
      {(fieldProps) => (
        <div className={styles.row}>
          <Input
            {...fieldProps}
            name={name}
            type="password"
            autoComplete="new-password"
            className={mergeClasses(styles.input)}
            value={typeof pending === 'string' ? pending : ''}
            placeholder={saved && pending !== null ? 'Type to replace' : undefined}
            disabled={disabled}
            onChange={(_, data) => {
              passwords.type(profileId, data.value);
              onEdited();
            }}
          />
          <Button
            icon={<Eraser20Regular />}
            disabled={!canClear}
            onClick={() => {
              passwords.clear(profileId);
              onEdited();
            }}
          >
            Clear password
          </Button>
        </div>
      )}
    </Field>
  );
}
