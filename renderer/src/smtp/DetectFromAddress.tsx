// "Set up from an email address" on the SMTP tab: asks main to propose a server for an address
// (smtp:detect), shows each value with where it came from and what was tried, and on "Use these
// settings" puts them in a new profile or the open one through the profile-edit rules. Nothing is
// saved here: the draft changes, and the dialog's Save stores it.
import { useId, useState } from 'react';
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Radio,
  RadioGroup,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  makeStyles,
  tokens,
  typographyStyles,
} from '@fluentui/react-components';
import { MailSettings20Regular } from '@fluentui/react-icons';
import {
  applyProfileEdit,
  detectedChange,
  newProfile,
  parseRecipient,
  type DetectAttempt,
  type DetectedSettings,
  type Detection,
  type Settings,
  type SmtpProfile,
} from '../../../preload/contract';
import type { FormBinding } from '../components/fields';
import { useDetectSettings } from '../hooks/useDetectSettings';
import { AUTH_MODEL_OPTIONS, AUTH_OPTIONS, MAX_NAME_LENGTH, SECURITY_OPTIONS, displayName, nameProblem } from './profile-form';

const useStyles = makeStyles({
  open: {
    alignSelf: 'flex-start',
  },
  surface: {
    maxWidth: '720px',
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
    color: tokens.colorNeutralForeground2,
  },
  ask: {
    display: 'flex',
    alignItems: 'flex-end',
    columnGap: tokens.spacingHorizontalS,
    flexWrap: 'wrap',
  },
  address: {
    flexGrow: 1,
    flexBasis: '260px',
  },
  heading: {
    ...typographyStyles.subtitle2,
    margin: 0,
  },
  value: {
    ...typographyStyles.body1Strong,
    overflowWrap: 'anywhere',
  },
  source: {
    color: tokens.colorNeutralForeground2,
    overflowWrap: 'anywhere',
  },
  list: {
    margin: 0,
    paddingLeft: tokens.spacingHorizontalXL,
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalXS,
    ...typographyStyles.body1,
  },
  tried: {
    ...typographyStyles.caption1,
    overflowWrap: 'anywhere',
  },
  target: {
    display: 'flex',
    flexDirection: 'column',
    rowGap: tokens.spacingVerticalS,
  },
});

const OUTCOME_WORDS: Readonly<Record<DetectAttempt['outcome'], string>> = {
  found: 'Found',
  'not-found': 'Nothing there',
  failed: 'Failed',
  'timed-out': 'Timed out',
  'not-needed': 'Not needed',
};

const METHOD_WORDS: Readonly<Record<DetectAttempt['method'], string>> = {
  table: 'Built-in table',
  autoconfig: 'Autoconfig',
  mx: 'MX record',
  srv: 'SRV record',
};

const label = <T extends string>(options: readonly { value: T; label: string }[], value: T) => options.find((o) => o.value === value)?.label ?? value;

/**
 * The proposal's rows as the dialog shows them: a label, the value in words, and the source, said
 * once and then "Same as above" while it stays the same (a source can be a long address).
 */
function rows(p: DetectedSettings): { name: string; value: string; source: string }[] {
  const all = [
    { name: 'Server host', value: p.host.value, source: p.host.source },
    { name: 'Port', value: String(p.port.value), source: p.port.source },
    { name: 'Transport security', value: label(SECURITY_OPTIONS, p.security.value), source: p.security.source },
    { name: 'Authorisation', value: label(AUTH_OPTIONS, p.auth.value), source: p.auth.source },
    { name: 'Authentication model', value: label(AUTH_MODEL_OPTIONS, p.authModel.value), source: p.authModel.source },
    ...(p.authModel.value === 'oauth2' && p.tenant ? [{ name: 'Tenant', value: p.tenant.value, source: p.tenant.source }] : []),
    { name: 'Username', value: p.username.value, source: p.username.source },
  ];
  return all.map((row, i) => (i > 0 && all[i - 1]?.source === row.source ? { ...row, source: 'Same as above' } : row));
}

