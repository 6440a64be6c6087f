// Test connection of an OAuth2 (Microsoft 365) profile: the token step first (a real refresh, so
// a revoked sign-in shows), then Microsoft Graph's mailbox check or the SMTP dialogue with the
// token. The same steps wherever the token comes from: this computer's sign-in (file mode) or the
// office's, which only a sender service can open.
import { ok, type Diagnosis, type DiagnosisStep, type Result, type SmtpProfile } from '../../../preload/contract';
import type { AccessToken } from '../oauth/oauth-service';
import { STEP_TITLES } from './diagnose';
import { GraphError, type GraphClient } from './graph';
import type { Credentials } from './transport';

/** What a connection with the profile needs, its access token included. */
export interface OAuthConnection {
  credentials?: Credentials;
  ca?: string;
  token?: AccessToken;
}

export interface OAuthTestDeps {
  /** Everything the connection needs, with a token refreshed now; a failure with advice is the token step's. */
  connect(): Promise<Result<OAuthConnection>>;
  /** The Graph host, named as the target of a Graph profile's test. */
  graphUrl: string;
  graph(token: AccessToken): GraphClient;
  /** The SMTP dialogue, signing in with the token. */
  smtp(connection: OAuthConnection): Promise<Diagnosis>;
}

export async function diagnoseOAuth(profile: SmtpProfile, deps: OAuthTestDeps): Promise<Result<Diagnosis>> {
  const startedAt = new Date();
  const started = performance.now();
  const target = profile.sendMethod === 'graph' ? new URL(deps.graphUrl).host : `${profile.host}:${profile.port}`;
  const finish = (steps: DiagnosisStep[], failure?: Diagnosis['failure']): Diagnosis => ({
    ok: failure === undefined,
    profileName: profile.name,
    target,
    startedAt: startedAt.toISOString(),
    totalMs: Math.round(performance.now() - started),
    steps,
    ...(failure ? { failure } : {}),
  });
  const connected = await deps.connect();
  const tokenMs = Math.round(performance.now() - started);
  if (!connected.ok) {
    const advice = connected.error.advice;
    // Without advice it is not the token's: a CA file that cannot be read, say.
    if (!advice) return connected;
    const step: DiagnosisStep = { id: 'token', title: STEP_TITLES.token, status: 'failed', durationMs: tokenMs, summary: advice.title, details: [{ label: 'Tenant', value: profile.tenant }] };
    return ok(finish([step], { ...advice, step: 'token' }));
  }
  const token = connected.value.token;
  if (!token) return ok(finish([], { code: 'oauth-failed', title: 'No access token', cause: 'The sign-in gave no access token.', fix: 'Sign in again.', step: 'token' }));
  const tokenStep: DiagnosisStep = {
    id: 'token',
    title: STEP_TITLES.token,
    status: 'passed',
    durationMs: tokenMs,
    summary: `Access token for ${token.account}${token.expiresAt ? `, valid until ${token.expiresAt.toISOString()}` : ''}`,
    details: [
      { label: 'Account', value: token.account },
      { label: 'Permissions', value: token.scopes.join(' ') },
      { label: 'Expires', value: token.expiresAt ? token.expiresAt.toISOString() : 'unknown' },
      { label: 'Tenant', value: profile.tenant },
    ],
  };
  if (profile.sendMethod === 'graph') {
    const graphStarted = performance.now();
    try {
      const folder = await deps.graph(token).checkMailbox();
      const step: DiagnosisStep = {
        id: 'graph',
        title: STEP_TITLES.graph,
        status: 'passed',
        durationMs: Math.round(performance.now() - graphStarted),
        summary: `Microsoft Graph opened the mailbox of ${token.account}`,
        details: [{ label: 'Folder', value: folder.displayName }],
      };
      return ok(finish([tokenStep, step]));
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      const step: DiagnosisStep = { id: 'graph', title: STEP_TITLES.graph, status: 'failed', durationMs: Math.round(performance.now() - graphStarted), summary: error.advice.title, details: [] };
      return ok(finish([tokenStep, step], { ...error.advice, step: 'graph' }));
    }
  }
  const smtp = await deps.smtp(connected.value);
  return ok({ ...smtp, startedAt: startedAt.toISOString(), totalMs: smtp.totalMs + tokenMs, steps: [tokenStep, ...smtp.steps] });
}
