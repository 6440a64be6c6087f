// What a profile must have before Mailroom connects with it, against a real server on loopback:
// Test connection needs only the server (a missing username or password is the sign-in step's
// finding), a send needs the account too.
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServices, type FileServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import { newProfile, type SmtpProfile } from '../../preload/contract';
import { createTestCerts, startSmtpServer, type RunningServer } from '../helpers/smtp-servers';
import { tempDir } from '../helpers/temp-dir';

let server: RunningServer;
let dir: string;
let cleanup: () => void;
let services: FileServices;

beforeAll(async () => {
  server = await startSmtpServer(createTestCerts(), { mode: 'plain' });
});
afterAll(() => server.close());
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
  services = createServices({ dataDir: path.join(dir, 'data'), shell: 'browser', version: 't', createFile: createConfFile });
});
afterEach(async () => {
  await services.outbox.stop();
  cleanup();
});

/** A profile as the dialog makes it, with only its server filled in. */
function fresh(changes: Partial<SmtpProfile> = {}): SmtpProfile {
  return { ...newProfile('p-new', 'New relay'), host: server.host, port: server.port, security: 'none', timeoutSeconds: 5, ...changes };
}

describe('Test connection of a new profile', () => {
  it('runs every step up to signing in with only host and port, and the sign-in step names the username, then the password, as missing', async () => {
    const result = await services.mail.testConnection(fresh(), {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const status = Object.fromEntries(result.value.steps.map((s) => [s.id, s.status]));
    expect(status).toMatchObject({ tcp: 'passed', greeting: 'passed', ehlo: 'passed', auth: 'failed' });
    expect(result.value.failure).toMatchObject({ step: 'auth', code: 'config-invalid', field: { path: 'username' } });
    const withUser = await services.mail.testConnection(fresh({ username: 'relay-user' }), {});
    expect(withUser.ok && withUser.value.failure).toMatchObject({ step: 'auth', code: 'auth-no-password', field: { path: 'password' } });
  });

  it('is refused without a host, naming the field', async () => {
    const result = await services.mail.testConnection(fresh({ host: '' }), {});
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'host', message: 'Required' }] } });
  });

  it('a send with the same profile needs its username first', async () => {
    const prepared = await services.mail.prepare(fresh());
    expect(prepared).toMatchObject({ ok: false, error: { fields: [{ path: 'username' }] } });
  });
});
