// Confirms removing a system user from the list; nothing is stored until Save.
import type { SystemUser } from '../../../preload/contract';
import { ConfirmDialog, useDialogStyles } from '../components/ConfirmDialog';
import { displayName } from './user-form';

export interface DeleteUserDialogProps {
  user: SystemUser;
  /** The user is the one at the keyboard. */
  isMe: boolean;
  onDelete(): void;
  onCancel(): void;
}

export function DeleteUserDialog({ user, isMe, onDelete, onCancel }: DeleteUserDialogProps) {
  const styles = useDialogStyles();
  return (
    <ConfirmDialog title={`Delete user “${displayName(user)}”?`} confirmLabel="Delete" onConfirm={onDelete} onCancel={onCancel}>
      <p className={styles.text}>
        {user.account.trim() ? `${user.account.trim()} will use the system settings and can no longer change their own. ` : ''}
        Their own SMTP password is removed too. Nothing changes until you save.
      </p>
      {isMe && (
        <p className={styles.text}>
          This is you. Saving without yourself as an administrator is refused, so add yourself back before you save.
        </p>
      )}
    </ConfirmDialog>
  );
}
