// What each channel does. Inputs arrive already validated by dispatch; outputs are checked there too.
import type { z } from 'zod';
import { fail, ok, type Channel, type Channels, type ChannelOutput, type Result, type Shell } from '../../preload/contract';
import type { Services } from '../services';

export interface CallContext {
  shell: Shell;
}

export type Handler<C extends Channel> = (
  input: z.output<Channels[C]['input']>,
  ctx: CallContext,
) => Result<ChannelOutput<C>> | Promise<Result<ChannelOutput<C>>>;

export type Handlers = { [C in Channel]: Handler<C> };

export function createHandlers(services: Services): Handlers {
  return {
    'app:get-info': () => ok(services.info()),
    'app:list-notices': () => ok(services.notices.list()),
    'app:dismiss-notice': ({ id }) => ok(services.notices.dismiss(id)),
    'settings:get': () => ok(services.settings.read()),
    'settings:save': (settings) => {
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
    'smtp:test-connection': ({ profile, password, ping }) => services.mail.testConnection(profile, { password, ping: ping ?? false }),
    'smtp:send-test': async ({ profile, password, to }) => {
      const prepared = services.mail.prepare(profile, { password });
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
      return problem ? fail('io-error', `Could not open ${folder}: ${problem}`) : ok({ path: folder });
    },
    'debug:status': () => ok(services.debugLog.status()),
    'debug:check': async () => ok(await services.debugLog.check()),
  };

  function secretStatus() {
    const profilePasswords: Record<string, boolean> = {};
    for (const p of services.settings.read().smtp.profiles) profilePasswords[p.id] = services.mail.passwordSet(p.id);
    return { profilePasswords };
  }
}
