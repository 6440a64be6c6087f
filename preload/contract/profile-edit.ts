// The rules for editing a server profile, shared by the dialog's editor and `mailroom profile set`
// so that both fill in the same things: Microsoft 365's server for OAuth2, and a port that follows
// the security mode unless the user chose it or machine policy sets it.
import { DEFAULT_PORTS, MICROSOFT_365_SMTP, type SmtpProfile } from './smtp';

export interface ProfileEditOptions {
  /** The user chose the port themselves (typed it, or gave --port): it never moves with the security mode. */
  portTyped?: boolean;
  /** Fields machine policy sets: what a change implies leaves them as they are (a change that gives one is refused elsewhere). */
  locked?: ReadonlySet<string>;
}

/**
 * The profile after `change`, with the fields the change implies:
 * - choosing OAuth2, or Microsoft 365 as its provider, sets Exchange Online's submission endpoint
 *   (smtp.office365.com, 587, STARTTLS required), sign-in required and shared credentials, since
 *   the sign-in is one account for the whole profile; fields the change itself gives are kept;
 * - a new security mode moves a port still on the old mode's default to the new one's default.
 */
export function applyProfileEdit(profile: SmtpProfile, change: Partial<SmtpProfile>, options: ProfileEditOptions = {}): SmtpProfile {
  const next: SmtpProfile = { ...profile, ...change };
  const given = (key: keyof SmtpProfile) => change[key] !== undefined;
  const portChosen = Boolean(options.portTyped) || given('port') || Boolean(options.locked?.has('port'));
  const free = (key: keyof SmtpProfile) => !options.locked?.has(key);

  if (given('security') && next.security !== profile.security && !portChosen) {
    const oldDefault = DEFAULT_PORTS[profile.security];
    const newDefault = DEFAULT_PORTS[next.security];
    if (newDefault !== undefined && profile.port === oldDefault) next.port = newDefault;
  }

  const choosesOAuth2 = change.authModel === 'oauth2' && profile.authModel !== 'oauth2';
  const choosesMicrosoft365 = change.oauthProvider === 'microsoft365' && next.authModel === 'oauth2';
  if (choosesOAuth2 || choosesMicrosoft365) {
    if (!given('host') && free('host')) next.host = MICROSOFT_365_SMTP.host;
    if (!given('host') && !portChosen) next.port = MICROSOFT_365_SMTP.port;
    if (!given('security') && free('security')) next.security = MICROSOFT_365_SMTP.security;
    if (!given('auth') && free('auth')) next.auth = 'required';
    if (!given('credentials') && free('credentials')) next.credentials = 'shared';
  }
  return next;
}
