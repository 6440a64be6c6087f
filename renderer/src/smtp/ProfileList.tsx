// The left side of the SMTP tab: the actions, a filter that also creates profiles by name, and the
// list of profiles with the default one marked. Testing a profile is its editor's (Test connection,
// Send test email), once.
import { Add20Regular, Delete20Regular } from '@fluentui/react-icons';
import type { SmtpProfile } from '../../../preload/contract';
import { RecordAction, RecordBadge, RecordList } from '../components/RecordList';
import { displayName, hostAndPort, matchesFilter } from './profile-form';

export interface ProfileListProps {
  profiles: readonly SmtpProfile[];
  selectedId: string | undefined;
  defaultProfileId: string;
  /** Ids of profiles with an error showing, marked in the list. */
  withErrors: ReadonlySet<string>;
  filter: string;
  /** Why the name typed in the filter cannot become a profile. */
  filterError?: string | undefined;
  onFilterChange(text: string): void;
  /** Enter in the filter: select the profile with that name, or offer to create it. */
  onFilterSubmit(text: string): void;
  onSelect(id: string): void;
  onAdd(): void;
  onDelete(): void;
  /** Profiles can be looked at and tested, not added or deleted (a non-administrator's view). */
  readOnly?: boolean;
  /** Why the selected profile cannot be deleted (machine policy sets it), if it cannot. */
  deleteBlocked?: string;
}

export function ProfileList(props: ProfileListProps) {
  const { profiles, selectedId, defaultProfileId, readOnly } = props;
  const hasSelection = selectedId !== undefined && profiles.some((p) => p.id === selectedId);
  return (
    <RecordList
      title="Server profiles"
      actionsLabel="Profile actions"
      actions={
        readOnly ? undefined : (
          <>
            <RecordAction icon={<Add20Regular />} onClick={props.onAdd}>
              Add
            </RecordAction>
            <RecordAction
              icon={<Delete20Regular />}
              disabled={!hasSelection}
              disabledFocusable={props.deleteBlocked !== undefined}
              title={props.deleteBlocked}
              onClick={props.onDelete}
            >
              Delete
            </RecordAction>
          </>
        )
      }
      records={profiles}
      idOf={(p) => p.id}
      matches={matchesFilter}
      describe={(p) => ({
        name: displayName(p),
        badges: p.id === defaultProfileId ? <RecordBadge>Default</RecordBadge> : undefined,
        detail: hostAndPort(p) || 'No server yet',
      })}
      selectedId={selectedId}
      onSelect={props.onSelect}
      withErrors={props.withErrors}
      filterLabel="Filter profiles"
      filterHint={readOnly ? undefined : 'Type a new name and press Enter to create a profile.'}
      filterError={props.filterError}
      filter={props.filter}
      onFilterChange={props.onFilterChange}
      onFilterSubmit={props.onFilterSubmit}
      noMatch={(text) => `No profile matches “${text}”.${readOnly ? '' : ' Press Enter in the filter to create it.'}`}
    />
  );
}
