// The list beside an editor (server profiles, system users): a heading, the actions, a filter, and
// the records with the selected one highlighted, each a name line with badges and a detail line.
// Down from the filter goes into the list; Enter in it is the feature's to handle.
import { useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { Field, List, ListItem, SearchBox, Toolbar, ToolbarButton, mergeClasses, useRestoreFocusTarget, type ToolbarButtonProps } from '@fluentui/react-components';
import { ErrorCircle12Filled } from '@fluentui/react-icons';
import { useRecordListStyles } from './RecordList.styles';

export interface RecordLine {
  name: string;
  /** Shown after the name: Default, You, Admin. */
  badges?: ReactNode;
  detail: string;
}

export interface RecordListProps<T> {
  /** The list's heading, which also names the list. */
  title: string;
  /** The toolbar's accessible name; no toolbar without actions. */
  actionsLabel: string;
  actions?: ReactNode;
  records: readonly T[];
  idOf(record: T): string;
  matches(record: T, filter: string): boolean;
  describe(record: T): RecordLine;
  selectedId: string | undefined;
  onSelect(id: string): void;
  /** Ids of records with an error showing, marked in the list. */
  withErrors: ReadonlySet<string>;
  filterLabel: string;
  filterHint?: string | undefined;
  /** Why what was typed in the filter cannot be used. */
  filterError?: string | undefined;
  /** Whether the filter shows at all (say, only once there are records). */
  showFilter?: boolean;
  filter: string;
  onFilterChange(text: string): void;
  /** Enter in the filter. */
  onFilterSubmit?(text: string): void;
  /** What to say when no record matches the filter. */
  noMatch(filter: string): string;
}

export function RecordList<T>(props: RecordListProps<T>) {
  const { records, idOf, selectedId, filter, onFilterChange, onFilterSubmit, onSelect } = props;
  const styles = useRecordListStyles();
  const headingId = useId();
  const listRef = useRef<HTMLUListElement>(null);
  // Enter here may open a dialog (create a record by name): focus comes back here when it closes.
  const returnFocusHere = useRestoreFocusTarget();
  // On the input itself, which is what has the focus.
  const returnFocusOnInput: Record<string, string | undefined> = { ...returnFocusHere };
  const shown = records.filter((r) => props.matches(r, filter));
  const hasSelection = selectedId !== undefined && records.some((r) => idOf(r) === selectedId);

  const onFilterKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' && onFilterSubmit) {
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
        {props.title}
      </h2>
      {props.actions && (
        <Toolbar aria-label={props.actionsLabel} size="small" className={styles.toolbar}>
          {props.actions}
        </Toolbar>
      )}
      {(props.showFilter ?? true) && (
        <Field
          label={props.filterLabel}
          hint={props.filterHint}
          {...(props.filterError ? { validationState: 'error' as const, validationMessage: props.filterError } : {})}
        >
          <SearchBox
            value={filter}
            autoComplete="off"
            input={returnFocusOnInput}
            onChange={(_, data) => onFilterChange(data.value)}
            onKeyDown={onFilterKeyDown}
          />
        </Field>
      )}
      {records.length > 0 && shown.length === 0 ? (
        <p className={styles.empty} role="status">
          {props.noMatch(filter.trim())}
        </p>
      ) : (
        records.length > 0 && (
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
            {shown.map((record) => {
              const id = idOf(record);
              const line = props.describe(record);
              return (
                <ListItem key={id} value={id} checkmark={null} className={mergeClasses(styles.item, id === selectedId && styles.selected)}>
                  <span className={styles.nameLine}>
                    <span className={styles.name}>{line.name}</span>
                    {line.badges}
                    {props.withErrors.has(id) && (
                      <span className={styles.errorMark}>
                        <ErrorCircle12Filled aria-hidden />
                        <span className={styles.visuallyHidden}>, needs attention</span>
                      </span>
                    )}
                  </span>
                  <span className={styles.detail}>{line.detail}</span>
                </ListItem>
              );
            })}
          </List>
        )
      )}
    </section>
  );
}

/** A small label after a record's name; neutral for a role (Admin), brand for the rest. */
export function RecordBadge({ children, tone = 'brand' }: { children: ReactNode; tone?: 'brand' | 'neutral' }) {
  const styles = useRecordListStyles();
  return <span className={mergeClasses(styles.badge, tone === 'neutral' && styles.neutralBadge)}>{children}</span>;
}

/** One of the list's actions (Add, Delete…), sized for the list's toolbar; focus comes back to it when the dialog it opens closes. */
export function RecordAction(props: ToolbarButtonProps) {
  const styles = useRecordListStyles();
  const returnFocusHere = useRestoreFocusTarget();
  return <ToolbarButton {...returnFocusHere} {...props} className={mergeClasses(styles.toolButton, props.className)} />;
}
