import { PlannedTab } from '../components/PlannedTab';

export function UsersTab() {
  return (
    <PlannedTab title="Users">
      This tab will list the system users with each user&apos;s email address, their own SMTP credentials, and their
      own choice of how to compose and send where the admin allows it.
    </PlannedTab>
  );
}
