// SMTP server profiles and the connection diagnosis: the shapes both sides of the bridge agree on.
import { z } from 'zod';
import { optionalMailbox, parseRecipient } from './mailbox';

export const SECURITY_MODES = ['none', 'starttls', 'starttls-required', 'tls'] as const;
export const SecurityMode = z.enum(SECURITY_MODES, { error: `Choose one of: ${SECURITY_MODES.join(', ')}` });
export type SecurityMode = z.infer<typeof SecurityMode>;

/** The port each security mode usually runs on: 25 for relays, 587 for submission with STARTTLS, 465 for SSL/TLS. */
export const DEFAULT_PORTS: Readonly<Record<SecurityMode, number>> = {
  none: 25,
  starttls: 587,
  'starttls-required': 587,
  tls: 465,
};

export const TLS_VERSIONS = ['1.0', '1.1', '1.2', '1.3'] as const;
export const TlsVersion = z.enum(TLS_VERSIONS, { error: `Choose one of: ${TLS_VERSIONS.join(', ')}` });
export type TlsVersion = z.infer<typeof TlsVersion>;
/** Versions with known weaknesses: offered only for old servers that speak nothing newer. */
export const INSECURE_TLS_VERSIONS: readonly TlsVersion[] = ['1.0', '1.1'];

export const AUTH_MODES = ['none', 'required', 'optional'] as const;
export const AuthMode = z.enum(AUTH_MODES, { error: `Choose one of: ${AUTH_MODES.join(', ')}` });
export type AuthMode = z.infer<typeof AuthMode>;

export const AUTH_MODELS = ['basic', 'oauth2'] as const;
export const AuthModel = z.enum(AUTH_MODELS, { error: `Choose one of: ${AUTH_MODELS.join(', ')}` });
export type AuthModel = z.infer<typeof AuthModel>;

export const OAUTH_PROVIDERS = ['microsoft365'] as const;
export const OAuthProvider = z.enum(OAUTH_PROVIDERS, { error: `Choose one of: ${OAUTH_PROVIDERS.join(', ')}` });
export type OAuthProvider = z.infer<typeof OAuthProvider>;

/** How an OAuth2 profile hands messages over: its SMTP server with AUTH XOAUTH2, or the Microsoft Graph API. */
export const SEND_METHODS = ['smtp', 'graph'] as const;
export const SendMethod = z.enum(SEND_METHODS, { error: `Choose one of: ${SEND_METHODS.join(', ')}` });
export type SendMethod = z.infer<typeof SendMethod>;

/** What choosing Microsoft 365 fills in: Exchange Online's submission endpoint. */
export const MICROSOFT_365_SMTP = { host: 'smtp.office365.com', port: 587, security: 'starttls-required' } as const;

/** Exchange Online's SMTP hosts, where Basic authentication is being retired. */
export function isMicrosoft365Host(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  return h === 'smtp.office365.com' || h === 'smtp-mail.outlook.com' || h === 'outlook.office365.com' || h.endsWith('.mail.protection.outlook.com');
}

/** A GUID as Entra writes IDs: 8-4-4-4-12 hex digits. */
export const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TENANT_HINT = 'Enter organizations, common, your tenant ID (a GUID) or a domain such as contoso.onmicrosoft.com';

export function isTenant(value: string): boolean {
  return /^(organizations|common|consumers)$/i.test(value) || GUID_RE.test(value) || (isHost(value) && value.includes('.') && !/^[\d.]+$/.test(value));
}

export const CREDENTIAL_MODES = ['shared', 'per-user'] as const;
export const CredentialMode = z.enum(CREDENTIAL_MODES, { error: `Choose one of: ${CREDENTIAL_MODES.join(', ')}` });
export type CredentialMode = z.infer<typeof CredentialMode>;

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOSTNAME_RE = new RegExp(`^${HOST_LABEL}(?:\\.${HOST_LABEL})*\\.?$`);
const IPV4_RE = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;
const IPV6_RE = /^\[?[0-9A-Fa-f:.]+(?:%[A-Za-z0-9]+)?\]?$/;

