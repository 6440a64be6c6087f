// profile set | list | remove: SMTP server profiles for IT scripts, validated as the dialog validates them.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import {
  DEFAULT_PORTS,
  MICROSOFT_365_SMTP,
  Settings,
  fieldErrors,
  missingRequired,
  newProfile,
  splitHostPort,
  type FieldError,
  type SmtpProfile,
} from '../../../preload/contract';
import type { Command, Context } from '../command';
import { readSecretLine } from '../input';
import { CliError, EXIT, printJson } from '../output';

/** Command-line option → profile field, and how its text becomes the field's value. */
const FIELDS: Record<string, { field: keyof SmtpProfile; parse: (text: string) => unknown }> = {
  host: { field: 'host', parse: String },
  port: { field: 'port', parse: number },
  security: { field: 'security', parse: String },
  'min-tls': { field: 'minTls', parse: String },
  'verify-cert': { field: 'verifyCert', parse: boolean },
  'ca-file': { field: 'caFile', parse: (t) => (t === '' ? '' : path.resolve(t)) },
  auth: { field: 'auth', parse: String },
  'auth-model': { field: 'authModel', parse: String },
  tenant: { field: 'tenant', parse: String },
  'client-id': { field: 'clientId', parse: String },
  'send-method': { field: 'sendMethod', parse: String },
  credentials: { field: 'credentials', parse: String },
  username: { field: 'username', parse: String },
  'from-name': { field: 'fromName', parse: String },
  'from-address': { field: 'fromAddress', parse: String },
  bcc: { field: 'bcc', parse: String },
  timeout: { field: 'timeoutSeconds', parse: number },
  'per-minute': { field: 'perMinute', parse: number },
  'max-attachments-mb': { field: 'maxAttachmentsMb', parse: number },
  'notify-user': { field: 'notifyUser', parse: String },
};
const OPTION_FOR_FIELD = Object.fromEntries(Object.entries(FIELDS).map(([option, { field }]) => [field, `--${option}`]));

