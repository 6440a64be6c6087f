// What went wrong signing in with Microsoft, in the same shape as every other advice: what
// happened, why, and what to change. MSAL's errors carry Entra's AADSTS codes in their text.
import type { Advice } from '../../../preload/contract';
import { escapeServerText } from '../mail/smtp-text';

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
  'oauth-redirect-uri',
  'oauth-conditional-access',
  'oauth-mfa-required',
  'oauth-device-code-expired',
  'oauth-cancelled',
  'oauth-timeout',
  'oauth-unreachable',
  'oauth-cert-untrusted',
  'oauth-browser-failed',
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
}

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
  text: string;
  aadsts: string | undefined;
  name: string;
}

function factsOf(error: unknown): MsalErrorFacts {
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const text = [str(e.errorMessage), str(e.message)].filter(Boolean).join(' ');
  return {
    errorCode: str(e.errorCode),
    subError: str(e.subError),
    text,
    aadsts: /AADSTS(\d+)/.exec(text)?.[1],
    name: str(e.name) || (error instanceof Error ? error.name : ''),
  };
}

/** The identity provider's own words, short and escaped, for the "server said" line. */
function reply(f: MsalErrorFacts): string | undefined {
  const line = f.text.split(/\r?\n/)[0]?.trim() ?? '';
  return line ? escapeServerText(line, 400) : undefined;
}

/** Explains an error thrown by MSAL (or by the network under it). */
export function explainMsalError(error: unknown, ctx: OAuthContext): OAuthProblem {
  const f = factsOf(error);
  const said = reply(f);
  const adviceOf = (code: OAuthAdviceCode, title: string, cause: string, fix: string, temporary = false): OAuthProblem => ({
    advice: make(code, title, cause, fix, said),
    temporary,
  });
  const appLink = 'Microsoft Entra admin center > App registrations';

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
          ? `Microsoft does not know the tenant "${escapeServerText(ctx.tenant, 120)}".`
          : `The account that signed in is not a member of the tenant "${escapeServerText(ctx.tenant, 120)}" (it may be a personal account, or from another organisation).`,
        'Set Tenant to your organisation\'s directory (tenant) ID or its domain (e.g. contoso.onmicrosoft.com), or "organizations" for any work account, and sign in with a work account of that organisation.',
      );
    case '700016':
      return adviceOf(
        'oauth-app-not-found',
        'The app registration was not found',
        `No application with the Client (application) ID ${escapeServerText(ctx.clientId, 60)} exists in the tenant "${escapeServerText(ctx.tenant, 120)}".`,
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

  if (/^(device_code_expired|expired_token|code_expired)$/.test(f.errorCode) || /device code expired|expired_token/i.test(f.text)) {
    return adviceOf('oauth-device-code-expired', 'The sign-in code expired', 'The code was not entered in time.', 'Start the sign-in with a code again, and enter the new code right away.');
  }
  if (/authorization_declined|access_denied/.test(f.errorCode) || /access_denied|authorization_declined/.test(f.text)) {
    return adviceOf('oauth-consent-declined', 'Sign-in was declined', 'The sign-in was declined at the Microsoft page (the permissions were refused, or the user cancelled).', 'Sign in again and accept the permissions, or ask an administrator to grant consent for the organisation.');
  }
  if (f.errorCode === 'user_cancelled' || /user_cancelled/.test(f.text)) return cancelled();
  if (f.errorCode === 'invalid_grant' || f.subError === 'bad_token' || f.name === 'InteractionRequiredAuthError' || f.errorCode === 'interaction_required' || f.errorCode === 'login_required') {
    return adviceOf('oauth-refresh-expired', 'The sign-in has expired or was revoked', 'Microsoft no longer accepts the saved sign-in.', SIGN_IN_AGAIN);
  }
  if (f.errorCode === 'consent_required') {
    return adviceOf('oauth-consent-required', 'The app has not been allowed to send mail', 'Consent is needed for the permissions this app asks for.', `Ask an administrator to grant admin consent (${appLink} > your app > API permissions), then sign in again.`);
  }
  if (f.errorCode === 'invalid_client' || f.errorCode === 'unauthorized_client') {
    return adviceOf('oauth-app-not-found', 'The app registration was refused', `Microsoft refused the Client (application) ID ${escapeServerText(ctx.clientId, 60)}.`, `Check the Application (client) ID and Tenant in ${appLink}, and that "Allow public client flows" is on.`);
  }
  if (/certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_/i.test(f.text)) {
    return adviceOf('oauth-cert-untrusted', 'The sign-in server\'s certificate is not trusted', `The certificate of ${escapeServerText(ctx.loginHost, 120)} could not be verified (a proxy or security product may be intercepting HTTPS).`, 'Ask IT to install the organisation\'s root certificate on this computer (or set NODE_EXTRA_CA_CERTS), then try again.');
  }
  if (/network|ENOTFOUND|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EAI_AGAIN|did not answer|Could not reach|Request timeout/i.test(f.text) || f.errorCode === 'network_error') {
    return adviceOf('oauth-unreachable', 'Microsoft sign-in could not be reached', `Mailroom could not reach ${escapeServerText(ctx.loginHost, 120)} to get an access token.`, 'Check the internet connection and any proxy or firewall; Mailroom tries again later by itself.', true);
  }
  if (/^(temporarily_unavailable|server_error)$/.test(f.errorCode) || /AADSTS(90033|90055|50196)\b/.test(f.text)) {
    return adviceOf('oauth-unreachable', 'Microsoft sign-in is busy', 'Microsoft\'s sign-in service answered that it is unavailable for now.', 'Wait a few minutes; Mailroom tries again later by itself.', true);
  }
  return adviceOf('oauth-failed', 'Sign-in with Microsoft failed', `Microsoft answered with an error${f.errorCode ? ` (${escapeServerText(f.errorCode, 60)})` : ''}.`, 'Read the message from Microsoft below; check Tenant and Client (application) ID, then sign in again.');
}
