// Thunderbird's autoconfig (config-v1.1.xml): where a domain publishes its mail servers. Fetched
// over HTTPS only, following at most a few redirects (HTTPS only, no loops), reading at most 1 MB;
// read with the safe XML reader (no DOCTYPE, no entities), and only its outgoing SMTP server used.
import { isHost, type AuthMode, type AuthModel, type SecurityMode } from '../../../../preload/contract';
import { isMicrosoft365Host } from '../../../../preload/contract';
import { httpsRequest, HttpRequestError } from '../../net/https-request';
import { lookupWith, type DnsOptions } from './dns-lookups';
import { childText, childrenNamed, localName, readXml, XmlError } from './xml-reader';

export const AUTOCONFIG_MAX_BYTES = 1024 * 1024;
export const AUTOCONFIG_MAX_REDIRECTS = 3;

/** The two places a domain's autoconfig file may be, in the order they are trusted. */
export function autoconfigUrls(address: string, domain: string, port?: number): string[] {
  const at = port && port !== 443 ? `:${port}` : '';
  return [
    `https://autoconfig.${domain}${at}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(address)}`,
    `https://${domain}${at}/.well-known/autoconfig/mail/config-v1.1.xml`,
  ];
}

export interface AutoconfigServer {
  /** The provider's name in the file (displayName), if any. */
  displayName?: string;
  host: string;
  port: number;
  security: SecurityMode;
  auth: AuthMode;
  authModel: AuthModel;
  /** The username with its placeholders filled in. */
  username: string;
  /** The username as the file wrote it ("%EMAILADDRESS%"), for the source. */
  usernameTemplate: string;
  notes: string[];
}

export class AutoconfigError extends Error {
  constructor(
    message: string,
    /** not-found: the file is not there (404 and the like); failed: it is, but unusable. */
    readonly kind: 'not-found' | 'failed' | 'timed-out',
  ) {
    super(message);
    this.name = 'AutoconfigError';
  }
}

export interface FetchOptions {
  ca?: string;
  dns: DnsOptions;
  /** The whole lookup, redirects included, ends within this. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** Fetches one autoconfig URL: its final address and body, or AutoconfigError. */
export async function fetchAutoconfig(startUrl: string, options: FetchOptions): Promise<{ url: string; body: string }> {
  const deadline = Date.now() + options.timeoutMs;
  const seen = new Set<string>();
  let url = startUrl;
  for (let hop = 0; ; hop++) {
    if (new URL(url).protocol !== 'https:') throw new AutoconfigError(`Refused ${url}: autoconfig is read over HTTPS only`, 'failed');
    seen.add(url);
    const left = deadline - Date.now();
    if (left <= 0) throw new AutoconfigError(`No answer within ${Math.round(options.timeoutMs / 1000)} s`, 'timed-out');
    let response;
    try {
      response = await httpsRequest({
        method: 'GET',
        url,
        headers: { Accept: 'application/xml, text/xml' },
        timeoutMs: left,
        signal: options.signal,
        maxResponseBytes: AUTOCONFIG_MAX_BYTES,
        ...(options.ca ? { ca: options.ca } : {}),
        ...withLookup(lookupWith(options.dns, left, options.signal)),
      });
    } catch (error) {
      if (error instanceof HttpRequestError && error.code === 'ETIMEDOUT') throw new AutoconfigError(`No answer within ${Math.round(options.timeoutMs / 1000)} s`, 'timed-out');
      if (error instanceof HttpRequestError && error.code === 'ETOOBIG') throw new AutoconfigError(`The answer is larger than ${AUTOCONFIG_MAX_BYTES / 1024 / 1024} MB; not read further`, 'failed');
      const code = (error as { code?: string }).code;
      // No such host: the domain publishes no autoconfig there.
      if (code === 'ENOTFOUND' || code === 'ENODATA') throw new AutoconfigError(`${new URL(url).hostname} does not exist`, 'not-found');
      throw new AutoconfigError(error instanceof Error ? error.message : String(error), 'failed');
    }
    if (response.status >= 300 && response.status < 400 && response.headers.location) {
      if (hop >= AUTOCONFIG_MAX_REDIRECTS) throw new AutoconfigError(`More than ${AUTOCONFIG_MAX_REDIRECTS} redirects`, 'failed');
      let next: URL;
      try {
        next = new URL(response.headers.location, url);
      } catch {
        throw new AutoconfigError(`Redirected to something that is not an address`, 'failed');
      }
      if (next.protocol !== 'https:') throw new AutoconfigError(`Redirected to ${next.protocol}//${next.host}: autoconfig is read over HTTPS only`, 'failed');
      if (seen.has(next.href)) throw new AutoconfigError(`Redirected in a loop (back to ${next.href})`, 'failed');
      url = next.href;
      continue;
    }
    if (response.status === 404 || response.status === 410) throw new AutoconfigError(`HTTP ${response.status}: no autoconfig file there`, 'not-found');
    if (response.status !== 200) throw new AutoconfigError(`HTTP ${response.status}`, 'failed');
    return { url, body: response.body.toString('utf8') };
  }
}

function withLookup(lookup: ReturnType<typeof lookupWith>) {
  return lookup ? { lookup } : {};
}

/** %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% filled in from the address. */
export function fillPlaceholders(template: string, address: string): string {
  const at = address.lastIndexOf('@');
  const values: Record<string, string> = { EMAILADDRESS: address, EMAILLOCALPART: address.slice(0, at), EMAILDOMAIN: address.slice(at + 1) };
  return template.replace(/%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN)%/g, (_, key: string) => values[key] as string);
}

