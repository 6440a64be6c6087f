// What each channel does: translate the validated input into one call into the services, and
// the answer back. The rules (who may, what else a change implies) live in the services' use
// cases, so the dialog, browser mode and the command line follow the same ones. Inputs arrive
// already validated by dispatch; outputs are checked there too.
import type { z } from 'zod';
import { ok, type Channel, type Channels, type ChannelOutput, type Result, type Shell } from '../../preload/contract';
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
  const { settings: settingsCases, mail: mailCases } = services.useCases;
  return {
    'app:get-info': () => ok(services.info()),
    'app:start-up': async () =>
      ok({
        info: services.info(),
        whoami: mailCases.whoami(),
        settings: services.settings.readWithRevision(),
        notices: services.notices.list(),
        secrets: await settingsCases.secretStatus(),
        policy: services.policy.view(),
      }),
    'app:list-notices': () => ok(services.notices.list()),
    'app:dismiss-notice': ({ id }) => ok(services.notices.dismiss(id)),
    'app:whoami': () => ok(mailCases.whoami()),
    'office:senders': () => mailCases.senders(),
    'office:link-status': () => ok(services.officeLink.status(services.office ? 'office' : 'file')),
    'office:link-save': ({ url, password }) => settingsCases.saveOfficeLink(url, password),
    'office:link-clear': () => settingsCases.clearOfficeLink(),
    'policy:show': () => ok(services.policy.view()),
    'settings:get': () => ok(services.settings.read()),
    'settings:save': (settings) => settingsCases.save(settings),
    'settings:get-with-revision': () => ok(services.settings.readWithRevision()),
    'settings:save-if-unchanged': async ({ settings, baseRevision }) => {
      const saved = await settingsCases.save(settings, { baseRevision });
      return saved.ok ? ok(services.settings.readWithRevision()) : saved;
    },
    'secrets:status': async () => ok(await settingsCases.secretStatus()),
    'secrets:set-profile-password': ({ profileId, password }) => settingsCases.setProfilePassword(profileId, password),
    'users:set-own': (input) => settingsCases.setOwn(input),
    'users:set-password': ({ userId, password }) => settingsCases.setUserPassword(userId, password),
    'smtp:test-connection': ({ profile, password, ping }) => mailCases.testConnection(profile, { password, ping: ping ?? false }),
    'smtp:send-test': ({ profile, password, to }) => mailCases.sendTest(profile, to, password),
    'smtp:detect': ({ address }) => settingsCases.detectSettings(address),
    'oauth:status': async (input) => ok(await mailCases.oauthStatus(input?.profiles)),
    'oauth:sign-in-start': ({ profile, method }) => mailCases.startSignIn(profile, method),
    'oauth:sign-in-wait': ({ flowId }) => services.oauth.waitSignIn(flowId),
    'oauth:sign-in-cancel': ({ flowId }) => ok({ cancelled: services.oauth.cancelSignIn(flowId) }),
    'oauth:sign-out': async ({ profileId }) => {
      const signedOut = await mailCases.signOut(profileId);
      return signedOut.ok ? ok(signedOut.value.status) : signedOut;
    },
    'mail:send': (input) => services.compose.send(input),
    'mail:compose': (input) => services.compose.compose(input),
    'drafts:list': () => ok(services.drafts.list()),
    'drafts:get': ({ id }) => services.drafts.get(id),
    'drafts:save': ({ draft }) => ok(services.drafts.save(draft)),
    'drafts:delete': ({ id }) => ok({ deleted: services.drafts.delete(id) }),
    'outbox:list': (input) => mailCases.outboxList({ ...(input?.states ? { states: input.states } : {}), ...(input?.limit ? { limit: input.limit } : {}) }),
    'outbox:retry': ({ id }) => mailCases.retry(id),
    'outbox:cancel': ({ id }) => mailCases.cancel(id),
    'debug:open-folder': () => mailCases.openDebugFolder(),
    'debug:status': () => ok(services.debugLog.status()),
    'debug:check': async (input) => ok(await services.debugLog.check(input ?? {})),
  };
}
