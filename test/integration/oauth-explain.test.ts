// Sign-in failures explained from the identity provider's own answer, against real OpenID
// providers on loopback HTTPS: one that refuses an unknown client ID as Entra does (AADSTS700016),
// and one that follows the RFCs (invalid_client, no AADSTS number), in both sign-in flows.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type FileServices } from '../../main/services';
import { systemTrust } from '../../main/services/net/system-ca';
import { createConfFile } from '../../main/services/conf-file';
import { defaultSettings, newProfile, type SmtpProfile } from '../../preload/contract';
import { startIdentityProvider, TEST_CLIENT_ID, TEST_TENANT_DOMAIN, type IdentityProvider } from '../helpers/identity-provider';
import { createTestCa, type TestCa } from '../helpers/test-ca';
import { tempDir } from '../helpers/temp-dir';

const UNKNOWN_CLIENT_ID = '00000000-1111-2222-3333-444444444444';

let ca: TestCa;
const providers: Record<'entra' | 'standard', IdentityProvider> = {} as never;
let data: ReturnType<typeof tempDir>;
let services: FileServices;
let opened: string[];

beforeAll(async () => {
  ca = createTestCa('Mailroom OAuth Explain Test CA');
  providers.entra = await startIdentityProvider({ ca });
  providers.standard = await startIdentityProvider({ ca, unknownClient: 'standard' });
}, 60_000);
afterAll(async () => {
  await Promise.all(Object.values(providers).map((p) => p.close()));
});

function start(idp: IdentityProvider, trustCa = true): void {
  data = tempDir();
  opened = [];
  services = createServices({
    dataDir: data.dir,
    shell: 'browser',
    version: 't',
    createFile: createConfFile,
    // A long sign-in timeout: an answer that comes only when it runs out fails these tests.
    microsoftCloud: { loginUrl: idp.origin, graphUrl: 'https://localhost:1', ...(trustCa ? { ca: ca.cert } : {}), requestTimeoutMs: 10_000, signInTimeoutMs: 120_000 },
    openUrl: async (url) => {
      opened.push(url);
      void idp.playBrowser(url).catch(() => undefined);
      return '';
    },
  });
  const s = defaultSettings();
  s.general.organisationName = 'Contoso';
  s.general.alertFrom = 'alerts@contoso.test';
  expect(services.settings.save(s).ok).toBe(true);
}

beforeEach(() => {
  data = undefined as never;
});
afterEach(async () => {
  if (!data) return;
  services.oauth.close();
  await services.outbox.stop();
  data.cleanup();
});

function profile(over: Partial<SmtpProfile> = {}): SmtpProfile {
  return {
    ...newProfile('m365', 'Microsoft 365'),
    authModel: 'oauth2',
    tenant: TEST_TENANT_DOMAIN,
    clientId: TEST_CLIENT_ID,
    host: 'localhost',
    port: 587,
    security: 'starttls-required',
    fromAddress: 'accounts@contoso.test',
    ...over,
  };
}

async function signInOutcome(p: SmtpProfile, method: 'browser' | 'device-code') {
  const started = await services.oauth.startSignIn(p, method);
  if (!started.ok) throw new Error(started.error.message);
  const waited = await services.oauth.waitSignIn(started.value.flowId);
  if (!waited.ok) throw new Error(waited.error.message);
  return { started: started.value, outcome: waited.value };
}

describe('an unknown Client (application) ID', () => {
  for (const kind of ['standard', 'entra'] as const) {
    for (const method of ['device-code', 'browser'] as const) {
      it(`is explained as an unknown app registration: ${kind === 'standard' ? 'a provider that follows the RFCs (invalid_client)' : 'Entra (AADSTS700016)'}, sign-in ${method === 'browser' ? 'in the browser' : 'with a code'}`, async () => {
        start(providers[kind]);
        const { started, outcome } = await signInOutcome(profile({ clientId: UNKNOWN_CLIENT_ID }), method);
        expect(outcome.ok).toBe(false);
        if (outcome.ok) return;
        expect(outcome.advice.code).toBe('oauth-app-not-found');
        expect(outcome.advice.title).toBe('The app registration was not found');
        expect(outcome.advice.cause).toContain(UNKNOWN_CLIENT_ID);
        expect(outcome.advice.serverReply).toContain(kind === 'standard' ? 'invalid_client' : 'AADSTS700016');
        expect(outcome.advice.cause + outcome.advice.fix).not.toMatch(/below|above|post_request_failed/);
        // Nothing to show the user but the answer: no code to enter, no browser sent to an error page.
        expect(started.deviceCode).toBeUndefined();
        expect(opened).toEqual([]);
      });
    }
  }

  it('leaves a known client ID signing in in the browser as before', async () => {
    start(providers.standard);
    const { started, outcome } = await signInOutcome(profile(), 'browser');
    expect(outcome).toMatchObject({ ok: true, status: { signedIn: true } });
    expect(opened).toEqual([started.authUrl]);
  });
});

describe('a sign-in server whose certificate this computer does not trust', () => {
  it('(a proxy re-signing HTTPS with its own root) is explained with what makes it trusted here', async () => {
    // The provider's CA is in neither Node's roots nor this computer's store: as with a proxy IT has not set up yet.
    start(providers.standard, false);
    const { outcome } = await signInOutcome(profile(), 'device-code');
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.advice.code).toBe('oauth-cert-untrusted');
    expect(outcome.advice.cause).toContain(new URL(providers.standard.origin).host);
    if (systemTrust().state === 'unsupported') {
      expect(outcome.advice.fix).toMatch(/NODE_EXTRA_CA_CERTS/);
    } else {
      expect(outcome.advice.fix).toMatch(/certificate store \(Windows: Trusted Root Certification Authorities; macOS: the System keychain\), then restart Mailroom/);
      expect(outcome.advice.fix).not.toMatch(/NODE_EXTRA_CA_CERTS/);
    }
  });
});
