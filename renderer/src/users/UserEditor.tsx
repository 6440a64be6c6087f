// The right side of the Users tab: one user's sign-in name, name, address and administrator flag,
// their own SMTP sign-in, and their own Compose with and Send with where the administrator allows it.
import { useId } from 'react';
import { MessageBar, MessageBarBody, makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import { effectiveModes, type Settings, type SystemUser } from '../../../preload/contract';
import { SwitchField, TextField, type FormBinding } from '../components/fields';
import { FormSection } from '../components/FormSection';
import { ModeField } from '../components/ModeField';
import { labelOf, unavailableSummary, userModeOptions, type Availability, type ModeKind } from '../components/mode-options';
import { PasswordField } from '../components/PasswordField';
import { displayName, userPath } from './user-form';
import type { UserPasswords } from '../hooks/useUserPasswords';

const useStyles = makeStyles({
  root: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
    minWidth: 0,
  },
  header: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXXS,
    paddingBottom: tokens.spacingVerticalS,
  },
  titleLine: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    columnGap: tokens.spacingHorizontalS,
  },
  title: {
    ...typographyStyles.subtitle1,
    margin: 0,
    overflowWrap: 'anywhere',
  },
  badge: {
    ...typographyStyles.caption1Strong,
    paddingInline: tokens.spacingHorizontalXS,
    borderRadius: tokens.borderRadiusSmall,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorBrandStroke2}`,
    color: tokens.colorBrandForeground2,
  },
  subtitle: {
    ...typographyStyles.body1,
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  notice: {
    maxWidth: '480px',
  },
});

export interface UserEditorProps {
  form: FormBinding<Settings>;
  index: number;
  user: SystemUser;
  /** The user is the one at the keyboard. */
  isMe: boolean;
  /** The person at the keyboard may change every user (an administrator). */
  canEditUsers: boolean;
  passwords: UserPasswords;
  platform: string | undefined;
  /** Office mode: the sign-in name is the person's database role. */
  office?: boolean;
}

export function UserEditor({ form, index, user, isMe, canEditUsers, passwords, platform, office = false }: UserEditorProps) {
  const styles = useStyles();
  const headingId = useId();
  const mail = form.draft.mail;
  const availability: Availability = { platform, allowM365Web: mail.allowM365Web };
  const account = user.account.trim();
  const ownPassword = canEditUsers || isMe;

  return (
    <section aria-labelledby={headingId} className={styles.root}>
      <div className={styles.header}>
        <div className={styles.titleLine}>
          <h2 id={headingId} className={styles.title}>
            {displayName(user)}
          </h2>
          {isMe && <span className={styles.badge}>You</span>}
        </div>
        <span className={styles.subtitle}>
          {[account || 'No sign-in name yet', user.admin ? 'Administrator' : undefined].filter(Boolean).join(' · ')}
        </span>
      </div>

      {!canEditUsers && (
        <MessageBar intent="info" layout="multiline" className={styles.notice}>
          <MessageBarBody>
            {isMe
              ? `You can change your own SMTP sign-in${mail.composeUserSelectable || mail.sendUserSelectable ? ', and how you compose or send where your administrator allows it' : ''}. Save keeps your changes. The fields in purple only an administrator can change.`
              : 'Only an administrator can change this user. The fields in purple are shown for reference.'}
          </MessageBarBody>
        </MessageBar>
      )}

      <FormSection title="Person">
        <TextField
          form={form}
          path={userPath(index, 'account')}
          label="Sign-in name"
          required={canEditUsers}
          autoComplete="off"
          spellCheck={false}
          hint={
            office
              ? 'The database role this person signs in to the office database with. It is how Mailroom knows who is using it; IT creates it with mailroom office add-user.'
              : 'The name this person signs in to the computer with, like CONTOSO\\alice or alice. It is how Mailroom knows who is using it.'
          }
        />
        <TextField form={form} path={userPath(index, 'name')} label="Name" autoComplete="off" />
        <TextField
          form={form}
          path={userPath(index, 'email')}
          label="Email address"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          hint="Optional. The user's own address, like alice@example.com."
        />
        <SwitchField
          form={form}
          path={userPath(index, 'admin')}
          label="Administrator"
          hint={
            !canEditUsers
              ? 'Can change these settings.'
              : isMe
                ? 'Can change these settings. This is you: without it you could not change them any more, so saving it off is refused.'
                : 'Can change these settings. Keep at least one administrator.'
          }
        />
      </FormSection>

      <FormSection title="SMTP sign-in" description="Used with server profiles whose credentials are each user's own (SMTP tab).">
        <TextField
          form={form}
          path={userPath(index, 'smtpUsername')}
          label="SMTP username"
          autoComplete="off"
          spellCheck={false}
        />
        <PasswordField
          profileId={user.id}
          label="SMTP password"
          name={`users.${index}.password`}
          passwords={passwords}
          readOnly={!ownPassword}
          readOnlyHint="Only an administrator or this user can change it."
          onEdited={() => undefined}
        />
      </FormSection>

      <FormSection title="Compose and send">
        <UserModeField kind="compose" form={form} index={index} user={user} isMe={isMe} canEditUsers={canEditUsers} availability={availability} />
        <UserModeField kind="send" form={form} index={index} user={user} isMe={isMe} canEditUsers={canEditUsers} availability={availability} />
      </FormSection>
    </section>
  );
}

interface UserModeFieldProps {
  kind: ModeKind;
  form: FormBinding<Settings>;
  index: number;
  user: SystemUser;
  isMe: boolean;
  canEditUsers: boolean;
  availability: Availability;
}

function UserModeField({ kind, form, index, user, isMe, canEditUsers, availability }: UserModeFieldProps) {
  const mail = form.draft.mail;
  const path = userPath(index, kind);
  const systemMode = kind === 'compose' ? mail.compose : mail.send;
  const selectable = kind === 'compose' ? mail.composeUserSelectable : mail.sendUserSelectable;
  const options = userModeOptions(kind, systemMode, availability);
  const label = kind === 'compose' ? 'Compose with' : 'Send with';
  const verb = kind === 'compose' ? 'composes' : 'sends';
  const readOnlyReason = !selectable
    ? `Allow user selection is off for ${kind === 'compose' ? 'Compose' : 'Send'} on the Email tab: everyone ${verb} with ${labelOf(kind, systemMode)}.`
    : !canEditUsers && !isMe
      ? 'Only an administrator or this user can change it.'
      : undefined;
  const modes = effectiveModes(mail, user);
  const inForce = kind === 'compose' ? modes.compose : modes.send;
  const from = kind === 'compose' ? modes.composeFrom : modes.sendFrom;
  const own = kind === 'compose' ? user.compose : user.send;
  const inForceLine =
    own !== null && from === 'system' && selectable
      ? `Not in force: ${isMe ? 'you follow' : 'this user follows'} the system setting (${labelOf(kind, inForce)}) until it can be used.`
      : undefined;
  return (
    <ModeField
      form={form}
      path={path}
      label={label}
      options={options}
      nullable
      readOnly={!selectable || form.isReadOnly(path)}
      readOnlyReason={readOnlyReason}
      hint={[inForceLine, selectable && !form.isReadOnly(path) ? unavailableSummary(options) : undefined]}
    />
  );
}
