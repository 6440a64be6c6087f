// Form fields bound to one document by dot path: each renders one Fluent Field (label, hint,
// validation message wired to aria-invalid/aria-describedby) around one control. A required field
// carries a left bar, neutral like a hint, red only while it has an error. A read-only field has no
// editable border, purple text, and a lock with why ("Set by your administrator", or "Set by your
// organisation" for machine policy), which its control is described by: colour is never the only cue.
import { isValidElement, useId, useState, type ReactNode } from 'react';
import {
  Field,
  Input,
  Switch,
  labelClassNames,
  makeStyles,
  switchClassNames,
  mergeClasses,
  tokens,
  typographyStyles,
  type FieldProps,
  type InputProps,
} from '@fluentui/react-components';
import { LockClosed16Regular } from '@fluentui/react-icons';
import { getAt, type PathTo } from '../settings/dot-path';
import { VISUALLY_HIDDEN } from './visually-hidden';
import { DeferredDropdown } from './DeferredDropdown';

/** What a read-only field says, beside its lock. */
export const READ_ONLY_NOTE = 'Set by your administrator';

/** How a field reaches the document it edits. One binding serves a whole form. */
export interface FormBinding<D> {
  draft: D;
  /** The message to show under the field now, if any (already filtered by touched/submitted). */
  errorFor(path: string): string | undefined;
  /** Whether a save needs this field filled, in the draft's current state. */
  isRequired(path: string): boolean;
  /** Whether the user may not change this field (locked by policy, say). */
  isReadOnly(path: string): boolean;
  /** What a read-only field says beside its lock, when not READ_ONLY_NOTE (POLICY_NOTE for machine policy). */
  readOnlyNote?(path: string): string | undefined;
  onChange(path: string, value: unknown): void;
  /** The user has left the field: from now on its errors show. */
  onBlur(path: string): void;
}

interface BoundFieldProps<D, V> {
  form: FormBinding<D>;
  path: PathTo<D, V>;
  label: string;
  hint?: FieldProps['hint'];
  /** Overrides form.isRequired(path). */
  required?: boolean;
  /** Overrides form.isReadOnly(path). */
  readOnly?: boolean;
  disabled?: boolean;
  /** Narrow controls (numbers, short codes) instead of the full form width. */
  width?: 'full' | 'short';
  className?: string;
}

export const FIELD_MAX_WIDTH = '480px';

/** The field styles, for controls in other files that must look like these (a read-only choice, say). */
export const useFieldStyles = makeStyles({
  field: {
    maxWidth: FIELD_MAX_WIDTH,
    width: '100%',
  },
  control: {
    width: '100%',
    minWidth: 0,
  },
  short: {
    maxWidth: '160px',
  },
  // The left bar marks a field a save cannot do without: a neutral hint while it is fine, red once
  // it has an error. The hover/focus selectors match the ones Input and Dropdown use for their own
  // border colours, so the mark stays put.
  required: {
    borderLeftWidth: '3px',
    borderLeftStyle: 'solid',
    borderLeftColor: tokens.colorNeutralStrokeAccessible,
    ':hover': { borderLeftColor: tokens.colorNeutralStrokeAccessible },
    ':active': { borderLeftColor: tokens.colorNeutralStrokeAccessible },
    ':focus-within': { borderLeftColor: tokens.colorNeutralStrokeAccessible },
    ':active,:focus-within': { borderLeftColor: tokens.colorNeutralStrokeAccessible },
  },
  requiredError: {
    borderLeftColor: tokens.colorPaletteRedBorder2,
    ':hover': { borderLeftColor: tokens.colorPaletteRedBorder2 },
    ':active': { borderLeftColor: tokens.colorPaletteRedBorder2 },
    ':focus-within': { borderLeftColor: tokens.colorPaletteRedBorder2 },
    ':active,:focus-within': { borderLeftColor: tokens.colorPaletteRedBorder2 },
  },
  // The label's asterisk says "required" in the label's own quiet colour; red is for errors.
  quietAsterisk: {
    [`& .${labelClassNames.required}`]: { color: tokens.colorNeutralForeground3 },
  },
  // The switch's track carries its own margin; pull it back so it lines up with the inputs.
  switchRoot: {
    marginLeft: `calc(-1 * ${tokens.spacingHorizontalS})`,
  },
  readOnlyText: {
    color: tokens.colorPalettePurpleForeground2,
  },
  // A locked switch is disabled; its label stays purple rather than taking the disabled grey, which
  // Switch sets through the disabled input's sibling selector.
  readOnlySwitch: {
    [`& .${switchClassNames.input}:disabled ~ .${switchClassNames.label}`]: {
      color: tokens.colorPalettePurpleForeground2,
    },
  },
  lockNote: {
    ...typographyStyles.caption1,
    display: 'inline-flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXXS,
    flexShrink: 0,
    color: tokens.colorNeutralForeground2,
    whiteSpace: 'nowrap',
  },
  lockIcon: {
    flexShrink: 0,
  },
  hintLines: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
  },
  // The read-only box measures itself, so its note can make room for the value in a narrow one.
  readOnlyBox: {
    containerType: 'inline-size',
  },
  lockText: {
    '@container (max-width: 320px)': {
      ...VISUALLY_HIDDEN,
    },
  },
  visuallyHidden: {
    ...VISUALLY_HIDDEN,
  },
  wrapText: {
    overflowWrap: 'anywhere',
  },
});

