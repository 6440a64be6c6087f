// sign-in, sign-out, test-connection and send for a Microsoft 365 (OAuth2) profile, run as an IT
// admin runs them: the real identity provider and SMTP server on loopback, and $BROWSER standing in
// for the system browser. The device-code sign-in runs the built binary (NODE_EXTRA_CA_CERTS, live
// stderr); the rest runs through runCli in this process, whose HTTPS trusts the test CA meanwhile.
import https from 'node:https';
import tls from 'node:tls';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, mailroom, mailroomProcess } from '../helpers/cli';
import { startIdentityProvider, TEST_CLIENT_ID, TEST_TENANT_ID, type IdentityProvider } from '../helpers/identity-provider';
import { startXoauth2SmtpServer, type Xoauth2Server } from '../helpers/xoauth2-smtp';
import { createTestCa } from '../helpers/test-ca';
import { tempDir } from '../helpers/temp-dir';

let idp: IdentityProvider;
let smtp: Xoauth2Server;
let dir: string;
let cleanup: () => void;
let env: Record<string, string>;
let opened: string;

beforeAll(async () => {
  ensureBuilt();
  ({ dir, cleanup } = tempDir());
  const ca = createTestCa('Mailroom CLI OAuth Test CA');
  idp = await startIdentityProvider({ ca });
  smtp = await startXoauth2SmtpServer({
    ca,
    verifyToken: async (token) => {
      try {
        const c = await idp.verifyAccessToken(token, 'https://outlook.office.com');
        return { upn: String(c.preferred_username), scopes: String(c.scp).split(' ') };
      } catch {
        return null;
      }
    },
  });
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, ca.cert);
  // What NODE_EXTRA_CA_CERTS does for the binary: the system's CAs and the test CA.
  https.globalAgent.options.ca = [...tls.rootCertificates, ca.cert];
  // The "browser": records the address it was asked to open.
  opened = path.join(dir, 'opened.txt');
  const recorder = path.join(dir, 'browser.cjs');
  fs.writeFileSync(recorder, `require('node:fs').appendFileSync(${JSON.stringify(opened)}, process.argv[2] + '\\n');\n`);
  env = {
    MAILROOM_MS_LOGIN_URL: idp.origin,
    NODE_EXTRA_CA_CERTS: caFile,
    BROWSER: `${process.execPath} ${recorder}`,
  };
  const created = await run(['profile', 'set', 'Office 365', '--auth-model', 'oauth2', '--tenant', TEST_TENANT_ID, '--client-id', TEST_CLIENT_ID, '--host', 'localhost', '--port', String(smtp.port), '--ca-file', caFile, '--from-address', idp.users[0]!.username, '--json']);
  expect(created.code, created.stderr).toBe(0);
}, 60_000);

afterAll(async () => {
  delete https.globalAgent.options.ca;
  await Promise.all([idp?.close(), smtp?.close()]);
  cleanup?.();
});

const run = (args: string[]) => mailroom(args, { dataDir: dir, env });

/** Runs a command and hands its standard error, as it arrives, to onStderr. */
const runLive = (args: string[], onStderr: (text: string) => void) => mailroom(args, { dataDir: dir, env, onStderr });

describe('mailroom sign-in / sign-out', () => {
  it('profile set --auth-model oauth2 fills in Microsoft 365 submission defaults', async () => {
    const list = await run(['profile', 'list', '--json']);
    const [p] = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(p).toMatchObject({ authModel: 'oauth2', oauthProvider: 'microsoft365', security: 'starttls-required', auth: 'required', tenant: TEST_TENANT_ID, clientId: TEST_CLIENT_ID, sendMethod: 'smtp' });
  });

  it('signs in with a device code: the code on stderr, one JSON document on stdout', async () => {
    let done = false;
    const result = await mailroomProcess(['sign-in', '--profile', 'Office 365', '--device-code', '--json'], { dataDir: dir, env, onStderr: (stderr) => {
      const code = /Code: (\S+)/.exec(stderr)?.[1];
      if (code && !done) {
        done = true;
        void idp.completeDeviceCode(code);
      }
    } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/Address: https:\/\//);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, profile: 'Office 365', status: { signedIn: true, account: idp.users[0]!.username } });
  });

  it('test-connection and send work with the signed-in profile', async () => {
    const test = await run(['test-connection', '--profile', 'Office 365']);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toMatch(/Get an access token.*Access token for/);
    expect(test.stdout).toMatch(/Sign in .*OAuth2 access token/);
    const sent = await run(['send', '--profile', 'Office 365', '--to', 'client@fabrikam.test', '--subject', 'Statement', '--text', 'Hello', '--json']);
    expect(sent.code, sent.stderr).toBe(0);
    expect(smtp.received.at(-1)).toMatchObject({ user: idp.users[0]!.username, to: ['client@fabrikam.test'] });
  });

  it('signs in in the browser $BROWSER names, and signs out', async () => {
    const running = runLive(['sign-in', '--profile', 'Office 365'], () => undefined);
    // Plays the browser once $BROWSER has been given the address.
    await expect.poll(() => fs.existsSync(opened), { timeout: 10_000 }).toBe(true);
    await idp.playBrowser(fs.readFileSync(opened, 'utf8').trim().split('\n').at(-1)!);
    const result = await running;
    // The address is also printed, for a browser that does not open.
    expect(result.stderr).toMatch(/open this address:\nhttps:\/\/localhost:\d+\/.+\/oauth2\/v2\.0\/authorize\?/);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Office 365: Signed in as .+; access token valid until/);

    const out = await run(['sign-out', '--profile', 'Office 365', '--json']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: true, wasSignedIn: true, status: { signedIn: false } });
    const send = await run(['send', '--profile', 'Office 365', '--to', 'client@fabrikam.test', '--subject', 'x', '--text', 'y']);
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/Sign in with Microsoft first/);
  });

  it('names the field when the profile is missing or is not an OAuth2 one', async () => {
    const none = await run(['sign-in', '--json']);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout)).toMatchObject({ ok: false, error: { fields: [{ path: '--profile' }] } });
    await run(['profile', 'set', 'Relay', '--host', 'relay.example.com', '--from-address', 'a@example.com', '--auth', 'none']);
    const basic = await run(['sign-in', '--profile', 'Relay']);
    expect(basic.code).toBe(2);
    expect(basic.stderr).toMatch(/signs in with a password/);
  });
});
