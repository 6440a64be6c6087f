// The way to the debug log from the Activity view: a button that opens its folder (saying inline
// why it could not), and a warning while the folder is missing or cannot be written.
import { Button, Link, MessageBar, MessageBarBody, MessageBarTitle, makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import { ErrorCircle16Filled, FolderOpen20Regular } from '@fluentui/react-icons';
import type { DebugStatus } from '../../../preload/contract';
import { useOpenDebugFolder } from '../hooks/useOpenDebugFolder';

const useStyles = makeStyles({
  row: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalM,
    rowGap: tokens.spacingVerticalXS,
  },
  error: {
    ...typographyStyles.body1,
    display: 'inline-flex',
    alignItems: 'flex-start',
    columnGap: tokens.spacingHorizontalXS,
    color: tokens.colorPaletteRedForeground1,
    overflowWrap: 'anywhere',
    minWidth: 0,
  },
  errorIcon: {
    flexShrink: 0,
    marginTop: '2px',
  },
  opened: {
    ...typographyStyles.body1,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
    minWidth: 0,
  },
});

export interface OpenDebugFolderProps {
  /** Shows a setting (by its dot path) on its own tab, for an error that names one. */
  onShowSetting?(path: string): void;
}

export function OpenDebugFolder({ onShowSetting }: OpenDebugFolderProps) {
  const styles = useStyles();
  const { busy, outcome, open } = useOpenDebugFolder();

  return (
    <div className={styles.row}>
      <Button icon={<FolderOpen20Regular />} disabled={busy} onClick={() => void open()}>
        Open debug log folder
      </Button>
      {outcome.kind === 'failed' && (
        <span role="alert" className={styles.error}>
          <ErrorCircle16Filled aria-hidden className={styles.errorIcon} />
          <span>
            {/[.!?]$/.test(outcome.message) ? outcome.message : `${outcome.message}.`}
            {outcome.field && onShowSetting && (
              <>
                {' '}
                <Link inline onClick={() => onShowSetting(outcome.field as string)}>
                  Go to the setting
                </Link>
              </>
            )}
          </span>
        </span>
      )}
      {outcome.kind === 'opened' && (
        <span role="status" className={styles.opened}>
          Opened {outcome.path}
        </span>
      )}
    </div>
  );
}

/** Shown while the debug log is meant to be written somewhere and cannot be: a folder that is not there, or one that refuses. */
export function DebugFolderWarning({ status, onShowSetting }: { status: DebugStatus | null; onShowSetting?: (path: string) => void }) {
  if (!status || status.writable) return null;
  // No folder and logging off is the ordinary state, not a problem.
  if (!status.enabled && status.path.trim() === '') return null;
  const where = status.path.trim() !== '' && <> ({status.path})</>;
  const goTo = onShowSetting && (
    <>
      {' '}
      <Link inline onClick={() => onShowSetting('general.debug.path')}>
        Go to the setting
      </Link>
    </>
  );
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        {status.missing ? (
          <>
            <MessageBarTitle>The debug folder does not exist</MessageBarTitle>
            {where}. Mailroom does not create it on its own: choose Create folder beside the Debug folder field, or create it yourself.
          </>
        ) : (
          <>
            <MessageBarTitle>The debug folder cannot be written:</MessageBarTitle>
            {status.error ?? 'the last write there failed.'}
            {where}
          </>
        )}
        {goTo}
      </MessageBarBody>
    </MessageBar>
  );
}
