// Signing in with a code: the code to type at Microsoft's page, on this or any other device, while
// Mailroom waits. It closes by itself when the sign-in ends.
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Link,
  Spinner,
  makeStyles,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import type { DeviceCodePrompt } from '../../../preload/contract';
import { CopyButton } from '../components/CopyButton';

const useStyles = makeStyles({
  surface: {
    maxWidth: '520px',
    width: 'calc(100vw - 48px)',
  },
  content: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalL,
    paddingBottom: tokens.spacingVerticalS,
  },
  text: {
    ...typographyStyles.body1,
    margin: 0,
    overflowWrap: 'anywhere',
  },
  codeRow: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
  },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
    letterSpacing: '0.12em',
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`,
    backgroundColor: tokens.colorNeutralBackground3,
    color: tokens.colorNeutralForeground1,
    userSelect: 'all',
    overflowWrap: 'anywhere',
  },
  spinner: {
    justifyContent: 'flex-start',
  },
  expiry: {
    ...typographyStyles.caption1,
    margin: 0,
    color: tokens.colorNeutralForeground2,
  },
});

export interface DeviceCodeDialogProps {
  prompt: DeviceCodePrompt;
  onCancel(): void;
}

export function DeviceCodeDialog({ prompt, onCancel }: DeviceCodeDialogProps) {
  const styles = useStyles();
  const until = formatTime(prompt.expiresAt);
  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && onCancel()}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>Sign in with a code</DialogTitle>
          <DialogContent className={styles.content}>
            <p className={styles.text}>
              On this computer or any other device, open{' '}
              <Link href={prompt.verificationUri} target="_blank" rel="noreferrer">
                {prompt.verificationUri}
              </Link>{' '}
              and enter this code. Then sign in with the account that sends the mail.
            </p>
            <div className={styles.codeRow}>
              <code className={styles.code}>{prompt.userCode}</code>
              <CopyButton text={prompt.userCode} label="Copy code" copiedMessage="Code copied" />
            </div>
            {until && <p className={styles.expiry}>The code works until {until}.</p>}
            <div role="status">
              <Spinner size="tiny" labelPosition="after" label="Waiting for you to finish signing in…" className={styles.spinner} />
            </div>
          </DialogContent>
          <DialogActions>
            <Button onClick={onCancel}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

export function formatTime(iso: string): string | undefined {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return undefined;
  const sameDay = when.toDateString() === new Date().toDateString();
  return sameDay ? when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : when.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}