function number(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function boolean(text: string): unknown {
  return text === 'true' ? true : text === 'false' ? false : text;
}

/** Errors on a profile's fields, named by the option that sets them. */
function asOptionErrors(errors: FieldError[], index: number): FieldError[] {
  const prefix = `smtp.profiles.${index}.`;
  return errors.map((e) => {
    if (!e.path.startsWith(prefix)) return e;
    const field = e.path.slice(prefix.length);
    return { path: OPTION_FOR_FIELD[field] ?? field, message: e.message };
  });
}

export function findProfileIndex(settings: Settings, name: string): number {
  const wanted = name.trim().toLowerCase();
  return settings.smtp.profiles.findIndex((p) => p.name.trim().toLowerCase() === wanted || p.id === name);
}

function describe(profile: SmtpProfile, passwordSet: boolean, isDefault: boolean): string {
  if (profile.authModel === 'oauth2') {
    const via = profile.sendMethod === 'graph' ? 'Microsoft Graph' : `${profile.host || '(no host)'}:${profile.port}, ${profile.security}, XOAUTH2`;
    return `${profile.name}${isDefault ? ' (default)' : ''}: Microsoft 365 OAuth2 (tenant ${profile.tenant}, client ${profile.clientId || '(not set)'}), via ${via}, mailbox ${profile.username || '(the signed-in account)'}, from ${profile.fromAddress || '(none)'}`;
  }
  const signIn = profile.auth === 'none' ? 'no sign-in' : `${profile.auth} sign-in as ${profile.credentials === 'per-user' ? "each user's own" : profile.username || '(no username)'}${profile.credentials === 'shared' ? `, password ${passwordSet ? 'saved' : 'not saved'}` : ''}`;
  return `${profile.name}${isDefault ? ' (default)' : ''}: ${profile.host || '(no host)'}:${profile.port}, ${profile.security}, TLS ≥ ${profile.minTls}, ${signIn}, from ${profile.fromAddress || '(none)'}`;
}

const profileOptions = {
  ...Object.fromEntries(Object.keys(FIELDS).map((k) => [k, { type: 'string' as const }])),
  'password-stdin': { type: 'boolean' as const },
  'clear-password': { type: 'boolean' as const },
  default: { type: 'boolean' as const },
};

export const PROFILE_COMMANDS: Command[] = [
  {
    name: 'profile set',
    admin: true,
    summary: 'Create or change an SMTP server profile; validated as the dialog validates it',
    usage:
      'mailroom profile set NAME [--host H] [--port P] [--security none|starttls|starttls-required|tls] [--min-tls 1.0|1.1|1.2|1.3] [--verify-cert true|false] [--ca-file F] [--auth none|required|optional] [--auth-model basic|oauth2] [--tenant T] [--client-id GUID] [--send-method smtp|graph] [--credentials shared|per-user] [--username U] [--password-stdin] [--clear-password] [--from-name N] [--from-address A] [--bcc A] [--timeout S] [--per-minute N] [--max-attachments-mb N] [--notify-user A] [--default] [--json]',
    details: [
      'Only the options given are changed. A new profile starts from the dialog defaults (STARTTLS on 587, TLS 1.2, sign-in required).',
      '--host accepts host,port. When --security changes and --port is not given, the port follows the new',
      "mode's default (25, 587, 465) unless it had been set to something else.",
      '--password-stdin reads the password from the first line of standard input; it is stored encrypted.',
      '--default makes this the default profile.',
      '--auth-model oauth2 signs in with Microsoft 365 (then run: mailroom sign-in --profile NAME); unless given,',
      'host, port and security become smtp.office365.com, 587, starttls-required. --tenant is the directory ID or',
      'domain (default "organizations"), --client-id your app registration, --send-method smtp (AUTH XOAUTH2) or graph.',
      'Example:',
      '  printf "%s" "$PASS" | mailroom profile set Office --host smtp.office365.com --security starttls-required \\',
      '      --username invoices@example.com --password-stdin --from-address invoices@example.com',
    ].join('\n'),
    options: profileOptions,
    positionals: { min: 1, max: 1 },
    async run(ctx, values, [name]) {
      const services = ctx.services();
      const settings = services.settings.read();
      const next = structuredClone(settings) as Settings;
      let index = findProfileIndex(next, name as string);
      const created = index < 0;
      if (created) {
        next.smtp.profiles.push(newProfile(randomUUID(), (name as string).trim()));
        index = next.smtp.profiles.length - 1;
      }
      const profile = next.smtp.profiles[index] as SmtpProfile & Record<string, unknown>;
      const before = { ...profile };
      for (const [option, { field, parse }] of Object.entries(FIELDS)) {
        const text = values[option];
        if (typeof text === 'string') (profile as Record<string, unknown>)[field] = parse(text);
      }
      if (typeof values.host === 'string') {
        const split = splitHostPort(values.host);
        if (split) {
          if (typeof values.port === 'string' && Number(values.port) !== split.port) {
            throw new CliError({ code: 'invalid-input', message: `--host says port ${split.port} but --port says ${values.port as string}`, fields: [{ path: '--port', message: 'Conflicts with the port in --host' }] });
          }
          profile.host = split.host;
          profile.port = split.port;
        }
      }
      if (typeof values.security === 'string' && values.port === undefined && !(typeof values.host === 'string' && splitHostPort(values.host))) {
        const oldDefault = DEFAULT_PORTS[before.security];
        const newDefault = DEFAULT_PORTS[profile.security as SmtpProfile['security']];
        if (newDefault !== undefined && before.port === oldDefault) profile.port = newDefault;
      }
      // Choosing OAuth2 (Microsoft 365) fills in Exchange Online's server, as the dialog does.
      if (values['auth-model'] === 'oauth2' && before.authModel !== 'oauth2') {
        if (values.host === undefined) profile.host = MICROSOFT_365_SMTP.host;
        if (values.port === undefined && values.host === undefined) profile.port = MICROSOFT_365_SMTP.port;
        if (values.security === undefined) profile.security = MICROSOFT_365_SMTP.security;
        if (values.auth === undefined) profile.auth = 'required';
      }
      if (values.default) next.general.defaultProfile = profile.id;

      const parsed = Settings.safeParse(next);
      const errors = parsed.success ? [] : fieldErrors(parsed.error);
      if (parsed.success) {
        const prefix = `smtp.profiles.${index}.`;
        errors.push(...missingRequired(parsed.data).filter((e) => e.path.startsWith(prefix)));
      }
      if (errors.length > 0) {
        const named = asOptionErrors(errors, index);
        throw new CliError({ code: 'invalid-input', message: `Invalid input: ${named.map((e) => `${e.path}: ${e.message}`).join('; ')}`, fields: named });
      }
      const password = values['password-stdin'] ? await readSecretLine(ctx.io.stdin) : undefined;
      if (values['password-stdin'] && !password) {
        throw new CliError({ code: 'invalid-input', message: '--password-stdin read an empty password; use --clear-password to remove one', fields: [{ path: '--password-stdin', message: 'Empty' }] });
      }
      const saved = services.settings.saveWellFormed(parsed.data as Settings);
      if (!saved.ok) throw new CliError(saved.error);
      const savedProfile = saved.value.smtp.profiles[index] as SmtpProfile;
      if (password) services.mail.setPassword(savedProfile.id, password);
      if (values['clear-password']) services.mail.setPassword(savedProfile.id, null);
      const passwordSet = services.mail.passwordSet(savedProfile.id);
      const isDefault = saved.value.general.defaultProfile === savedProfile.id;
      if (ctx.json) printJson(ctx.io, { ok: true, created, profile: savedProfile, passwordSet, isDefault });
      else ctx.io.stdout.write(`${created ? 'Created' : 'Updated'} ${describe(savedProfile, passwordSet, isDefault)}\n`);
      return EXIT.ok;
    },
  },
  {
    name: 'profile list',
    summary: 'List the SMTP server profiles',
    usage: 'mailroom profile list [--json]',
    async run(ctx) {
      const services = ctx.services();
      const settings = services.settings.read();
      const rows = settings.smtp.profiles.map((p) => ({ ...p, passwordSet: services.mail.passwordSet(p.id), isDefault: settings.general.defaultProfile === p.id }));
      if (ctx.json) printJson(ctx.io, rows);
      else if (rows.length === 0) ctx.io.stdout.write('No server profiles yet. Create one with: mailroom profile set NAME --host H ...\n');
      else for (const r of rows) ctx.io.stdout.write(describe(r, r.passwordSet, r.isDefault) + '\n');
      return EXIT.ok;
    },
  },
  {
    name: 'profile remove',
    admin: true,
    summary: 'Remove an SMTP server profile and its saved password',
    usage: 'mailroom profile remove NAME [--json]',
    positionals: { min: 1, max: 1 },
    async run(ctx, _values, [name]) {
      const services = ctx.services();
      const next = structuredClone(services.settings.read()) as Settings;
      const index = findProfileIndex(next, name as string);
      if (index < 0) throw notFound(ctx, name as string);
      const [removed] = next.smtp.profiles.splice(index, 1) as [SmtpProfile];
      if (next.general.defaultProfile === removed.id) next.general.defaultProfile = '';
      const saved = services.settings.saveWellFormed(next);
      if (!saved.ok) throw new CliError(saved.error);
      services.mail.forgetRemovedProfiles();
      if (ctx.json) printJson(ctx.io, { ok: true, removed: removed.name });
      else ctx.io.stdout.write(`Removed profile ${removed.name}\n`);
      return EXIT.ok;
    },
  },
];

export function notFound(ctx: Context, name: string): CliError {
  const names = ctx.services().settings.read().smtp.profiles.map((p) => p.name);
  return new CliError({
    code: 'not-found',
    message: `No profile called "${name}"${names.length ? `. Profiles: ${names.join(', ')}` : '. There are no profiles yet'}`,
    fields: [{ path: '--profile', message: 'Unknown profile' }],
  });
}
