// The small dialogs around the profile list: confirm a profile typed by name, name a new one, and
// confirm a deletion.
import { useState } from 'react';
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Input } from '@fluentui/react-components';
import { ConfirmDialog, useDialogStyles } from '../components/ConfirmDialog';
import type { SmtpProfile } from '../../../preload/contract';
import { MAX_NAME_LENGTH, displayName, hostAndPort, nameProblem } from './profile-form';

export interface CreateProfileDialogProps {
  name: string;
  onCreate(): void;
  onCancel(): void;
}

/** Asked when a name typed in the filter matches no profile. */
export function CreateProfileDialog({ name, onCreate, onCancel }: CreateProfileDialogProps) {
  const styles = useDialogStyles();
  return (
    <ConfirmDialog title={`Create profile “${name}”?`} confirmLabel="Create" onConfirm={onCreate} onCancel={onCancel}>
      <p className={styles.text}>
        No server profile has this name yet. Create it, then fill in its server and sender. It is stored when you save.
      </p>
    </ConfirmDialog>
  );
}

export interface DeleteProfileDialogProps {
  profile: SmtpProfile;
  isDefault: boolean;
  onDelete(): void;
  onCancel(): void;
}

export function DeleteProfileDialog({ profile, isDefault, onDelete, onCancel }: DeleteProfileDialogProps) {
  const styles = useDialogStyles();
  const where = hostAndPort(profile);
  return (
    <ConfirmDialog title={`Delete profile “${displayName(profile)}”?`} confirmLabel="Delete" onConfirm={onDelete} onCancel={onCancel}>
      <p className={styles.text}>
        The profile{where ? ` for ${where}` : ''} and its saved password are removed when you save. Until then, Revert brings it back.
      </p>
      {isDefault && (
        <p className={styles.text}>It is the default server profile: the General tab will have no default until you choose another.</p>
      )}
    </ConfirmDialog>
  );
}

export interface AddProfileDialogProps {
  profiles: readonly SmtpProfile[];
  onAdd(name: string): void;
  onCancel(): void;
}

export function AddProfileDialog({ profiles, onAdd, onCancel }: AddProfileDialogProps) {
  const styles = useDialogStyles();
  const [name, setName] = useState('');
  const [tried, setTried] = useState(false);
  const problem = nameProblem(name, profiles);
  const shown = tried || name.trim() !== '' ? problem : undefined;
  const submit = () => {
    setTried(true);
    if (!problem) onAdd(name.trim());
  };
  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && onCancel()}>
      <DialogSurface className={styles.surface}>
        <form
          // The Field shows its own message; the browser's bubble would hide it.
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <DialogBody>
            <DialogTitle>Add server profile</DialogTitle>
            <DialogContent className={styles.content}>
              <Field
                label="Profile name"
                required
                hint="A name people will recognise, like “Office relay” or “Microsoft 365”."
                {...(shown ? { validationState: 'error' as const, validationMessage: shown } : {})}
              >
                <Input value={name} maxLength={MAX_NAME_LENGTH + 1} autoComplete="off" onChange={(_, data) => setName(data.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit">
                Add
              </Button>
              <Button onClick={onCancel}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}
