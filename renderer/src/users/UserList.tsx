// The left side of the Users tab: the actions, a filter, and the list of system users with the
// current one marked "You".
import { Add20Regular, Delete20Regular, PersonAdd20Regular } from '@fluentui/react-icons';
import type { SystemUser } from '../../../preload/contract';
import { RecordAction, RecordBadge, RecordList } from '../components/RecordList';
import { displayName, isMe, matchesFilter } from './user-form';

export interface UserListProps {
  users: readonly SystemUser[];
  selectedId: string | undefined;
  /** The OS account at the keyboard, to mark "You". */
  account: string | undefined;
  /** Ids of users with an error showing, marked in the list. */
  withErrors: ReadonlySet<string>;
  filter: string;
  onFilterChange(text: string): void;
  onSelect(id: string): void;
  /** Users can be looked at, not added or deleted (a non-administrator's view). */
  readOnly: boolean;
  onAdd(): void;
  /** Offered when the current account is not in the list. */
  onAddMe?: () => void;
  onDelete(): void;
}

export function UserList(props: UserListProps) {
  const { users, selectedId, account, readOnly } = props;
  const hasSelection = selectedId !== undefined && users.some((u) => u.id === selectedId);
  return (
    <RecordList
      title="System users"
      actionsLabel="User actions"
      actions={
        readOnly ? undefined : (
          <>
            <RecordAction icon={<Add20Regular />} onClick={props.onAdd}>
              Add
            </RecordAction>
            {props.onAddMe && (
              <RecordAction icon={<PersonAdd20Regular />} onClick={props.onAddMe}>
                Add me
              </RecordAction>
            )}
            <RecordAction icon={<Delete20Regular />} disabled={!hasSelection} onClick={props.onDelete}>
              Delete
            </RecordAction>
          </>
        )
      }
      records={users}
      idOf={(u) => u.id}
      matches={matchesFilter}
      describe={(u) => ({
        name: displayName(u),
        badges: (
          <>
            {isMe(u, account) && <RecordBadge>You</RecordBadge>}
            {u.admin && <RecordBadge tone="neutral">Admin</RecordBadge>}
          </>
        ),
        detail: [u.account.trim(), u.email.trim()].filter((s) => s !== '').join(' · ') || 'No sign-in name yet',
      })}
      selectedId={selectedId}
      onSelect={props.onSelect}
      withErrors={props.withErrors}
      filterLabel="Filter users"
      showFilter={users.length > 0}
      filter={props.filter}
      onFilterChange={props.onFilterChange}
      noMatch={(text) => `No user matches “${text}”.`}
    />
  );
}
