// A Dropdown whose script (DropdownControl) loads just after the first paint. Until it is here, a
// stand-in takes its place: the same closed combobox by role, name, description and looks (Fluent's
// own Dropdown classes), with nothing behind it. Once loaded, every dropdown is the real one at
// once; one drawn meanwhile changes places with its stand-in, keeping the focus, and opens if the
// stand-in was pressed (a click, or a key that opens a Dropdown).
import { useEffect, useState, useSyncExternalStore, type KeyboardEvent } from 'react';
import { useDropdownStyles_unstable, useFieldControlProps_unstable, type DropdownState, type FieldControlProps } from '@fluentui/react-components';
import { ChevronDownRegular } from '@fluentui/react-icons';
import type { DropdownControlProps } from './DropdownControl';

type ControlModule = Awaited<ReturnType<typeof importControl>>;

const importControl = () => import('./DropdownControl');
let control: ControlModule | null = null;
let loading: Promise<ControlModule> | null = null;
const listeners = new Set<() => void>();

function loadControl(): Promise<ControlModule> {
  loading ??= importControl().then(
    (module) => {
      control = module;
      for (const listener of [...listeners]) listener();
      return module;
    },
    (error: unknown) => {
      // Asked for again by the next dropdown drawn or pressed.
      loading = null;
      throw error;
    },
  );
  return loading;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export type DeferredDropdownProps<V extends string> = Omit<DropdownControlProps<V>, 'autoFocus' | 'defaultOpen'>;

export function DeferredDropdown<V extends string>(props: DeferredDropdownProps<V>) {
  const loaded = useSyncExternalStore(subscribe, () => control);
  const [focused, setFocused] = useState(false);
  const [pressed, setPressed] = useState(false);
  // Effects run after the paint: the script is fetched then, not before.
  useEffect(() => {
    if (!control) void loadControl().catch(() => undefined);
  }, []);
  if (loaded) return <loaded.DropdownControl {...props} autoFocus={focused} defaultOpen={pressed} />;
  return (
    <DropdownStandIn
      {...props}
      onFocus={() => setFocused(true)}
      onBlur={() => {
        setFocused(false);
        setPressed(false);
        props.onBlur();
      }}
      onPress={() => {
        setPressed(true);
        void loadControl().catch(() => undefined);
      }}
    />
  );
}

/** The keys that open a closed Dropdown: Enter, Space, the up and down arrows, and typing. */
function opensDropdown(event: KeyboardEvent): boolean {
  if (event.ctrlKey || event.metaKey) return false;
  return event.key === 'Enter' || event.key === ' ' || event.key === 'ArrowDown' || event.key === 'ArrowUp' || (event.key.length === 1 && !event.altKey);
}

interface DropdownStandInProps<V extends string> extends DeferredDropdownProps<V> {
  onFocus(): void;
  onPress(): void;
}

/** A closed Dropdown as Fluent draws it, in a Field or not, with nothing behind it. */
function DropdownStandIn<V extends string>({ name, value, placeholder, disabled, className, onFocus, onBlur, onPress }: DropdownStandInProps<V>) {
  // The label, hint, error and required state of the surrounding Field, as the Dropdown takes them.
  const fieldProps = useFieldControlProps_unstable<FieldControlProps>({}, { supportsLabelFor: true });
  const state = {
    appearance: 'outline',
    size: 'medium',
    open: false,
    placeholderVisible: !value && !!placeholder,
    showClearButton: false,
    root: { className },
    button: { 'aria-invalid': fieldProps['aria-invalid'], disabled },
    expandIcon: {},
  } as unknown as DropdownState;
  useDropdownStyles_unstable(state);
  return (
    <div className={state.root.className}>
      <button
        {...fieldProps}
        type="button"
        role="combobox"
        aria-expanded={false}
        tabIndex={disabled ? undefined : 0}
        name={name}
        value={value}
        disabled={disabled}
        className={state.button.className}
        onFocus={onFocus}
        onBlur={onBlur}
        onClick={onPress}
        onKeyDown={(event) => {
          if (!opensDropdown(event)) return;
          event.preventDefault();
          onPress();
        }}
      >
        {value || placeholder}
        <span className={state.expandIcon?.className}>
          <ChevronDownRegular />
        </span>
      </button>
    </div>
  );
}
