// The mail providers Mailroom knows without asking anyone: their submission servers, by the
// domain of an address (gmail.com) or by the host that receives a domain's mail (its MX record,
// aspmx.l.google.com). Checked against each provider's own help pages; when a provider moves its
// servers, this is the one place to change.
import type { AuthModel, SecurityMode } from '../../../../preload/contract';

export interface Provider {
  /** Shown as the source of each value: "built-in table: Gmail". */
  name: string;
  host: string;
  port: number;
  security: SecurityMode;
  authModel: AuthModel;
  /** OAuth2 with Microsoft: the tenant to sign in to, the address's own domain or personal accounts. */
  tenant?: 'address-domain' | 'consumers';
  notes: readonly string[];
}

const APP_PASSWORD = (where: string) =>
  `Sign in with an app password, not the account's own password: create one in ${where} (it needs two-step verification turned on).`;

const GOOGLE_NOTES = [
  `${APP_PASSWORD('the Google Account, under Security → App passwords')} Mailroom signs in with OAuth2 only to Microsoft.`,
  'Port 587 with STARTTLS required works too.',
];

const MICROSOFT_365_NOTES = [
  "Enter your organisation's Client (application) ID, then Sign in with Microsoft. SMTP AUTH must be allowed for the mailbox in Exchange Online.",
];

export const PROVIDERS = {
  microsoft365: {
    name: 'Microsoft 365',
    host: 'smtp.office365.com',
    port: 587,
    security: 'starttls-required',
    authModel: 'oauth2',
    tenant: 'address-domain',
    notes: MICROSOFT_365_NOTES,
  },
  outlookCom: {
    name: 'Outlook.com',
    host: 'smtp-mail.outlook.com',
    port: 587,
    security: 'starttls-required',
    authModel: 'oauth2',
    tenant: 'consumers',
    notes: [
      'Outlook.com, Hotmail and Live accounts sign in with OAuth2: enter the Client (application) ID of an app registration that allows personal Microsoft accounts, then Sign in with Microsoft.',
    ],
  },
  gmail: { name: 'Gmail', host: 'smtp.gmail.com', port: 465, security: 'tls', authModel: 'basic', notes: GOOGLE_NOTES },
  googleWorkspace: {
    name: 'Google Workspace',
    host: 'smtp.gmail.com',
    port: 465,
    security: 'tls',
    authModel: 'basic',
    notes: [...GOOGLE_NOTES, 'An administrator of the Workspace may have to allow app passwords first.'],
  },
  icloud: {
    name: 'iCloud Mail',
    host: 'smtp.mail.me.com',
    port: 587,
    security: 'starttls-required',
    authModel: 'basic',
    notes: [APP_PASSWORD('the Apple Account, under Sign-In and Security → App-Specific Passwords')],
  },
  yahoo: {
    name: 'Yahoo Mail',
    host: 'smtp.mail.yahoo.com',
    port: 465,
    security: 'tls',
    authModel: 'basic',
    notes: [APP_PASSWORD('Yahoo Account Security, under Generate app password')],
  },
  aol: {
    name: 'AOL Mail',
    host: 'smtp.aol.com',
    port: 465,
    security: 'tls',
    authModel: 'basic',
    notes: [APP_PASSWORD('AOL Account Security, under Generate app password')],
  },
  zoho: { name: 'Zoho Mail', host: 'smtp.zoho.com', port: 465, security: 'tls', authModel: 'basic', notes: zohoNotes() },
  zohoEu: { name: 'Zoho Mail (EU)', host: 'smtp.zoho.eu', port: 465, security: 'tls', authModel: 'basic', notes: zohoNotes() },
  zohoIn: { name: 'Zoho Mail (India)', host: 'smtp.zoho.in', port: 465, security: 'tls', authModel: 'basic', notes: zohoNotes() },
  zohoOrg: { name: 'Zoho Mail for organisations', host: 'smtppro.zoho.com', port: 465, security: 'tls', authModel: 'basic', notes: zohoNotes() },
  zohoOrgEu: { name: 'Zoho Mail for organisations (EU)', host: 'smtppro.zoho.eu', port: 465, security: 'tls', authModel: 'basic', notes: zohoNotes() },
  zohoOrgIn: { name: 'Zoho Mail for organisations (India)', host: 'smtppro.zoho.in', port: 465, security: 'tls', authModel: 'basic', notes: zohoNotes() },
  fastmail: {
    name: 'Fastmail',
    host: 'smtp.fastmail.com',
    port: 465,
    security: 'tls',
    authModel: 'basic',
    notes: ['Sign in with an app password made in Fastmail under Settings → Privacy & Security → Integrations.'],
  },
  gmxNet: {
    name: 'GMX',
    host: 'mail.gmx.net',
    port: 587,
    security: 'starttls-required',
    authModel: 'basic',
    notes: ['Sending through other programs must be allowed first in the GMX web mail settings (POP3/IMAP access).'],
  },
  gmxCom: {
    name: 'GMX',
    host: 'mail.gmx.com',
    port: 587,
    security: 'starttls-required',
    authModel: 'basic',
    notes: ['Sending through other programs must be allowed first in the GMX web mail settings (POP3/IMAP access).'],
  },
  webDe: {
    name: 'WEB.DE',
    host: 'smtp.web.de',
    port: 587,
    security: 'starttls-required',
    authModel: 'basic',
    notes: ['Sending through other programs must be allowed first in the WEB.DE web mail settings (POP3/IMAP access).'],
  },
  mailCom: { name: 'mail.com', host: 'smtp.mail.com', port: 587, security: 'starttls-required', authModel: 'basic', notes: [] },
  proton: {
    name: 'Proton Mail',
    host: '127.0.0.1',
    port: 1025,
    security: 'starttls-required',
    authModel: 'basic',
    notes: [
      'Proton Mail sends only through Proton Mail Bridge running on this computer: use the username and password the Bridge shows (not the Proton account password), and its port if it differs.',
      "The Bridge's certificate is its own: export it from the Bridge and give it as the CA certificate file.",
    ],
  },
} as const satisfies Record<string, Provider>;

