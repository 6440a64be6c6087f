// Office mode: who sends the office's outbox. Messages wait in the queue while no sender service runs.
import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { useSenderServices } from '../hooks/useSenderServices';

export function SenderServicesStatus({ active }: { active: boolean }) {
  const state = useSenderServices(active);
  if (state.status === 'loading') return null;
  if (state.status === 'failed') {
    return (
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Sender services unknown</MessageBarTitle>
          {state.message}
        </MessageBarBody>
      </MessageBar>
    );
  }
  const { senders } = state;
  if (senders.length === 0) {
    return (
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>No sender service is running</MessageBarTitle>
          Messages wait in the office outbox until one runs (mailroom outbox serve). Ask IT to start it.
        </MessageBarBody>
      </MessageBar>
    );
  }
  const hosts = senders.map((s) => `${s.role} on ${s.host}`).join(', ');
  return (
    <MessageBar intent="success" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{senders.length === 1 ? 'A sender service is running' : `${senders.length} sender services are running`}</MessageBarTitle>
        {hosts}. They send the whole office&apos;s outbox.
      </MessageBarBody>
    </MessageBar>
  );
}
