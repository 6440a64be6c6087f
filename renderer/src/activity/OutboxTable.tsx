// The messages of the outbox as a table, newest first: state, recipients, subject, profile, attempts,
// the server's last reply and when it changed. In a narrow window the columns that matter least
// give way (see visibleColumns) and what they said goes under the subject and into the details. A
// row opens to show the advice and every recipient; Retry and Cancel act on one message (Cancel asks first).
import { memo, useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
  useRestoreFocusTarget,
} from '@fluentui/react-components';
import { ArrowClockwise16Regular, ChevronDown16Regular, ChevronRight16Regular, Dismiss16Regular } from '@fluentui/react-icons';
import type { OutboxEntry } from '../../../preload/contract';
import {
  OUTBOX_COLUMNS,
  STATE_COLOR,
  STATE_LABEL,
  canCancel,
  canRetry,
  formatFull,
  formatWhen,
  recipientSummary,
  rejectedCount,
  visibleColumns,
  type OutboxColumn,
} from './activity-format';
import { EntryDetails } from './EntryDetails';
import { useElementSize } from '../hooks/useElementSize';
import { VISUALLY_HIDDEN } from '../components/visually-hidden';

const useStyles = makeStyles({
  // Measured for the columns it has room for.
  frame: {
    minWidth: 0,
  },
  // Fixed layout: the widths of OUTBOX_COLUMNS hold while rows change every second.
  table: {
    ...typographyStyles.body1,
  },
  headerCell: {
    ...typographyStyles.caption1Strong,
    // A column's width is all it takes, padding included.
    boxSizing: 'border-box',
    color: tokens.colorNeutralForeground2,
    // The column names stay in view while a long list scrolls.
    position: 'sticky',
    top: 0,
    zIndex: 1,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  row: {
    cursor: 'pointer',
  },
  openRow: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
    borderBottomStyle: 'none',
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Selected },
  },
  cell: {
    verticalAlign: 'top',
    paddingBlock: tokens.spacingVerticalS,
    overflowWrap: 'anywhere',
  },
  number: {
    textAlign: 'right',
    fontVariantNumeric: 'tabular-nums',
  },
  numberHeader: {
    justifyContent: 'flex-end',
  },
  badges: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: tokens.spacingHorizontalXS,
  },
  stateNote: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
    marginTop: tokens.spacingVerticalXXS,
  },
  // The subject keeps to one line, cut short with an ellipsis (its whole text is its tooltip and in
  // the details); a kind's tag stays beside it.
  subjectLine: {
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    minWidth: 0,
  },
  kind: {
    flexShrink: 0,
  },
  chevron: {
    flexShrink: 0,
  },
  disclosure: {
    ...typographyStyles.body1Strong,
    minWidth: 0,
    maxWidth: '100%',
    flexShrink: 1,
    height: 'auto',
    minHeight: '24px',
    paddingInline: tokens.spacingHorizontalXXS,
    marginInline: `calc(-1 * ${tokens.spacingHorizontalXXS})`,
    justifyContent: 'flex-start',
    textAlign: 'left',
    // Text, not a link: it keeps the row's colour whatever the button's state.
    color: tokens.colorNeutralForeground1,
    ':hover': { color: tokens.colorNeutralForeground1, textDecorationLine: 'underline' },
    ':hover:active': { color: tokens.colorNeutralForeground1 },
  },
  subjectText: {
    minWidth: 0,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  // What the hidden columns say, under the subject.
  aside: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
    marginTop: tokens.spacingVerticalXXS,
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    whiteSpace: 'nowrap',
  },
  asideReply: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
  },
  recipients: {
    display: 'block',
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
  },
  reply: {
    display: 'block',
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase300,
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    color: tokens.colorNeutralForeground2,
  },
  actions: {
    display: 'flex',
    justifyContent: 'flex-end',
  },
  detailsRow: {
    backgroundColor: tokens.colorNeutralBackground1Selected,
    ':hover': { backgroundColor: tokens.colorNeutralBackground1Selected },
  },
  detailsCell: {
    paddingInline: tokens.spacingHorizontalL,
    paddingBottom: tokens.spacingVerticalM,
    cursor: 'auto',
  },
  visuallyHidden: {
    ...VISUALLY_HIDDEN,
  },
  dialogText: {
    ...typographyStyles.body1,
    margin: 0,
    overflowWrap: 'anywhere',
  },
  dialogSurface: {
    maxWidth: '480px',
    width: 'calc(100vw - 48px)',
  },
});

export interface OutboxTableProps {
  entries: readonly OutboxEntry[];
  /** The accessible name of the table. */
  label: string;
  onRetry(entry: OutboxEntry): Promise<void>;
  onCancel(entry: OutboxEntry): Promise<void>;
}

