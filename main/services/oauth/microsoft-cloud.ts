// Where Microsoft's sign-in and Graph live, and the permissions each way of sending needs.
// The endpoints can be moved (national clouds, a local test authority); the scopes cannot.

export interface MicrosoftCloud {
  /** The sign-in host, e.g. https://login.microsoftonline.com; the tenant is appended. */
  loginUrl: string;
  /** The Graph host, e.g. https://graph.microsoft.com; /v1.0/... is appended. */
  graphUrl: string;
  /** Extra trusted certificate authorities (PEM) for both, on top of the system's. */
  ca?: string;
  /** How long one request to either may take. */
  requestTimeoutMs: number;
  /** How long the user has to finish a sign-in in the browser or with a code. */
  signInTimeoutMs: number;
}

export const DEFAULT_LOGIN_URL = 'https://login.microsoftonline.com';
export const DEFAULT_GRAPH_URL = 'https://graph.microsoft.com';

/** Delegated permission for SMTP AUTH XOAUTH2 against Exchange Online. */
export const SMTP_SCOPES = ['https://outlook.office.com/SMTP.Send', 'offline_access'] as const;
/** Delegated permissions for Graph: send, and drafts with large attachments (upload sessions). */
export const GRAPH_SCOPES = ['https://graph.microsoft.com/Mail.Send', 'https://graph.microsoft.com/Mail.ReadWrite', 'offline_access'] as const;

export type TokenPurpose = 'smtp' | 'graph';

export function scopesFor(purpose: TokenPurpose): string[] {
  return [...(purpose === 'smtp' ? SMTP_SCOPES : GRAPH_SCOPES)];
}

/**
 * The endpoints from the environment: MAILROOM_MS_LOGIN_URL and MAILROOM_MS_GRAPH_URL move them
 * (a sovereign cloud such as https://login.microsoftonline.us, or a local authority for testing).
 * Extra CAs come from the computer's certificate store (net/system-ca.ts), and from
 * NODE_EXTRA_CA_CERTS where Node reads it (not in the installed app).
 */
export function microsoftCloudFromEnv(env: NodeJS.ProcessEnv = process.env): MicrosoftCloud {
  return {
    loginUrl: httpsOrigin(env.MAILROOM_MS_LOGIN_URL, 'MAILROOM_MS_LOGIN_URL') ?? DEFAULT_LOGIN_URL,
    graphUrl: httpsOrigin(env.MAILROOM_MS_GRAPH_URL, 'MAILROOM_MS_GRAPH_URL') ?? DEFAULT_GRAPH_URL,
    requestTimeoutMs: 30_000,
    signInTimeoutMs: 10 * 60_000,
  };
}

function httpsOrigin(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL: ${value.slice(0, 200)}`);
  }
  if (url.protocol !== 'https:') throw new Error(`${name} must be an https:// address (got ${url.protocol})`);
  return url.origin;
}
