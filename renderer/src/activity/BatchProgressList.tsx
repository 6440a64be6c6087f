// The batches still being sent: how far each has got, and at what rate against the profile's limit.
import { Field, ProgressBar, makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import type { BatchProgress } from '../../../preload/contract';
import { formatWhen } from './activity-format';

const useStyles = makeStyles({
  list: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    margin: 0,
    padding: 0,
    listStyleType: 'none',
  },
  item: {
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground2,
  },
  label: {
    ...typographyStyles.body1Strong,
  },
  hint: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXXS,
    fontVariantNumeric: 'tabular-nums',
  },
});

export function isRunning(batch: BatchProgress): boolean {
  return batch.queued + batch.sending > 0;
}

export function BatchProgressList({ batches }: { batches: readonly BatchProgress[] }) {
  const styles = useStyles();
  if (batches.length === 0) return null;
  return (
    <ul className={styles.list} aria-label="Batches being sent">
      {batches.map((batch) => {
        const done = batch.total - batch.queued - batch.sending;
        const notSent = batch.failed + batch.unknown + batch.cancelled;
        return (
          <li key={batch.batchId} className={styles.item} data-batch-id={batch.batchId}>
            <Field
              label={{ children: `Batch of ${batch.total} with ${batch.profileName}`, className: styles.label }}
              hint={{
                className: styles.hint,
                children: (
                  <>
                    <span>
                      {batch.sent} of {batch.total} sent
                      {notSent > 0 && `, ${notSent} not sent`}
                    </span>
                    <span>
                      {batch.perMinute} per minute
                      {batch.limitPerMinute > 0 && ` (limit ${batch.limitPerMinute} per minute)`}
                    </span>
                    <span>Started {formatWhen(batch.startedAt)}</span>
                  </>
                ),
              }}
            >
              <ProgressBar value={batch.total > 0 ? done / batch.total : 0} thickness="large" />
            </Field>
          </li>
        );
      })}
    </ul>
  );
}
