// What a tab that is not built yet shows: a heading and what it will hold, not a blank page.
import type { ReactNode } from 'react';
import { makeStyles, tokens, typographyStyles } from '@fluentui/react-components';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    paddingBlock: tokens.spacingVerticalL,
    maxWidth: '560px',
  },
  heading: {
    ...typographyStyles.subtitle2,
    margin: 0,
  },
  text: {
    ...typographyStyles.body1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
});

export function PlannedTab({ title, children }: { title: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.root}>
      <h2 className={styles.heading}>{title}</h2>
      <p className={styles.text}>{children}</p>
    </div>
  );
}
