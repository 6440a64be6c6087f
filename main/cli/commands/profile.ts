// profile set | list | remove: SMTP server profiles for IT scripts, validated as the dialog validates them.
import path from 'node:path';
import { splitHostPort, type Detection, type DetectedSettings, type SmtpProfile } from '../../../preload/contract';
import type { Command } from '../command';
import { readSecretLine } from '../input';
import { CliError, EXIT, failWith, printJson, table, withOptionNames } from '../output';

/** Command-line option → profile field, and how its text becomes the field's value. */
const FIELDS: Record<string, { field: keyof SmtpProfile; parse: (text: string) => unknown }> = {
  host: { field: 'host', parse: String },
  port: { field: 'port', parse: number },
  security: { field: 'security', parse: String },
  'min-tls': { field: 'minTls', parse: String },
  'verify-cert': { field: 'verifyCert', parse: boolean },
  'ca-file': { field: 'caFile', parse: String },
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

/** A profile's field ("smtp.profiles.3.host") by the option that sets it ("--host"). */
function optionFor(fieldPath: string): string | undefined {
  const field = /^smtp\.profiles\.\d+\.(.+)$/.exec(fieldPath)?.[1];
  return field === undefined ? undefined : (OPTION_FOR_FIELD[field] ?? field);
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
    summary: 'Create or change an SMTP server profile; validated as the dialog validates it',
    usage:
      'mailroom profile set NAME [--host H] [--port P] [--security none|starttls|starttls-required|tls] [--min-tls 1.0|1.1|1.2|1.3] [--verify-cert true|false] [--ca-file F] [--auth none|required|optional] [--auth-model basic|oauth2] [--tenant T] [--client-id GUID] [--send-method smtp|graph] [--credentials shared|per-user] [--username U] [--password-stdin] [--clear-password] [--from-name N] [--from-address A] [--bcc A] [--timeout S] [--per-minute N] [--max-attachments-mb N] [--notify-user A] [--default] [--json]',
    details: [
      'Only the options given are changed. A new profile starts from the dialog defaults (STARTTLS on 587, TLS 1.2, sign-in required).',
      '--host accepts host,port. When --security changes and --port is not given, the port follows the new',
      "mode's default (25, 587, 465) unless it had been set to something else.",
      '--password-stdin reads the password from the first line of standard input; it is stored encrypted.',
      '--default makes this the default profile; the first profile becomes the default without it.',
      '--auth-model oauth2 signs in with Microsoft 365 (then run: mailroom sign-in --profile NAME); unless given,',
      'host, port and security become smtp.office365.com, 587, starttls-required, with shared credentials. --tenant is the directory ID or',
      'domain (default "organizations"), --client-id your app registration, --send-method smtp (AUTH XOAUTH2) or graph.',
      'Example:',
      '  printf "%s" "$PASS" | mailroom profile set Office --host smtp.office365.com --security starttls-required \\',
      '      --username invoices@example.com --password-stdin --from-address invoices@example.com',
    ].join('\n'),
    options: profileOptions,
    positionals: { min: 1, max: 1 },
    async run(ctx, values, [name]) {
      const change: Partial<SmtpProfile> = {};
      for (const [option, { field, parse }] of Object.entries(FIELDS)) {
        const text = values[option];
        if (typeof text === 'string') (change as Record<string, unknown>)[field] = parse(text);
      }
      if (typeof change.caFile === 'string' && change.caFile !== '') change.caFile = path.resolve(ctx.io.cwd, change.caFile);
      const split = typeof values.host === 'string' ? splitHostPort(values.host) : null;
      if (split) {
        if (typeof values.port === 'string' && Number(values.port) !== split.port) {
          throw new CliError({ code: 'invalid-input', message: `--host says port ${split.port} but --port says ${values.port as string}`, fields: [{ path: '--port', message: 'Conflicts with the port in --host' }] });
        }
        change.host = split.host;
        change.port = split.port;
      }
      const typed = values['password-stdin'] ? await readSecretLine(ctx.io.stdin) : undefined;
      if (values['password-stdin'] && !typed) {
        throw new CliError({ code: 'invalid-input', message: '--password-stdin read an empty password; use --clear-password to remove one', fields: [{ path: '--password-stdin', message: 'Empty' }] });
      }
      const password = values['clear-password'] ? null : typed;
      const saved = await ctx.services().useCases.settings.setProfile(name as string, {
        change,
        edit: { portTyped: values.port !== undefined },
        makeDefault: Boolean(values.default),
        ...(password !== undefined ? { password } : {}),
      });
      if (!saved.ok) throw new CliError(withOptionNames(saved.error, optionFor));
      const { created, profile, passwordSet, isDefault, madeDefault } = saved.value;
      if (ctx.json) printJson(ctx.io, { ok: true, created, profile, passwordSet, isDefault, madeDefault });
      else {
        ctx.io.stdout.write(`${created ? 'Created' : 'Updated'} ${describe(profile, passwordSet, isDefault)}\n`);
        if (madeDefault) ctx.io.stdout.write(`${profile.name} is now the default profile: it is the first one.\n`);
      }
      return EXIT.ok;
    },
  },
  {
    name: 'profile detect',
    summary: 'Propose a profile\'s server settings for an email address, saying where each came from; saves nothing',
    usage: 'mailroom profile detect ADDRESS [--json]',
    details: [
      'Tries, in this order: the providers Mailroom knows (Gmail, Microsoft 365, iCloud...), the domain\'s autoconfig',
      'file (https://autoconfig.DOMAIN/... and https://DOMAIN/.well-known/autoconfig/...), its MX record when it names a',
      'hosted provider, and its SRV records (_submissions._tcp, _submission._tcp). The first to answer in that order wins;',
      'every lookup is listed. The whole detection ends within 10 seconds. Exit 1 when nothing was found.',
      'MAILROOM_DNS_SERVERS (comma-separated) asks those DNS servers instead of the system\'s.',
      'Example:',
      '  mailroom profile detect invoices@example.com',
    ].join('\n'),
    positionals: { min: 1, max: 1 },
    async run(ctx, _values, [address]) {
      const detected = await ctx.services().useCases.settings.detectSettings(address as string);
      if (!detected.ok) throw failWith(detected.error, { address: 'ADDRESS' });
      const detection = detected.value;
      if (ctx.json) printJson(ctx.io, { ok: detection.proposal !== null, ...detection });
      else ctx.io.stdout.write(describeDetection(detection));
      if (detection.proposal) return EXIT.ok;
      ctx.io.stderr.write(`error: No server settings found for ${detection.domain}; enter them by hand with mailroom profile set.\n`);
      return EXIT.failed;
    },
  },
  {
    name: 'profile list',
    summary: 'List the SMTP server profiles',
    usage: 'mailroom profile list [--json]',
    async run(ctx) {
      const services = ctx.services();
      const settings = services.settings.read();
      const { profilePasswords } = await services.useCases.settings.secretStatus();
      const rows = settings.smtp.profiles.map((p) => ({ ...p, passwordSet: profilePasswords[p.id] ?? false, isDefault: settings.general.defaultProfile === p.id }));
      if (ctx.json) printJson(ctx.io, rows);
      else if (rows.length === 0) ctx.io.stdout.write('No server profiles yet. Create one with: mailroom profile set NAME --host H ...\n');
      else for (const r of rows) ctx.io.stdout.write(describe(r, r.passwordSet, r.isDefault) + '\n');
      return EXIT.ok;
    },
  },
  {
    name: 'profile remove',
    summary: 'Remove an SMTP server profile and its saved password',
    usage: 'mailroom profile remove NAME [--json]',
    positionals: { min: 1, max: 1 },
    async run(ctx, _values, [name]) {
      const removed = await ctx.services().useCases.settings.removeProfile(name as string);
      if (!removed.ok) throw failWith(removed.error, PROFILE_OPTION);
      if (ctx.json) printJson(ctx.io, { ok: true, removed: removed.value.name });
      else ctx.io.stdout.write(`Removed profile ${removed.value.name}\n`);
      return EXIT.ok;
    },
  },
];

