// The left side of the SMTP tab: the actions, a filter that also creates profiles by name, and the
// list of profiles with the selected one highlighted.
import { useId, useRef, type KeyboardEvent } from 'react';
import {
  Field,
  List,
  ListItem,
  SearchBox,
  Toolbar,
  ToolbarButton,
  mergeClasses,
} from '@fluentui/react-components';
import { Add20Regular, Delete20Regular, ErrorCircle12Filled, Send20Regular } from '@fluentui/react-icons';
import { useRecordListStyles } from '../components/record-list-styles';
import type { SmtpProfile } from '../../../preload/contract';
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
  onSendTest(): void;
  /** Profiles can be looked at and tested, not added or deleted (a non-administrator's view). */
  readOnly?: boolean;
}

export function ProfileList(props: ProfileListProps) {
  const { profiles, selectedId, defaultProfileId, withErrors, filter, onFilterChange, onFilterSubmit, onSelect } = props;
  const styles = useRecordListStyles();
  const headingId = useId();
  const listRef = useRef<HTMLUListElement>(null);
  const shown = profiles.filter((p) => matchesFilter(p, filter));
  const hasSelection = selectedId !== undefined && profiles.some((p) => p.id === selectedId);

  const onFilterKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      onFilterSubmit(filter);
    } else if (event.key === 'ArrowDown' && shown.length > 0) {
      // Down from the filter goes into the list, to the selected row when it is shown.
      event.preventDefault();
      const items = Array.from(listRef.current?.querySelectorAll<HTMLElement>('[role="option"]') ?? []);
      (items.find((el) => el.getAttribute('aria-selected') === 'true') ?? items[0])?.focus();
    }
  };

  return (
    <section aria-labelledby={headingId} className={styles.root}>
      <h2 id={headingId} className={styles.heading}>
        Server profiles
      </h2>
      <Toolbar aria-label="Profile actions" size="small" className={styles.toolbar}>
        {!props.readOnly && (
          <>
            <ToolbarButton icon={<Add20Regular />} className={styles.toolButton} onClick={props.onAdd}>
              Add
            </ToolbarButton>
            <ToolbarButton icon={<Delete20Regular />} className={styles.toolButton} disabled={!hasSelection} onClick={props.onDelete}>
              Delete
            </ToolbarButton>
          </>
        )}
        <ToolbarButton icon={<Send20Regular />} className={styles.toolButton} disabled={!hasSelection} onClick={props.onSendTest}>
          Send test
        </ToolbarButton>
      </Toolbar>
      <Field
        label="Filter profiles"
        hint={props.readOnly ? undefined : 'Type a new name and press Enter to create a profile.'}
        {...(props.filterError ? { validationState: 'error' as const, validationMessage: props.filterError } : {})}
      >
        <SearchBox
          value={filter}
          autoComplete="off"
          onChange={(_, data) => onFilterChange(data.value)}
          onKeyDown={onFilterKeyDown}
        />
      </Field>
      {profiles.length > 0 && shown.length === 0 ? (
        <p className={styles.empty} role="status">
          No profile matches “{filter.trim()}”.{props.readOnly ? '' : ' Press Enter in the filter to create it.'}
        </p>
      ) : (
        profiles.length > 0 && (
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
            {shown.map((profile) => {
              const selected = profile.id === selectedId;
              const where = hostAndPort(profile);
              return (
                <ListItem
                  key={profile.id}
                  value={profile.id}
                  checkmark={null}
                  className={mergeClasses(styles.item, selected && styles.selected)}
                >
                  <span className={styles.nameLine}>
                    <span className={styles.name}>{displayName(profile)}</span>
                    {profile.id === defaultProfileId && <span className={styles.badge}>Default</span>}
                    {withErrors.has(profile.id) && (
                      <span className={styles.errorMark}>
                        <ErrorCircle12Filled aria-hidden />
                        <span className={styles.visuallyHidden}>, needs attention</span>
                      </span>
                    )}
                  </span>
                  <span className={styles.detail}>{where || 'No server yet'}</span>
                </ListItem>
              );
            })}
          </List>
        )
      )}
    </section>
  );
}
