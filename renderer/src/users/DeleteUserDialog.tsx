// Confirms removing a system user from the list; nothing is stored until Save.
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import type { SystemUser } from '../../../preload/contract';
import { displayName } from './user-form';

const useStyles = makeStyles({
  surface: {
    maxWidth: '480px',
    width: 'calc(100vw - 48px)',
  },
  content: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalM,
  },
  text: {
    ...typographyStyles.body1,
    margin: 0,
    overflowWrap: 'anywhere',
  },
});

export interface DeleteUserDialogProps {
  user: SystemUser;
  /** The user is the one at the keyboard. */
  isMe: boolean;
  onDelete(): void;
  onCancel(): void;
}

export function DeleteUserDialog({ user, isMe, onDelete, onCancel }: DeleteUserDialogProps) {
  const styles = useStyles();
  return (
    <Dialog open modalType="alert" onOpenChange={(_, data) => !data.open && onCancel()}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>Delete user “{displayName(user)}”?</DialogTitle>
          <DialogContent className={styles.content}>
            <p className={styles.text}>
              {user.account.trim() ? `${user.account.trim()} will use the system settings and can no longer change their own. ` : ''}
              Their own SMTP password is removed too. Nothing changes until you save.
            </p>
            {isMe && (
              <p className={styles.text}>
                This is you. Saving without yourself as an administrator is refused, so add yourself back before you save.
              </p>
            )}
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onDelete}>
              Delete
            </Button>
            <Button onClick={onCancel}>Cancel</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