function fieldState<D>(form: FormBinding<D>, path: string, required?: boolean, readOnly?: boolean) {
  const error = form.errorFor(path);
  return {
    error,
    required: required ?? form.isRequired(path),
    readOnly: readOnly ?? form.isReadOnly(path),
    note: form.readOnlyNote?.(path),
    validation: error ? ({ validationState: 'error', validationMessage: error } as const) : {},
  };
}

/** The classes of a bound field's Field: its asterisk quiet unless the field has an error. */
function useFieldClass(error: string | undefined, className: string | undefined): string {
  const styles = useFieldStyles();
  return mergeClasses(styles.field, !error && styles.quietAsterisk, className);
}

/** The classes of an editable control: the required bar, red while the field has an error. */
function useControlClass(options: { required: boolean; error: string | undefined; short: boolean }): string {
  const styles = useFieldStyles();
  return mergeClasses(styles.control, options.short && styles.short, options.required && styles.required, options.required && options.error && styles.requiredError);
}

export interface ReadOnlyInputProps {
  name?: string;
  value: string;
  /** Narrow fields keep the lock and say the words to screen readers only. */
  short?: boolean;
  /** What stands beside the lock; "Set by your administrator" by default. */
  note?: string;
  /** A value for reference only (where the data lives): no lock, nothing to be set. */
  reference?: boolean;
}

/**
 * A value the user may look at but not change: no editable border, purple text, and (unless it is
 * only for reference) a lock with the note, which the control is described by.
 */
export function ReadOnlyInput({ name, value, short = false, note = READ_ONLY_NOTE, reference = false }: ReadOnlyInputProps) {
  const styles = useFieldStyles();
  const noteId = useId();
  return (
    <Input
      name={name}
      value={value}
      readOnly
      title={value}
      appearance="filled-darker"
      aria-describedby={reference ? undefined : noteId}
      className={mergeClasses(styles.control, styles.readOnlyBox, short && styles.short)}
      input={{ className: styles.readOnlyText }}
      contentAfter={reference ? undefined : <LockNote id={noteId} note={note} short={short} />}
    />
  );
}

/** The lock and what it means; the words hidden from sight (not from screen readers) where room is short. */
export function LockNote({ id, note = READ_ONLY_NOTE, short = false }: { id?: string; note?: string; short?: boolean }): ReactNode {
  const styles = useFieldStyles();
  return (
    <span id={id} className={styles.lockNote}>
      <LockClosed16Regular aria-hidden className={styles.lockIcon} data-read-only-lock="" />
      {/* Beside the lock where there is room; for screen readers always. */}
      <span className={short ? styles.visuallyHidden : styles.lockText}>{note}</span>
    </span>
  );
}

export interface TextFieldProps<D> extends BoundFieldProps<D, string> {
  type?: Extract<InputProps['type'], 'text' | 'email' | 'url' | 'tel' | 'password'>;
  placeholder?: string;
  autoComplete?: string;
  inputMode?: InputProps['inputMode'];
  spellCheck?: boolean;
}

export function TextField<D>(props: TextFieldProps<D>) {
  const { form, path, label, hint, disabled, width = 'full', className, type = 'text', ...inputProps } = props;
  const { error, required, readOnly, note, validation } = fieldState(form, path, props.required, props.readOnly);
  const fieldClass = useFieldClass(error, className);
  const controlClass = useControlClass({ required, error, short: width === 'short' });
  const value = getAt(form.draft, path);
  const text = typeof value === 'string' ? value : '';
  return (
    <Field label={label} hint={hint} required={required && !readOnly} {...validation} className={fieldClass}>
      {readOnly ? (
        <ReadOnlyInput name={path} value={text} short={width === 'short'} note={note} />
      ) : (
        <Input
          name={path}
          type={type}
          value={text}
          disabled={disabled}
          placeholder={inputProps.placeholder}
          autoComplete={inputProps.autoComplete}
          inputMode={inputProps.inputMode}
          spellCheck={inputProps.spellCheck}
          className={controlClass}
          onChange={(_, data) => form.onChange(path, data.value)}
          onBlur={() => form.onBlur(path)}
        />
      )}
    </Field>
  );
}

export interface NumberFieldProps<D> extends BoundFieldProps<D, number> {
  min?: number;
  max?: number;
  step?: number;
}

