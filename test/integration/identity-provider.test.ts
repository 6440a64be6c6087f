// msal-node 7 against the Entra look-alike, configured the documented way: an authority under the
// provider's origin, knownAuthorities, and a network client that trusts the test CA. Also pins what
// MSAL surfaces for each failure, since the product maps those to advice.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InteractionRequiredAuthError,
  PublicClientApplication,
  ServerError,
  type AccountInfo,
  type Configuration,
} from '@azure/msal-node';
import {
  GRAPH_RESOURCE,
  GRAPH_SCOPES,
  OUTLOOK_RESOURCE,
  SMTP_SCOPE,
  TEST_CLIENT_ID,
  TEST_TENANT_DOMAIN,
  TEST_TENANT_ID,
  startIdentityProvider,
  type IdentityProvider,
} from '../helpers/identity-provider';
import { TestNetworkClient } from '../helpers/msal-network';

const UNKNOWN_CLIENT_ID = '00000000-0000-4000-8000-000000000001';

interface Failure {
  error: unknown;
  name: string;
  errorCode?: string;
  subError?: string;
  errorMessage: string;
}

async function failure(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { errorCode?: string; subError?: string; errorMessage?: string };
    return { error, name: e.constructor.name, errorCode: e.errorCode, subError: e.subError, errorMessage: e.errorMessage ?? e.message };
  }
  throw new Error('expected a failure');
}

/** Whether anything accepts TCP connections at this address and port. */
function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

let idp: IdentityProvider;

function msal(options: { tenant?: string; clientId?: string } = {}): PublicClientApplication {
  const config: Configuration = {
    auth: {
      clientId: options.clientId ?? TEST_CLIENT_ID,
      authority: `${idp.origin}/${options.tenant ?? TEST_TENANT_ID}`,
      knownAuthorities: [idp.host],
    },
    system: { networkClient: new TestNetworkClient({ ca: idp.ca }) },
  };
  return new PublicClientApplication(config);
}

beforeAll(async () => {
  idp = await startIdentityProvider();
});

afterAll(async () => {
  await idp?.close();
});

