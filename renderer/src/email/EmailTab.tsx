import { PlannedTab } from '../components/PlannedTab';

export function EmailTab() {
  return (
    <PlannedTab title="Compose and send">
      This tab will hold how staff compose and send email — with the built-in mailer, Outlook, MAPI or Microsoft 365 —
      and whether each user may choose for themselves.
    </PlannedTab>
  );
}
