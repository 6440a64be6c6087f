// Asked before a compose window with unsaved changes closes.
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle } from '@fluentui/react-components';
import { useDialogStyles } from '../components/ConfirmDialog';
import { timeOf } from './compose-format';

export interface DiscardEmailDialogProps {
  open: boolean;
  /** When the message was last saved as a draft, if it was. */
  savedAt: string | undefined;
  onDiscard(): void;
  onKeepEditing(): void;
}

export function DiscardEmailDialog({ open, savedAt, onDiscard, onKeepEditing }: DiscardEmailDialogProps) {
  const styles = useDialogStyles();
  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_, data) => !data.open && onKeepEditing()}>
      <DialogSurface className={styles.surface}>
        <DialogBody>
          <DialogTitle>{savedAt ? 'Discard your changes?' : 'Discard this email?'}</DialogTitle>
          <DialogContent>
            <p className={styles.text}>
              {savedAt
                ? `The changes since the draft was saved at ${timeOf(savedAt)} will be lost. The draft keeps what was saved then.`
                : 'It has not been sent or saved as a draft, and will be lost.'}
            </p>
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={onDiscard}>
              Discard
            </Button>
            <Button onClick={onKeepEditing}>Keep editing</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
