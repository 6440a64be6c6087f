// A Compose with or Send with choice bound to the settings draft: choices that cannot be used here
// are shown disabled with the reason, a user's "use the system setting" is stored as null, and a
// choice the user may not change reads as a locked read-only field with the reason under it.
import type { ReactNode } from 'react';
import { Dropdown, Field, Option, makeStyles, mergeClasses, tokens, typographyStyles } from '@fluentui/react-components';
import type { Settings } from '../../../preload/contract';
import { ReadOnlyInput, useFieldStyles, type FormBinding } from './fields';
import { getAt } from '../settings/dot-path';
import type { ModeOption } from './mode-options';

const useStyles = makeStyles({
  option: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
  },
  secondary: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground3,
  },
  hint: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
  },
});

export interface ModeFieldProps {
  form: FormBinding<Settings>;
  path: string;
  label: string;
  options: readonly ModeOption[];
  /** A user's choice: '' in the options is null in the draft. */
  nullable?: boolean;
  /** Lines under the field (what the choice does, why some are greyed out). */
  hint?: readonly (ReactNode | undefined)[];
  /** Overrides form.isReadOnly(path). */
  readOnly?: boolean;
  /** Why the user cannot change it, shown under a read-only field. */
  readOnlyReason?: string;
  className?: string;
}

export function ModeField({ form, path, label, options, nullable, hint, readOnly: forced, readOnlyReason, className }: ModeFieldProps) {
  const styles = useStyles();
  const fieldStyles = useFieldStyles();
  const readOnly = forced ?? form.isReadOnly(path);
  const raw = getAt(form.draft, path);
  const value = raw === null && nullable ? '' : typeof raw === 'string' ? raw : '';
  const selected = options.find((o) => o.value === value);
  const error = form.errorFor(path);
  // A saved choice this computer cannot use is shown as it is, never quietly replaced.
  const validation = error
    ? ({ validationState: 'error', validationMessage: error } as const)
    : selected?.unavailable
      ? ({ validationState: 'warning', validationMessage: `Not available here: ${selected.unavailable}.` } as const)
      : {};
  const lines = [...(readOnly && readOnlyReason ? [readOnlyReason] : []), ...(hint ?? [])].filter((line) => line !== undefined && line !== '');
  const hintNode =
    lines.length > 0 ? (
      <span className={styles.hint}>
        {lines.map((line, i) => (
          <span key={i}>{line}</span>
        ))}
      </span>
    ) : undefined;

  if (readOnly) {
    return (
      <Field label={label} hint={hintNode} {...validation} className={mergeClasses(fieldStyles.field, className)}>
        <ReadOnlyInput name={path} value={selected?.label ?? value} note={form.readOnlyNote?.(path)} />
      </Field>
    );
  }

  return (
    <Field label={label} hint={hintNode} {...validation} className={mergeClasses(fieldStyles.field, className)}>
      <Dropdown
        name={path}
        value={selected?.label ?? ''}
        selectedOptions={selected ? [selected.value] : []}
        className={fieldStyles.control}
        onOptionSelect={(_, data) => {
          if (data.optionValue === undefined) return;
          form.onChange(path, nullable && data.optionValue === '' ? null : data.optionValue);
          form.onBlur(path);
        }}
        onBlur={() => form.onBlur(path)}
      >
        {options.map((o) => (
          <Option key={o.value} value={o.value} text={o.label} disabled={o.unavailable !== undefined}>
            <span className={styles.option}>
              <span>{o.label}</span>
              <span className={styles.secondary}>{o.unavailable ?? o.description}</span>
            </span>
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}