const DETECTED_ROWS: readonly [string, keyof DetectedSettings][] = [
  ['Server host', 'host'],
  ['Port', 'port'],
  ['Security', 'security'],
  ['Authorisation', 'auth'],
  ['Authentication', 'authModel'],
  ['OAuth2 provider', 'oauthProvider'],
  ['Tenant', 'tenant'],
  ['Username', 'username'],
];

/** A detection for people: each value with its source, the notes, what was tried, and how to use it. */
function describeDetection(d: Detection): string {
  const lines: string[] = [];
  const p = d.proposal;
  if (p) {
    lines.push(`Proposed settings for ${d.address}${p.provider ? ` (${p.provider})` : ''}, found in ${(d.elapsedMs / 1000).toFixed(1)} s:`);
    const rows = DETECTED_ROWS.flatMap(([label, key]) => {
      const item = p[key] as { value: string | number; source: string } | undefined;
      return item ? [[label, String(item.value), item.source] as const] : [];
    });
    lines.push(...table(rows.map(([label, value, source]) => [label, value, `from ${source}`])));
    if (p.notes.length > 0) lines.push('', 'Notes:', ...p.notes.map((n) => `  - ${n}`));
  } else {
    lines.push(`No server settings found for ${d.address} (${(d.elapsedMs / 1000).toFixed(1)} s).`);
  }
  lines.push('', 'Tried:');
  lines.push(...table(d.tried.map((t) => [t.outcome, `${t.method} ${t.target}: ${t.detail} (${t.durationMs} ms)`])));
  if (p) {
    const quote = (v: string | number) => (/^[\w@.:,+-]+$/.test(String(v)) ? String(v) : `'${String(v).replace(/'/g, `'\\''`)}'`);
    const options = [
      `--host ${quote(`${p.host.value},${p.port.value}`)}`,
      `--security ${p.security.value}`,
      `--auth ${p.auth.value}`,
      `--auth-model ${p.authModel.value}`,
      ...(p.tenant && p.authModel.value === 'oauth2' ? [`--tenant ${quote(p.tenant.value)}`] : []),
      `--credentials shared --username ${quote(p.username.value)}`,
    ];
    lines.push('', `Nothing was saved. To make a profile of them: mailroom profile set NAME ${options.join(' ')}`);
  }
  return lines.join('\n') + '\n';
}

/** The profile a command names, as the option that names it. */
export const PROFILE_OPTION: Record<string, string> = { profile: '--profile' };
