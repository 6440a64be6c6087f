// What went wrong signing in with Microsoft, in the same shape as every other advice: what
// happened, why, and what to change. The provider's own error answer decides (its OAuth2 error word
// and description, with Entra's AADSTS number), whichever MSAL error carried it.
import type { Advice } from '../../../preload/contract';
import { escapeServerText } from '../text/server-text';
import { OAUTH_ERROR_WORDS, type ProviderError } from './msal-network';

export const OAUTH_ADVICE_CODES = [
  'oauth-not-configured',
  'oauth-sign-in-needed',
  'oauth-other-connection',
  'oauth-refresh-expired',
  'oauth-consent-required',
  'oauth-consent-declined',
  'oauth-wrong-tenant',
  'oauth-app-not-found',
  'oauth-not-public-client',
  'oauth-client-not-allowed',
  'oauth-invalid-scope',
  'oauth-redirect-uri',
  'oauth-conditional-access',
  'oauth-mfa-required',
  'oauth-device-code-expired',
  'oauth-cancelled',
  'oauth-timeout',
  'oauth-unreachable',
  'oauth-cert-untrusted',
  'oauth-browser-failed',
  'oauth-sender-only',
  'oauth-not-saved',
  'oauth-store-unavailable',
  'oauth-failed',
] as const;
export type OAuthAdviceCode = (typeof OAUTH_ADVICE_CODES)[number];

export interface OAuthProblem {
  advice: Advice;
  /** A network or service hiccup: trying again later may work without anyone acting. */
  temporary: boolean;
}

export interface OAuthContext {
  tenant: string;
  clientId: string;
  loginHost: string;
  /**
   * Whether this process trusts the computer's certificate store (see net/system-ca.ts): so in the
   * app, not on a Node.js too old for it, where NODE_EXTRA_CA_CERTS is the way. True when absent.
   */
  systemStore?: boolean;
}

/** What makes a proxy's or the organisation's own root certificate trusted, where Mailroom reads the computer's store. */
const ROOT_CERT_IN_STORE =
  'Ask IT to install the organisation\'s root certificate in this computer\'s certificate store (Windows: Trusted Root Certification Authorities; macOS: the System keychain), then restart Mailroom and try again.';
/** The same on a Node.js that does not read the store (the command line on an older Node.js). */
const ROOT_CERT_IN_FILE =
  'Ask IT for the organisation\'s root certificate (a PEM file) and set NODE_EXTRA_CA_CERTS to that file before starting Mailroom (this Node.js does not read the computer\'s certificate store), then try again.';

function make(code: OAuthAdviceCode, title: string, cause: string, fix: string, serverReply?: string): Advice {
  return serverReply ? { code, title, cause, fix, serverReply } : { code, title, cause, fix };
}

const SIGN_IN_AGAIN = 'Sign in again on the SMTP tab (or run: mailroom sign-in --profile NAME).';

export function signInNeeded(cause: string): OAuthProblem {
  return { advice: make('oauth-sign-in-needed', 'Sign in with Microsoft first', cause, SIGN_IN_AGAIN), temporary: false };
}

/** The sign-in was made for another server, app registration or tenant: its token goes nowhere else. */
export function signedInForOtherConnection(): OAuthProblem {
  return {
    advice: make(
      'oauth-other-connection',
      'Sign in again for these settings',
      "The Microsoft sign-in of this profile was made for another server, port, security setting, Client (application) ID or Tenant, so its token is not sent with the profile's settings as they are now.",
      'Save the profile, then sign in again on the SMTP tab (or run: mailroom sign-in --profile NAME).',
    ),
    temporary: false,
  };
}

/** Office mode: the sign-in is sealed for the sender services, and this process is not one. */
export function keptForSenders(): OAuthProblem {
  return {
    advice: make(
      'oauth-sender-only',
      'The sign-in is kept for the sender services',
      "In office mode the Microsoft 365 sign-in of a shared profile is sealed so that only the office's sender services can use it; this computer cannot.",
      'Send through the outbox, which the sender service delivers, and use Test connection, which the sender service runs.',
    ),
    temporary: false,
  };
}

/** The sign-in finished but could not be kept. */
export function signInNotSaved(reason: string): OAuthProblem {
  return { advice: make('oauth-not-saved', 'The sign-in could not be saved', reason, 'Try signing in again; if it keeps failing, check the connection to the office database.'), temporary: false };
}

