// Every way a mail connection can fail, told the user in one place: what happened, why it usually
// happens, and what to change. The connection test and the mail sender both explain through here.
import type { Advice, SecurityMode, TlsVersion } from '../../../preload/contract';
import { DEFAULT_PORTS } from '../../../preload/contract';
import { escapeServerText } from '../text/server-text';

export const ADVICE_CODES = [
  // network
  'dns-not-found',
  'dns-unavailable',
  'tcp-refused',
  'tcp-timeout',
  'network-unreachable',
  'connection-blocked-locally',
  'connection-reset',
  'connection-closed',
  'connection-failed',
  // TLS and certificates
  'tls-wrong-mode-use-starttls',
  'tls-wrong-mode-use-ssl',
  'tls-version-mismatch',
  'tls-handshake-failed',
  'tls-handshake-timeout',
  'cert-untrusted',
  'cert-self-signed',
  'cert-expired',
  'cert-not-yet-valid',
  'cert-name-mismatch',
  'cert-invalid',
  // the SMTP conversation
  'greeting-timeout',
  'reply-timeout',
  'server-stopped-answering',
  'not-smtp',
  'connection-rejected',
  'server-unavailable',
  'ehlo-rejected',
  'starttls-not-offered',
  'starttls-failed',
  'starttls-required-by-server',
  'protocol-error',
  'encryption-not-offered',
  // signing in
  'auth-not-offered',
  'auth-required',
  'auth-no-password',
  'auth-disabled-for-tenant',
  'auth-rejected-exchange',
  'auth-bad-credentials',
  'auth-failed',
  'auth-app-password-required',
  'auth-web-login-required',
  'auth-temporary-failure',
  'auth-mechanism-unsupported',
  'auth-encryption-required',
  'auth-xoauth2-not-offered',
  'auth-xoauth2-rejected',
  // the envelope and the message
  'relay-denied',
  'sender-rejected',
  'recipient-unknown',
  'mailbox-unavailable',
  'envelope-invalid',
  'message-too-large',
  'storage-exceeded',
  'too-many-recipients',
  'rejected-as-spam',
  'ip-blocked',
  'greylisted',
  'transaction-failed',
  'server-temporary-error',
  'server-rejected',
  // other
  'cancelled',
  'config-invalid',
  'unknown-error',
] as const;
export type AdviceCode = (typeof ADVICE_CODES)[number];

/** What is known about the attempt; every field makes the advice more precise, none is required. */
export interface ExplainContext {
  host?: string;
  port?: number;
  security?: SecurityMode;
  minTls?: TlsVersion;
  /** The CA file the profile names, for messages only. */
  caFile?: string;
  timeoutSeconds?: number;
  /** The profile signs in with an OAuth2 access token (AUTH XOAUTH2), not a password. */
  oauth?: boolean;
}

/** The parts of a certificate that help the user recognise who issued it. */
export interface CertificateFacts {
  subject?: string;
  issuer?: string;
  validTo?: string;
}

export type SocketStage = 'dns' | 'tcp' | 'tls' | 'starttls' | 'greeting' | 'smtp';
export type TimeoutStage = 'connect' | 'tls' | 'starttls' | 'greeting' | 'reply' | 'data';

const SECURITY_LABEL: Record<SecurityMode, string> = {
  none: 'None',
  starttls: 'STARTTLS',
  'starttls-required': 'STARTTLS (required)',
  tls: 'SSL/TLS',
};

const SSL_PORT = DEFAULT_PORTS.tls;
const STARTTLS_PORT = DEFAULT_PORTS.starttls;

// Security products and proxies that re-sign TLS connections with their own root certificate.
const INTERCEPTORS =
  /avast|\bavg\b|eset|kaspersky|bitdefender|norton|symantec|sophos|fortinet|fortigate|zscaler|palo alto|check ?point|umbrella|mcafee|trend ?micro|webroot|netskope|barracuda|watchguard|sonicwall|forcepoint|blue ?coat|untangle|mitmproxy|fiddler|charles/i;

function make(code: AdviceCode, title: string, cause: string, fix: string, serverReply?: string): Advice {
  return serverReply === undefined ? { code, title, cause, fix } : { code, title, cause, fix, serverReply };
}

function where(ctx: ExplainContext): string {
  if (ctx.host && ctx.port) return `${ctx.host} port ${ctx.port}`;
  if (ctx.host) return ctx.host;
  return 'the server';
}

function portNote(ctx: ExplainContext): string {
  if (!ctx.port) return '';
  if (ctx.port === SSL_PORT && ctx.security && ctx.security !== 'tls') return ` Port ${SSL_PORT} normally expects SSL/TLS.`;
  if ((ctx.port === STARTTLS_PORT || ctx.port === 25) && ctx.security === 'tls') {
    return ` Port ${ctx.port} normally expects STARTTLS or no encryption, not SSL/TLS.`;
  }
  return '';
}

// ---- facts out of unknown errors ------------------------------------------------------------

interface ErrorFacts {
  code: string;
  originalCode: string;
  message: string;
  responseCode: number | undefined;
  response: string;
  command: string;
  timeoutType: string;
  name: string;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}

function factsOf(err: unknown): ErrorFacts {
  const e = (typeof err === 'object' && err !== null ? err : {}) as Record<string, unknown>;
  const responseCode = typeof e.responseCode === 'number' && e.responseCode > 0 ? e.responseCode : undefined;
  return {
    code: text(e.code),
    originalCode: text(e.originalCode),
    message: err instanceof Error ? err.message : typeof err === 'string' ? err : text(e.message),
    responseCode,
    response: text(e.response),
    command: text(e.command),
    timeoutType: text(e.timeoutType),
    name: text(e.name),
  };
}

/** OpenSSL messages carry source paths and error numbers; the reason phrase is the useful part. */
export function tlsReason(message: string): string {
  const match = /SSL routines:[^:]*:([^:]+)/.exec(message);
  return (match?.[1] ?? message).trim();
}

// ---- certificates ---------------------------------------------------------------------------

const CERT_UNTRUSTED_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_CHAIN_TOO_LONG',
]);
const CERT_CODES = new Set([
  ...CERT_UNTRUSTED_CODES,
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
]);

