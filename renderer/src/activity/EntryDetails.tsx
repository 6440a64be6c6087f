// One message opened in the Activity table: what went wrong and what to do, every recipient with the
// server's answer, and the facts an administrator quotes to the mail provider (all of them, whatever
// columns the table had room for).
import { useId, type ReactNode } from 'react';
import { Badge, makeStyles, mergeClasses, tokens, typographyStyles } from '@fluentui/react-components';
import type { OutboxEntry, OutboxRecipient } from '../../../preload/contract';
import { AdviceBox } from '../components/AdviceBox';
import { formatBytes, formatFull } from './activity-format';
import { ServerText } from '../components/ServerText';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    paddingBlock: tokens.spacingVerticalS,
    minWidth: 0,
  },
  heading: {
    ...typographyStyles.body1Strong,
    margin: 0,
  },
  note: {
    ...typographyStyles.body1,
    margin: 0,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    borderLeft: `4px solid ${tokens.colorPaletteMarigoldBorder2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  columns: {
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 3fr) minmax(0, 2fr)',
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalM,
    alignItems: 'start',
    '@media (max-width: 640px)': { gridTemplateColumns: 'minmax(0, 1fr)' },
  },
  section: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    minWidth: 0,
  },
  recipients: {
    width: '100%',
    borderCollapse: 'collapse',
    tableLayout: 'auto',
    ...typographyStyles.body1,
  },
  th: {
    ...typographyStyles.caption1Strong,
    textAlign: 'left',
    color: tokens.colorNeutralForeground2,
    paddingBlock: tokens.spacingVerticalXXS,
    paddingInline: tokens.spacingHorizontalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
  },
  td: {
    verticalAlign: 'top',
    paddingBlock: tokens.spacingVerticalXS,
    paddingInline: tokens.spacingHorizontalS,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    overflowWrap: 'anywhere',
  },
  address: {
    fontWeight: tokens.fontWeightRegular,
    textAlign: 'left',
    // An address breaks only where it must: the column takes its width first.
    overflowWrap: 'normal',
  },
  badgeCell: {
    whiteSpace: 'nowrap',
    overflowWrap: 'normal',
  },
  reply: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase300,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    userSelect: 'text',
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content minmax(0, 1fr)',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXXS,
    margin: 0,
    ...typographyStyles.caption1,
  },
  pair: {
    display: 'contents',
  },
  term: {
    fontWeight: tokens.fontWeightSemibold,
    color: tokens.colorNeutralForeground2,
  },
  definition: {
    margin: 0,
    minWidth: 0,
    overflowWrap: 'anywhere',
    userSelect: 'text',
  },
});

const RECIPIENT_STATE: Record<OutboxRecipient['state'], { label: string; color: 'informative' | 'success' | 'danger' }> = {
  pending: { label: 'Pending', color: 'informative' },
  accepted: { label: 'Accepted', color: 'success' },
  rejected: { label: 'Rejected', color: 'danger' },
};

const KIND_LABEL: Record<OutboxEntry['kind'], string> = {
  message: 'Message',
  test: 'Test email',
  alert: 'Alert',
};

export function EntryDetails({ entry }: { entry: OutboxEntry }) {
  const styles = useStyles();
  const id = useId();
  // The advice is about the last failure: once the message is sent it no longer applies.
  const advice = entry.state !== 'sent' && entry.state !== 'cancelled' ? entry.advice : undefined;
  return (
    <div className={styles.root}>
      {entry.possibleDuplicate && (
        <p className={styles.note}>
          Mailroom stopped while this message was being sent and sent it again: the recipients may have two copies.
        </p>
      )}
      {entry.state === 'unknown' && (
        <p className={styles.note}>
          The message was handed to the server but no confirmation came back: it may have arrived. Check with a recipient before you retry.
        </p>
      )}
      {advice && <AdviceBox advice={advice} headingLevel={3} />}
      <div className={styles.columns}>
        <section className={styles.section} aria-labelledby={`${id}-recipients`}>
          <h3 id={`${id}-recipients`} className={styles.heading}>
            Recipients
          </h3>
          <table className={styles.recipients}>
            <thead>
              <tr>
                <th scope="col" className={styles.th}>
                  Address
                </th>
                <th scope="col" className={styles.th}>
                  State
                </th>
                <th scope="col" className={styles.th}>
                  Server reply
                </th>
              </tr>
            </thead>
            <tbody>
              {entry.recipients.map((r) => (
                <tr key={r.address}>
                  <th scope="row" className={mergeClasses(styles.td, styles.address)}>
                    {r.address}
                  </th>
                  <td className={mergeClasses(styles.td, styles.badgeCell)}>
                    <Badge appearance="tint" color={RECIPIENT_STATE[r.state].color}>
                      {RECIPIENT_STATE[r.state].label}
                    </Badge>
                  </td>
                  <td className={mergeClasses(styles.td, styles.reply)}>{r.reply || '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className={styles.section} aria-labelledby={`${id}-details`}>
          <h3 id={`${id}-details`} className={styles.heading}>
            Details
          </h3>
          <dl className={styles.facts}>
            {/* The subject whole, and the profile: the table may have cut the one short and left the other out. */}
            <Fact term="Subject">{entry.subject || '(no subject)'}</Fact>
            <Fact term="Message-ID">{entry.messageId}</Fact>
            <Fact term="Kind">{KIND_LABEL[entry.kind]}</Fact>
            <Fact term="Profile">{entry.profileName}</Fact>
            {entry.to.length > 0 && <Fact term="To and Cc">{entry.to.join(', ')}</Fact>}
            <Fact term="Queued at">{formatFull(entry.createdAt)}</Fact>
            <Fact term="Updated">{formatFull(entry.updatedAt)}</Fact>
            {entry.state === 'queued' && entry.nextAttemptAt && <Fact term="Next attempt">{formatFull(entry.nextAttemptAt)}</Fact>}
            <Fact term="Attempts">{entry.attempts}</Fact>
            <Fact term="Size">{formatBytes(entry.size)}</Fact>
            {entry.attachmentBytes > 0 && <Fact term="Attachments">{formatBytes(entry.attachmentBytes)}</Fact>}
          </dl>
        </section>
      </div>
      {entry.lastReply !== '' && entry.lastReply !== advice?.serverReply && (
        <section className={styles.section} aria-labelledby={`${id}-reply`}>
          <h3 id={`${id}-reply`} className={styles.heading}>
            Last reply
          </h3>
          <ServerText>{entry.lastReply}</ServerText>
        </section>
      )}
    </div>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.pair}>
      <dt className={styles.term}>{term}</dt>
      <dd className={styles.definition}>{children}</dd>
    </div>
  );
}