/** Whole or decimal numbers. Text that is not a number reaches the draft as NaN, which the schema rejects. */
export function NumberField<D>(props: NumberFieldProps<D>) {
  const { form, path, label, hint, disabled, width = 'short', className, min, max, step = 1 } = props;
  const { error, required, readOnly, note, validation } = fieldState(form, path, props.required, props.readOnly);
  const fieldClass = useFieldClass(error, className);
  const controlClass = useControlClass({ required, error, short: width === 'short' });
  const value = getAt(form.draft, path);
  const numeric = typeof value === 'number' ? value : Number.NaN;
  // Keep what the user typed ("", "1e") while it means the same number as the draft; show the
  // draft's number when it changed from elsewhere (Revert, a save).
  const [typed, setTyped] = useState('');
  const text = Object.is(parseNumber(typed), numeric) ? typed : Number.isNaN(numeric) ? '' : String(numeric);
  return (
    <Field label={label} hint={hint} required={required && !readOnly} {...validation} className={fieldClass}>
      {readOnly ? (
        <ReadOnlyInput name={path} value={text} short={width === 'short'} note={note} />
      ) : (
        <Input
          name={path}
          type="number"
          inputMode="numeric"
          value={text}
          min={min}
          max={max}
          step={step}
          disabled={disabled}
          className={controlClass}
          onChange={(_, data) => {
            setTyped(data.value);
            form.onChange(path, parseNumber(data.value));
          }}
          onBlur={() => form.onBlur(path)}
        />
      )}
    </Field>
  );
}

function parseNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

export type SwitchFieldProps<D> = Omit<BoundFieldProps<D, boolean>, 'width' | 'required'>;

/** An on/off setting; the label sits beside the switch, the hint and any error below it. */
export function SwitchField<D>(props: SwitchFieldProps<D>) {
  const { form, path, label, hint, disabled, className } = props;
  const styles = useFieldStyles();
  const { readOnly, note, validation } = fieldState(form, path, false, props.readOnly);
  const value = getAt(form.draft, path) === true;
  // A switch has no box to put the lock in: it leads the hint, which the switch is described by.
  const shownHint = readOnly ? (
    <span className={styles.hintLines}>
      <LockNote note={note} />
      {typeof hint === 'string' || isValidElement(hint) ? <span>{hint}</span> : null}
    </span>
  ) : (
    hint
  );
  return (
    <Field hint={shownHint} {...validation} className={mergeClasses(styles.field, className)}>
      <Switch
        name={path}
        className={mergeClasses(styles.switchRoot, readOnly && styles.readOnlySwitch)}
        label={readOnly ? { children: label, className: styles.readOnlyText } : label}
        checked={value}
        // A switch has no read-only state of its own: a locked one is disabled, its label still purple.
        disabled={disabled || readOnly}
        onChange={(_, data) => {
          form.onChange(path, data.checked);
          form.onBlur(path);
        }}
        onBlur={() => form.onBlur(path)}
      />
    </Field>
  );
}

export interface DropdownOption<V extends string> {
  value: V;
  label: string;
  /** A second line under the label in the open list. */
  description?: string;
}

export interface DropdownFieldProps<D, V extends string> extends BoundFieldProps<D, string> {
  options: readonly DropdownOption<V>[];
  placeholder?: string;
}

export function DropdownField<D, V extends string>(props: DropdownFieldProps<D, V>) {
  const { form, path, label, hint, disabled, width = 'full', className, options, placeholder } = props;
  const { error, required, readOnly, note, validation } = fieldState(form, path, props.required, props.readOnly);
  const fieldClass = useFieldClass(error, className);
  const controlClass = useControlClass({ required, error, short: width === 'short' });
  const value = getAt(form.draft, path);
  const selected = options.find((o) => o.value === value);
  if (readOnly) {
    // A locked choice reads like any other read-only field rather than a greyed-out button.
    return (
      <Field label={label} hint={hint} {...validation} className={fieldClass}>
        <ReadOnlyInput name={path} value={selected?.label ?? (typeof value === 'string' ? value : '')} short={width === 'short'} note={note} />
      </Field>
    );
  }
  return (
    <Field label={label} hint={hint} required={required} {...validation} className={fieldClass}>
      {/* Its listbox loads just after the first paint; a stand-in takes its place until then. */}
      <DeferredDropdown
        name={path}
        value={selected?.label ?? ''}
        selectedOptions={selected ? [selected.value] : []}
        options={options}
        placeholder={placeholder}
        disabled={disabled}
        className={controlClass}
        onOptionSelect={(value) => {
          form.onChange(path, value);
          form.onBlur(path);
        }}
        onBlur={() => form.onBlur(path)}
      />
    </Field>
  );
}

export interface ReadOnlyFieldProps {
  label: string;
  value: string;
  hint?: FieldProps['hint'];
  className?: string;
}

/** A value shown for reference that is not part of the document (where the data lives, say). */
export function ReadOnlyField({ label, value, hint, className }: ReadOnlyFieldProps) {
  const styles = useFieldStyles();
  return (
    <Field label={label} hint={hint} className={mergeClasses(styles.field, styles.wrapText, className)}>
      <ReadOnlyInput value={value} reference />
    </Field>
  );
}