function certCodeOf(facts: ErrorFacts): string | undefined {
  for (const c of [facts.code, facts.originalCode]) if (CERT_CODES.has(c)) return c;
  const m = facts.message.toLowerCase();
  if (m.includes('self-signed certificate in certificate chain') || m.includes('self signed certificate in certificate chain')) return 'SELF_SIGNED_CERT_IN_CHAIN';
  if (m.includes('self-signed certificate') || m.includes('self signed certificate')) return 'DEPTH_ZERO_SELF_SIGNED_CERT';
  if (m.includes('unable to get local issuer certificate')) return 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
  if (m.includes('unable to verify the first certificate')) return 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
  if (m.includes('certificate has expired')) return 'CERT_HAS_EXPIRED';
  if (m.includes('certificate is not yet valid')) return 'CERT_NOT_YET_VALID';
  if (m.includes("does not match certificate's altnames")) return 'ERR_TLS_CERT_ALTNAME_INVALID';
  return undefined;
}

/**
 * A certificate that did not verify. `reason` is Node's verification code (socket.authorizationError,
 * e.g. SELF_SIGNED_CERT_IN_CHAIN) or an error message; no credentials have been sent at this point.
 */
export function explainCertificate(reason: string, cert: CertificateFacts = {}, ctx: ExplainContext = {}): Advice {
  const code = certCodeOf({ ...factsOf(null), code: reason, message: reason }) ?? reason;
  const issuer = cert.issuer ? `"${escapeServerText(cert.issuer, 120)}"` : 'an authority';
  const interceptor = cert.issuer && INTERCEPTORS.test(cert.issuer) ? escapeServerText(cert.issuer, 120) : undefined;
  const caFix = ctx.caFile
    ? `Check that the CA file (${escapeServerText(ctx.caFile, 200)}) holds your organisation's root certificate in PEM form.`
    : "If your organisation runs its own mail server or inspects encrypted traffic, ask IT for its root certificate (a PEM file) and choose it as the CA file.";
  const stopped = 'Mailroom stopped before sending any password.';
  const proxyCause = interceptor
    ? `The certificate was issued by ${interceptor}: a security product on this computer or network that opens encrypted connections to inspect them, and re-signs them with its own root certificate.`
    : 'This usually means an antivirus, firewall or proxy is intercepting encrypted connections and re-signing them, or the server uses a certificate from a private (company) authority.';

  if (CERT_UNTRUSTED_CODES.has(code)) {
    return make(
      'cert-untrusted',
      'The server certificate is not trusted',
      `The certificate presented by ${where(ctx)} was issued by ${issuer}, which this computer does not trust. ${proxyCause} ${stopped}`,
      `Turn off mail (SMTP/TLS) scanning in the antivirus or firewall, or add its root certificate as the CA file. ${caFix} Turning off certificate verification is a last resort: the password could then be read by whoever holds that certificate.`,
    );
  }
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return make(
        'cert-self-signed',
        'The server uses a self-signed certificate',
        `${where(ctx)} presented a certificate it signed itself, so nothing vouches that it is the real server. ${proxyCause} ${stopped}`,
        `If the server is your own, export its certificate (PEM) and choose it as the CA file. Otherwise turn off mail scanning in the antivirus or firewall. ${caFix}`,
      );
    case 'CERT_HAS_EXPIRED':
      return make(
        'cert-expired',
        'The server certificate has expired',
        `The certificate of ${where(ctx)}${cert.validTo ? ` was valid until ${cert.validTo}` : ' has expired'}. Either the server's administrator has not renewed it, or this computer's date is wrong. ${stopped}`,
        "Check this computer's date and time. If they are right, ask the mail provider to renew the certificate.",
      );
    case 'CERT_NOT_YET_VALID':
      return make(
        'cert-not-yet-valid',
        'The server certificate is not valid yet',
        `The certificate of ${where(ctx)} starts in the future as seen from this computer, which usually means this computer's clock is wrong. ${stopped}`,
        "Correct this computer's date, time and time zone, then test again.",
      );
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return make(
        'cert-name-mismatch',
        'The certificate is for a different server name',
        `The certificate${cert.subject ? ` (issued to "${escapeServerText(cert.subject, 120)}")` : ''} does not name "${escapeServerText(ctx.host ?? 'the server', 200)}". The server name may be an alias, an IP address, or a proxy may be answering instead of the server. ${stopped}`,
        'Use the exact server name your provider gives (the one on its certificate) instead of an alias or IP address.',
      );
    default:
      return make(
        'cert-invalid',
        'The server certificate was rejected',
        `The certificate of ${where(ctx)} did not verify (${escapeServerText(code, 120)}). ${stopped}`,
        `Ask the mail provider whether its certificate is in order. ${caFix}`,
      );
  }
}

// ---- timeouts and missing capabilities -------------------------------------------------------

function seconds(ctx: ExplainContext): string {
  return ctx.timeoutSeconds ? `within ${ctx.timeoutSeconds} s` : 'in time';
}