export type ProviderId = keyof typeof PROVIDERS;

function zohoNotes(): string[] {
  return ['Port 587 with STARTTLS required works too. With two-factor authentication on, sign in with an app-specific password made in Zoho Accounts.'];
}

/** Address domains, exactly as they follow the @. */
const BY_DOMAIN: Readonly<Record<string, ProviderId>> = {
  'gmail.com': 'gmail',
  'googlemail.com': 'gmail',
  'outlook.com': 'outlookCom',
  'hotmail.com': 'outlookCom',
  'live.com': 'outlookCom',
  'msn.com': 'outlookCom',
  'passport.com': 'outlookCom',
  'hotmail.co.uk': 'outlookCom',
  'hotmail.fr': 'outlookCom',
  'hotmail.de': 'outlookCom',
  'hotmail.it': 'outlookCom',
  'hotmail.es': 'outlookCom',
  'live.co.uk': 'outlookCom',
  'live.fr': 'outlookCom',
  'live.de': 'outlookCom',
  'live.nl': 'outlookCom',
  'live.com.au': 'outlookCom',
  'outlook.fr': 'outlookCom',
  'outlook.de': 'outlookCom',
  'outlook.es': 'outlookCom',
  'outlook.it': 'outlookCom',
  'outlook.co.uk': 'outlookCom',
  'outlook.com.au': 'outlookCom',
  'icloud.com': 'icloud',
  'me.com': 'icloud',
  'mac.com': 'icloud',
  'yahoo.com': 'yahoo',
  'yahoo.co.uk': 'yahoo',
  'yahoo.fr': 'yahoo',
  'yahoo.de': 'yahoo',
  'yahoo.it': 'yahoo',
  'yahoo.es': 'yahoo',
  'yahoo.ca': 'yahoo',
  'yahoo.com.au': 'yahoo',
  'yahoo.co.in': 'yahoo',
  'ymail.com': 'yahoo',
  'rocketmail.com': 'yahoo',
  'aol.com': 'aol',
  'aim.com': 'aol',
  'zoho.com': 'zoho',
  'zohomail.com': 'zoho',
  'zoho.eu': 'zohoEu',
  'zohomail.eu': 'zohoEu',
  'zoho.in': 'zohoIn',
  'zohomail.in': 'zohoIn',
  'fastmail.com': 'fastmail',
  'fastmail.fm': 'fastmail',
  'gmx.net': 'gmxNet',
  'gmx.de': 'gmxNet',
  'gmx.at': 'gmxNet',
  'gmx.ch': 'gmxNet',
  'gmx.com': 'gmxCom',
  'gmx.co.uk': 'gmxCom',
  'gmx.us': 'gmxCom',
  'web.de': 'webDe',
  'mail.com': 'mailCom',
  'email.com': 'mailCom',
  'proton.me': 'proton',
  'protonmail.com': 'proton',
  'protonmail.ch': 'proton',
  'pm.me': 'proton',
};

/** Host suffixes that mean a whole family of domains (every tenant's onmicrosoft.com). */
const BY_DOMAIN_SUFFIX: readonly (readonly [string, ProviderId])[] = [['.onmicrosoft.com', 'microsoft365']];

/** Mail exchangers of hosted mail, by host name or suffix (".zoho.eu" matches mx.zoho.eu). */
const BY_MX: readonly (readonly [string, ProviderId])[] = [
  ['.mail.protection.outlook.com', 'microsoft365'],
  // Exchange Online's DNSSEC mail exchangers (contoso-com.m-v1.mx.microsoft).
  ['.mx.microsoft', 'microsoft365'],
  ['aspmx.l.google.com', 'googleWorkspace'],
  ['.google.com', 'googleWorkspace'],
  ['.googlemail.com', 'googleWorkspace'],
  ['googlemail.com', 'googleWorkspace'],
  ['.zoho.com', 'zohoOrg'],
  ['.zoho.eu', 'zohoOrgEu'],
  ['.zoho.in', 'zohoOrgIn'],
  ['.messagingengine.com', 'fastmail'],
  ['.yahoodns.net', 'yahoo'],
  ['.mail.icloud.com', 'icloud'],
  ['.protonmail.ch', 'proton'],
];

function normalHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

function matches(host: string, pattern: string): boolean {
  return pattern.startsWith('.') ? host.endsWith(pattern) && host.length > pattern.length : host === pattern;
}

/** The provider of an address's domain, from the table alone. */
export function providerForDomain(domain: string): { id: ProviderId; provider: Provider } | undefined {
  const host = normalHost(domain);
  const id = BY_DOMAIN[host] ?? BY_DOMAIN_SUFFIX.find(([suffix]) => matches(host, suffix))?.[1];
  return id ? { id, provider: PROVIDERS[id] } : undefined;
}

/** The hosted-mail provider a mail exchanger belongs to, if it is one the table knows. */
export function providerForMx(exchange: string): { id: ProviderId; provider: Provider } | undefined {
  const host = normalHost(exchange);
  const id = BY_MX.find(([pattern]) => matches(host, pattern))?.[1];
  return id ? { id, provider: PROVIDERS[id] } : undefined;
}
