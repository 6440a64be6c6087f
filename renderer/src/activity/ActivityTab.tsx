// The Activity tab: every message the outbox holds and what became of it, the batches being sent,
// and the way to the debug log. Not a settings page: nothing here waits for Save.
import { useCallback, useMemo, useState } from 'react';
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Tab,
  TabList,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import type { OutboxEntry } from '../../../preload/contract';
import { FILTERS, STATE_LABEL, SUMMARY_STATES, filterLabel, newestFirst, type StateFilter } from './activity-format';
import { BatchProgressList, isRunning } from './BatchProgressList';
import { DebugFolderWarning, OpenDebugFolder } from './DebugFolder';
import { OutboxTable } from './OutboxTable';
import { SenderServicesStatus } from './SenderServices';
import { useOutboxActivity } from '../hooks/useOutboxActivity';
import { VISUALLY_HIDDEN } from '../components/visually-hidden';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalL,
    paddingBlock: tokens.spacingVerticalL,
    minWidth: 0,
  },
  intro: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-start',
    justifyContent: 'space-between',
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalM,
  },
  introText: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    maxWidth: '560px',
  },
  heading: {
    ...typographyStyles.subtitle2,
    margin: 0,
  },
  description: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
  // One even row of six; three and three in a narrow window, never five and an orphan.
  summary: {
    display: 'grid',
    gridTemplateColumns: 'repeat(6, minmax(0, 1fr))',
    gap: tokens.spacingHorizontalS,
    margin: 0,
    maxWidth: '760px',
    '@media (max-width: 640px)': { gridTemplateColumns: 'repeat(3, minmax(0, 1fr))' },
  },
  count: {
    display: 'flex',
    flexDirection: 'column-reverse',
    justifyContent: 'flex-end',
    minWidth: 0,
    paddingBlock: tokens.spacingVerticalS,
    paddingInline: tokens.spacingHorizontalM,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderTopWidth: '3px',
    backgroundColor: tokens.colorNeutralBackground1,
  },
  countLabel: {
    ...typographyStyles.caption1,
    color: tokens.colorNeutralForeground2,
  },
  countValue: {
    ...typographyStyles.subtitle1,
    margin: 0,
    fontVariantNumeric: 'tabular-nums',
  },
  // The top edge carries the state's colour, as its badge in the table does.
  queued: { borderTopColor: tokens.colorNeutralStroke1 },
  sending: { borderTopColor: tokens.colorBrandStroke1 },
  sent: { borderTopColor: tokens.colorPaletteGreenBorder2 },
  failed: { borderTopColor: tokens.colorPaletteRedBorder2 },
  unknown: { borderTopColor: tokens.colorPaletteMarigoldBorder2 },
  cancelled: { borderTopColor: tokens.colorNeutralStroke2 },
  messages: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    minWidth: 0,
  },
  filter: {
    marginLeft: `calc(-1 * ${tokens.spacingHorizontalMNudge})`,
    flexWrap: 'wrap',
  },
  empty: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    paddingBlock: tokens.spacingVerticalXL,
    paddingInline: tokens.spacingHorizontalL,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke1}`,
  },
  emptyTitle: {
    ...typographyStyles.body1Strong,
    margin: 0,
  },
  emptyText: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
  loading: {
    justifyContent: 'flex-start',
    paddingBlock: tokens.spacingVerticalL,
  },
  visuallyHidden: {
    ...VISUALLY_HIDDEN,
  },
});

export interface ActivityTabProps {
  /** The tab is selected: the outbox is read every second only then. */
  active: boolean;
  /** Shows a setting on its own tab (the debug folder, when it is not set). */
  onShowSetting?(path: string): void;
  /** Office mode: the office's sender services send the outbox, and their status is shown. */
  office?: boolean;
}

export function ActivityTab({ active, onShowSetting, office = false }: ActivityTabProps) {
  const styles = useStyles();
  const { view, error, debug, retry, cancel } = useOutboxActivity(active);
  const [filter, setFilter] = useState<StateFilter>('all');
  const [actionError, setActionError] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');

  const entries = useMemo(() => {
    const all = view?.entries ?? [];
    return newestFirst(filter === 'all' ? all : all.filter((e) => e.state === filter));
  }, [view, filter]);
  const running = useMemo(() => (view?.batches ?? []).filter(isRunning), [view]);

  const onRetry = useCallback(
    async (entry: OutboxEntry) => {
      const outcome = await retry(entry.id);
      if (outcome.ok && outcome.entry.state !== 'sent') {
        setActionError(null);
        setAnnouncement(`“${entry.subject}” is queued to be sent again.`);
      } else if (outcome.ok) setActionError(`“${entry.subject}” was sent already.`);
      else setActionError(`Could not retry “${entry.subject}”: ${outcome.message}`);
    },
    [retry],
  );
  const onCancel = useCallback(
    async (entry: OutboxEntry) => {
      const outcome = await cancel(entry.id);
      if (outcome.ok && outcome.entry.state === 'cancelled') {
        setActionError(null);
        setAnnouncement(`“${entry.subject}” is cancelled.`);
      } else if (outcome.ok) {
        // It left the queue before the cancel arrived (being sent, or sent).
        const now = outcome.entry.state === 'sending' ? 'being sent' : STATE_LABEL[outcome.entry.state].toLowerCase();
        setActionError(`“${entry.subject}” could not be cancelled: it is ${now} already.`);
      } else setActionError(`Could not cancel “${entry.subject}”: ${outcome.message}`);
    },
    [cancel],
  );

  const total = view ? SUMMARY_STATES.reduce((sum, s) => sum + (view.counts[s] ?? 0), 0) : 0;

  return (
    <div className={styles.root}>
      <div className={styles.intro}>
        <div className={styles.introText}>
          <h2 className={styles.heading}>Activity</h2>
          <p className={styles.description}>
            Every message Mailroom sends goes through the outbox: here is each one&apos;s state and the server&apos;s last reply. Failed
            messages can be retried, queued ones cancelled.
          </p>
        </div>
        <OpenDebugFolder {...(onShowSetting ? { onShowSetting } : {})} />
      </div>

      {office && <SenderServicesStatus active={active} />}

      <DebugFolderWarning status={debug} {...(onShowSetting ? { onShowSetting } : {})} />

      {error && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>The outbox could not be read</MessageBarTitle>
            {error}
          </MessageBarBody>
        </MessageBar>
      )}

      {!view && !error && <Spinner className={styles.loading} size="small" label="Loading activity…" />}

      {view && (
        <>
          <div role="group" aria-label="Messages by state">
            <dl className={styles.summary}>
              {SUMMARY_STATES.map((state) => (
                <div key={state} className={mergeClasses(styles.count, styles[state])} data-state={state}>
                  <dt className={styles.countLabel}>{STATE_LABEL[state]}</dt>
                  <dd className={styles.countValue}>{view.counts[state] ?? 0}</dd>
                </div>
              ))}
            </dl>
          </div>

          <BatchProgressList batches={running} />

          {actionError && (
            <MessageBar intent="error" layout="multiline">
              <MessageBarBody>{actionError}</MessageBarBody>
              <MessageBarActions>
                <Button appearance="transparent" onClick={() => setActionError(null)}>
                  Dismiss
                </Button>
              </MessageBarActions>
            </MessageBar>
          )}

          <div className={styles.messages}>
            <TabList
              className={styles.filter}
              size="small"
              aria-label="Show messages"
              selectedValue={filter}
              onTabSelect={(_, data) => setFilter(data.value as StateFilter)}
            >
              {FILTERS.map((f) => (
                <Tab key={f} value={f} id={`activity-filter-${f}`} aria-controls="activity-messages">
                  {filterLabel(f)}
                </Tab>
              ))}
            </TabList>
            <div role="tabpanel" id="activity-messages" aria-labelledby={`activity-filter-${filter}`}>
              {total === 0 ? (
                <div className={styles.empty}>
                  <p className={styles.emptyTitle}>No messages yet</p>
                  <p className={styles.emptyText}>
                    Invoices, statements, test emails and alerts show here once they are sent, with what the server said.
                  </p>
                </div>
              ) : entries.length === 0 ? (
                <div className={styles.empty}>
                  <p className={styles.emptyTitle}>No {filterLabel(filter).toLowerCase()} messages</p>
                  <p className={styles.emptyText}>Choose All to see every message.</p>
                </div>
              ) : (
                <OutboxTable
                  entries={entries}
                  label={filter === 'all' ? 'Messages' : `${filterLabel(filter)} messages`}
                  onRetry={onRetry}
                  onCancel={onCancel}
                />
              )}
            </div>
          </div>
        </>
      )}

      <div role="status" className={styles.visuallyHidden}>
        {announcement}
      </div>
    </div>
  );
}