export function OutboxTable({ entries, label, onRetry, onCancel }: OutboxTableProps) {
  const styles = useStyles();
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const [busy, setBusy] = useState<ReadonlySet<string>>(() => new Set());
  const [confirming, setConfirming] = useState<OutboxEntry | null>(null);
  // The message last acted on: when its button goes (Retry once queued), focus moves to its subject.
  const [acted, setActed] = useState<string | null>(null);
  const frame = useRef<HTMLDivElement>(null);
  const { width } = useElementSize(frame);
  // One set per layout, so rows are drawn again only when the columns change, not at every pixel.
  const key = [...visibleColumns(width ?? Number.POSITIVE_INFINITY)].join(' ');
  const columns = useMemo(() => new Set(key.split(' ') as OutboxColumn[]), [key]);

  const toggle = useCallback(
    (id: string) =>
      setOpen((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );

  const run = useCallback(async (entry: OutboxEntry, action: (e: OutboxEntry) => Promise<void>) => {
    setActed(entry.id);
    setBusy((current) => new Set(current).add(entry.id));
    try {
      await action(entry);
    } finally {
      setBusy((current) => {
        const next = new Set(current);
        next.delete(entry.id);
        return next;
      });
    }
  }, []);
  const retry = useCallback((entry: OutboxEntry) => void run(entry, onRetry), [run, onRetry]);

  return (
    <>
      <div ref={frame} className={styles.frame}>
      <Table aria-label={label} className={styles.table}>
        <TableHeader>
          <TableRow>
            {OUTBOX_COLUMNS.filter((c) => columns.has(c.id)).map((c) => (
              <TableHeaderCell
                key={c.id}
                className={styles.headerCell}
                style={c.width === undefined ? undefined : { width: `${c.width}px` }}
                {...(c.id === 'attempts' ? { button: { className: styles.numberHeader } } : {})}
              >
                {c.id === 'actions' ? <span className={styles.visuallyHidden}>{c.label}</span> : c.label}
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {entries.map((entry) => (
            <EntryRows
              key={entry.id}
              entry={entry}
              columns={columns}
              isOpen={open.has(entry.id)}
              busy={busy.has(entry.id)}
              keepFocus={acted === entry.id}
              onToggle={toggle}
              onRetry={retry}
              onCancel={setConfirming}
            />
          ))}
        </TableBody>
      </Table>
      </div>

      {confirming && (
        <Dialog open modalType="alert" onOpenChange={(_, data) => !data.open && setConfirming(null)}>
          <DialogSurface className={styles.dialogSurface}>
            <DialogBody>
              <DialogTitle>Cancel “{confirming.subject || '(no subject)'}”?</DialogTitle>
              <DialogContent>
                <p className={styles.dialogText}>
                  It will not be sent to {recipientSummary(confirming.recipients.map((r) => r.address))}. It stays in this list as
                  Cancelled, and Retry queues it again.
                </p>
              </DialogContent>
              <DialogActions>
                <Button
                  appearance="primary"
                  onClick={() => {
                    const entry = confirming;
                    setConfirming(null);
                    void run(entry, onCancel);
                  }}
                >
                  Cancel message
                </Button>
                <Button onClick={() => setConfirming(null)}>Keep it queued</Button>
              </DialogActions>
            </DialogBody>
          </DialogSurface>
        </Dialog>
      )}
    </>
  );
}

interface EntryRowsProps {
  entry: OutboxEntry;
  /** The columns the table has room for. */
  columns: ReadonlySet<OutboxColumn>;
  isOpen: boolean;
  busy: boolean;
  /** Take the focus back to the subject if the button that had it is gone. */
  keepFocus: boolean;
  onToggle(id: string): void;
  onRetry(entry: OutboxEntry): void;
  onCancel(entry: OutboxEntry): void;
}

/**
 * One message's row, and its details under it when open. The list is read every second: a row
 * whose message has not changed (same update time) is not drawn again.
 */
const EntryRows = memo(
  function EntryRows({ entry, columns, isOpen, busy, keepFocus, onToggle, onRetry, onCancel }: EntryRowsProps) {
    const styles = useStyles();
    const subject = useRef<HTMLButtonElement>(null);
    // Cancel asks first: focus comes back to it when the question closes (and to the subject once it is gone).
    const returnFocusHere = useRestoreFocusTarget();

    useEffect(() => {
      const lost = document.activeElement === null || document.activeElement === document.body;
      if (keepFocus && lost) subject.current?.focus();
    }, [keepFocus, entry.state]);
    const detailsId = `outbox-details-${entry.id}`;
    const subjectId = `outbox-subject-${entry.id}`;
    const rejected = rejectedCount(entry);
    const subjectText = entry.subject || '(no subject)';
    const recipients = recipientSummary(entry.recipients.map((r) => r.address));
    // What the columns that gave way would have said: short facts on one line, a failure's reply on another.
    const aside = [
      !columns.has('recipients') && recipients,
      !columns.has('profile') && entry.profileName,
      !columns.has('attempts') && `${entry.attempts} ${entry.attempts === 1 ? 'attempt' : 'attempts'}`,
      !columns.has('updated') && formatWhen(entry.updatedAt),
    ].filter((fact): fact is string => typeof fact === 'string' && fact !== '');
    const asideReply = !columns.has('reply') && entry.lastReply !== '' && entry.state !== 'sent' && entry.state !== 'cancelled' ? entry.lastReply : '';

    // A click anywhere on the row opens it, as the subject's button does; not when the click was on
    // a control, or ended a text selection (copying a reply).
    const onRowClick = (event: MouseEvent<HTMLElement>) => {
      if ((event.target as HTMLElement).closest('button, a, input, [role="button"]')) return;
      if (window.getSelection()?.toString()) return;
      onToggle(entry.id);
    };

    return (
      <>
        <TableRow
          className={mergeClasses(styles.row, isOpen && styles.openRow)}
          data-entry-id={entry.id}
          data-state={entry.state}
          onClick={onRowClick}
        >
          <TableCell className={styles.cell}>
            <div className={styles.badges}>
              <Badge appearance="tint" color={STATE_COLOR[entry.state]}>
                {STATE_LABEL[entry.state]}
              </Badge>
              {entry.possibleDuplicate && (
                <Badge appearance="outline" color="warning">
                  Possible duplicate
                </Badge>
              )}
              {entry.reason === 'too-large' && (
                <Badge appearance="outline" color="danger">
                  Too large
                </Badge>
              )}
              {rejected > 0 && entry.state === 'sent' && (
                <Badge appearance="outline" color="warning">
                  {rejected} rejected
                </Badge>
              )}
            </div>
            {entry.state === 'queued' && entry.attempts > 0 && entry.nextAttemptAt && (
              <div className={styles.stateNote}>Next try {formatWhen(entry.nextAttemptAt)}</div>
            )}
          </TableCell>
          {columns.has('recipients') && (
            <TableCell className={styles.cell}>
              <span className={styles.recipients} title={recipients}>
                {recipients}
              </span>
            </TableCell>
          )}
          <TableCell className={styles.cell}>
            <div className={styles.subjectLine}>
              <Button
                ref={subject}
                id={subjectId}
                appearance="transparent"
                size="small"
                className={styles.disclosure}
                title={subjectText}
                icon={{ className: styles.chevron, children: isOpen ? <ChevronDown16Regular /> : <ChevronRight16Regular /> }}
                aria-expanded={isOpen}
                aria-controls={isOpen ? detailsId : undefined}
                onClick={() => onToggle(entry.id)}
              >
                <span className={styles.subjectText}>{subjectText}</span>
              </Button>
              {entry.kind === 'test' && (
                <Badge appearance="outline" color="informative" size="small" className={styles.kind}>
                  Test
                </Badge>
              )}
              {entry.kind === 'alert' && (
                <Badge appearance="outline" color="important" size="small" className={styles.kind}>
                  Alert
                </Badge>
              )}
            </div>
            {aside.length > 0 && <div className={styles.aside}>{aside.join(' · ')}</div>}
            {asideReply && (
              <div className={mergeClasses(styles.aside, styles.asideReply)} title={asideReply}>
                {asideReply}
              </div>
            )}
          </TableCell>
          {columns.has('profile') && <TableCell className={styles.cell}>{entry.profileName}</TableCell>}
          {columns.has('attempts') && <TableCell className={mergeClasses(styles.cell, styles.number)}>{entry.attempts}</TableCell>}
          {columns.has('reply') && (
            <TableCell className={styles.cell}>
              <span className={styles.reply} title={entry.lastReply || undefined}>
                {entry.lastReply || '—'}
              </span>
            </TableCell>
          )}
          {columns.has('updated') && (
            <TableCell className={styles.cell}>
              <time dateTime={entry.updatedAt} title={formatFull(entry.updatedAt)}>
                {formatWhen(entry.updatedAt)}
              </time>
            </TableCell>
          )}
          <TableCell className={styles.cell}>
            <div className={styles.actions}>
              {canRetry(entry) && (
                <Button size="small" icon={<ArrowClockwise16Regular />} aria-describedby={subjectId} disabled={busy} onClick={() => onRetry(entry)}>
                  Retry
                </Button>
              )}
              {canCancel(entry) && (
                <Button {...returnFocusHere} size="small" icon={<Dismiss16Regular />} aria-describedby={subjectId} disabled={busy} onClick={() => onCancel(entry)}>
                  Cancel
                </Button>
              )}
            </div>
          </TableCell>
        </TableRow>
        {isOpen && (
          <TableRow id={detailsId} className={styles.detailsRow} data-details-for={entry.id}>
            <TableCell colSpan={columns.size} className={styles.detailsCell}>
              <EntryDetails entry={entry} />
            </TableCell>
          </TableRow>
        )}
      </>
    );
  },
  (before, after) =>
    before.entry.id === after.entry.id &&
    before.entry.updatedAt === after.entry.updatedAt &&
    before.entry.state === after.entry.state &&
    before.columns === after.columns &&
    before.isOpen === after.isOpen &&
    before.busy === after.busy &&
    before.keepFocus === after.keepFocus &&
    before.onToggle === after.onToggle &&
    before.onRetry === after.onRetry &&
    before.onCancel === after.onCancel,
);
