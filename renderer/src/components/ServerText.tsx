// A server's own words (a reply, a greeting), shown as they came: monospace, wrapped, selectable.
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  text: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase300,
    margin: 0,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    borderRadius: tokens.borderRadiusSmall,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    userSelect: 'text',
  },
});

export function ServerText({ children, className }: { children: string; className?: string }) {
  const styles = useStyles();
  return <pre className={mergeClasses(styles.text, className)}>{children}</pre>;
}