/** The server was silent for the whole of a step's deadline. */
export function explainTimeout(stage: TimeoutStage, ctx: ExplainContext = {}): Advice {
  switch (stage) {
    case 'connect':
      return make(
        'tcp-timeout',
        'The connection timed out',
        `Nothing answered at ${where(ctx)} ${seconds(ctx)}. A firewall is usually dropping the connection without saying so (many networks and providers block outgoing mail ports, especially 25), or the server name or port is wrong.`,
        `Check the server name and port with your mail provider; try port ${STARTTLS_PORT} (STARTTLS) or ${SSL_PORT} (SSL/TLS); ask IT whether the firewall allows outgoing connections to that port.`,
      );
    case 'tls':
    case 'starttls':
      return make(
        'tls-handshake-timeout',
        'The encryption handshake timed out',
        `The server did not complete the TLS handshake ${seconds(ctx)}.${stage === 'tls' ? ' It may not speak SSL/TLS on this port at all.' : ''} A firewall or antivirus that inspects mail can also hold the handshake.`,
        stage === 'tls'
          ? `Check the security setting: SSL/TLS is for port ${SSL_PORT}; port ${STARTTLS_PORT} uses STARTTLS.${portNote(ctx)}`
          : 'Test again; if it keeps happening, turn off mail scanning in the antivirus or firewall, or ask the mail provider.',
      );
    case 'greeting':
      if (ctx.security === 'tls') {
        return make(
          'greeting-timeout',
          'The server did not greet',
          `The encrypted connection to ${where(ctx)} opened, but no SMTP greeting came ${seconds(ctx)}. The server may be overloaded, or this port may not run a mail service.`,
          'Check the port with your mail provider and test again later; raising the timeout helps only with slow servers.',
        );
      }
      return make(
        'greeting-timeout',
        'The server did not greet',
        `${where(ctx)} accepted the connection but said nothing ${seconds(ctx)}. The most common reason is that this port expects SSL/TLS from the first byte (implicit TLS, usually port ${SSL_PORT}) while ${ctx.security ? SECURITY_LABEL[ctx.security] : 'the profile'} waits for the server to speak first.${portNote(ctx)} A slow or overloaded server, or a firewall holding the connection, is also possible.`,
        `Set Security to SSL/TLS (port ${SSL_PORT}), or keep ${ctx.security ? SECURITY_LABEL[ctx.security] : 'STARTTLS'} and use port ${STARTTLS_PORT}. If the settings come from your provider, test again later or raise the timeout.`,
      );
    case 'reply':
      return make(
        'reply-timeout',
        'The server stopped answering',
        `${where(ctx)} did not finish its reply ${seconds(ctx)}. The server may be overloaded, or something between (a firewall or antivirus scanning mail) is holding the connection.`,
        'Test again later; if it keeps happening, turn off mail scanning in the antivirus or firewall, or raise the timeout.',
      );
    case 'data':
      return make(
        'server-stopped-answering',
        'The server stopped answering',
        `${where(ctx)} went silent for longer than the timeout${ctx.timeoutSeconds ? ` (${ctx.timeoutSeconds} s)` : ''} in the middle of the conversation. If nothing had been exchanged yet, the port probably expects SSL/TLS from the first byte (usually ${SSL_PORT}) while ${ctx.security && ctx.security !== 'tls' ? SECURITY_LABEL[ctx.security] : 'the profile'} waits for a greeting. If it happened after the message was sent, the server or a firewall or antivirus scanning outgoing mail is still holding it, and the message may have been delivered anyway.`,
        'Run "Test connection" to see at which step the server goes silent. Before sending again, check the Sent folder or ask a recipient, to avoid duplicates; raise the timeout for large attachments.',
      );
  }
}

/**
 * The security mode does not match the port: 'use-starttls' when Mailroom spoke TLS first and the
 * server answered in plain text, 'use-ssl' when the server turned out to expect TLS from the first byte.
 */
export function explainWrongTlsMode(direction: 'use-starttls' | 'use-ssl', ctx: ExplainContext = {}, reason?: string): Advice {
  if (direction === 'use-starttls') {
    return make(
      'tls-wrong-mode-use-starttls',
      'The server does not expect SSL/TLS on this port',
      `Mailroom started with SSL/TLS (implicit TLS), but ${where(ctx)} answered in plain text${reason ? ` (${reason})` : ''}: this port expects STARTTLS or no encryption.${portNote(ctx)}`,
      `Set Security to STARTTLS and Port to ${STARTTLS_PORT} (keep the port if your provider names it for STARTTLS). SSL/TLS is for port ${SSL_PORT}.`,
    );
  }
  return make(
    'tls-wrong-mode-use-ssl',
    'This port expects SSL/TLS',
    `${where(ctx)} stays silent for a client that does not start encryption, and answered a TLS handshake: it expects SSL/TLS (implicit TLS) from the first byte, while ${ctx.security ? SECURITY_LABEL[ctx.security] : 'this profile'} waits for the server to speak first.${portNote(ctx)}`,
    `Set Security to SSL/TLS (usually port ${SSL_PORT}), or keep ${ctx.security && ctx.security !== 'tls' ? SECURITY_LABEL[ctx.security] : 'STARTTLS'} and change the port to ${STARTTLS_PORT}.`,
  );
}

/** The server offers sign-in, but none of the methods Mailroom can use with a password. */
export function explainNoUsableMechanism(offered: readonly string[]): Advice {
  return make(
    'auth-mechanism-unsupported',
    'The server does not accept this sign-in method',
    `The server offers ${offered.length ? escapeServerText(offered.join(', '), 120) : 'no sign-in methods'}, but not PLAIN or LOGIN, which Mailroom uses with a password.`,
    'Ask the mail provider for a password sign-in method (PLAIN or LOGIN) on this port; some servers accept only OAuth2.',
  );
}

/** A setting the test cannot run without. */
export function explainInvalidSetting(problem: string, fix: string): Advice {
  return make('config-invalid', 'The settings are incomplete', problem, fix);
}

/** STARTTLS was required (or wanted) but the server's EHLO did not list it. */
export function explainStarttlsNotOffered(ctx: ExplainContext = {}, serverReply?: string): Advice {
  return make(
    'starttls-not-offered',
    'The server does not offer STARTTLS',
    `STARTTLS is required by this profile, but ${where(ctx)} did not offer it, so the connection could not be encrypted. The password was not sent. Some firewalls and antivirus products remove STARTTLS from the server's answer.${portNote(ctx)}`,
    `Use SSL/TLS on port ${SSL_PORT} if the server supports it, or ask the mail provider for the right port. Choose Security "None" only for a server on your own network.`,
    serverReply === undefined ? undefined : escapeServerText(serverReply),
  );
}

/**
 * "STARTTLS if offered", but the server did not offer it, and the profile signs in: Mailroom never
 * sends credentials over an unencrypted connection unless Security is None.
 */
export function explainNoEncryptionForSignIn(ctx: ExplainContext = {}, serverReply?: string): Advice {
  const what = ctx.oauth ? 'access token' : 'password';
  return make(
    'encryption-not-offered',
    `The server did not offer encryption; your ${what} was not sent`,
    `${where(ctx)} did not offer STARTTLS, and this profile signs in. Mailroom never sends a ${what} over an unencrypted connection unless Security is None. A firewall or antivirus product that removes STARTTLS from the server's answer causes this too.${portNote(ctx)}`,
    `Use SSL/TLS on port ${SSL_PORT} or STARTTLS (required) on port ${STARTTLS_PORT} if the server supports them. Choose Security "None" only for a server on your own network that you trust.`,
    serverReply === undefined ? undefined : escapeServerText(serverReply),
  );
}