describe('msal-node against the test identity provider', () => {
  let pca: PublicClientApplication;
  let account: AccountInfo;

  it('signs in with auth code + PKCE in the browser, and keeps a refresh token', async () => {
    pca = msal();
    let loopback = { v4: false, v6: false };
    const result = await pca.acquireTokenInteractive({
      scopes: [SMTP_SCOPE, 'offline_access'],
      openBrowser: async (url) => {
        const port = Number(new URL(new URL(url).searchParams.get('redirect_uri') ?? '').port);
        loopback = { v4: await listening('127.0.0.1', port), v6: await listening('::1', port) };
        await idp.playBrowser(url);
      },
    });

    // MSAL's loopback listener: redirect_uri says http://localhost:PORT, the socket is 127.0.0.1 only.
    expect(loopback).toEqual({ v4: true, v6: false });
    expect(idp.loopbackAnswers.at(-1)).toMatchObject({ remoteAddress: '127.0.0.1', status: 200 });
    expect(idp.loopbackAnswers.at(-1)?.url).toMatch(/^http:\/\/localhost:\d+\/$/);

    const claims = await idp.verifyAccessToken(result.accessToken, OUTLOOK_RESOURCE);
    expect(claims).toMatchObject({ scp: 'SMTP.Send', upn: idp.users[0]?.username, preferred_username: idp.users[0]?.username, tid: TEST_TENANT_ID, oid: idp.users[0]?.oid });
    await expect(idp.verifyAccessToken(result.accessToken, GRAPH_RESOURCE)).rejects.toThrow(/aud/);
    expect(result.account).toMatchObject({
      username: idp.users[0]?.username,
      homeAccountId: `${idp.users[0]?.oid}.${TEST_TENANT_ID}`,
      tenantId: TEST_TENANT_ID,
    });
    const cache = JSON.parse(pca.getTokenCache().serialize()) as { RefreshToken: Record<string, unknown> };
    expect(Object.keys(cache.RefreshToken)).toHaveLength(1);
    account = result.account as AccountInfo;
  });

  it('refreshes silently with the refresh token', async () => {
    const before = idp.requests.length;
    idp.setAccessTokenTtl(120);
    const result = await pca.acquireTokenSilent({ account, scopes: [SMTP_SCOPE], forceRefresh: true });
    idp.setAccessTokenTtl(3600);
    const claims = await idp.verifyAccessToken(result.accessToken, OUTLOOK_RESOURCE);
    expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
    const lifetime = (result.expiresOn?.getTime() ?? 0) - Date.now();
    expect(lifetime).toBeGreaterThan(100_000);
    expect(lifetime).toBeLessThanOrEqual(121_000);
    const calls = idp.requests.slice(before);
    expect(calls.filter((r) => r.grantType).map((r) => [r.path, r.grantType])).toEqual([[`/${TEST_TENANT_ID}/oauth2/v2.0/token`, 'refresh_token']]);
  });

  it('signs in with a device code for Graph', async () => {
    let message = '';
    let userDone: Promise<void> | undefined;
    const result = await msal({ tenant: 'organizations' }).acquireTokenByDeviceCode({
      scopes: GRAPH_SCOPES,
      deviceCodeCallback: (response) => {
        message = response.message;
        userDone = idp.completeDeviceCode(response.userCode);
      },
    });
    await userDone;
    if (!result) throw new Error('no authentication result');
    expect(message).toMatch(/^To sign in, use a web browser to open the page https:\/\/localhost:\d+\/devicelogin and enter the code [A-Z]{9} to authenticate\.$/);
    const claims = await idp.verifyAccessToken(result.accessToken, GRAPH_RESOURCE);
    expect(claims.scp).toBe('Mail.Send Mail.ReadWrite');
    expect(result.account?.homeAccountId).toBe(account.homeAccountId);
    expect(idp.requests.filter((r) => r.grantType === 'device_code').map((r) => r.path)).toContain('/organizations/oauth2/v2.0/token');
  });

  it('refreshes an Outlook sign-in into Graph once Graph was consented, as Entra does', async () => {
    // The device-code sign-in above consented to Graph for the same user and app.
    const result = await pca.acquireTokenSilent({ account, scopes: GRAPH_SCOPES });
    expect((await idp.verifyAccessToken(result.accessToken, GRAPH_RESOURCE)).scp).toBe('Mail.Send Mail.ReadWrite');
  });

  it('asks for consent when the refresh is for a resource never consented', async () => {
    const megan = msal({ tenant: 'common' });
    const signedIn = await megan.acquireTokenInteractive({
      scopes: [SMTP_SCOPE],
      prompt: 'select_account',
      openBrowser: (url) => idp.playBrowser(url, { user: idp.users[1]?.username }),
    });
    expect(signedIn.account?.tenantId).toBe(TEST_TENANT_ID);
    const refused = await failure(megan.acquireTokenSilent({ account: signedIn.account as AccountInfo, scopes: GRAPH_SCOPES }));
    expect(refused.error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(refused).toMatchObject({ errorCode: 'invalid_grant', subError: 'consent_required' });
    expect(refused.errorMessage).toContain('AADSTS65001');
  });

  it('fails the silent refresh after the sessions were revoked', async () => {
    await idp.revokeAll();
    const revoked = await failure(pca.acquireTokenSilent({ account, scopes: [SMTP_SCOPE], forceRefresh: true }));
    expect(revoked.error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(revoked).toMatchObject({ name: 'InteractionRequiredAuthError', errorCode: 'invalid_grant', subError: 'bad_token' });
    expect(revoked.errorMessage).toContain('AADSTS50173');
    // On bad_token MSAL drops the refresh token: the next silent call does not reach the provider.
    const before = idp.requests.length;
    const again = await failure(pca.acquireTokenSilent({ account, scopes: [SMTP_SCOPE], forceRefresh: true }));
    expect(again.error).toBeInstanceOf(InteractionRequiredAuthError);
    expect(again.errorCode).toBe('no_tokens_found');
    expect(idp.requests.length).toBe(before);
  });

  it('a tenant that does not exist: Entra says AADSTS90002, MSAL only endpoints_resolution_error', async () => {
    const before = idp.requests.length;
    const wrongTenant = await failure(msal({ tenant: 'nosuch.example' }).acquireTokenByDeviceCode({ scopes: [SMTP_SCOPE], deviceCodeCallback: () => undefined }));
    expect(wrongTenant).toMatchObject({ name: 'ClientAuthError', errorCode: 'endpoints_resolution_error' });
    expect(idp.requests.slice(before)).toEqual([{ method: 'GET', path: '/nosuch.example/v2.0/.well-known/openid-configuration' }]);
  });

  it('an app that is not registered: AADSTS700016', async () => {
    const device = await failure(msal({ clientId: UNKNOWN_CLIENT_ID }).acquireTokenByDeviceCode({ scopes: [SMTP_SCOPE], deviceCodeCallback: () => undefined }));
    // MSAL ignores the devicecode endpoint's error, then polls and reports only the error word.
    expect(device).toMatchObject({ name: 'AuthError', errorCode: 'post_request_failed', errorMessage: 'unauthorized_client' });

    const browser = await failure(msal({ clientId: UNKNOWN_CLIENT_ID }).acquireTokenInteractive({ scopes: [SMTP_SCOPE], openBrowser: (url) => idp.playBrowser(url) }));
    // Entra shows an error page and never calls the app back; the scripted browser rejects with its text.
    expect(browser.errorMessage).toMatch(new RegExp(`^AADSTS700016: Application with identifier '${UNKNOWN_CLIENT_ID}' was not found in the directory`));
  });

  it('declined consent: AADSTS65004 in the browser, authorization_declined by device code', async () => {
    const browser = await failure(
      msal({ tenant: TEST_TENANT_DOMAIN }).acquireTokenInteractive({
        scopes: GRAPH_SCOPES,
        openBrowser: (url) => idp.playBrowser(url, { user: idp.users[1]?.username, consent: 'deny' }),
      }),
    );
    expect(browser.error).toBeInstanceOf(ServerError);
    expect(browser).toMatchObject({ name: 'ServerError', errorCode: 'access_denied' });
    expect(browser.errorMessage).toMatch(/^AADSTS65004: User declined to consent to access the app\./);

    let userDone: Promise<void> | undefined;
    const device = await failure(
      msal({ tenant: TEST_TENANT_DOMAIN }).acquireTokenByDeviceCode({
        scopes: GRAPH_SCOPES,
        deviceCodeCallback: (response) => {
          userDone = idp.completeDeviceCode(response.userCode, { user: idp.users[1]?.username, consent: 'deny' });
        },
      }),
    );
    await userDone;
    expect(device).toMatchObject({ name: 'AuthError', errorCode: 'post_request_failed', errorMessage: 'authorization_declined' });
  });
});
