// Below the message, above the buttons: what came of the last send, save or hand-over, and why
// the profiles could not be read. Always there, so what appears in it is announced.
import type { Ref } from 'react';
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { AdviceBox } from '../components/AdviceBox';
import type { Senders } from '../hooks/useSenders';
import { useComposeStyles } from './ComposeWindow.styles';
import { timeOf } from './compose-format';
import type { ComposePhase } from './useComposeState';

export interface ComposeOutcomeProps {
  phase: ComposePhase;
  senders: Senders;
  onDismiss(): void;
  outcomeRef: Ref<HTMLDivElement>;
}

export function ComposeOutcome({ phase, senders, onDismiss, outcomeRef }: ComposeOutcomeProps) {
  const styles = useComposeStyles();
  return (
    <div ref={outcomeRef} className={styles.outcome} aria-live="polite">
      {senders.status === 'failed' && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>The server profiles could not be read</MessageBarTitle>
            {senders.message}
          </MessageBarBody>
        </MessageBar>
      )}
      {phase.status === 'failed' && (
        <>
          <AdviceBox advice={phase.advice} headingLevel={3} context="Not sent" />
          <p className={styles.note}>
            The message is on the Activity tab as Failed. Correct it here and send it again, or retry it from there.
          </p>
        </>
      )}
      {phase.status === 'queued' && (
        <>
          <MessageBar intent="warning" layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>Not sent yet: Mailroom will try again</MessageBarTitle>
              The message is safe in the outbox and is tried again
              {phase.entry.nextAttemptAt ? ` at ${timeOf(phase.entry.nextAttemptAt)}` : ' shortly'}, by itself. Follow it on the
              Activity tab.
            </MessageBarBody>
          </MessageBar>
          <AdviceBox advice={{ ...phase.advice, title: phase.advice.title.replace(/\s*\(queued:.*\)$/, '') }} headingLevel={3} context="First attempt" />
        </>
      )}
      {phase.status === 'error' && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{phase.title}</MessageBarTitle>
            {phase.message}
          </MessageBarBody>
          <MessageBarActions>
            <Button appearance="transparent" onClick={onDismiss}>
              Dismiss
            </Button>
          </MessageBarActions>
        </MessageBar>
      )}
      {phase.status === 'note' && (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>{phase.message}</MessageBarBody>
        </MessageBar>
      )}
    </div>
  );
}
