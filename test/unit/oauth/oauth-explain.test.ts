// Sign-in advice is read from the provider's own OAuth2 error answer (RFC 6749 section 5.2), whichever
// MSAL error carried it. The bodies below are the ones real providers send: oidc-provider (which
// follows the RFCs) and Microsoft Entra ID (AADSTS numbers in error_description and error_codes).
import { describe, expect, it } from 'vitest';
import { explainMsalError, type OAuthContext } from '../../../main/services/oauth/oauth-explain';
import { providerErrorOf } from '../../../main/services/oauth/msal-network';

const ctx: OAuthContext = { tenant: 'contoso.onmicrosoft.com', clientId: '11111111-2222-3333-4444-555555555555', loginHost: 'login.microsoftonline.com' };

/** What MSAL throws for an error answer while polling or redeeming: its own code, the bare word. */
const postRequestFailed = (word: string) => ({ name: 'AuthError', errorCode: 'post_request_failed', errorMessage: word, message: `post_request_failed: ${word}` });
/** What MSAL throws for an error on the redirect back from the browser: the word as its code. */
const serverError = (word: string, description: string) => ({ name: 'ServerError', errorCode: word, errorMessage: description, message: `${word}: ${description}` });

const entra = (error: string, code: number, message: string) => ({
  error,
  error_description: `AADSTS${code}: ${message}\r\nTrace ID: 0f6e4b1c-5a3d-4c1e-9b2f-7d8e9f0a1b2c\r\nCorrelation ID: 3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4\r\nTimestamp: 2026-11-30 09:12:44Z`,
  error_codes: [code],
  timestamp: '2026-11-30 09:12:44Z',
  trace_id: '0f6e4b1c-5a3d-4c1e-9b2f-7d8e9f0a1b2c',
  correlation_id: '3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4',
  error_uri: `https://login.microsoftonline.com/error?code=${code}`,
});

function explain(error: unknown, status: number, body: unknown) {
  return explainMsalError(error, ctx, providerErrorOf(status, body)).advice;
}

