// Under the Debug folder field: what a check of the folder as typed found, while the user types.
// "Checking…" while a slow folder (a network share) answers; a folder that does not exist is
// created only if the user says so; one that cannot be written says why.
import { Button, MessageBar, MessageBarActions, MessageBarBody, Spinner, makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import { CheckmarkCircle16Filled } from '@fluentui/react-icons';
import { FIELD_MAX_WIDTH } from '../components/fields';
import type { DebugFolderChecker } from '../hooks/useDebugFolderCheck';

const useStyles = makeStyles({
  root: {
    maxWidth: FIELD_MAX_WIDTH,
    marginTop: `calc(-1 * ${tokens.spacingVerticalS})`,
  },
  line: {
    ...typographyStyles.caption1,
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalXS,
    color: tokens.colorNeutralForeground2,
  },
  spinner: {
    justifyContent: 'flex-start',
  },
  ok: {
    flexShrink: 0,
    color: tokens.colorPaletteGreenForeground1,
  },
});

export function DebugFolderCheck({ checker }: { checker: DebugFolderChecker }) {
  const styles = useStyles();
  const { check, create } = checker;
  return (
    // Announced as it changes, without taking the focus from the field being typed in.
    <div className={styles.root} aria-live="polite" data-debug-folder-check={check.status}>
      {check.status === 'checking' && (
        <Spinner
          className={styles.spinner}
          size="extra-tiny"
          labelPosition="after"
          label={check.creating ? 'Creating the folder…' : 'Checking the folder…'}
        />
      )}
      {check.status === 'done' && check.result.writable && (
        <span className={styles.line}>
          <CheckmarkCircle16Filled aria-hidden className={styles.ok} />
          Mailroom can write its log here.
        </span>
      )}
      {check.status === 'done' && check.result.missing && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>The folder does not exist. Create it?</MessageBarBody>
          <MessageBarActions>
            <Button onClick={create}>Create folder</Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {check.status === 'done' && !check.result.writable && !check.result.missing && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            Mailroom cannot write here: {check.result.error ?? 'reason unknown'}. Sending goes on; the log is not written until this is fixed.
          </MessageBarBody>
        </MessageBar>
      )}
      {check.status === 'failed' && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>The folder could not be checked: {check.message}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