/** The place the sign-in is kept did not answer (the office database): waiting may help. */
export function storeUnavailable(reason: string): OAuthProblem {
  return { advice: make('oauth-store-unavailable', 'The saved sign-in could not be read', reason, 'Nothing to change: the outbox tries again later by itself.'), temporary: true };
}

export function notConfigured(cause: string, fix: string): OAuthProblem {
  return { advice: make('oauth-not-configured', 'OAuth2 is not set up for this profile', cause, fix), temporary: false };
}

export function cancelled(): OAuthProblem {
  return { advice: make('oauth-cancelled', 'Sign-in cancelled', 'The sign-in was cancelled before it finished.', 'Start it again when you are ready.'), temporary: false };
}

export function timedOut(minutes: number): OAuthProblem {
  return {
    advice: make('oauth-timeout', 'Sign-in took too long', `The sign-in was not finished within ${minutes} minutes, so Mailroom stopped waiting.`, 'Start it again and finish it in the browser (or enter the code) right away.'),
    temporary: false,
  };
}

export function browserFailed(reason: string, url: string): OAuthProblem {
  return {
    advice: make('oauth-browser-failed', 'The browser could not be opened', `Mailroom could not open the system browser (${reason}).`, `Open this address in a browser yourself: ${url}, or sign in with a code instead.`),
    temporary: false,
  };
}

interface MsalErrorFacts {
  errorCode: string;
  subError: string;
  /** MSAL's words, and the provider's description before them when it answered. */
  text: string;
  aadsts: string | undefined;
  name: string;
  /** The provider's OAuth2 error word (invalid_client…), from its own answer or from what MSAL passed on. */
  oauthError: string;
  /** The provider's own words for the "server said" line. */
  said: string | undefined;
}

/** MSAL errors raised on this side, with no answer from the provider behind them. */
const LOCAL_FAILURES = new Set([
  'user_cancelled',
  'network_error',
  'user_timeout_reached',
  'no_tokens_found',
  'no_account_found',
  'no_account_in_silent_request',
  'state_mismatch',
  'invalid_state',
  'endpoints_resolution_error',
  'openid_config_error',
]);

function factsOf(error: unknown, provider?: ProviderError): MsalErrorFacts {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const msalText = [str(e.errorMessage), str(e.message)].filter(Boolean).join(' ');
  const errorCode = str(e.errorCode);
  const name = str(e.name) || (error instanceof Error ? error.name : '');
  // The provider's last answer explains MSAL's error unless MSAL failed on its own side (the
  // endpoint checks are explained by the caller, which asks the authority itself).
  const p = provider && !LOCAL_FAILURES.has(errorCode) && name !== 'ClientConfigurationError' ? provider : undefined;
  const bareWord = str(e.errorMessage).trim();
  const oauthError =
    p && OAUTH_ERROR_WORDS.has(p.error) ? p.error : OAUTH_ERROR_WORDS.has(errorCode) ? errorCode : OAUTH_ERROR_WORDS.has(bareWord) ? bareWord : '';
  const providerWords = p ? [p.error.startsWith('http_') ? '' : p.error, p.description].filter(Boolean).join(': ') : '';
  const text = [providerWords, msalText].filter(Boolean).join(' ');
  return {
    errorCode,
    subError: str(e.subError),
    text,
    aadsts: /AADSTS(\d+)/.exec(providerWords)?.[1] ?? /AADSTS(\d+)/.exec(msalText)?.[1],
    name,
    oauthError,
    said: firstLine(providerWords || msalText),
  };
}

/** The identity provider's own words, short and escaped, for the "server said" line. */
function firstLine(text: string): string | undefined {
  const line = text.split(/\r?\n/)[0]?.trim() ?? '';
  return line ? escapeServerText(line, 400) : undefined;
}

/**
 * Explains an error thrown by MSAL (or by the network under it), from the provider's own answer
 * when there is one: its `error` word and `error_description` (with Entra's AADSTS number) decide,
 * whichever code MSAL wrapped them in.
 */
