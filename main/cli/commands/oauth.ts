// sign-in and sign-out: Microsoft 365 OAuth2 for a profile, from a terminal. The browser sign-in
// opens the system browser and waits on a loopback port; --device-code suits a machine without one.
import type { OAuthStatus, SmtpProfile } from '../../../preload/contract';
import type { Command, Context } from '../command';
import { CliError, EXIT, failWith, printJson } from '../output';
import { formatAdvice } from './mail';
import { PROFILE_OPTION } from './profile';

function oauthProfile(ctx: Context, name: unknown): SmtpProfile {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new CliError({ code: 'invalid-input', message: 'Name the profile with --profile NAME', fields: [{ path: '--profile', message: 'Required' }] });
  }
  const found = ctx.services().useCases.mail.oauthProfile(name);
  if (!found.ok) {
    const { error } = found;
    // A profile that exists but signs in with a password: the command that switches it.
    const hint = error.code === 'invalid-input' ? ` Run: mailroom profile set "${name}" --auth-model oauth2 --client-id GUID` : '';
    throw failWith({ ...error, message: error.message + hint }, PROFILE_OPTION);
  }
  return found.value;
}

export function describeStatus(status: OAuthStatus): string {
  if (!status.signedIn) return status.problem ? `Not signed in: ${status.problem}` : 'Not signed in.';
  const who = status.displayName ? `${status.account} (${status.displayName})` : (status.account ?? 'unknown account');
  const until = status.expiresAt ? `access token valid until ${new Date(status.expiresAt).toLocaleString()}` : 'a new access token is fetched before sending';
  return `Signed in as ${who}; ${until}.`;
}

export const OAUTH_COMMANDS: Command[] = [
  {
    name: 'sign-in',
    summary: 'Sign a Microsoft 365 (OAuth2) profile in, in the browser or with a code',
    usage: 'mailroom sign-in --profile NAME [--device-code] [--json]',
    details: [
      'Opens the system browser at the Microsoft sign-in page and waits for you to finish (up to 10 minutes);',
      'the answer comes back to this computer on 127.0.0.1. If no browser opens, the address is printed.',
      '--device-code  sign in on any other device instead: open the printed address and enter the code.',
      'The sign-in is saved encrypted with the profile (in office mode, sealed for the sender services, which refresh it and send with it);',
      'tokens are refreshed before each send.',
      'Prompts go to standard error; with --json, standard output gets one JSON document with the result.',
    ].join('\n'),
    options: { profile: { type: 'string' }, 'device-code': { type: 'boolean' } },
    async run(ctx, values) {
      const profile = oauthProfile(ctx, values.profile);
      const oauth = ctx.services().oauth;
      const started = await ctx.services().useCases.mail.startSignIn(profile, values['device-code'] ? 'device-code' : 'browser');
      if (!started.ok) throw new CliError(started.error);
      const flow = started.value;
      if (flow.deviceCode) {
        ctx.io.stderr.write(`${flow.deviceCode.message}\n\nCode: ${flow.deviceCode.userCode}\nAddress: ${flow.deviceCode.verificationUri}\nWaiting for you to finish signing in…\n`);
      } else if (flow.authUrl) {
        ctx.io.stderr.write(`Finish signing in in your browser. If no browser window opened, open this address:\n${flow.authUrl}\nWaiting…\n`);
      }
      // Ctrl+C cancels the sign-in cleanly instead of leaving the listener behind.
      const onSignal = () => oauth.cancelSignIn(flow.flowId);
      process.once('SIGINT', onSignal);
      let outcome;
      try {
        const waited = await oauth.waitSignIn(flow.flowId);
        if (!waited.ok) throw new CliError(waited.error);
        outcome = waited.value;
      } finally {
        process.removeListener('SIGINT', onSignal);
      }
      if (!outcome.ok) {
        if (ctx.json) printJson(ctx.io, { ok: false, profile: profile.name, advice: outcome.advice });
        ctx.io.stderr.write(`error: ${formatAdvice(outcome.advice)}`);
        return EXIT.failed;
      }
      if (ctx.json) printJson(ctx.io, { ok: true, profile: profile.name, status: outcome.status });
      else ctx.io.stdout.write(`${profile.name}: ${describeStatus(outcome.status)}\n`);
      return EXIT.ok;
    },
  },
  {
    name: 'sign-out',
    summary: 'Sign a Microsoft 365 (OAuth2) profile out and delete its saved tokens',
    usage: 'mailroom sign-out --profile NAME [--json]',
    options: { profile: { type: 'string' } },
    async run(ctx, values) {
      const profile = oauthProfile(ctx, values.profile);
      const signedOut = await ctx.services().useCases.mail.signOut(profile.id);
      if (!signedOut.ok) throw new CliError(signedOut.error);
      const { was, status } = signedOut.value;
      if (ctx.json) printJson(ctx.io, { ok: true, profile: profile.name, wasSignedIn: was.signedIn, status });
      else ctx.io.stdout.write(`${profile.name}: ${was.signedIn ? `signed out${was.account ? ` ${was.account}` : ''}` : 'was not signed in'}; its saved tokens are deleted.\n`);
      return EXIT.ok;
    },
  },
];