const SOCKET_TYPES: Readonly<Record<string, SecurityMode>> = {
  SSL: 'tls',
  // A server that publishes STARTTLS offers it: Mailroom then insists on it, so it cannot be stripped.
  STARTTLS: 'starttls-required',
  plain: 'none',
};

/**
 * The outgoing SMTP server of an autoconfig document: the first <outgoingServer type="smtp"> that
 * names a usable host, port and socket type. Throws AutoconfigError (failed) when there is none.
 */
export function readAutoconfig(body: string, address: string): AutoconfigServer {
  let root;
  try {
    root = readXml(body);
  } catch (error) {
    throw new AutoconfigError(`Not a well-formed autoconfig file: ${error instanceof XmlError ? error.message : String(error)}`, 'failed');
  }
  if (localName(root.name) !== 'clientConfig') throw new AutoconfigError(`Not an autoconfig file: its root is <${root.name.slice(0, 40)}>, not <clientConfig>`, 'failed');
  const problems: string[] = [];
  for (const provider of childrenNamed(root, 'emailProvider')) {
    const displayName = childText(provider, 'displayName');
    for (const server of childrenNamed(provider, 'outgoingServer')) {
      if (server.attributes.type !== 'smtp') continue;
      const host = fillPlaceholders(childText(server, 'hostname') ?? '', address);
      const portText = childText(server, 'port') ?? '';
      const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
      const socketType = childText(server, 'socketType') ?? '';
      const security = SOCKET_TYPES[socketType];
      if (!isHost(host)) {
        problems.push(`hostname "${host.slice(0, 80)}" is not a host name`);
        continue;
      }
      if (!(port >= 1 && port <= 65535)) {
        problems.push(`port "${portText.slice(0, 20)}" is not a port`);
        continue;
      }
      if (!security) {
        problems.push(`socketType "${socketType.slice(0, 20)}" is not SSL, STARTTLS or plain`);
        continue;
      }
      const methods = childrenNamed(server, 'authentication').map((a) => a.text.trim());
      const usernameTemplate = childText(server, 'username') ?? '%EMAILADDRESS%';
      const notes: string[] = [];
      const signIn = authFrom(methods, host, notes);
      if (security === 'none' && signIn.auth !== 'none') notes.push('This server is published without encryption: the password would cross the network readable by anyone on the way. Ask the provider for STARTTLS or SSL/TLS.');
      return {
        ...(displayName ? { displayName } : {}),
        host,
        port,
        security,
        ...signIn,
        username: fillPlaceholders(usernameTemplate, address),
        usernameTemplate,
        notes,
      };
    }
  }
  throw new AutoconfigError(problems.length > 0 ? `Its SMTP server is unusable: ${problems.join('; ')}` : 'It names no outgoing SMTP server', 'failed');
}

/** How to sign in, from the file's <authentication> methods, in the terms Mailroom has. */
function authFrom(methods: readonly string[], host: string, notes: string[]): { auth: AuthMode; authModel: AuthModel } {
  const has = (m: string) => methods.includes(m);
  if (has('OAuth2') && isMicrosoft365Host(host)) return { auth: 'required', authModel: 'oauth2' };
  if (has('password-cleartext') || has('password-encrypted') || has('plain') || has('secure')) {
    return { auth: 'required', authModel: 'basic' };
  }
  if (methods.length > 0 && methods.every((m) => m === 'none' || m === 'client-IP-address')) return { auth: 'none', authModel: 'basic' };
  if (has('OAuth2')) notes.push('The provider signs in with OAuth2, which Mailroom offers for Microsoft 365 only: use an app password if the provider has them.');
  else if (methods.length > 0) notes.push(`The provider asks for ${methods.join(', ').slice(0, 80)}; Mailroom signs in with a username and password.`);
  return { auth: 'required', authModel: 'basic' };
}
