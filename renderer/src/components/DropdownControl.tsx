// The Fluent Dropdown behind DropdownField, with its options: a script of its own, which
// DeferredDropdown loads just after the first paint (the listbox, its positioning and its keyboard
// handling are a good part of what the first paint would otherwise wait for).
import { Dropdown, Option } from '@fluentui/react-components';
import type { DropdownOption } from './fields';

export interface DropdownControlProps<V extends string> {
  name: string;
  /** The text shown: the selected option's label, or '' for none. */
  value: string;
  selectedOptions: readonly V[];
  options: readonly DropdownOption<V>[];
  placeholder?: string;
  disabled?: boolean;
  className?: string;
  onOptionSelect(value: V): void;
  onBlur(): void;
  /** Focus the control once drawn: it takes the place of a stand-in that had the focus. */
  autoFocus?: boolean;
  /** Open the list once drawn: the stand-in before it was pressed. */
  defaultOpen?: boolean;
}

export function DropdownControl<V extends string>({ options, selectedOptions, onOptionSelect, ...props }: DropdownControlProps<V>) {
  return (
    <Dropdown
      {...props}
      selectedOptions={[...selectedOptions]}
      onOptionSelect={(_, data) => {
        if (data.optionValue !== undefined) onOptionSelect(data.optionValue as V);
      }}
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
  );
}