export function isHost(value: string): boolean {
  if (value.length > 253) return false;
  if (IPV4_RE.test(value)) return true;
  if (value.includes(':')) return IPV6_RE.test(value) && value.split(':').length >= 3;
  return HOSTNAME_RE.test(value) && !/^[\d.]+$/.test(value);
}

export const HOST_HINT = 'Enter a server name like smtp.example.com, or an IP address';

/**
 * "host,port" is how several accounting packages write a server with its port (smtp.example.com,587).
 * Returns the two parts, or null when the text is not in that form.
 */
export function splitHostPort(text: string): { host: string; port: number } | null {
  const match = /^\s*([^,\s]+)\s*,\s*(\d{1,5})\s*$/.exec(text);
  if (!match) return null;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host: match[1] as string, port } : null;
}

const singleLine = (max: number, tooLong: string) =>
  z
    .string({ error: 'Expected text' })
    .max(max, tooLong)
    .refine((v) => !CONTROL_CHARS.test(v), { message: 'Use one line of text, without control characters' });

export const PROFILE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export const SmtpProfile = z.strictObject({
  /** Stable identity; names can be changed, secrets and references follow the id. */
  id: z.string().regex(PROFILE_ID_RE, 'Invalid profile id'),
  name: singleLine(64, 'Use at most 64 characters').trim(),
  host: z
    .string({ error: 'Expected text' })
    .trim()
    .refine((v) => v === '' || isHost(v), { message: HOST_HINT }),
  port: z.number({ error: 'Enter a port number' }).int('Enter a whole number').min(1, 'Use a port from 1 to 65535').max(65535, 'Use a port from 1 to 65535'),
  security: SecurityMode,
  minTls: TlsVersion,
  verifyCert: z.boolean({ error: 'Expected true or false' }),
  /** A PEM file of extra certificate authorities to trust for this server; empty for none. */
  caFile: singleLine(1024, 'Use a path of at most 1024 characters').trim(),
  auth: AuthMode,
  authModel: AuthModel,
  oauthProvider: OAuthProvider,
  /** Directory (tenant) ID or domain of the organisation, or "organizations" for any work account. */
  tenant: z
    .string({ error: 'Expected text' })
    .trim()
    .max(256, 'Use at most 256 characters')
    .refine((v) => isTenant(v), { message: TENANT_HINT }),
  /** The organisation's own app registration (a public client); empty until the admin enters it. */
  clientId: z
    .string({ error: 'Expected text' })
    .trim()
    .refine((v) => v === '' || GUID_RE.test(v), { message: 'Enter the Application (client) ID, a GUID like 00000000-0000-0000-0000-000000000000' }),
  sendMethod: SendMethod,
  username: singleLine(256, 'Use at most 256 characters').trim(),
  credentials: CredentialMode,
  fromName: singleLine(128, 'Use at most 128 characters').trim(),
  fromAddress: optionalMailbox,
  bcc: optionalMailbox,
  timeoutSeconds: z.number({ error: 'Enter a number of seconds' }).int('Enter a whole number of seconds').min(1, 'Use at least 1 second').max(600, 'Use at most 600 seconds'),
  perMinute: z.number({ error: 'Enter a number' }).int('Enter a whole number').min(0, 'Use 0 for no limit, or a positive number').max(100000, 'Use at most 100000'),
  /** At most this many connections to the server at once when sending batches. */
  maxConnections: z.number({ error: 'Enter a number' }).int('Enter a whole number').min(1, 'Use at least 1').max(20, 'Use at most 20'),
  maxAttachmentsMb: z.number({ error: 'Enter a size in MB' }).min(0, 'Use 0 for no limit, or a positive size').max(1024, 'Use at most 1024 MB'),
  notifyUser: optionalMailbox,
});
export type SmtpProfile = z.infer<typeof SmtpProfile>;

