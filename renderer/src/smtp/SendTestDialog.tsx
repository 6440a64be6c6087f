// Sends one test email with a profile as it stands in the editor (saved or not), to the System
// Notification mailbox or another address, and shows the server's receipt or what went wrong.
import { useId, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Spinner,
  makeStyles,
  mergeClasses,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { CheckmarkCircle20Filled } from '@fluentui/react-icons';
import { MAILBOX_HINT, type FieldError, type SendReceipt, type SmtpProfile } from '../../../preload/contract';
import { AdviceBox } from '../components/AdviceBox';
import { useSendTest } from '../hooks/useSendTest';
import { displayName, hostAndPort, validMailbox } from './profile-form';

const useStyles = makeStyles({
  surface: {
    maxWidth: '640px',
    width: 'calc(100vw - 48px)',
  },
  content: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalL,
    paddingBottom: tokens.spacingVerticalS,
  },
  intro: {
    ...typographyStyles.body1,
    margin: 0,
    overflowWrap: 'anywhere',
  },
  sent: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    borderRadius: tokens.borderRadiusMedium,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorPaletteGreenBorder1}`,
    borderLeft: `4px solid ${tokens.colorPaletteGreenBorder2}`,
    backgroundColor: tokens.colorPaletteGreenBackground1,
  },
  sentTitle: {
    ...typographyStyles.subtitle2,
    display: 'flex',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
    margin: 0,
  },
  sentIcon: {
    color: tokens.colorPaletteGreenForeground1,
  },
  receipt: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalS,
    margin: 0,
  },
  term: {
    ...typographyStyles.body1Strong,
  },
  value: {
    ...typographyStyles.body1,
    margin: 0,
    minWidth: 0,
    overflowWrap: 'anywhere',
    userSelect: 'text',
  },
  mono: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    overflowWrap: 'anywhere',
    userSelect: 'text',
  },
});

export type ProfileCheck = { ok: true; profile: SmtpProfile } | { ok: false; message: string };

export interface SendTestDialogProps {
  open: boolean;
  /** The profile as the editor has it; checked again when Send is pressed. */
  profile: SmtpProfile;
  /** Validates the profile for sending, showing any problems under the editor's fields. */
  check(): ProfileCheck;
  /** The System Notification mailbox from the General tab, when it is a usable address. */
  systemNotification: string;
  /** A typed, unsaved password to use in place of the saved one. */
  password: string | undefined;
  /** Field errors main reported (password, caFile…), to show under the editor's fields. */
  onFieldErrors(fields: readonly FieldError[]): void;
  onClose(): void;
}

type Choice = 'system' | 'other';

/** Mount it afresh (a new key) for each opening: it starts from the System Notification mailbox. */
export function SendTestDialog({ open, profile, check, systemNotification, password, onFieldErrors, onClose }: SendTestDialogProps) {
  const styles = useStyles();
  const hasSystem = validMailbox(systemNotification);
  const [choice, setChoice] = useState<Choice>(hasSystem ? 'system' : 'other');
  const [other, setOther] = useState('');
  const [otherTouched, setOtherTouched] = useState(false);
  const { phase, send: sendTest, fail } = useSendTest(onFieldErrors);
  const radioLabelId = useId();

  const otherProblem = other.trim() === '' ? 'Enter the address to send the test to' : validMailbox(other) ? undefined : MAILBOX_HINT;
  const showOtherProblem = choice === 'other' && otherTouched ? otherProblem : undefined;

  const send = async () => {
    const to = choice === 'system' ? systemNotification.trim() : other.trim();
    if (choice === 'other' && otherProblem) {
      setOtherTouched(true);
      return;
    }
    const checked = check();
    if (!checked.ok) {
      fail(checked.message);
      return;
    }
    await sendTest(checked.profile, password, to);
  };

  const sending = phase.status === 'sending';
  const where = hostAndPort(profile);

  return (
    <Dialog open={open} modalType="modal" onOpenChange={(_, data) => !data.open && !sending && onClose()}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>Send test email</DialogTitle>
          <DialogContent className={styles.content}>
            <p className={styles.intro}>
              A short message sent now with the profile “{displayName(profile)}”{where ? ` (${where})` : ''}, as it stands in the
              editor, including changes not saved yet.
            </p>
            <Field label={{ children: 'Send to', id: radioLabelId }}>
              <RadioGroup value={choice} onChange={(_, data) => setChoice(data.value as Choice)} aria-labelledby={radioLabelId}>
                <Radio
                  value="system"
                  disabled={!hasSystem}
                  label={hasSystem ? `System Notification mailbox: ${systemNotification.trim()}` : 'System Notification mailbox (not set on the General tab)'}
                />
                <Radio value="other" label="Another address" />
              </RadioGroup>
            </Field>
            {choice === 'other' && (
              <Field
                label="Recipient"
                required
                {...(showOtherProblem ? { validationState: 'error' as const, validationMessage: showOtherProblem } : {})}
              >
                <Input
                  type="email"
                  value={other}
                  autoComplete="email"
                  placeholder="someone@example.com"
                  onChange={(_, data) => setOther(data.value)}
                  onBlur={() => setOtherTouched(true)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter') void send();
                  }}
                />
              </Field>
            )}

            <div aria-live="polite">
              {sending && <Spinner size="tiny" label="Sending…" labelPosition="after" />}
              {phase.status === 'sent' && <Receipt receipt={phase.receipt} />}
              {phase.status === 'refused' && <AdviceBox advice={phase.outcome.advice} headingLevel={3} context="Not sent" />}
              {phase.status === 'error' && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>
                    <MessageBarTitle>Not sent</MessageBarTitle>
                    {phase.message}
                  </MessageBarBody>
                </MessageBar>
              )}
            </div>
          </DialogContent>
          <DialogActions>
            {/* Focusable while disabled, so focus (and Escape) stays in the dialog while it sends. */}
            <Button appearance="primary" disabledFocusable={sending} onClick={() => void send()}>
              {sending ? 'Sending…' : phase.status === 'sent' ? 'Send again' : 'Send'}
            </Button>
            <Button disabledFocusable={sending} onClick={onClose}>
              Close
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function Receipt({ receipt }: { receipt: SendReceipt }) {
  const styles = useStyles();
  const replyId = useId();
  const messageIdId = useId();
  return (
    <div className={styles.sent}>
      <h3 className={styles.sentTitle}>
        <CheckmarkCircle20Filled aria-hidden className={styles.sentIcon} />
        Sent
      </h3>
      <dl className={styles.receipt}>
        <dt id={replyId} className={styles.term}>
          Server reply
        </dt>
        <dd aria-labelledby={replyId} className={mergeClasses(styles.value, styles.mono)}>
          {receipt.response}
        </dd>
        <dt id={messageIdId} className={styles.term}>
          Message-ID
        </dt>
        <dd aria-labelledby={messageIdId} className={mergeClasses(styles.value, styles.mono)}>
          {receipt.messageId}
        </dd>
        <dt className={styles.term}>Accepted</dt>
        <dd className={styles.value}>{receipt.accepted.length > 0 ? receipt.accepted.join(', ') : 'None'}</dd>
        {receipt.rejected.length > 0 && (
          <>
            <dt className={styles.term}>Rejected</dt>
            <dd className={styles.value}>{receipt.rejected.join(', ')}</dd>
          </>
        )}
      </dl>
    </div>
  );
}
