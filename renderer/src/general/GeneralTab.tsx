// The General tab: organisation, the system mailboxes, debug logging and where the data lives.
import type { AppInfo, LogLevel, Settings } from '../../../preload/contract';
import { LOG_LEVELS } from '../../../preload/contract/settings-values';
import { DropdownField, NumberField, ReadOnlyField, SwitchField, TextField, type DropdownOption, type FormBinding } from '../components/fields';
import { FormSection } from '../components/FormSection';
import { useDebugFolderCheck } from '../hooks/useDebugFolderCheck';
import { useValidators, type Validators } from '../load-validators';
import { DebugFolderCheck } from './DebugFolderCheck';
import { OfficeDatabase } from './OfficeDatabase';

const LOG_LEVEL_LABELS: Record<LogLevel, string> = {
  error: 'Errors only',
  warn: 'Warnings and errors',
  info: 'Information',
  debug: 'Full conversation (debug)',
};

const LOG_LEVEL_OPTIONS: readonly DropdownOption<LogLevel>[] = LOG_LEVELS.map((level) => ({
  value: level,
  label: LOG_LEVEL_LABELS[level],
}));

export interface GeneralTabProps {
  form: FormBinding<Settings>;
  info: AppInfo | null;
}

export function GeneralTab({ form, info }: GeneralTabProps) {
  // The folder as typed is checked as it is typed (once it is a full path the field accepts), and
  // only by whoever may change it.
  const debugPath = form.draft.general.debug.path;
  const validators = useValidators();
  const debugFolder = useDebugFolderCheck(debugPath, !form.isReadOnly('general.debug.path') && isFullPath(debugPath, validators));
  const profileOptions: DropdownOption<string>[] = [
    { value: '', label: '(none)' },
    ...form.draft.smtp.profiles.map((p) => ({ value: p.id, label: p.name.trim() || 'Unnamed profile' })),
  ];
  return (
    <>
      <FormSection title="Organisation">
        <TextField form={form} path="general.organisationName" label="Organisation name" autoComplete="organization" />
      </FormSection>

      <FormSection title="System mailboxes">
        <TextField
          form={form}
          path="general.alertFrom"
          label="Alert From mailbox"
          inputMode="email"
          autoComplete="off"
          hint="The sender of the alerts Mailroom sends itself."
        />
        <TextField
          form={form}
          path="general.systemNotification"
          label="System Notification mailbox"
          inputMode="email"
          autoComplete="off"
          hint="Receives system notices and send failures. Test emails go here."
        />
        <TextField
          form={form}
          path="general.bouncedAlerts"
          label="Bounced Alerts mailbox"
          inputMode="email"
          autoComplete="off"
          hint="Bounced messages are returned here: it is the envelope sender of every message."
        />
      </FormSection>

      <FormSection title="Sending">
        <DropdownField
          form={form}
          path="general.defaultProfile"
          label="Default server profile"
          options={profileOptions}
          hint="Used when a sender does not choose a profile. Profiles are set up on the SMTP tab."
        />
        <NumberField
          form={form}
          path="outbox.retryForHours"
          label="Keep retrying for (hours)"
          min={0.1}
          max={720}
          step={1}
          hint="A message refused for a temporary reason (server busy, connection lost) is tried again with growing pauses for this long, then reported as failed."
        />
      </FormSection>

      <FormSection title="Debug logging">
        <SwitchField
          form={form}
          path="general.debug.enabled"
          label="Debug logging"
          hint="Records each conversation with a mail server, with passwords, tokens and message bodies masked."
        />
        <TextField
          form={form}
          path="general.debug.path"
          label="Debug folder"
          autoComplete="off"
          spellCheck={false}
          hint="The folder the log files go to. It may be a network share, like \\server\share\logs."
        />
        <DebugFolderCheck checker={debugFolder} />
        <DropdownField form={form} path="general.debug.level" label="Log level" options={LOG_LEVEL_OPTIONS} />
        <NumberField
          form={form}
          path="general.debug.retentionDays"
          label="Keep logs for (days)"
          min={1}
          max={3650}
          hint="From 1 to 3650. Older log files are deleted."
        />
      </FormSection>

      <OfficeDatabase info={info} />

      <FormSection title="Data">
        <ReadOnlyField
          label="Data folder"
          value={info?.dataDir ?? ''}
          hint={info ? (info.office ? officeHint(info.office) : `Settings file: ${info.settingsFile}`) : 'Not known yet.'}
        />
      </FormSection>
    </>
  );
}

/**
 * A path the contract would take as a folder: checking anything else would only repeat the field's
 * own message. Nothing is checked until the contract's schemas have loaded.
 */
function isFullPath(text: string, validators: Validators | null): boolean {
  return validators !== null && validators.folderPath.safeParse(text).success && text.trim() !== '';
}

/** Office mode: where the settings live and who this dialog is signed in as. */
function officeHint(office: NonNullable<AppInfo['office']>): string {
  return `Settings, users and the outbox are kept in the office database ${office.database}; drafts and logs stay here. Signed in as ${office.role}, ${office.admin ? 'an administrator' : 'not an administrator'}.`;
}