export function newProfile(id: string, name: string): SmtpProfile {
  return {
    id,
    name,
    host: '',
    port: DEFAULT_PORTS.starttls,
    security: 'starttls',
    minTls: '1.2',
    verifyCert: true,
    caFile: '',
    auth: 'required',
    authModel: 'basic',
    oauthProvider: 'microsoft365',
    tenant: 'organizations',
    clientId: '',
    sendMethod: 'smtp',
    username: '',
    credentials: 'shared',
    fromName: '',
    fromAddress: '',
    bcc: '',
    timeoutSeconds: 30,
    perMinute: 0,
    maxConnections: 2,
    maxAttachmentsMb: 20,
    notifyUser: '',
  };
}

// ---- the connection a saved secret belongs to -----------------------------------------------

/**
 * The fields that decide which server a profile reaches, how, and as whom. A saved password or
 * sign-in goes only with these exactly as they were saved: change any of them and the secret must
 * be entered again. The rest of a profile (its name, sender, limits) may change freely.
 */
export const CONNECTION_FIELDS = [
  'host',
  'port',
  'security',
  'minTls',
  'verifyCert',
  'caFile',
  'auth',
  'authModel',
  'username',
  'credentials',
  'oauthProvider',
  'tenant',
  'clientId',
  'sendMethod',
] as const satisfies readonly (keyof SmtpProfile)[];
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];
export type Connection = Pick<SmtpProfile, ConnectionField>;

/** The connection fields of a profile, in the one form they are compared in: text trimmed, the host in lower case. */
export function connectionOf(profile: Connection): Connection {
  const out = {} as Record<ConnectionField, unknown>;
  for (const field of CONNECTION_FIELDS) {
    const value = profile[field];
    out[field] = typeof value === 'string' ? value.trim() : value;
  }
  out.host = profile.host.trim().toLowerCase();
  return out as Connection;
}

/** One text that is equal for two profiles exactly when the given connection fields (all of them by default) are. */
export function connectionFingerprint(profile: Connection, fields: readonly ConnectionField[] = CONNECTION_FIELDS): string {
  const normal = connectionOf(profile);
  return JSON.stringify(fields.map((field) => [field, normal[field]]));
}

/** Whether two profiles reach the same server in the same way as the same account. */
export function sameConnection(a: Connection, b: Connection): boolean {
  return connectionFingerprint(a) === connectionFingerprint(b);
}

/** The connection fields that differ between two profiles, in CONNECTION_FIELDS order. */
export function changedConnectionFields(a: Connection, b: Connection): ConnectionField[] {
  return CONNECTION_FIELDS.filter((field) => connectionFingerprint(a, [field]) !== connectionFingerprint(b, [field]));
}

/** What a test is refused with when a saved password would go to a connection it was not saved for. */
export const PASSWORD_FOR_CHANGED_CONNECTION = 'Enter the password again to test this changed connection';

// ---- connection diagnosis -------------------------------------------------------------------

export const DIAGNOSIS_STEPS = ['token', 'graph', 'dns', 'ping', 'tcp', 'tls', 'greeting', 'ehlo', 'starttls', 'auth', 'sender'] as const;
export const DiagnosisStepId = z.enum(DIAGNOSIS_STEPS);
export type DiagnosisStepId = z.infer<typeof DiagnosisStepId>;

export const DiagnosisStep = z.object({
  id: DiagnosisStepId,
  title: z.string(),
  /** info: shown for what it tells, never decides the outcome (ping). */
  status: z.enum(['passed', 'failed', 'warning', 'skipped', 'info']),
  durationMs: z.number(),
  summary: z.string(),
  details: z.array(z.object({ label: z.string(), value: z.string() })),
});
export type DiagnosisStep = z.infer<typeof DiagnosisStep>;

