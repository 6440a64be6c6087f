// What the SMTP tab knows about profiles apart from drawing them: option labels, paths into the
// settings draft, name checks, and the form binding that gives one profile's editor its behaviour
// (host,port splitting, ports that follow the security mode, Microsoft 365's server filled in for
// OAuth2, test errors under their fields).
import {
  applyProfileEdit,
  isMailbox,
  splitHostPort,
  type AuthMode,
  type AuthModel,
  type CredentialMode,
  type OAuthProvider,
  type SendMethod,
  type SecurityMode,
  type Settings,
  type SmtpProfile,
  type TlsVersion,
} from '../../../preload/contract';
import type { DropdownOption, FormBinding } from '../components/fields';
import { getAt } from '../settings/dot-path';

export const SECURITY_OPTIONS: readonly DropdownOption<SecurityMode>[] = [
  { value: 'none', label: 'None', description: 'Plain text. Only for relays inside your own network. Port 25.' },
  { value: 'starttls', label: 'STARTTLS if offered', description: 'Encrypts when the server offers it, else sends in the clear. Port 587.' },
  { value: 'starttls-required', label: 'STARTTLS required', description: 'Refuses to send unless the connection is encrypted. Port 587.' },
  { value: 'tls', label: 'SSL/TLS', description: 'Encrypted from the first byte (implicit TLS). Port 465.' },
];

export const TLS_OPTIONS: readonly DropdownOption<TlsVersion>[] = [
  { value: '1.0', label: 'TLS 1.0 (insecure)' },
  { value: '1.1', label: 'TLS 1.1 (insecure)' },
  { value: '1.2', label: 'TLS 1.2' },
  { value: '1.3', label: 'TLS 1.3' },
];

export const AUTH_OPTIONS: readonly DropdownOption<AuthMode>[] = [
  { value: 'none', label: 'None' },
  { value: 'required', label: 'Required' },
  { value: 'optional', label: 'Optional (password may be empty)' },
];

export const AUTH_MODEL_OPTIONS: readonly DropdownOption<AuthModel>[] = [
  { value: 'basic', label: 'Basic (username and password)' },
  { value: 'oauth2', label: 'OAuth2', description: 'Sign in with the provider; no password is stored.' },
];

export const OAUTH_PROVIDER_OPTIONS: readonly DropdownOption<OAuthProvider>[] = [{ value: 'microsoft365', label: 'Microsoft 365' }];

export const SEND_METHOD_OPTIONS: readonly DropdownOption<SendMethod>[] = [
  { value: 'smtp', label: 'SMTP (AUTH XOAUTH2)', description: 'The server above, signed in with the access token.' },
  { value: 'graph', label: 'Microsoft 365 (Graph API)', description: 'Over HTTPS to Microsoft Graph; no SMTP connection.' },
];

export const CREDENTIAL_OPTIONS: readonly DropdownOption<CredentialMode>[] = [
  { value: 'shared', label: 'Shared by all users' },
  { value: 'per-user', label: "Each user's own" },
];

/** The dot path of a profile field in the settings draft. */
export function profilePath<K extends keyof SmtpProfile & string>(index: number, key: K): `smtp.profiles.${number}.${K}` {
  return `smtp.profiles.${index}.${key}`;
}

/** Index and field of a path inside a profile ("smtp.profiles.2.host"), or null. */
export function parseProfilePath(path: string): { index: number; field: string } | null {
  const match = /^smtp\.profiles\.(\d+)\.(.+)$/.exec(path);
  return match ? { index: Number(match[1]), field: match[2] as string } : null;
}

export function displayName(profile: SmtpProfile): string {
  return profile.name.trim() || 'Unnamed profile';
}

/** "host:port", with IPv6 addresses in brackets; empty when no host is set yet. */
export function hostAndPort(profile: SmtpProfile): string {
  const host = profile.host.trim();
  if (host === '') return '';
  const shown = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return Number.isFinite(profile.port) ? `${shown}:${profile.port}` : shown;
}

export const MAX_NAME_LENGTH = 64;