/**
 * The server broke the protocol: a reply before the message was fully written, a multi-line reply
 * whose lines disagree, a reply without a valid code, bytes nobody asked for. Never taken as acceptance.
 */
export function explainProtocolViolation(what: string, received: string, ctx: ExplainContext & { afterData?: boolean } = {}): Advice {
  return make(
    'protocol-error',
    'The server broke the SMTP protocol',
    `${where(ctx)} misbehaved: ${what}. Mailroom does not take such an answer as acceptance.${
      ctx.afterData ? ' The message may or may not have been delivered.' : ' The message was not sent.'
    }`,
    ctx.afterData
      ? 'Check with the recipient or the mail provider whether it arrived before sending it again (Retry). If this repeats, the server or something between (a proxy, antivirus) is faulty: report it to the mail provider.'
      : 'Try again later. If this repeats, the server or something between (a proxy, antivirus) is faulty: report it to the mail provider.',
    received === '' ? undefined : escapeServerText(received),
  );
}

/** The server did not list AUTH among its capabilities. */
export function explainAuthNotOffered(ctx: ExplainContext & { encrypted?: boolean } = {}, serverReply?: string): Advice {
  const plain = ctx.encrypted === false;
  return make(
    'auth-not-offered',
    'The server does not offer sign-in',
    plain
      ? `${where(ctx)} did not list AUTH. Most servers offer sign-in only after the connection is encrypted with STARTTLS, and this connection was not encrypted. A relay that accepts mail by IP address does not offer sign-in at all.`
      : `${where(ctx)} did not list AUTH, so it does not accept a user name and password here. It may be a relay that accepts mail by IP address, or sign-in is on a different port.`,
    plain
      ? `Set Security to STARTTLS (port ${STARTTLS_PORT}) or SSL/TLS (port ${SSL_PORT}). If this is a relay that needs no sign-in, set Authorisation to None.`
      : `If this server accepts mail without signing in (an internal relay), set Authorisation to None. Otherwise ask the provider for the submission port (usually ${STARTTLS_PORT} or ${SSL_PORT}).`,
    serverReply === undefined ? undefined : escapeServerText(serverReply),
  );
}

/** Sign-in is required but no password is stored for the profile. */
export function explainNoPassword(): Advice {
  return make(
    'auth-no-password',
    'No password is set',
    'Authorisation is Required, but this profile has no password, so Mailroom cannot sign in.',
    'Enter the password for the user name, or set Authorisation to None if the server accepts mail without signing in.',
  );
}

export function cancelledAdvice(): Advice {
  return make('cancelled', 'Cancelled', 'The test was cancelled before it finished.', 'Run the test again when you are ready.');
}

/** The server answered with something that is not an SMTP reply (an HTTP or POP3 service, say). */
export function explainNotSmtp(received: string, ctx: ExplainContext = {}): Advice {
  return make(
    'not-smtp',
    'This is not a mail (SMTP) server',
    `${where(ctx)} answered, but not in the SMTP language: it may be a web, POP3 or IMAP service, or a proxy.`,
    `Check the server name and port: outgoing mail uses port ${STARTTLS_PORT} (STARTTLS), ${SSL_PORT} (SSL/TLS) or 25.`,
    escapeServerText(received, 200),
  );
}

// ---- SMTP replies -----------------------------------------------------------------------------

function replyBody(textIn: string): string {
  return textIn
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(/^\d{3}(?:[ -]|$)/, ''))
    .join('\n');
}

/** The enhanced status code (RFC 3463) at the start of any reply line, e.g. "5.7.139". */
export function enhancedStatus(textIn: string): string | undefined {
  const match = /^([245]\.\d{1,3}\.\d{1,3})(?=\s|$)/m.exec(replyBody(textIn));
  return match?.[1];
}

type Phase = 'greeting' | 'ehlo' | 'starttls' | 'auth' | 'mail' | 'rcpt' | 'data' | 'other';

function phaseOf(command: string): Phase {
  const c = command.trim().toUpperCase();
  if (c === '' || c === 'CONN' || c === 'GREETING' || c === 'CONNECT') return 'greeting';
  if (c.startsWith('EHLO') || c.startsWith('HELO') || c.startsWith('LHLO')) return 'ehlo';
  if (c.startsWith('STARTTLS')) return 'starttls';
  if (c.startsWith('AUTH')) return 'auth';
  if (c.startsWith('MAIL')) return 'mail';
  if (c.startsWith('RCPT')) return 'rcpt';
  if (c.startsWith('DATA') || c.startsWith('BDAT') || c === '.') return 'data';
  return 'other';
}

/**
 * An SMTP reply that ended a conversation: `code` is the three digits, `text` the reply (with or
 * without its code), `command` what it answered ("AUTH PLAIN", "MAIL FROM", "greeting"…).
 */
