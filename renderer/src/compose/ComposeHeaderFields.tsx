// The compose window's header: From (the server profile, with who the mail comes from), To, Cc,
// Bcc and Subject, their labels in one column.
import type { Ref } from 'react';
import { Dropdown, Field, Input, Option, Spinner, mergeClasses } from '@fluentui/react-components';
import type { SmtpProfile } from '../../../preload/contract';
import { AddressField } from './AddressField';
import { useComposeStyles } from './ComposeWindow.styles';
import { ADDRESS_FIELDS, type ComposeEdits, type ComposeFacts, type ComposeState } from './useComposeState';

function profileFrom(profile: SmtpProfile | undefined): string {
  if (!profile) return '';
  const address = profile.fromAddress.trim();
  if (!address) return `The profile “${profile.name}” has no From address yet (SMTP tab).`;
  return `Sent as ${profile.fromName.trim() ? `${profile.fromName.trim()} <${address}>` : address}`;
}

export interface ComposeHeaderFieldsProps {
  state: ComposeState;
  facts: ComposeFacts;
  edits: ComposeEdits;
  /** The profiles are still being read. */
  loading: boolean;
  toInput: Ref<HTMLInputElement>;
}

export function ComposeHeaderFields({ state, facts, edits, loading, toInput }: ComposeHeaderFieldsProps) {
  const styles = useComposeStyles();
  const { chosen, profiles } = facts;
  const { serverErrors } = state;
  return (
    <div className={styles.fields}>
      <Field
        label="From"
        orientation="horizontal"
        className={styles.field}
        hint={profileFrom(chosen)}
        {...(serverErrors.profileId ? { validationState: 'error' as const, validationMessage: serverErrors.profileId } : {})}
      >
        {loading ? (
          <Spinner size="tiny" label="Loading server profiles…" labelPosition="after" />
        ) : (
          <Dropdown
            className={mergeClasses(styles.control, styles.required)}
            value={chosen?.name ?? ''}
            selectedOptions={chosen ? [chosen.id] : []}
            placeholder={profiles.length === 0 ? 'No server profile' : 'Choose a server profile'}
            disabled={profiles.length === 0}
            onOptionSelect={(_, data) => {
              if (data.optionValue && data.optionValue !== chosen?.id) edits.chooseProfile(data.optionValue);
            }}
          >
            {profiles.map((p) => (
              <Option key={p.id} value={p.id} text={p.name}>
                <span className={styles.option}>
                  {p.name}
                  <span className={styles.optionDetail}>
                    {p.fromAddress || 'No From address'}
                    {p.id === facts.defaultProfile ? ' · default' : ''}
                  </span>
                </span>
              </Option>
            ))}
          </Dropdown>
        )}
      </Field>
      {ADDRESS_FIELDS.map((f) => (
        <AddressField
          key={f.key}
          ref={f.key === 'to' ? toInput : undefined}
          label={f.label}
          name={f.key}
          value={state.addresses[f.key]}
          className={styles.field}
          {...(serverErrors[f.key] ? { serverError: serverErrors[f.key] } : {})}
          onChange={(value) => edits.setAddress(f.key, value)}
        />
      ))}
      <Field
        label="Subject"
        orientation="horizontal"
        className={styles.field}
        {...(serverErrors.subject ? { validationState: 'error' as const, validationMessage: serverErrors.subject } : {})}
      >
        <Input
          name="subject"
          className={styles.control}
          value={state.subject}
          maxLength={998}
          onChange={(_, data) => edits.setSubject(data.value)}
        />
      </Field>
    </div>
  );
}