export function explainMsalError(error: unknown, ctx: OAuthContext, provider?: ProviderError): OAuthProblem {
  const f = factsOf(error, provider);
  const said = f.said;
  const adviceOf = (code: OAuthAdviceCode, title: string, cause: string, fix: string, temporary = false): OAuthProblem => ({
    advice: make(code, title, cause, fix, said),
    temporary,
  });
  const appLink = 'Microsoft Entra admin center > App registrations';
  const clientId = escapeServerText(ctx.clientId, 60);
  const tenant = escapeServerText(ctx.tenant, 120);

  switch (f.aadsts) {
    case '65001':
      return adviceOf(
        'oauth-consent-required',
        'The app has not been allowed to send mail',
        'Nobody has consented to the permissions this app registration asks for (SMTP.Send, or Mail.Send and Mail.ReadWrite), and this user may not consent alone.',
        `Ask an administrator to grant admin consent: ${appLink} > your app > API permissions > Grant admin consent. Then sign in again.`,
      );
    case '65004':
      return adviceOf('oauth-consent-declined', 'Permission was declined', 'The sign-in was stopped at the permission prompt: the app was not allowed to send mail for this account.', 'Sign in again and accept the permissions, or ask an administrator to grant consent for the organisation.');
    case '90002':
    case '90072':
    case '50020':
    case '50034':
    case '500208':
      return adviceOf(
        'oauth-wrong-tenant',
        f.aadsts === '90002' ? 'Tenant not found' : 'This account does not belong to the tenant',
        f.aadsts === '90002'
          ? `Microsoft does not know the tenant "${tenant}".`
          : `The account that signed in is not a member of the tenant "${tenant}" (it may be a personal account, or from another organisation).`,
        'Set Tenant to your organisation\'s directory (tenant) ID or its domain (e.g. contoso.onmicrosoft.com), or "organizations" for any work account, and sign in with a work account of that organisation.',
      );
    case '700016':
      return adviceOf(
        'oauth-app-not-found',
        'The app registration was not found',
        `No application with the Client (application) ID ${clientId} exists in the tenant "${tenant}".`,
        `Copy the Application (client) ID from ${appLink} > your app > Overview, and check that Tenant is the directory the app is registered in.`,
      );
    case '7000218':
    case '700025':
      return adviceOf(
        'oauth-not-public-client',
        'The app registration is not a public client',
        'The app registration asks for a client secret, so a desktop app cannot sign in with it.',
        `In ${appLink} > your app > Authentication, turn on "Allow public client flows" and add the platform "Mobile and desktop applications" with the redirect URI http://localhost.`,
      );
    case '50011':
    case '500113':
      return adviceOf(
        'oauth-redirect-uri',
        'The redirect address is not registered',
        'The app registration does not list http://localhost as a redirect URI, so Microsoft will not send the sign-in back to Mailroom.',
        `In ${appLink} > your app > Authentication, add the platform "Mobile and desktop applications" with the redirect URI http://localhost.`,
      );
    case '53003':
    case '53000':
    case '53001':
      return adviceOf('oauth-conditional-access', 'Blocked by a Conditional Access policy', 'The organisation\'s Conditional Access policies do not allow this sign-in (this device, location or app).', 'Ask your Microsoft 365 administrator to allow this app, or sign in from a compliant device.');
    case '50076':
    case '50079':
    case '50158':
      return adviceOf('oauth-mfa-required', 'Multi-factor sign-in is needed', 'The organisation now requires multi-factor sign-in, which can only happen in the browser.', SIGN_IN_AGAIN);
    case '70008':
    case '700082':
    case '700084':
    case '50173':
    case '50132':
    case '50133':
    case '50089':
    case '70043':
    case '50078':
      return adviceOf(
        'oauth-refresh-expired',
        'The sign-in has expired or was revoked',
        'Microsoft no longer accepts the saved sign-in (the refresh token expired, was revoked by an administrator, or the password changed).',
        SIGN_IN_AGAIN,
      );
    case '70000':
    case '70002':
      break;
    default:
      break;
  }

  const word = f.oauthError;
  if (word === 'expired_token' || /^(device_code_expired|code_expired)$/.test(f.errorCode) || /device code expired/i.test(f.text)) {
    return adviceOf('oauth-device-code-expired', 'The sign-in code expired', 'The code was not entered in time.', 'Start the sign-in with a code again, and enter the new code right away.');
  }
  if (word === 'access_denied' || word === 'authorization_declined') {
    return adviceOf(
      'oauth-consent-declined',
      'Sign-in was declined',
      `The sign-in was declined at Microsoft's sign-in page (${word}): the permissions were refused, or the user cancelled.`,
      'Sign in again and accept the permissions, or ask an administrator to grant consent for the organisation.',
    );
  }
  if (f.errorCode === 'user_cancelled' || /user_cancelled/.test(f.text)) return cancelled();
  if (word === 'invalid_client') {
    return adviceOf(
      'oauth-app-not-found',
      'The app registration was not found',
      `Microsoft's sign-in service does not know an app registration with the Client (application) ID ${clientId} in the tenant "${tenant}" (invalid_client).`,
      `Copy the Application (client) ID from ${appLink} > your app > Overview, check that Tenant is the directory the app is registered in, and that "Allow public client flows" is on under Authentication.`,
    );
  }
  if (word === 'unauthorized_client') {
    return adviceOf(
      'oauth-client-not-allowed',
      'The app registration does not allow this sign-in',
      `The app registration with the Client (application) ID ${clientId} may not sign in this way (unauthorized_client): a desktop app signs in as a public client, in the browser or with a code.`,
      `In ${appLink} > your app > Authentication, turn on "Allow public client flows" and add the platform "Mobile and desktop applications" with the redirect URI http://localhost. Then sign in again.`,
    );
  }
  if (word === 'invalid_grant' || f.subError === 'bad_token' || f.name === 'InteractionRequiredAuthError' || word === 'interaction_required' || word === 'login_required') {
    return adviceOf(
      'oauth-refresh-expired',
      'The sign-in has expired or was revoked',
      `Microsoft no longer accepts this sign-in${word === 'invalid_grant' ? ' (invalid_grant)' : ''}: the saved sign-in or the one-time code has expired, was already used, or was revoked (by an administrator, or by a password change).`,
      SIGN_IN_AGAIN,
    );
  }
  if (word === 'consent_required') {
    return adviceOf('oauth-consent-required', 'The app has not been allowed to send mail', 'Consent is needed for the permissions this app asks for.', `Ask an administrator to grant admin consent (${appLink} > your app > API permissions), then sign in again.`);
  }
  if (word === 'invalid_scope') {
    return adviceOf(
      'oauth-invalid-scope',
      'The permissions asked for were refused',
      'Microsoft\'s sign-in service does not know, or does not allow this app registration, the permissions Mailroom asks for (invalid_scope): SMTP.Send for SMTP, or Mail.Send and Mail.ReadWrite for Graph.',
      `In ${appLink} > your app > API permissions, add Office 365 Exchange Online > SMTP.Send (for SMTP) or Microsoft Graph > Mail.Send and Mail.ReadWrite (for Graph), grant admin consent, then sign in again.`,
    );
  }
  if (!word && /certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(f.text)) {
    return adviceOf('oauth-cert-untrusted', 'The sign-in server\'s certificate is not trusted', `The certificate of ${escapeServerText(ctx.loginHost, 120)} could not be verified (a proxy or security product may be intercepting HTTPS).`, ctx.systemStore === false ? ROOT_CERT_IN_FILE : ROOT_CERT_IN_STORE);
  }
  if (!word && (/network|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|did not answer|Could not reach|Request timeout/i.test(f.text) || f.errorCode === 'network_error')) {
    return adviceOf('oauth-unreachable', 'Microsoft sign-in could not be reached', `Mailroom could not reach ${escapeServerText(ctx.loginHost, 120)} to get an access token.`, 'Check the internet connection and any proxy or firewall; Mailroom tries again later by itself.', true);
  }
  if (word === 'temporarily_unavailable' || word === 'server_error' || /^(temporarily_unavailable|server_error)$/.test(f.errorCode) || /AADSTS(90033|90055|50196)\b/.test(f.text)) {
    return adviceOf('oauth-unreachable', 'Microsoft sign-in is busy', 'Microsoft\'s sign-in service answered that it is unavailable for now.', 'Wait a few minutes; Mailroom tries again later by itself.', true);
  }
  const named = word || (provider && !provider.error.startsWith('http_') ? provider.error : '') || f.errorCode;
  return adviceOf(
    'oauth-failed',
    'Sign-in with Microsoft failed',
    `Microsoft's sign-in service answered with an error${named ? ` (${escapeServerText(named, 60)})` : ''}.`,
    'Read what the server said; check Tenant and Client (application) ID, then sign in again.',
  );
}