export function explainReply(code: number, textIn: string, command: string, ctx: ExplainContext = {}): Advice {
  const serverReply = escapeServerText(/^\d{3}/.test(textIn) ? textIn : `${code} ${textIn}`.trim());
  const enh = enhancedStatus(textIn) ?? '';
  const body = replyBody(textIn).toLowerCase();
  const phase = phaseOf(command);
  const advise = (adviceCode: AdviceCode, title: string, cause: string, fix: string) => make(adviceCode, title, cause, fix, serverReply);

  if (ctx.oauth && (enh === '5.7.139' || (phase === 'auth' && /smtpclientauthentication is disabled/.test(body)))) {
    return advise(
      'auth-disabled-for-tenant',
      'Authenticated SMTP is turned off for this mailbox',
      'Microsoft 365 accepted no sign-in because Authenticated SMTP (SMTP AUTH) is turned off for this mailbox or the whole organisation. SMTP needs it even with OAuth2; the access token itself may be fine.',
      'Ask your Microsoft 365 administrator to turn on Authenticated SMTP for this mailbox (Microsoft 365 admin center > Users > Active users > the user > Mail > Manage email apps), or set Send through to Microsoft 365 (Graph API), which does not use SMTP AUTH.',
    );
  }
  if (enh === '5.7.139' || (phase === 'auth' && /smtpclientauthentication is disabled|security defaults policy/.test(body))) {
    const mailbox = /for the mailbox/.test(body);
    const defaults = /security defaults/.test(body);
    return advise(
      'auth-disabled-for-tenant',
      'Microsoft 365 does not allow password sign-in for SMTP here',
      defaults
        ? "Microsoft 365 refused the sign-in because the organisation's security defaults block sign-in with only a password (SMTP AUTH). The password itself may be right."
        : `Microsoft 365 refused the sign-in because Authenticated SMTP (SMTP AUTH) is turned off for ${mailbox ? 'this mailbox' : 'your organisation (tenant) or for this mailbox'}. The password itself may be right.`,
      'Ask your Microsoft 365 administrator to turn on Authenticated SMTP for this mailbox (Microsoft 365 admin center > Users > Active users > the user > Mail > Manage email apps), and for the organisation if it is off there (Set-TransportConfig -SmtpClientAuthenticationDisabled $false). Alternatively sign in with OAuth2 (a Microsoft account) instead of a password.',
    );
  }

  if (phase === 'starttls') {
    if ([500, 502, 504].includes(code) || enh === '5.5.1' || enh === '5.5.2') {
      return { ...explainStarttlsNotOffered(ctx), serverReply };
    }
    return advise(
      'starttls-failed',
      'The server could not start encryption',
      `${where(ctx)} refused to start TLS (STARTTLS). ${code >= 400 && code < 500 ? 'It reports a temporary problem on its side.' : 'Its TLS setup may be broken.'} The password was not sent.`,
      `Test again later; if it persists, try SSL/TLS on port ${SSL_PORT}, or tell the mail provider.`,
    );
  }

  if (/starttls/.test(body) && (code === 530 || code === 538 || enh === '5.7.0' || enh === '5.7.11')) {
    return advise(
      'starttls-required-by-server',
      'The server requires encryption first',
      `${where(ctx)} accepts sign-in and mail only on an encrypted connection, and this one was not encrypted.`,
      `Set Security to STARTTLS (port ${STARTTLS_PORT}) or SSL/TLS (port ${SSL_PORT}).`,
    );
  }
  if (code === 538 || enh === '5.7.11') {
    return advise(
      'auth-encryption-required',
      'Sign-in needs an encrypted connection',
      'The server will not accept this sign-in method over an unencrypted connection.',
      `Set Security to STARTTLS (port ${STARTTLS_PORT}) or SSL/TLS (port ${SSL_PORT}).`,
    );
  }

  if (code === 421) {
    const busy = /too many|connection limit|rate|concurrent|busy/.test(body);
    return advise(
      'server-unavailable',
      busy ? 'The server has too many connections' : 'The server is not available',
      busy
        ? 'The server refuses more connections from this address for now: too many are open at once, or too much mail was sent in a short time.'
        : `${where(ctx)} says its service is not available right now and closed the connection (maintenance, overload, or a temporary block of this address).`,
      busy
        ? 'Wait a few minutes and try again; if you send in bulk, lower the "per minute" limit of this profile.'
        : 'Wait a few minutes and try again. If it persists, check the mail provider\'s status page.',
    );
  }

  if (phase === 'greeting') {
    if (code >= 400 && code < 500) {
      return advise(
        'server-unavailable',
        'The server is not available',
        `${where(ctx)} answered the connection with a temporary refusal.`,
        'Wait a few minutes and try again.',
      );
    }
    return advise(
      'connection-rejected',
      'The server refused the connection',
      `${where(ctx)} refused to talk to this computer at all (${code}). It usually means the server blocks this network address (a home or dynamic IP address listed as a spam source), or offers no mail service here.`,
      'Use your provider\'s submission server and port (usually 587 or 465) rather than port 25, or ask the provider or IT to allow this address.',
    );
  }

  if (phase === 'ehlo' && code >= 500) {
    return advise(
      'ehlo-rejected',
      'The server rejected the greeting',
      code === 501
        ? 'The server rejected the name this computer introduced itself with (EHLO/HELO).'
        : 'The server rejected the EHLO/HELO greeting.',
      'Set a client name in the form of a full host name (for example pc1.example.com), or ask the mail provider.',
    );
  }

  if (phase === 'auth' && ctx.oauth && code >= 500 && code !== 504 && code !== 538) {
    return advise(
      'auth-xoauth2-rejected',
      'The server did not accept the Microsoft 365 access token',
      'The SMTP server refused the OAuth2 sign-in (AUTH XOAUTH2). Usually the token is for another mailbox than the one in Mailbox, the app registration lacks the SMTP.Send permission, or the mailbox may not send as this user.',
      'Make sure Mailbox is the signed-in account, that the app registration has the delegated permission SMTP.Send with consent granted, then sign out and sign in again.',
    );
  }
  if (phase === 'auth') {
    if (enh === '5.7.14') {
      return advise(
        'auth-web-login-required',
        'The provider wants you to sign in with a browser first',
        'The provider blocked this sign-in until the account is confirmed in a web browser (a new device or location looked suspicious).',
        'Sign in to the account in a web browser, confirm any security prompt, then test again. With 2-step verification on, use an app password.',
      );
    }
    if (code === 534 || enh === '5.7.9') {
      return advise(
        'auth-app-password-required',
        'An app password is required',
        'The account has 2-step verification (multi-factor sign-in), so the server refuses the normal account password for mail programs.',
        "Create an app password in the account's security settings (Google Account > Security > App passwords, or your provider's equivalent) and enter it as the password.",
      );
    }
    if (code >= 400 && code < 500) {
      return advise(
        'auth-temporary-failure',
        'Sign-in failed temporarily',
        'The server could not check the password right now (its authentication service is unavailable or busy). This does not mean the password is wrong.',
        'Wait a few minutes and test again.',
      );
    }
    if (code === 504 || enh === '5.5.4' || enh === '5.7.4' || code === 502) {
      return advise(
        'auth-mechanism-unsupported',
        'The server does not accept this sign-in method',
        'The server does not support the sign-in method used (PLAIN or LOGIN).',
        'Ask the mail provider which sign-in methods it supports; some accept only OAuth2.',
      );
    }
    if (enh === '5.7.3') {
      return advise(
        'auth-rejected-exchange',
        'User name or password not accepted',
        'Exchange (Microsoft 365 or an on-premises server) rejected the user name or password. Exchange expects the full sign-in name (usually the email address), and rejects accounts with multi-factor sign-in when only a password is given.',
        'Enter the full email address as the user name and retype the password. If the account uses multi-factor sign-in, use an app password or OAuth2.',
      );
    }
    if (enh === '5.7.8' || code === 535) {
      const google = /google|gmail|gsmtp|badcredentials|support\.google/.test(body);
      return advise(
        enh === '5.7.8' ? 'auth-bad-credentials' : 'auth-failed',
        'User name or password not accepted',
        `The server rejected the user name or password.${google ? ' This is Google: with 2-step verification on, the normal password does not work for mail programs.' : ''} Accounts with multi-factor sign-in cannot use a plain password.`,
        `Check the user name (often the full email address) and retype the password. ${google ? 'Create an app password (Google Account > Security > App passwords) and enter it instead.' : 'If 2-step verification is on, create an app password in the account\'s security settings and enter it instead.'}`,
      );
    }
    return advise(
      'auth-failed',
      'Sign-in failed',
      `The server refused the sign-in (${code}).`,
      'Check the user name and password; if they are right, ask the mail provider whether this account may send through this server.',
    );
  }

  if (code === 530 || enh === '5.7.57' || (enh === '5.7.0' && /auth/.test(body)) || /authentication (is )?required/.test(body)) {
    return advise(
      'auth-required',
      'The server requires sign-in',
      'The server accepts mail only from signed-in users, and this connection did not sign in.',
      'Set Authorisation to Required and enter the user name and password for this server.',
    );
  }

  if (code === 552 || enh === '5.3.4' || enh === '5.2.3' || enh === '5.2.2' || enh === '4.2.2' || enh === '4.3.1') {
    const storage = enh === '5.2.2' || enh === '4.2.2' || enh === '4.3.1' || /quota|storage|mailbox (is )?full|insufficient/.test(body);
    if (storage) {
      return advise(
        'storage-exceeded',
        'No room for the message',
        'The mailbox or the server is out of storage space.',
        code < 500 ? 'Try again later.' : 'The recipient (or your own mailbox, if the server says so) must free space; try again later.',
      );
    }
    return advise(
      'message-too-large',
      'The message is too large',
      'The server refuses messages of this size.',
      'Send smaller attachments (split them, or share a link), or lower "Max attachments (MB)" to what the server accepts.',
    );
  }

  if (/relay/.test(body) && (enh === '5.7.1' || code === 550 || code === 554 || code === 551 || code === 553)) {
    return advise(
      'relay-denied',
      'The server does not relay for you',
      'The server will not pass mail on to other domains for this connection: it relays only for signed-in users or for addresses on its own network, or it does not accept this From address.',
      'Set Authorisation to Required and sign in, and use a From address that belongs to the account.',
    );
  }

  if (enh === '5.7.60' || /send ?as|not (allowed|authorized|authorised|permitted) to send|not owned|sender address rejected|sender not allowed/.test(body)) {
    return advise(
      'sender-rejected',
      'The server does not accept this From address',
      'The signed-in account may not send as this From address.',
      "Use the account's own address (or one it has Send As permission for) as the From address, or ask the administrator to grant it.",
    );
  }

  if (code === 452 && (enh === '4.5.3' || /too many recipients/.test(body))) {
    return advise('too-many-recipients', 'Too many recipients', 'The server accepts fewer recipients per message.', 'Send to fewer recipients at a time.');
  }

  if (code >= 400 && code < 500) {
    if (/grey|gray/.test(body)) {
      return advise(
        'greylisted',
        'The server asked to try again later',
        'The server delays mail from senders it has not seen before (greylisting).',
        'Nothing is wrong: sending again after a few minutes will be accepted.',
      );
    }
    return advise(
      'server-temporary-error',
      'Temporary server error',
      `The server had a temporary problem (${code}${enh ? ` ${enh}` : ''}), such as a local error or lack of resources.`,
      'Try again in a few minutes.',
    );
  }

  if (code >= 500 && /\bspam\b|virus|malware|phish|content rejected|message content/.test(body)) {
    return advise(
      'rejected-as-spam',
      'Rejected as spam',
      'The server judged the message or the sender to be spam.',
      'Check the message content and links, and that the From domain has SPF/DKIM records allowing this server; ask the provider if it persists.',
    );
  }
  if (code >= 500 && /blocked|block ?list|blacklist|listed|spamhaus|\brbl\b|reputation|banned|traffic not accepted/.test(body)) {
    return advise(
      'ip-blocked',
      'This address is blocked',
      "The server blocks mail from this computer's network address (often a home or dynamic IP address on a block list).",
      "Send through your provider's submission server (port 587 or 465 with sign-in) rather than directly, or ask the provider to unblock the address.",
    );
  }

  if (phase === 'mail' && code >= 500) {
    return advise(
      'sender-rejected',
      'The server does not accept this From address',
      'The server refused the sender address: it may not belong to the signed-in account, its domain may not exist, or the server accepts mail only from signed-in users.',
      'Use the From address of the account you sign in with, and set Authorisation to Required if the server needs sign-in.',
    );
  }

  if (phase === 'rcpt' && (enh.startsWith('5.1.') || code === 550 || code === 553)) {
    return advise(
      'recipient-unknown',
      'The recipient address does not exist',
      'The server says there is no such mailbox.',
      'Check the recipient address for typos.',
    );
  }

  if (code === 554) {
    return advise(
      'transaction-failed',
      'The server rejected the message',
      'The server refused the transaction without naming a specific reason.',
      'Read the server reply for details; ask the mail provider if it is unclear.',
    );
  }
  if (code === 550 || code === 551 || code === 553) {
    return advise(
      'mailbox-unavailable',
      'Mailbox unavailable',
      'The server refused the mailbox (it does not exist, is disabled, or the server does not accept mail for it from you).',
      'Check the addresses; if they are right, ask the mail provider.',
    );
  }

  if (code >= 500 && code <= 504) {
    return advise(
      'protocol-error',
      'The server did not understand a command',
      `The server answered ${code} to ${escapeServerText(command, 40) || 'a command'}: the two sides disagree about the conversation.`,
      'Test again; if it persists, a firewall or proxy may be altering the connection, or the server is not a standard mail server.',
    );
  }
  return advise(
    'server-rejected',
    'The server refused',
    `The server refused ${escapeServerText(command, 40) || 'the request'} with ${code}${enh ? ` ${enh}` : ''}.`,
    'Read the server reply for details; ask the mail provider if it is unclear.',
  );
}