/** A name no other profile has: the provider's (or the domain), numbered if need be. */
function freeName(wanted: string, profiles: readonly SmtpProfile[]): string {
  const base = wanted.slice(0, MAX_NAME_LENGTH - 4).trim() || 'New profile';
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base} ${n}`;
    if (!nameProblem(name, profiles)) return name;
  }
}

export interface DetectFromAddressProps {
  form: FormBinding<Settings>;
  /** The profile open in the editor, whose connection the proposal may replace. */
  current: SmtpProfile | undefined;
  /** Selects a profile (the new one) in the list. */
  onSelect(id: string): void;
}

type Run = { status: 'idle' } | { status: 'running'; domain: string } | { status: 'done'; detection: Detection } | { status: 'error'; message: string };

export function DetectFromAddress({ form, current, onSelect }: DetectFromAddressProps) {
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button appearance="subtle" className={styles.open} icon={<MailSettings20Regular />} onClick={() => setOpen(true)}>
        Set up from an email address
      </Button>
      {open && <DetectDialog form={form} current={current} onSelect={onSelect} onClose={() => setOpen(false)} />}
    </>
  );
}

function DetectDialog({ form, current, onSelect, onClose }: DetectFromAddressProps & { onClose(): void }) {
  const styles = useStyles();
  const detect = useDetectSettings();
  const profiles = form.draft.smtp.profiles;
  const [address, setAddress] = useState('');
  const [addressError, setAddressError] = useState<string | undefined>();
  const [run, setRun] = useState<Run>({ status: 'idle' });
  const [target, setTarget] = useState<'new' | 'current'>('new');
  const [name, setName] = useState('');
  const [nameTouched, setNameTouched] = useState(false);
  const resultHeadingId = useId();
  const triedHeadingId = useId();
  const detection = run.status === 'done' ? run.detection : undefined;
  const proposal = detection?.proposal ?? null;
  const nameError = target === 'new' && proposal ? nameProblem(name, profiles) : undefined;

  const find = async () => {
    const parsed = parseRecipient(address);
    if (!parsed.ok) {
      setAddressError(parsed.message);
      return;
    }
    setAddressError(undefined);
    const domain = parsed.value.address.slice(parsed.value.address.lastIndexOf('@') + 1);
    setRun({ status: 'running', domain });
    const result = await detect(address);
    if (!result.ok) {
      const field = result.error.fields?.find((f) => f.path === 'address');
      if (field) {
        setAddressError(field.message);
        setRun({ status: 'idle' });
      } else setRun({ status: 'error', message: result.error.message });
      return;
    }
    setRun({ status: 'done', detection: result.value });
    if (!nameTouched) setName(freeName(result.value.proposal?.provider ?? result.value.domain, profiles));
  };

  const use = () => {
    if (!proposal || !detection) return;
    if (target === 'current' && current) {
      const next = applyProfileEdit(current, detectedChange(proposal));
      form.onChange(
        'smtp.profiles',
        profiles.map((p) => (p.id === current.id ? next : p)),
      );
      onClose();
      return;
    }
    if (nameError) {
      setNameTouched(true);
      return;
    }
    const id = crypto.randomUUID();
    const created = applyProfileEdit(newProfile(id, name.trim()), detectedChange(proposal, { fromAddress: detection.address }));
    form.onChange('smtp.profiles', [...profiles, created]);
    onSelect(id);
    onClose();
  };

  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && onClose()}>
      <DialogSurface className={styles.surface} aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>Set up from an email address</DialogTitle>
          <DialogContent className={styles.content}>
            <p className={styles.text}>
              Mailroom looks the address up in its own list of providers, then in the domain’s autoconfig file and its DNS records
              (MX, SRV), for at most 10 seconds. Nothing is saved until you choose Save.
            </p>
            <form
              className={styles.ask}
              noValidate
              onSubmit={(event) => {
                event.preventDefault();
                void find();
              }}
            >
              <Field
                label="Email address"
                required
                className={styles.address}
                {...(addressError ? { validationState: 'error' as const, validationMessage: addressError } : {})}
              >
                <Input
                  type="email"
                  value={address}
                  autoComplete="off"
                  spellCheck={false}
                  placeholder="accounts@example.com"
                  onChange={(_, data) => {
                    setAddress(data.value);
                    setAddressError(undefined);
                  }}
                />
              </Field>
              <Button appearance={proposal ? 'secondary' : 'primary'} type="submit" disabledFocusable={run.status === 'running'}>
                Find settings
              </Button>
            </form>

            <div aria-live="polite">
              {run.status === 'running' && <Spinner size="tiny" label={`Looking up ${run.domain}…`} />}
              {run.status === 'error' && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{run.message}</MessageBarBody>
                </MessageBar>
              )}
              {detection && !proposal && (
                <MessageBar intent="warning" layout="multiline">
                  <MessageBarBody>
                    No settings found for {detection.domain}. Ask the provider for its SMTP server, and enter it in a profile.
                  </MessageBarBody>
                </MessageBar>
              )}
            </div>

            {detection && proposal && (
              <section aria-labelledby={resultHeadingId} className={styles.content}>
                <h3 id={resultHeadingId} className={styles.heading}>
                  Proposed settings{proposal.provider ? `: ${proposal.provider}` : ''}
                </h3>
                <Table aria-labelledby={resultHeadingId} size="small">
                  <TableHeader>
                    <TableRow>
                      <TableHeaderCell>Setting</TableHeaderCell>
                      <TableHeaderCell>Value</TableHeaderCell>
                      <TableHeaderCell>Where it came from</TableHeaderCell>
                    </TableRow>
                  </TableHeader>
                  <TableBody>
                    {rows(proposal).map((row) => (
                      <TableRow key={row.name}>
                        <TableCell>{row.name}</TableCell>
                        <TableCell className={styles.value}>{row.value}</TableCell>
                        <TableCell className={styles.source}>{row.source}</TableCell>
                      </TableRow>
                    ))}
                  </TableBody>
                </Table>
                {proposal.notes.length > 0 && (
                  <MessageBar intent="info" layout="multiline">
                    <MessageBarBody>
                      <ul className={styles.list}>
                        {proposal.notes.map((note) => (
                          <li key={note}>{note}</li>
                        ))}
                      </ul>
                    </MessageBarBody>
                  </MessageBar>
                )}
                <div className={styles.target}>
                  <RadioGroup aria-label="Use them for" value={target} onChange={(_, data) => setTarget(data.value === 'current' ? 'current' : 'new')}>
                    <Radio value="new" label="A new profile" />
                    {current && <Radio value="current" label={`The open profile, “${displayName(current)}” (its server and sign-in are replaced)`} />}
                  </RadioGroup>
                  {target === 'new' && (
                    <Field
                      label="Profile name"
                      required
                      {...(nameError && nameTouched ? { validationState: 'error' as const, validationMessage: nameError } : {})}
                    >
                      <Input
                        value={name}
                        maxLength={MAX_NAME_LENGTH + 1}
                        autoComplete="off"
                        onChange={(_, data) => {
                          setName(data.value);
                          setNameTouched(true);
                        }}
                      />
                    </Field>
                  )}
                </div>
              </section>
            )}

            {detection && (
              <section aria-labelledby={triedHeadingId}>
                <h3 id={triedHeadingId} className={styles.heading}>
                  What was tried
                </h3>
                <ul className={styles.list}>
                  {detection.tried.map((t) => (
                    <li key={`${t.method} ${t.target}`} className={styles.tried}>
                      {OUTCOME_WORDS[t.outcome]} · {METHOD_WORDS[t.method]} {t.target}: {t.detail}
                    </li>
                  ))}
                </ul>
              </section>
            )}
          </DialogContent>
          <DialogActions>
            {proposal && (
              <Button appearance="primary" onClick={use}>
                Use these settings
              </Button>
            )}
            <Button onClick={onClose}>{proposal ? 'Cancel' : 'Close'}</Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
