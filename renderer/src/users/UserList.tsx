// The left side of the Users tab: the actions, a filter, and the list of system users with the
// current one marked "You".
import { useId, useRef, type KeyboardEvent } from 'react';
import {
  Field,
  List,
  ListItem,
  SearchBox,
  Toolbar,
  ToolbarButton,
  makeStyles,
  mergeClasses,
  tokens,
} from '@fluentui/react-components';
import { Add20Regular, Delete20Regular, ErrorCircle12Filled, PersonAdd20Regular } from '@fluentui/react-icons';
import { useRecordListStyles } from '../components/record-list-styles';
import type { SystemUser } from '../../../preload/contract';
import { displayName, isMe, matchesFilter } from './user-form';

const useStyles = makeStyles({
  adminBadge: {
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    color: tokens.colorNeutralForeground2,
  },
});

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
  const { users, selectedId, account, withErrors, filter, onFilterChange, onSelect, readOnly } = props;
  const styles = { ...useRecordListStyles(), ...useStyles() };
  const headingId = useId();
  const listRef = useRef<HTMLUListElement>(null);
  const shown = users.filter((u) => matchesFilter(u, filter));
  const hasSelection = selectedId !== undefined && users.some((u) => u.id === selectedId);

  const onFilterKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' && shown.length > 0) {
      event.preventDefault();
      const items = Array.from(listRef.current?.querySelectorAll<HTMLElement>('[role="option"]') ?? []);
      (items.find((el) => el.getAttribute('aria-selected') === 'true') ?? items[0])?.focus();
    }
  };

  return (
    <section aria-labelledby={headingId} className={styles.root}>
      <h2 id={headingId} className={styles.heading}>
        System users
      </h2>
      {!readOnly && (
        <Toolbar aria-label="User actions" size="small" className={styles.toolbar}>
          <ToolbarButton icon={<Add20Regular />} className={styles.toolButton} onClick={props.onAdd}>
            Add
          </ToolbarButton>
          {props.onAddMe && (
            <ToolbarButton icon={<PersonAdd20Regular />} className={styles.toolButton} onClick={props.onAddMe}>
              Add me
            </ToolbarButton>
          )}
          <ToolbarButton icon={<Delete20Regular />} className={styles.toolButton} disabled={!hasSelection} onClick={props.onDelete}>
            Delete
          </ToolbarButton>
        </Toolbar>
      )}
      {users.length > 0 && (
        <Field label="Filter users">
          <SearchBox value={filter} autoComplete="off" onChange={(_, data) => onFilterChange(data.value)} onKeyDown={onFilterKeyDown} />
        </Field>
      )}
      {users.length > 0 && shown.length === 0 ? (
        <p className={styles.empty} role="status">
          No user matches “{filter.trim()}”.
        </p>
      ) : (
        users.length > 0 && (
          <List
            ref={listRef}
            aria-labelledby={headingId}
            className={styles.list}
            navigationMode="items"
            selectionMode="single"
            selectedItems={hasSelection && selectedId ? [selectedId] : []}
            onSelectionChange={(_, data) => {
              const [id] = data.selectedItems;
              if (id !== undefined) onSelect(String(id));
            }}
          >
            {shown.map((user) => {
              const selected = user.id === selectedId;
              const detail = [user.account.trim(), user.email.trim()].filter((s) => s !== '').join(' · ');
              return (
                <ListItem key={user.id} value={user.id} checkmark={null} className={mergeClasses(styles.item, selected && styles.selected)}>
                  <span className={styles.nameLine}>
                    <span className={styles.name}>{displayName(user)}</span>
                    {isMe(user, account) && <span className={styles.badge}>You</span>}
                    {user.admin && <span className={mergeClasses(styles.badge, styles.adminBadge)}>Admin</span>}
                    {withErrors.has(user.id) && (
                      <span className={styles.errorMark}>
                        <ErrorCircle12Filled aria-hidden />
                        <span className={styles.visuallyHidden}>, needs attention</span>
                      </span>
                    )}
                  </span>
                  <span className={styles.detail}>{detail || 'No sign-in name yet'}</span>
                </ListItem>
              );
            })}
          </List>
        )
      )}
    </section>
  );
}