// ---- socket, DNS and TLS errors --------------------------------------------------------------

const WRONG_MODE = /wrong version number|packet length too long|http request|unknown protocol|record layer failure|record_layer_failure/i;
const VERSION = /unsupported protocol|protocol version|no protocols available|version too low|legacy sigalg|unsupported_protocol/i;
const HANDSHAKE = /handshake failure|no shared cipher|no ciphers available|dh key too small|ee key too small|ca md too weak|insufficient security/i;

/** An error from DNS, the TCP connection, or a TLS handshake (plain Node errors). */
export function explainSocketError(err: unknown, stage: SocketStage, ctx: ExplainContext = {}): Advice {
  const facts = factsOf(err);
  const codes = [facts.code, facts.originalCode];
  const has = (...list: string[]) => codes.some((c) => list.includes(c));
  const reason = escapeServerText(tlsReason(facts.message), 200);

  if (facts.name === 'AbortError' || has('ABORT_ERR', 'EABORT')) return cancelledAdvice();

  const certCode = certCodeOf(facts);
  if (certCode) return explainCertificate(certCode, {}, ctx);

  if (WRONG_MODE.test(facts.message) || has('ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST')) {
    if (stage === 'starttls') {
      return make(
        'starttls-failed',
        'Encryption did not start',
        `${where(ctx)} agreed to STARTTLS but then did not speak TLS (${reason}). Something between may be altering the connection. The password was not sent.`,
        `Try SSL/TLS on port ${SSL_PORT}, or turn off mail scanning in the antivirus or firewall.`,
      );
    }
    return explainWrongTlsMode('use-starttls', ctx, reason);
  }

  if (VERSION.test(facts.message) || has('ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE', 'ERR_SSL_LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED')) {
    const lowered = ctx.minTls === '1.0' || ctx.minTls === '1.1';
    return make(
      'tls-version-mismatch',
      'No TLS version in common',
      lowered
        ? `${where(ctx)} and Mailroom found no TLS version both accept (${reason}), even with the minimum lowered to TLS ${ctx.minTls}. The server may require settings this computer refuses.`
        : `${where(ctx)} speaks only a TLS version older than the minimum this profile allows (TLS ${ctx.minTls ?? '1.2'}) (${reason}). Old servers and devices often support only TLS 1.0 or 1.1; a server that requires a newer version than this computer supports fails the same way.`,
      lowered
        ? 'Ask the mail provider which TLS versions the server supports; an antivirus or firewall that inspects mail can also cause this.'
        : 'Ask the provider to enable TLS 1.2 or later. If the server cannot be updated, lower "Minimum TLS version" to 1.1 or 1.0 — insecure: these versions have known weaknesses, use them only on a network you trust.',
    );
  }

  if (HANDSHAKE.test(facts.message) || has('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'ERR_SSL_NO_SHARED_CIPHER')) {
    return make(
      'tls-handshake-failed',
      'Encryption could not be agreed',
      `The TLS handshake with ${where(ctx)} failed (${reason}): the server and Mailroom share no cipher or key strength both accept. Old servers cause this most often.`,
      'Ask the provider to update the server\'s TLS settings. For an old server that cannot be updated, lowering "Minimum TLS version" to 1.0 (insecure) also relaxes the key-strength rules.',
    );
  }

  if (has('ENOTFOUND', 'EAI_NONAME', 'EAI_NODATA', 'ENODATA', 'EAI_FAIL', 'ENONAME') || (stage === 'dns' && has('ENOTIMP'))) {
    return make(
      'dns-not-found',
      'Server name not found',
      `The name "${escapeServerText(ctx.host ?? 'of the server', 200)}" could not be found: it may be mistyped, the DNS is failing, or this computer is offline.`,
      'Check the spelling of the server name with your provider (for example smtp.office365.com, smtp.gmail.com) and that this computer is online.',
    );
  }
  if (has('EAI_AGAIN', 'ESERVFAIL', 'ETIMEOUT') || (stage === 'dns' && has('ECONNREFUSED', 'ETIMEDOUT'))) {
    return make(
      'dns-unavailable',
      'Name lookup failed',
      'The name server did not answer: this computer may be offline, or the VPN or network DNS is not working.',
      'Check the network connection (and VPN), then test again.',
    );
  }
  if (has('ECONNREFUSED')) {
    return make(
      'tcp-refused',
      'The connection was refused',
      `${where(ctx)} refused the connection: nothing is listening on that port (wrong port), the mail service is down, or a firewall rejected the connection.`,
      `Check the port: ${STARTTLS_PORT} for STARTTLS, ${SSL_PORT} for SSL/TLS, 25 for relays. If it is right, the server may be down — test again later or ask the provider.`,
    );
  }
  if (has('ETIMEDOUT')) return explainTimeout(stage === 'tls' || stage === 'starttls' ? stage : stage === 'greeting' ? 'greeting' : 'connect', ctx);
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL')) {
    return make(
      'network-unreachable',
      'The server cannot be reached',
      `There is no network route to ${where(ctx)}: this computer may be offline, a VPN is needed, or the address is wrong.`,
      'Check the network connection and VPN, and the server name.',
    );
  }
  if (has('EACCES', 'EPERM')) {
    return make(
      'connection-blocked-locally',
      'Blocked on this computer',
      `This computer did not allow the connection to ${where(ctx)}: a local firewall or antivirus blocks outgoing mail connections from Mailroom.`,
      'Allow Mailroom in the firewall or antivirus, or ask IT.',
    );
  }
  if (has('ECONNRESET', 'EPIPE', 'ECONNABORTED')) {
    if (stage === 'tls') {
      return make(
        'tls-handshake-failed',
        'The server closed the connection during encryption',
        `${where(ctx)} dropped the connection while encryption was being set up. The port may not use SSL/TLS, or the server rejects the TLS versions offered.${portNote(ctx)}`,
        `Check the security setting: SSL/TLS for port ${SSL_PORT}, STARTTLS for port ${STARTTLS_PORT}. An old server may need a lower "Minimum TLS version".`,
      );
    }
    return make(
      'connection-reset',
      'The connection was reset',
      `${where(ctx)} (or a firewall between) cut the connection.${stage === 'tcp' || stage === 'greeting' ? ' Servers do this to addresses they block, and firewalls to ports they do not allow.' : ''}`,
      'Test again; if it persists, ask IT whether a firewall blocks the port, or ask the provider whether this address is blocked.',
    );
  }
  if (stage === 'tls' || stage === 'starttls') {
    return make(
      'tls-handshake-failed',
      'Encryption could not be set up',
      `The TLS handshake with ${where(ctx)} failed: ${reason}.`,
      'Check the security setting and port; if they are right, ask the mail provider.',
    );
  }
  return make(
    'connection-failed',
    'The connection failed',
    `Connecting to ${where(ctx)} failed: ${reason || 'no reason given'}.`,
    'Check the server name, port and network connection.',
  );
}

