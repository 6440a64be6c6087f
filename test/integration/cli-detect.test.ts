// mailroom profile detect, as an IT script runs it: in this process through runCli, asking a real
// DNS server on loopback (MAILROOM_DNS_SERVERS); and once as a real process trusting the test CA
// through NODE_EXTRA_CA_CERTS, to read an autoconfig file from a real HTTPS server.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { autoconfigXml, startAutoconfigServer, type AutoconfigServer } from '../helpers/autoconfig-server';
import { ensureBuilt, mailroom, mailroomProcess } from '../helpers/cli';
import { startDnsServer, type DnsServer } from '../helpers/dns-server';
import { createTestCa, type TestCa } from '../helpers/test-ca';
import { tempDir } from '../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
let dns: DnsServer;
let ca: TestCa;
let web: AutoconfigServer;

const env = () => ({ MAILROOM_DNS_SERVERS: dns.server, MAILROOM_AUTOCONFIG_PORT: String(web.port) });
const run = (args: string[]) => mailroom(args, { dataDir: dir, env: env() });

beforeAll(async () => {
  ca = createTestCa();
  dns = await startDnsServer({
    'm365.test': { MX: [{ priority: 0, exchange: 'm365-test.mail.protection.outlook.com' }] },
    '_submission._tcp.srv.test': { SRV: [{ priority: 0, weight: 0, port: 587, target: 'submit.srv.test' }] },
    'autoconfig.hosted.test': { A: ['127.0.0.1'] },
  });
  web = await startAutoconfigServer(ca, ['autoconfig.hosted.test'], (_req, res) =>
    res.writeHead(200, { 'Content-Type': 'application/xml' }).end(autoconfigXml('Hosted Mail', [{ hostname: 'smtp.%EMAILDOMAIN%', port: 465, socketType: 'SSL', username: '%EMAILADDRESS%' }])),
  );
});
afterAll(async () => {
  await web?.close();
  await dns?.close();
});
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const noProfiles = () => {
  const file = path.join(dir, 'settings.json');
  return !fs.existsSync(file) || (JSON.parse(fs.readFileSync(file, 'utf8')) as { smtp?: { profiles?: unknown[] } }).smtp?.profiles?.length === 0;
};

describe('mailroom profile detect', () => {
  it('lists each proposed value with its source, what was tried, and how to use them; saves nothing', async () => {
    const out = await run(['profile', 'detect', 'accounts@gmail.com']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Proposed settings for accounts@gmail\.com \(Gmail\)/);
    expect(out.stdout).toMatch(/Server host\s+smtp\.gmail\.com\s+from built-in table: Gmail\n/);
    expect(out.stdout).toMatch(/Port\s+465\s+from built-in table: Gmail\n/);
    expect(out.stdout).toMatch(/Security\s+tls\s+from built-in table: Gmail\n/);
    expect(out.stdout).toMatch(/Username\s+accounts@gmail\.com\s+from built-in table: Gmail \(the whole address\)\n/);
    expect(out.stdout).toContain('Tried:\n  found  table gmail.com: gmail.com is Gmail');
    expect(out.stdout).toContain('Nothing was saved. To make a profile of them: mailroom profile set NAME --host smtp.gmail.com,465 --security tls --auth required --auth-model basic --credentials shared --username accounts@gmail.com');
    expect(noProfiles()).toBe(true);
  });

  it('prints one JSON document with --json: Microsoft 365 found by its MX record', async () => {
    const out = await run(['profile', 'detect', 'invoices@m365.test', '--json']);
    expect(out.code).toBe(0);
    const doc = JSON.parse(out.stdout);
    expect(doc).toMatchObject({
      ok: true,
      address: 'invoices@m365.test',
      domain: 'm365.test',
      proposal: {
        host: { value: 'smtp.office365.com', source: 'MX record m365-test.mail.protection.outlook.com → Microsoft 365' },
        authModel: { value: 'oauth2' },
        oauthProvider: { value: 'microsoft365' },
        tenant: { value: 'm365.test' },
      },
    });
    expect(doc.tried.map((t: { method: string }) => t.method)).toEqual(['table', 'autoconfig', 'autoconfig', 'mx', 'srv', 'srv']);
  });

  it('finds a STARTTLS submission server by SRV', async () => {
    const out = await run(['profile', 'detect', 'ada@srv.test']);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/Server host\s+submit\.srv\.test\s+from SRV _submission\._tcp\.srv\.test → submit\.srv\.test:587\n/);
    expect(out.stdout).toMatch(/Security\s+starttls-required\s+from SRV/);
  });

  it('fails with exit 1 when nothing is found, still listing what was tried', async () => {
    const out = await run(['profile', 'detect', 'ada@nothing.test']);
    expect(out.code).toBe(1);
    expect(out.stderr).toBe('error: No server settings found for nothing.test; enter them by hand with mailroom profile set.\n');
    expect(out.stdout).toContain('No server settings found for ada@nothing.test');
    expect(out.stdout).toMatch(/not-found\s+mx nothing\.test MX: /);
    const json = await run(['profile', 'detect', 'ada@nothing.test', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, proposal: null, domain: 'nothing.test' });
  });

  it('refuses what is not an address with exit 2, naming ADDRESS', async () => {
    const out = await run(['profile', 'detect', 'accounts at example']);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^error: one field is not valid; nothing was changed\n {2}ADDRESS: "accounts at example" is not an email address/);
    const json = await run(['profile', 'detect', 'accounts at example', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'ADDRESS' }] } });
    const missing = await run(['profile', 'detect']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing argument');
  });

  it('is in the help', async () => {
    const group = await run(['profile', '--help']);
    expect(group.stdout).toContain('mailroom profile detect ADDRESS [--json]');
    const top = await run(['--help']);
    expect(top.stdout).toMatch(/profile detect\s+Propose a profile's server settings for an email address/);
    const own = await run(['profile', 'detect', '--help']);
    expect(own.stdout).toContain('The whole detection ends within 10 seconds');
  });

  it('reads an autoconfig file over HTTPS as a real process, trusting the CA named by NODE_EXTRA_CA_CERTS', async () => {
    ensureBuilt();
    const caFile = path.join(dir, 'ca.pem');
    fs.writeFileSync(caFile, ca.cert);
    const out = await mailroomProcess(['profile', 'detect', 'ada@hosted.test', '--json'], { dataDir: dir, env: { ...env(), NODE_EXTRA_CA_CERTS: caFile } });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      ok: true,
      proposal: {
        provider: 'Hosted Mail',
        host: { value: 'smtp.hosted.test', source: `autoconfig at https://autoconfig.hosted.test:${web.port}/mail/config-v1.1.xml?emailaddress=ada%40hosted.test` },
        port: { value: 465 },
        security: { value: 'tls' },
        username: { value: 'ada@hosted.test' },
      },
    });
    // Without the CA the same server is not trusted.
    const untrusted = await run(['profile', 'detect', 'ada@hosted.test', '--json']);
    const attempt = JSON.parse(untrusted.stdout).tried.find((t: { target: string }) => t.target.includes('autoconfig.hosted.test'));
    expect(attempt).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/certificate/i) });
  });
});
