// Form fields bound to one document by dot path: each renders one Fluent Field (label, hint,
// validation message wired to aria-invalid/aria-describedby) around one control, marks required
// fields with a red left border and read-only ones with purple text.
import { useState } from 'react';
import {
  Dropdown,
  Field,
  Input,
  Option,
  Switch,
  makeStyles,
  switchClassNames,
  mergeClasses,
  tokens,
  type FieldProps,
  type InputProps,
} from '@fluentui/react-components';
import { getAt, type PathTo } from '../settings/dot-path';

/** How a field reaches the document it edits. One binding serves a whole form. */
export interface FormBinding<D> {
  draft: D;
  /** The message to show under the field now, if any (already filtered by touched/submitted). */
  errorFor(path: string): string | undefined;
  /** Whether a save needs this field filled, in the draft's current state. */
  isRequired(path: string): boolean;
  /** Whether the user may not change this field (locked by policy, say). */
  isReadOnly(path: string): boolean;
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
  // The red left border marks a field a save cannot do without. The hover/focus selectors match
  // the ones Input and Dropdown use for their own border colours, so the mark stays put.
  required: {
    borderLeftWidth: '3px',
    borderLeftStyle: 'solid',
    borderLeftColor: tokens.colorPaletteRedBorder2,
    ':hover': { borderLeftColor: tokens.colorPaletteRedBorder2 },
    ':active': { borderLeftColor: tokens.colorPaletteRedBorder2 },
    ':focus-within': { borderLeftColor: tokens.colorPaletteRedBorder2 },
    ':active,:focus-within': { borderLeftColor: tokens.colorPaletteRedBorder2 },
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
  readOnlyRoot: {
    backgroundColor: tokens.colorNeutralBackground2,
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
    validation: error ? ({ validationState: 'error', validationMessage: error } as const) : {},
  };
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
  const styles = useFieldStyles();
  const { required, readOnly, validation } = fieldState(form, path, props.required, props.readOnly);
  const value = getAt(form.draft, path);
  return (
    <Field label={label} hint={hint} required={required} {...validation} className={mergeClasses(styles.field, className)}>
      <Input
        name={path}
        type={type}
        value={typeof value === 'string' ? value : ''}
        readOnly={readOnly}
        disabled={disabled}
        placeholder={inputProps.placeholder}
        autoComplete={inputProps.autoComplete}
        inputMode={inputProps.inputMode}
        spellCheck={inputProps.spellCheck}
        className={mergeClasses(
          styles.control,
          width === 'short' && styles.short,
          required && !readOnly && styles.required,
          readOnly && styles.readOnlyRoot,
        )}
        input={{ className: readOnly ? styles.readOnlyText : undefined }}
        onChange={(_, data) => form.onChange(path, data.value)}
        onBlur={() => form.onBlur(path)}
      />
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
  const styles = useFieldStyles();
  const { required, readOnly, validation } = fieldState(form, path, props.required, props.readOnly);
  const value = getAt(form.draft, path);
  const numeric = typeof value === 'number' ? value : Number.NaN;
  // Keep what the user typed ("", "1e") while it means the same number as the draft; show the
  // draft's number when it changed from elsewhere (Revert, a save).
  const [typed, setTyped] = useState('');
  const text = Object.is(parseNumber(typed), numeric) ? typed : Number.isNaN(numeric) ? '' : String(numeric);
  return (
    <Field label={label} hint={hint} required={required} {...validation} className={mergeClasses(styles.field, className)}>
      <Input
        name={path}
        type="number"
        inputMode="numeric"
        value={text}
        min={min}
        max={max}
        step={step}
        readOnly={readOnly}
        disabled={disabled}
        className={mergeClasses(
          styles.control,
          width === 'short' && styles.short,
          required && !readOnly && styles.required,
          readOnly && styles.readOnlyRoot,
        )}
        input={{ className: readOnly ? styles.readOnlyText : undefined }}
        onChange={(_, data) => {
          setTyped(data.value);
          form.onChange(path, parseNumber(data.value));
        }}
        onBlur={() => form.onBlur(path)}
      />
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
  const { readOnly, validation } = fieldState(form, path, false, props.readOnly);
  const value = getAt(form.draft, path) === true;
  return (
    <Field hint={hint} {...validation} className={mergeClasses(styles.field, className)}>
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
  const styles = useFieldStyles();
  const { required, readOnly, validation } = fieldState(form, path, props.required, props.readOnly);
  const value = getAt(form.draft, path);
  const selected = options.find((o) => o.value === value);
  if (readOnly) {
    // A locked choice reads like any other read-only field rather than a greyed-out button.
    return (
      <Field label={label} hint={hint} required={required} {...validation} className={mergeClasses(styles.field, className)}>
        <Input
          name={path}
          value={selected?.label ?? (typeof value === 'string' ? value : '')}
          readOnly
          className={mergeClasses(styles.control, width === 'short' && styles.short, styles.readOnlyRoot)}
          input={{ className: styles.readOnlyText }}
        />
      </Field>
    );
  }
  return (
    <Field label={label} hint={hint} required={required} {...validation} className={mergeClasses(styles.field, className)}>
      <Dropdown
        name={path}
        value={selected?.label ?? ''}
        selectedOptions={selected ? [selected.value] : []}
        placeholder={placeholder}
        disabled={disabled}
        className={mergeClasses(styles.control, width === 'short' && styles.short, required && styles.required)}
        onOptionSelect={(_, data) => {
          if (data.optionValue !== undefined) {
            form.onChange(path, data.optionValue);
            form.onBlur(path);
          }
        }}
        onBlur={() => form.onBlur(path)}
      >
        {options.map((o) => (
          <Option key={o.value} value={o.value} text={o.label}>
            {o.description ? (
              <span>
                {o.label}
                <br />
                <small>{o.description}</small>
              </span>
            ) : (
              o.label
            )}
          </Option>
        ))}
      </Dropdown>
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
      <Input
        value={value}
        readOnly
        title={value}
        className={mergeClasses(styles.control, styles.readOnlyRoot)}
        input={{ className: styles.readOnlyText }}
      />
    </Field>
  );
}
