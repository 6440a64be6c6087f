// The Email tab: how single emails are composed and sent for everyone, whether each user may choose
// for themselves, and whether Microsoft 365 on the web may be used at all.
import { Button, makeStyles, tokens, typographyStyles } from '@fluentui/react-components';
import { M365_MODES, effectiveModes, findUser, type AppInfo, type Settings, type WhoAmI } from '../../../preload/contract';
import { SwitchField, type FormBinding } from '../components/fields';
import { FormSection } from '../components/FormSection';
import { ModeField } from '../components/ModeField';
import { descriptionOf, labelOf, modeOptions, unavailableSummary, type Availability, type ModeKind } from '../components/mode-options';

const useStyles = makeStyles({
  summary: {
    ...typographyStyles.body1,
    margin: 0,
    maxWidth: '480px',
    overflowWrap: 'anywhere',
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: tokens.spacingHorizontalS,
  },
});

export interface EmailTabProps {
  form: FormBinding<Settings>;
  info: AppInfo | null;
  who: WhoAmI | null;
  /** Moves to a field on another tab, by dot path (a user's own choice on the Users tab). */
  onShowSetting(path: string): void;
}

export function EmailTab({ form, info, who, onShowSetting }: EmailTabProps) {
  const styles = useStyles();
  const mail = form.draft.mail;
  const availability: Availability = { platform: info?.platform, allowM365Web: mail.allowM365Web };
  const inUse = [
    M365_MODES.includes(mail.compose) ? 'Compose with' : undefined,
    M365_MODES.includes(mail.send) ? 'Send with' : undefined,
  ].filter((name) => name !== undefined);
  const ownM365 = form.draft.users.filter((u) => (u.compose && M365_MODES.includes(u.compose)) || (u.send && M365_MODES.includes(u.send))).length;

  // Turning it off while a Microsoft 365 choice is in force would make the settings invalid; ask
  // for the other choice first rather than changing one behind the admin's back.
  const m365Hint = inUse.length > 0
    ? `In use: ${inUse.join(' and ')} ${inUse.length > 1 ? 'are' : 'is'} Microsoft 365. Choose something else there before turning this off.`
    : mail.allowM365Web
      ? `The Microsoft 365 choices below can be used: drafts in Outlook on the web, and sending through Microsoft Graph.${
          ownM365 > 0 ? ` ${ownM365 === 1 ? 'One user has' : `${ownM365} users have`} chosen Microsoft 365; turned off, they follow the system setting.` : ''
        }`
      : 'Off: the Microsoft 365 choices below cannot be chosen.';

  return (
    <>
      <FormSection title="Microsoft 365">
        <SwitchField
          form={form}
          path="mail.allowM365Web"
          label="Allow Microsoft 365 web"
          disabled={inUse.length > 0 && mail.allowM365Web}
          hint={m365Hint}
        />
      </FormSection>

      <ModeSection kind="compose" form={form} availability={availability} />
      <ModeSection kind="send" form={form} availability={availability} />

      <YourModes form={form} who={who} onShowSetting={onShowSetting} summaryClass={styles.summary} actionsClass={styles.actions} />
    </>
  );
}

const SECTION = {
  compose: {
    title: 'Compose',
    description: 'Where a message opens for writing or a last look before it goes.',
    label: 'Compose with',
    path: 'mail.compose',
    selectablePath: 'mail.composeUserSelectable',
    selectableHint: 'Each user may choose their own Compose with on the Users tab; those who do not follow this one.',
  },
  send: {
    title: 'Send',
    description: 'What sends a message once it is ready, without a window of its own.',
    label: 'Send with',
    path: 'mail.send',
    selectablePath: 'mail.sendUserSelectable',
    selectableHint: 'Each user may choose their own Send with on the Users tab; those who do not follow this one.',
  },
} as const;

function ModeSection({ kind, form, availability }: { kind: ModeKind; form: FormBinding<Settings>; availability: Availability }) {
  const section = SECTION[kind];
  const options = modeOptions(kind, availability);
  const current = kind === 'compose' ? form.draft.mail.compose : form.draft.mail.send;
  const selectable = kind === 'compose' ? form.draft.mail.composeUserSelectable : form.draft.mail.sendUserSelectable;
  return (
    <FormSection title={section.title} description={section.description}>
      <ModeField
        form={form}
        path={section.path}
        label={section.label}
        options={options}
        hint={[descriptionOf(kind, current), form.isReadOnly(section.path) ? undefined : unavailableSummary(options)]}
      />
      <SwitchField
        form={form}
        path={section.selectablePath}
        label="Allow user selection"
        hint={selectable ? section.selectableHint : `Off: everyone uses ${labelOf(kind, current)}.`}
      />
    </FormSection>
  );
}

interface YourModesProps {
  form: FormBinding<Settings>;
  who: WhoAmI | null;
  onShowSetting(path: string): void;
  summaryClass: string;
  actionsClass: string;
}

/** What is in force for the person at the keyboard, as the settings in the dialog would have it. */
function YourModes({ form, who, onShowSetting, summaryClass, actionsClass }: YourModesProps) {
  if (!who) return null;
  const users = form.draft.users;
  const user = findUser(users, who.account);
  const index = user ? users.indexOf(user) : -1;
  const modes = effectiveModes(form.draft.mail, user);
  const whose = (from: 'user' | 'system') => (from === 'user' ? 'your own choice' : 'the system setting');
  const mail = form.draft.mail;
  const canChoose = index >= 0 && (mail.composeUserSelectable || mail.sendUserSelectable);
  return (
    <FormSection title="For you">
      <p className={summaryClass}>
        You ({who.account}) compose with {labelOf('compose', modes.compose)} ({whose(modes.composeFrom)}) and send with{' '}
        {labelOf('send', modes.send)} ({whose(modes.sendFrom)}).
        {!user && ' You are not one of the system users, so the system settings apply.'}
      </p>
      {canChoose && (
        <div className={actionsClass}>
          <Button onClick={() => onShowSetting(`users.${index}.${mail.composeUserSelectable ? 'compose' : 'send'}`)}>
            Choose your own on the Users tab
          </Button>
        </div>
      )}
    </FormSection>
  );
}
