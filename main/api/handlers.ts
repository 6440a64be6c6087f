// What each channel does. Inputs arrive already validated by dispatch; outputs are checked there too.
import type { z } from 'zod';
import { effectiveModes, fail, ok, type Channel, type Channels, type ChannelOutput, type Result, type Shell } from '../../preload/contract';
import type { Services } from '../services';
import { lockoutError } from '../services/settings/settings-service';

export interface CallContext {
  shell: Shell;
}

export type Handler<C extends Channel> = (
  input: z.output<Channels[C]['input']>,
  ctx: CallContext,
) => Result<ChannelOutput<C>> | Promise<Result<ChannelOutput<C>>>;

export type Handlers = { [C in Channel]: Handler<C> };

/**
 * Channels that change system settings or act for the whole organisation: only an administrator
 * may call them. Checked here, in main, whatever the UI shows.
 */
export const ADMIN_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  'settings:save',
  'secrets:set-profile-password',
  'oauth:sign-in-start',
  'oauth:sign-out',
]);

export function createHandlers(services: Services): Handlers {
  const handlers: Handlers = {
    'app:get-info': () => ok(services.info()),
    'app:list-notices': () => ok(services.notices.list()),
    'app:dismiss-notice': ({ id }) => ok(services.notices.dismiss(id)),
    'app:whoami': () => {
      const who = services.identity();
      return ok({ ...who, modes: effectiveModes(services.settings.read().mail, who.user) });
    },
    'settings:get': () => ok(services.settings.read()),
    'settings:save': (settings) => {
      const lockout = lockoutError(settings.users, services.identity().account);
      if (lockout) return lockout;
      const saved = services.settings.save(settings);
      if (saved.ok) services.mail.forgetRemovedProfiles();
      return saved;
    },
    'secrets:status': () => ok(secretStatus()),
    'secrets:set-profile-password': ({ profileId, password }) => {
      if (!services.settings.read().smtp.profiles.some((p) => p.id === profileId)) {
        return fail('not-found', 'Save the profile before setting its password', [{ path: 'profileId', message: 'No saved profile with this id' }]);
      }
      services.mail.setPassword(profileId, password);
      return ok(secretStatus());
    },
    'users:set-own': (input) => {
      const who = services.identity();
      if (!who.user) return fail('forbidden', `${who.account} is not one of the system users; an administrator can add you on the Users tab.`);
      const settings = services.settings.read();
      const mail = settings.mail;
      const refused: { path: string; message: string }[] = [];
      if (input.compose !== undefined && input.compose !== who.user.compose && !mail.composeUserSelectable) {
        refused.push({ path: 'compose', message: 'Your administrator decides how email is composed' });
      }
      if (input.send !== undefined && input.send !== who.user.send && !mail.sendUserSelectable) {
        refused.push({ path: 'send', message: 'Your administrator decides how email is sent' });
      }
      if (refused.length > 0) return fail('forbidden', refused.map((r) => r.message).join('; '), refused);
      const users = settings.users.map((u) =>
        u.id === who.user!.id
          ? {
              ...u,
              ...(input.compose !== undefined ? { compose: input.compose } : {}),
              ...(input.send !== undefined ? { send: input.send } : {}),
              ...(input.smtpUsername !== undefined ? { smtpUsername: input.smtpUsername } : {}),
            }
          : u,
      );
      const saved = services.settings.saveWellFormed({ ...settings, users });
      if (!saved.ok) return saved;
      return ok(saved.value.users.find((u) => u.id === who.user!.id)!);
    },
    'users:set-password': ({ userId, password }) => {
      const who = services.identity();
      if (!who.admin && who.user?.id !== userId) return fail('forbidden', 'Only an administrator can set another user\'s password.');
      if (!services.settings.read().users.some((u) => u.id === userId)) {
        return fail('not-found', 'Save the user before setting their password', [{ path: 'userId', message: 'No saved user with this id' }]);
      }
      services.mail.setUserPassword(userId, password);
      return ok(secretStatus());
    },
    // An administrator tests the profile as the dialog has it; anyone else the saved one (see profileForCaller).
    'smtp:test-connection': ({ profile: requested, password, ping }) => {
      const profile = services.mail.profileForCaller(requested, services.identity());
      if (!profile.ok) return profile;
      return services.mail.testConnection(profile.value, { password, ping: ping ?? false });
    },
    'smtp:send-test': async ({ profile: requested, password, to }) => {
      const chosen = services.mail.profileForCaller(requested, services.identity());
      if (!chosen.ok) return chosen;
      const profile = chosen.value;
      const prepared = await services.mail.prepare(profile, { password });
      if (!prepared.ok) return prepared;
      const { outcome } = await services.outbox.sendNow(profile, services.mail.testMessage(profile, to), 'test', { password });
      return ok(outcome);
    },
    'oauth:status': (input) => {
      const out: Record<string, ReturnType<typeof services.oauth.status>> = {};
      for (const p of input?.profiles ?? services.settings.read().smtp.profiles) if (p.authModel === 'oauth2') out[p.id] = services.oauth.status(p);
      return ok(out);
    },
    'oauth:sign-in-start': ({ profile, method }) => services.oauth.startSignIn(profile, method),
    'oauth:sign-in-wait': ({ flowId }) => services.oauth.waitSignIn(flowId),
    'oauth:sign-in-cancel': ({ flowId }) => ok({ cancelled: services.oauth.cancelSignIn(flowId) }),
    'oauth:sign-out': async ({ profileId }) => {
      const profile = services.settings.read().smtp.profiles.find((p) => p.id === profileId);
      await services.oauth.signOut(profile ?? { id: profileId });
      return ok(profile ? services.oauth.status(profile) : { profileId, signedIn: false, expiresAt: null, scopes: [] });
    },
    'mail:send': (input) => services.compose.send(input),
    'mail:compose': (input) => services.compose.compose(input),
    'drafts:list': () => ok(services.drafts.list()),
    'drafts:get': ({ id }) => services.drafts.get(id),
    'drafts:save': ({ draft }) => ok(services.drafts.save(draft)),
    'drafts:delete': ({ id }) => ok({ deleted: services.drafts.delete(id) }),
    'outbox:list': async (input) => {
      await services.outbox.open();
      const limit = input?.limit ?? 500;
      if (!input?.states) return ok(services.outbox.view(limit));
      const view = services.outbox.view(Number.MAX_SAFE_INTEGER);
      return ok({ ...view, entries: view.entries.filter((e) => input.states!.includes(e.state)).slice(0, limit) });
    },
    'outbox:retry': async ({ id }) => {
      const entry = await services.outbox.retry(id);
      return entry ? ok(entry) : fail('not-found', 'That message is no longer in the outbox');
    },
    'outbox:cancel': async ({ id }) => {
      const entry = await services.outbox.cancel(id);
      return entry ? ok(entry) : fail('not-found', 'That message is no longer in the outbox');
    },
    'debug:open-folder': async () => {
      const folder = services.settings.read().general.debug.path;
      if (!folder) return fail('invalid-input', 'Set the Email Debug File Path first', [{ path: 'general.debug.path', message: 'Required to open the folder' }]);
      const problem = await services.openPath(folder);
      return problem ? fail('io-error', `Could not open ${folder}: ${problem}`, [{ path: 'general.debug.path', message: problem }]) : ok({ path: folder });
    },
    'debug:status': () => ok(services.debugLog.status()),
    'debug:check': async () => ok(await services.debugLog.check()),
  };

  function secretStatus() {
    const settings = services.settings.read();
    const profilePasswords: Record<string, boolean> = {};
    for (const p of settings.smtp.profiles) profilePasswords[p.id] = services.mail.passwordSet(p.id);
    const userPasswords: Record<string, boolean> = {};
    for (const u of settings.users) userPasswords[u.id] = services.mail.userPasswordSet(u.id);
    return { profilePasswords, userPasswords };
  }

  // Every admin channel checks who is calling before anything else.
  for (const channel of ADMIN_CHANNELS) {
    const inner = handlers[channel] as Handler<Channel>;
    (handlers as Record<Channel, Handler<Channel>>)[channel] = (input, ctx) => {
      const who = services.identity();
      if (!who.admin) {
        return fail('forbidden', `Only an administrator can change system settings. You are signed in to this computer as ${who.account}${who.user ? '' : ', who is not one of the system users'}.`);
      }
      return inner(input, ctx);
    };
  }
  return handlers;
}
