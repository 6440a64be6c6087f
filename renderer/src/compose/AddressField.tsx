// One recipient field of the built-in mailer (To, Cc, Bcc): addresses separated by commas or
// semicolons, each checked as it is finished, with the bad ones named under the field.
import { forwardRef, useState } from 'react';
import { Field, Input, makeStyles } from '@fluentui/react-components';
import { addressProblem, invalidAddresses, settledAddresses } from './compose-format';

const useStyles = makeStyles({
  control: {
    width: '100%',
    minWidth: 0,
  },
});

export interface AddressFieldProps {
  label: string;
  name: string;
  value: string;
  /** An error main reported for this field, shown until the text changes. */
  serverError?: string;
  className?: string;
  onChange(value: string): void;
}

export const AddressField = forwardRef<HTMLInputElement, AddressFieldProps>(function AddressField(
  { label, name, value, serverError, className, onChange },
  ref,
) {
  const styles = useStyles();
  const [focused, setFocused] = useState(false);
  const problem = addressProblem(invalidAddresses(settledAddresses(value, focused))) ?? serverError;
  return (
    <Field
      label={label}
      orientation="horizontal"
      className={className}
      {...(problem ? { validationState: 'error' as const, validationMessage: problem } : {})}
    >
      <Input
        ref={ref}
        name={name}
        value={value}
        className={styles.control}
        autoComplete="off"
        spellCheck={false}
        onChange={(_, data) => onChange(data.value)}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
      />
    </Field>
  );
});
