// What browser mode shows when its page was opened without the token of this start (a copied or
// bookmarked address, or one printed by an earlier start): nothing can be read or changed from here,
// and trying again would not help, so one page says how to open the dialog instead.
import { makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import { LockClosed24Regular } from '@fluentui/react-icons';

const useStyles = makeStyles({
  page: {
    boxSizing: 'border-box',
    minHeight: '100vh',
    display: 'flex',
    justifyContent: 'center',
    alignItems: 'flex-start',
    paddingBlock: tokens.spacingVerticalXXXL,
    paddingInline: tokens.spacingHorizontalXXL,
    backgroundColor: tokens.colorNeutralBackground1,
    color: tokens.colorNeutralForeground1,
  },
  card: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
    maxWidth: '600px',
  },
  icon: {
    color: tokens.colorNeutralForeground2,
  },
  title: {
    ...typographyStyles.title3,
    margin: 0,
  },
  text: {
    ...typographyStyles.body1,
    margin: 0,
  },
  heading: {
    ...typographyStyles.subtitle2,
    margin: 0,
    marginTop: tokens.spacingVerticalS,
  },
  list: {
    ...typographyStyles.body1,
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
  },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    paddingInline: tokens.spacingHorizontalXXS,
    borderRadius: tokens.borderRadiusSmall,
    backgroundColor: tokens.colorNeutralBackground3,
  },
});

export function OpenFromItsWindow() {
  const styles = useStyles();
  return (
    <main className={styles.page} aria-labelledby="open-from-its-window">
      <div className={styles.card}>
        <LockClosed24Regular aria-hidden className={styles.icon} />
        <h1 id="open-from-its-window" className={styles.title}>
          Open Mailroom from its own window
        </h1>
        <p className={styles.text}>
          This address does not carry the key of the Mailroom that is running, so the email settings cannot be shown here. Each
          start of Mailroom makes a new key: a copied or bookmarked address, or one from an earlier start, no longer opens it.
        </p>
        <h2 className={styles.heading}>To open the email settings</h2>
        <ul className={styles.list}>
          <li>On this computer, open Mailroom itself (Email settings in your accounting package), which needs no address.</li>
          <li>
            In a browser, run <code className={styles.code}>mailroom serve</code> and open the whole address it prints, including the
            part after <code className={styles.code}>#token=</code>. If it is running already, use the address it printed when it started.
          </li>
        </ul>
      </div>
    </main>
  );
}