/** The server closed the connection while Mailroom waited for it. */
export function explainClosed(stage: SocketStage, ctx: ExplainContext = {}, received = ''): Advice {
  const tlsHint = stage === 'greeting' && ctx.security !== 'tls' ? ` If this port expects SSL/TLS (usually ${SSL_PORT}), the server gives up on a client that does not start TLS.` : '';
  return make(
    'connection-closed',
    'The server closed the connection',
    `${where(ctx)} closed the connection${stage === 'greeting' ? ' before greeting' : ''}. Servers do this to addresses they block or when they are overloaded.${tlsHint}`,
    stage === 'greeting' && ctx.security !== 'tls'
      ? `Check the security setting (SSL/TLS for port ${SSL_PORT}, STARTTLS for ${STARTTLS_PORT}) and test again later.`
      : 'Test again later; if it persists, ask the mail provider.',
    received ? escapeServerText(received) : undefined,
  );
}

// ---- nodemailer ---------------------------------------------------------------------------------

/** An error thrown by nodemailer's sendMail or verify: its code, response and timeoutType. */
export function explainNodemailerError(err: unknown, ctx: ExplainContext = {}): Advice {
  const facts = factsOf(err);
  const tlsError = facts.code === 'ETLS' || /SSL routines|\bTLS\b|certificate/i.test(facts.message) || /^ERR_SSL_/.test(facts.originalCode);
  const stage: SocketStage = facts.command.toUpperCase() === 'STARTTLS' ? 'starttls' : tlsError ? 'tls' : 'smtp';

  if (facts.code === 'EABORT' || facts.name === 'AbortError') return cancelledAdvice();

  if (facts.code === 'ETIMEDOUT' || facts.timeoutType) {
    switch (facts.timeoutType) {
      case 'CONNECT_TIMEOUT':
        return explainTimeout('connect', ctx);
      case 'GREETING_TIMEOUT':
        return explainTimeout('greeting', ctx);
      case 'UPGRADE_TIMEOUT':
        return explainTimeout(ctx.security === 'tls' ? 'tls' : 'starttls', ctx);
      case 'SOCKET_TIMEOUT':
        // An idle timer: it fires at any point of the conversation. Port 465 without SSL/TLS is
        // the one case where the settings alone say which.
        if (ctx.port === SSL_PORT && ctx.security && ctx.security !== 'tls') return explainTimeout('greeting', ctx);
        return explainTimeout('data', ctx);
      default:
        return explainTimeout(facts.originalCode === 'ETIMEDOUT' ? 'connect' : 'reply', ctx);
    }
  }

  if (facts.code === 'ENOAUTH' || (facts.code === 'EAUTH' && /missing credentials/i.test(facts.message))) return explainNoPassword();

  if (facts.responseCode && facts.response) {
    if (/HELO does not support required STARTTLS/i.test(facts.message)) return explainStarttlsNotOffered(ctx, facts.response);
    return explainReply(facts.responseCode, facts.response, facts.command || 'CONN', ctx);
  }

  switch (facts.code) {
    case 'EAUTH':
      if (/unknown authentication method/i.test(facts.message)) {
        return make(
          'auth-mechanism-unsupported',
          'The server does not accept this sign-in method',
          'The server offers no sign-in method Mailroom can use with a password.',
          'Ask the mail provider which sign-in methods it supports; some accept only OAuth2.',
        );
      }
      return make('auth-failed', 'Sign-in failed', `Sign-in failed: ${escapeServerText(facts.message, 200)}.`, 'Check the user name and password.');
    case 'EENVELOPE':
      return make(
        'envelope-invalid',
        'An address is missing or invalid',
        `The message could not be addressed: ${escapeServerText(facts.message, 200)}.`,
        'Check the From address and the recipients.',
      );
    case 'EMESSAGE':
      if (/size larger than allowed/i.test(facts.message)) {
        const limit = /allowed (\d+)/.exec(facts.message)?.[1];
        return make(
          'message-too-large',
          'The message is too large',
          `The server accepts messages up to ${limit ? `${(Number(limit) / 1048576).toFixed(1)} MB` : 'a smaller size'}, and this one is larger.`,
          'Send smaller attachments (split them, or share a link), or lower "Max attachments (MB)" to what the server accepts.',
        );
      }
      break;
    case 'ECONFIG':
      return make('config-invalid', 'The settings are incomplete', `The mail settings are not usable: ${escapeServerText(facts.message, 200)}.`, 'Check the profile settings.');
    case 'EDNS':
      return explainSocketError(err, 'dns', ctx);
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETLS':
    case 'EPROXY': {
      if (/connection closed unexpectedly|server closed the connection|socket closed/i.test(facts.message) && !facts.originalCode) {
        if (facts.code === 'ETLS') return explainSocketError(Object.assign(new Error(facts.message), { code: 'ECONNRESET' }), stage, ctx);
        return explainClosed('smtp', ctx);
      }
      return explainSocketError(err, stage, ctx);
    }
    case 'EPROTOCOL':
      return make(
        'not-smtp',
        'Unexpected answer from the server',
        `The server's answer did not follow the SMTP protocol: ${escapeServerText(facts.message, 200)}.`,
        'Check the server name and port; a proxy or firewall may be altering the connection.',
      );
    default:
      break;
  }
  if (facts.originalCode || /^E[A-Z]+$/.test(facts.code) || /SSL routines/.test(facts.message)) return explainSocketError(err, stage, ctx);
  return make(
    'unknown-error',
    'Sending failed',
    `An unexpected error occurred: ${escapeServerText(facts.message || 'no details', 200)}.`,
    'Test the connection from the SMTP tab to see which step fails.',
  );
}
