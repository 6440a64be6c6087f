// The compose window's footer: why Send is off and what is under way on the left, the buttons on
// the right (only Show in Activity and Close once the outbox has the message).
import { useId } from 'react';
import { Button, DialogActions, Spinner } from '@fluentui/react-components';
import { Send20Regular } from '@fluentui/react-icons';
import { COMPOSE_LABELS } from '../../../preload/contract';
import { useComposeStyles } from './ComposeWindow.styles';
import { timeOf } from './compose-format';
import type { ComposeCommands } from './useComposeCommands';
import type { ComposeFacts, ComposeState } from './useComposeState';

export interface ComposeFooterProps {
  state: ComposeState;
  facts: ComposeFacts;
  commands: ComposeCommands;
  onShowActivity(): void;
  onClose(): void;
}

export function ComposeFooter({ state, facts, commands, onShowActivity, onClose }: ComposeFooterProps) {
  const styles = useComposeStyles();
  const reasonId = useId();
  const { phase, savedAt, dirty, draftId } = state;
  const { sendBlocked, busy, queued, modes } = facts;
  const handOffMode = modes && modes.compose !== 'builtin' ? modes.compose : null;
  const saveLabel = phase.status === 'saving' ? 'Saving…' : 'Save draft';
  const savedText = savedAt ? `Draft saved at ${timeOf(savedAt)}` : '';

  return (
    <>
      <DialogActions position="start" className={styles.footerText}>
        {!queued && sendBlocked && (
          <span id={reasonId} className={styles.reason}>
            {sendBlocked}
          </span>
        )}
        <span role="status" className={styles.status}>{phase.status === 'sending' ? 'Sending…' : savedText}</span>
      </DialogActions>
      <DialogActions position="end" className={styles.footerActions}>
        {queued ? (
          <>
            <Button appearance="primary" onClick={onShowActivity}>
              Show in Activity
            </Button>
            <Button onClick={onClose}>Close</Button>
          </>
        ) : (
          <>
            <Button
              appearance="primary"
              icon={phase.status === 'sending' ? <Spinner size="tiny" /> : <Send20Regular />}
              disabledFocusable={!!sendBlocked || busy}
              aria-describedby={sendBlocked ? reasonId : undefined}
              onClick={() => void commands.send()}
            >
              {phase.status === 'sending' ? 'Sending…' : 'Send'}
            </Button>
            {handOffMode && (
              <Button disabledFocusable={!!sendBlocked || busy} onClick={() => void commands.handOff()}>
                {handOffMode === 'autodetect' ? 'Open in my mail program' : `Open in ${COMPOSE_LABELS[handOffMode]}`}
              </Button>
            )}
            <Button disabledFocusable={busy || (!dirty && draftId !== undefined)} onClick={() => void commands.saveDraft()}>
              {saveLabel}
            </Button>
            <Button disabledFocusable={busy} onClick={commands.requestClose}>
              Discard
            </Button>
          </>
        )}
      </DialogActions>
    </>
  );
}
