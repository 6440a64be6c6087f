import { PlannedTab } from '../components/PlannedTab';

export function SmtpTab() {
  return (
    <PlannedTab title="Server profiles">
      This tab will hold the SMTP server profiles: for each one the host and port, transport security, how Mailroom
      signs in, and buttons to test the connection and send a test email.
    </PlannedTab>
  );
}