describe('sign-in advice from the provider\'s own error', () => {
  it('invalid_client from a provider that follows the RFCs: the app registration is unknown, not "post_request_failed"', () => {
    const advice = explain(postRequestFailed('invalid_client'), 401, { error: 'invalid_client', error_description: 'client authentication failed' });
    expect(advice.code).toBe('oauth-app-not-found');
    expect(advice.cause).toContain(ctx.clientId);
    expect(advice.serverReply).toBe('invalid_client: client authentication failed');
    expect(JSON.stringify(advice)).not.toContain('post_request_failed');
  });

  it('Entra\'s AADSTS number decides over the error word it came with', () => {
    const unknownApp = entra('unauthorized_client', 700016, `Application with identifier '${ctx.clientId}' was not found in the directory 'contoso.onmicrosoft.com'.`);
    expect(explain(postRequestFailed('unauthorized_client'), 400, unknownApp).code).toBe('oauth-app-not-found');
    const noSecret = entra('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    expect(explain(serverError('invalid_client', 'AADSTS7000218'), 401, noSecret).code).toBe('oauth-not-public-client');
    // Entra lists the number in error_codes too: it still counts when the description lost it.
    const bare = { error: 'invalid_request', error_description: 'The tenant was not found.', error_codes: [90002] };
    expect(explain(postRequestFailed('invalid_request'), 400, bare).code).toBe('oauth-wrong-tenant');
  });

  it('unauthorized_client: the app registration may not sign in this way', () => {
    const advice = explain(postRequestFailed('unauthorized_client'), 400, { error: 'unauthorized_client', error_description: 'requested grant type is not allowed for this client' });
    expect(advice.code).toBe('oauth-client-not-allowed');
    expect(advice.title).toBe('The app registration does not allow this sign-in');
    expect(advice.fix).toContain('Allow public client flows');
  });

  it('invalid_grant: the sign-in or code is no longer accepted, sign in again', () => {
    const advice = explain(serverError('invalid_grant', 'grant request is invalid'), 400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
    expect(advice.code).toBe('oauth-refresh-expired');
    expect(advice.cause).toContain('invalid_grant');
    expect(advice.fix).toContain('Sign in again');
    expect(explain(postRequestFailed('invalid_grant'), 400, entra('invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity.')).code).toBe('oauth-refresh-expired');
  });

  it('access_denied: the sign-in was declined at the sign-in page', () => {
    const advice = explain(serverError('access_denied', 'End-User aborted interaction'), 400, { error: 'access_denied', error_description: 'End-User aborted interaction' });
    expect(advice.code).toBe('oauth-consent-declined');
    expect(advice.title).toBe('Sign-in was declined');
    expect(advice.serverReply).toBe('access_denied: End-User aborted interaction');
  });

  it('invalid_scope: the permissions asked for were refused, and which ones to add', () => {
    const advice = explain(serverError('invalid_scope', 'requested scope is not allowed'), 400, { error: 'invalid_scope', error_description: 'requested scope is not allowed' });
    expect(advice.code).toBe('oauth-invalid-scope');
    expect(advice.fix).toMatch(/SMTP\.Send.*Mail\.Send/);
  });

  it('gives each of these words its own advice', () => {
    const words = ['invalid_client', 'unauthorized_client', 'invalid_grant', 'access_denied', 'invalid_scope'];
    const advice = words.map((w) => explain(postRequestFailed(w), 400, { error: w, error_description: 'x' }));
    expect(new Set(advice.map((a) => a.code)).size).toBe(words.length);
    expect(new Set(advice.map((a) => a.title)).size).toBe(words.length);
  });

  it('names the provider\'s word, not MSAL\'s, for an error it has no advice of its own for, and points at the words without "below"', () => {
    const advice = explain(postRequestFailed('invalid_request'), 400, { error: 'invalid_request', error_description: "missing required parameter 'scope'" });
    expect(advice.code).toBe('oauth-failed');
    expect(advice.cause).toContain('(invalid_request)');
    expect(advice.serverReply).toBe("invalid_request: missing required parameter 'scope'");
    expect(advice.fix).toContain('what the server said');
    expect(advice.fix).not.toMatch(/below|above/);
  });

  it('does not blame an old provider answer for a failure on this side', () => {
    const earlier = providerErrorOf(400, { error: 'invalid_grant', error_description: 'grant request is invalid' });
    expect(explainMsalError({ name: 'ClientAuthError', errorCode: 'network_error', errorMessage: 'connect ECONNREFUSED 127.0.0.1:443' }, ctx, earlier).advice.code).toBe('oauth-unreachable');
    expect(explainMsalError({ name: 'BrowserAuthError', errorCode: 'user_cancelled', errorMessage: 'user_cancelled' }, ctx, earlier).advice.code).toBe('oauth-cancelled');
  });

  it('an untrusted certificate: the root certificate goes in the computer\'s certificate store, which Mailroom reads', () => {
    const error = { name: 'ClientAuthError', errorCode: 'network_error', errorMessage: 'Network request failed: self-signed certificate in certificate chain' };
    const advice = explainMsalError(error, ctx).advice;
    expect(advice.code).toBe('oauth-cert-untrusted');
    expect(advice.cause).toContain('login.microsoftonline.com');
    expect(advice.fix).toMatch(/certificate store \(Windows: Trusted Root Certification Authorities; macOS: the System keychain\)/);
    expect(advice.fix).toMatch(/restart Mailroom/);
    // The installed app ignores NODE_EXTRA_CA_CERTS: not offered where it would not help.
    expect(advice.fix).not.toMatch(/NODE_EXTRA_CA_CERTS/);
    // A Node.js that does not read the store: the variable it does read.
    const older = explainMsalError(error, { ...ctx, systemStore: false }).advice;
    expect(older.code).toBe('oauth-cert-untrusted');
    expect(older.fix).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(older.fix).not.toMatch(/Trusted Root/);
  });

  it('does not take "not yet" polling answers for errors', () => {
    expect(providerErrorOf(400, { error: 'authorization_pending', error_description: 'pending' })).toBeUndefined();
    expect(providerErrorOf(400, { error: 'slow_down' })).toBeUndefined();
    expect(providerErrorOf(200, { access_token: 'x' })).toBeUndefined();
    expect(providerErrorOf(502, {})).toEqual({ error: 'http_502', description: '', status: 502 });
  });
});