/** Why a new profile may not take this name, or undefined when it may. */
export function nameProblem(name: string, profiles: readonly SmtpProfile[]): string | undefined {
  const wanted = name.trim();
  if (wanted === '') return 'Enter a name';
  if (wanted.length > MAX_NAME_LENGTH) return `Use at most ${MAX_NAME_LENGTH} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(wanted)) return 'Use one line of text, without control characters';
  if (findByName(wanted, profiles)) return `A profile called “${wanted}” already exists`;
  return undefined;
}

export function findByName(name: string, profiles: readonly SmtpProfile[]): SmtpProfile | undefined {
  const wanted = name.trim().toLowerCase();
  return profiles.find((p) => p.name.trim().toLowerCase() === wanted);
}

/** Whether the profile matches filter text, by name or host (with or without the port). */
export function matchesFilter(profile: SmtpProfile, filter: string): boolean {
  const wanted = filter.trim().toLowerCase();
  if (wanted === '') return true;
  return profile.name.toLowerCase().includes(wanted) || hostAndPort(profile).toLowerCase().includes(wanted);
}

export function validMailbox(text: string): boolean {
  return isMailbox(text.trim());
}

/** Field errors a test reported for one profile, by field name ("password", "caFile"). */
export type TestFieldErrors = Readonly<Record<string, string>>;

export interface ProfileBindingOptions {
  form: FormBinding<Settings>;
  index: number;
  testErrors: TestFieldErrors;
  /** The test's verdict on a field no longer holds once the field changes. */
  onFieldEdited(field: string): void;
  /** Set by a paste into the host field, so the change it causes is split at once. */
  takePaste(): boolean;
  /** Paths the user changed while this editor was open. */
  edited: Set<string>;
}

/**
 * The draft's binding, narrowed to one profile's editor: errors from a test show under their
 * fields, "host,port" is split on paste and on leaving the field, and a port still on the old
 * security mode's default follows the new mode.
 */
export function profileBinding({ form, index, testErrors, onFieldEdited, takePaste, edited }: ProfileBindingOptions): FormBinding<Settings> {
  const hostPath = profilePath(index, 'host');
  const portPath = profilePath(index, 'port');
  const profile = form.draft.smtp.profiles[index];

  // The fields a change implies (Microsoft 365's server for OAuth2, a port following the security
  // mode) come from the rule the command line uses too; each is set as if the user had changed it.
  const applyImplied = (field: string, value: unknown) => {
    if (!profile) return;
    const next = applyProfileEdit(profile, { [field]: value } as Partial<SmtpProfile>);
    for (const key of Object.keys(next) as (keyof SmtpProfile & string)[]) {
      if (key === field || Object.is(next[key], profile[key])) continue;
      const path = profilePath(index, key);
      edited.add(path);
      onFieldEdited(key);
      form.onChange(path, next[key]);
    }
  };

  const splitHost = (text: string): boolean => {
    const parts = splitHostPort(text);
    if (!parts) return false;
    form.onChange(hostPath, parts.host);
    form.onChange(portPath, parts.port);
    form.onBlur(portPath);
    onFieldEdited('port');
    return true;
  };

  return {
    ...form,
    errorFor: (path) => {
      const own = form.errorFor(path);
      if (own) return own;
      const parsed = parseProfilePath(path);
      return parsed?.index === index ? testErrors[parsed.field] : undefined;
    },
    onChange: (path, value) => {
      const parsed = parseProfilePath(path);
      if (parsed?.index === index) onFieldEdited(parsed.field);
      edited.add(path);
      if (path === hostPath && typeof value === 'string' && takePaste() && splitHost(value)) return;
      if (parsed?.index === index) applyImplied(parsed.field, value);
      form.onChange(path, value);
    },
    onBlur: (path) => {
      if (path === hostPath && profile) splitHost(profile.host);
      // Passing through an empty field of a new profile (focus lands on the host when it is made) is
      // no reason to call it missing yet; leaving it empty after typing is, and Save says so anyway.
      const value = getAt(form.draft, path);
      if (value === '' && !edited.has(path)) return;
      form.onBlur(path);
    },
  };
}
