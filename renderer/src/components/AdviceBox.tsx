// What went wrong and what to do about it, in one box: the connection test, a refused send, a failed
// sign-in and an outbox entry's details all show their advice this way.
import type { ReactNode } from 'react';
import { makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import { DismissCircle20Filled } from '@fluentui/react-icons';
import type { Advice } from '../../../preload/contract';
import { ServerText } from './ServerText';

const useStyles = makeStyles({
  advice: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteRedBorder1}`,
    borderLeft: `4px solid ${tokens.colorPaletteRedBorder2}`,
    backgroundColor: tokens.colorPaletteRedBackground1,
    color: tokens.colorNeutralForeground1,
  },
  adviceTitle: {
    ...typographyStyles.subtitle2,
    display: 'flex',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalS,
    margin: 0,
  },
  adviceIcon: {
    flexShrink: 0,
    marginTop: '2px',
    color: tokens.colorPaletteRedForeground1,
  },
  adviceList: {
    display: 'grid',
    gridTemplateColumns: 'minmax(120px, max-content) 1fr',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    // Terms line up with the first line of their text, the server's reply box included.
    alignItems: 'baseline',
    margin: 0,
  },
  term: {
    ...typographyStyles.body1Strong,
  },
  definition: {
    ...typographyStyles.body1,
    margin: 0,
    minWidth: 0,
    overflowWrap: 'anywhere',
    userSelect: 'text',
  },
});

export interface AdviceBoxProps {
  advice: Advice;
  /** The heading level of the box's title inside the page's outline. */
  headingLevel?: 3 | 4;
  /** Text before the title, such as the step that failed. */
  context?: string;
}

/** What went wrong, in the order a reader needs it: what, the server's words, why, what to do. */
export function AdviceBox({ advice, headingLevel = 3, context }: AdviceBoxProps) {
  const styles = useStyles();
  const Heading = `h${headingLevel}` as const;
  return (
    <div className={styles.advice} data-advice-code={advice.code}>
      <Heading className={styles.adviceTitle}>
        <DismissCircle20Filled aria-hidden className={styles.adviceIcon} />
        <span>{context ? `${context}: ${advice.title}` : advice.title}</span>
      </Heading>
      <dl className={styles.adviceList}>
        {advice.serverReply !== undefined && advice.serverReply !== '' && (
          <Entry term="What the server said">
            <ServerText>{advice.serverReply}</ServerText>
          </Entry>
        )}
        <Entry term="Likely cause">{advice.cause}</Entry>
        <Entry term="What to do">{advice.fix}</Entry>
      </dl>
    </div>
  );
}

function Entry({ term, children }: { term: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <>
      <dt className={styles.term}>{term}</dt>
      <dd className={styles.definition}>{children}</dd>
    </>
  );
}