export const Advice = z.object({
  /** Stable code for scripts, e.g. "tls-wrong-mode", "auth-disabled-for-tenant". */
  code: z.string(),
  title: z.string(),
  /** The server's own words, with control characters escaped. */
  serverReply: z.string().optional(),
  cause: z.string(),
  fix: z.string(),
});
export type Advice = z.infer<typeof Advice>;

export const Diagnosis = z.object({
  ok: z.boolean(),
  profileName: z.string(),
  target: z.string(),
  startedAt: z.string(),
  totalMs: z.number(),
  steps: z.array(DiagnosisStep),
  failure: Advice.extend({
    step: DiagnosisStepId,
    /** A profile setting left empty that the step needs ("username", "password"), with what to say under its field. */
    field: z.object({ path: z.string(), message: z.string() }).optional(),
  }).optional(),
});
export type Diagnosis = z.infer<typeof Diagnosis>;

export const SendReceipt = z.object({
  messageId: z.string(),
  /** The server's reply to the end of data, escaped. */
  response: z.string(),
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  envelope: z.object({ from: z.string(), to: z.array(z.string()) }),
});
export type SendReceipt = z.infer<typeof SendReceipt>;

// ---- outgoing messages ----------------------------------------------------------------------

const MAX_BODY_CHARS = 10 * 1024 * 1024;

export const AttachmentInput = z.strictObject({
  filename: z
    .string()
    .min(1, 'Give the attachment a file name')
    .max(255, 'Use a file name of at most 255 characters')
    .refine((v) => !CONTROL_CHARS.test(v) && !/[\\/]/.test(v), { message: 'A file name cannot contain control characters or slashes' }),
  /** The file's bytes, base64. Paths are never accepted from the renderer. */
  contentBase64: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'Not valid base64'),
  contentType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'Not a content type').optional(),
});
export type AttachmentInput = z.infer<typeof AttachmentInput>;

/** The size of the bytes a base64 text stands for. */
export function base64Bytes(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((base64.length * 3) / 4) - padding);
}

export const OutgoingMessage = z
  .strictObject({
    to: z.array(z.string()).max(500, 'At most 500 recipients per field'),
    cc: z.array(z.string()).max(500, 'At most 500 recipients per field').default([]),
    bcc: z.array(z.string()).max(500, 'At most 500 recipients per field').default([]),
    subject: z
      .string({ error: 'Expected text' })
      .max(998, 'Use a subject of at most 998 characters')
      .refine((v) => !/[\r\n]/.test(v), { message: 'A subject is one line' })
      // eslint-disable-next-line no-control-regex
      .refine((v) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(v), { message: 'The subject contains a control character' }),
    text: z.string().max(MAX_BODY_CHARS, 'The text is too long').optional(),
    html: z.string().max(MAX_BODY_CHARS, 'The HTML is too long').optional(),
    attachments: z.array(AttachmentInput).max(100, 'At most 100 attachments').default([]),
  })
  .superRefine((msg, ctx) => {
    for (const field of ['to', 'cc', 'bcc'] as const) {
      msg[field].forEach((addr, i) => {
        const parsed = parseRecipient(addr);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', path: [field, i], message: parsed.message });
      });
    }
    if (msg.to.length + msg.cc.length + msg.bcc.length === 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Add at least one recipient' });
  });
export type OutgoingMessage = z.infer<typeof OutgoingMessage>;

/** What a send attempt came to: the server's receipt, or the advice for what went wrong. */
/**
 * What became of a send: delivered with the server's receipt, or not delivered with advice. This is
 * the value of a call that worked (the message was handled and the answer is known), not a failure
 * shape: "the server refused it" is a result to show, while a call that could not run at all
 * answers with a Result's error.
 */
export const SendOutcome = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), receipt: SendReceipt }),
  z.object({ ok: z.literal(false), advice: Advice }),
]);
export type SendOutcome = z.infer<typeof SendOutcome>;

/** A password typed in the dialog but not saved yet ('' when cleared but not saved); null or absent means "use the saved one". */
export const PasswordInput = z.string().max(1024, 'Use a password of at most 1024 characters').nullable().optional();
