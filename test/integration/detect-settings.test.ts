// Detection from an email address against real parts on loopback: a DNS server speaking DNS over
// UDP (MX, SRV, and the addresses of autoconfig hosts), and an HTTPS server with a certificate from
// the test CA serving autoconfig files, honest and hostile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSettings, type DetectOptions } from '../../main/services/mail/detect/detect-settings';
import type { DetectAttempt, Detection } from '../../preload/contract';
import { autoconfigXml, drip, sendHuge, startAutoconfigServer, type AutoconfigServer } from '../helpers/autoconfig-server';
import { startDnsServer, type DnsServer, type DnsZone } from '../helpers/dns-server';
import { createTestCa, type TestCa } from '../helpers/test-ca';

const LOOPBACK = { A: ['127.0.0.1'] };
const HOSTILE = ['huge', 'malformed', 'bomb', 'loop', 'downgrade', 'slow', 'drip'];

const zone: DnsZone = {
  // autoconfig wins over the MX record the same domain also has
  'autoconfig.autoconf.test': LOOPBACK,
  'autoconf.test': { MX: [{ priority: 10, exchange: 'aspmx.l.google.com' }] },
  // only the well-known address serves a file
  'wellknown.test': LOOPBACK,
  'm365.test': { MX: [{ priority: 0, exchange: 'm365-test.mail.protection.outlook.com' }] },
  'gws.test': {
    MX: [
      { priority: 5, exchange: 'alt1.aspmx.l.google.com' },
      { priority: 1, exchange: 'aspmx.l.google.com' },
    ],
  },
  'own-mx.test': { MX: [{ priority: 10, exchange: 'mx.own-mx.test' }] },
  '_submissions._tcp.srv.test': { SRV: [{ priority: 0, weight: 1, port: 465, target: 'mail.srv.test' }] },
  '_submission._tcp.srv.test': { SRV: [{ priority: 0, weight: 1, port: 587, target: 'mail.srv.test' }] },
  '_submissions._tcp.starttls.test': { SRV: [{ priority: 0, weight: 0, port: 0, target: '.' }] },
  '_submission._tcp.starttls.test': {
    SRV: [
      { priority: 10, weight: 0, port: 2587, target: 'backup.starttls.test' },
      { priority: 0, weight: 5, port: 587, target: 'submit.starttls.test' },
    ],
  },
  ...Object.fromEntries(HOSTILE.map((h) => [`autoconfig.${h}.test`, LOOPBACK])),
  'silent.test': { silent: true },
  'autoconfig.silent.test': { silent: true },
};

let ca: TestCa;
let dns: DnsServer;
let deadDns: DnsServer;
let web: AutoconfigServer;

beforeAll(async () => {
  ca = createTestCa();
  dns = await startDnsServer(zone);
  deadDns = await startDnsServer({}, { answer: false });
  const hostnames = ['autoconfig.autoconf.test', 'wellknown.test', ...HOSTILE.map((h) => `autoconfig.${h}.test`)];
  web = await startAutoconfigServer(ca, hostnames, (_req, res, host, path) => {
    const xml = (body: string) => res.writeHead(200, { 'Content-Type': 'application/xml' }).end(body);
    switch (host) {
      case 'autoconfig.autoconf.test':
        return xml(autoconfigXml('Autoconf Hosting', [{ hostname: 'smtp.%EMAILDOMAIN%', port: 587, socketType: 'STARTTLS', username: '%EMAILLOCALPART%' }]));
      case 'wellknown.test':
        if (path === '/.well-known/autoconfig/mail/config-v1.1.xml') return xml(autoconfigXml('Well Known', [{ hostname: 'out.wellknown.test', port: 465, socketType: 'SSL', username: '%EMAILADDRESS%' }]));
        return res.writeHead(404).end();
      case 'autoconfig.huge.test':
        return sendHuge(res, 5 * 1024 * 1024);
      case 'autoconfig.malformed.test':
        return xml('<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>smtp.malformed.test</port></emailProvider>');
      case 'autoconfig.bomb.test':
        return xml(
          '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>' +
            '<clientConfig><emailProvider><outgoingServer type="smtp"><hostname>&lol2;</hostname><port>465</port><socketType>SSL</socketType></outgoingServer></emailProvider></clientConfig>',
        );
      case 'autoconfig.loop.test':
        return res.writeHead(302, { Location: path.startsWith('/mail/') ? '/elsewhere' : '/mail/config-v1.1.xml?emailaddress=ada%40loop.test' }).end();
      case 'autoconfig.downgrade.test':
        return res.writeHead(301, { Location: `http://autoconfig.downgrade.test:${web.port}/mail/config-v1.1.xml` }).end();
      case 'autoconfig.slow.test':
        return; // never answers
      case 'autoconfig.drip.test':
        return drip(res, 100);
      default:
        return res.writeHead(404).end();
    }
  });
});

afterAll(async () => {
  await web?.close();
  await dns?.close();
  await deadDns?.close();
});

function options(extra: Partial<DetectOptions> = {}): DetectOptions {
  return { dnsServers: [dns.server], ca: ca.cert, autoconfigPort: web.port, lookupTimeoutMs: 3_000, deadlineMs: 8_000, ...extra };
}

async function detect(address: string, extra: Partial<DetectOptions> = {}): Promise<Detection> {
  const result = await detectSettings(address, options(extra));
  if (!result.ok) throw new Error(`detection failed: ${result.error.message}`);
  return result.value;
}

function attempt(d: Detection, method: DetectAttempt['method'], targetIncludes = ''): DetectAttempt {
  const found = d.tried.find((t) => t.method === method && t.target.includes(targetIncludes));
  if (!found) throw new Error(`no ${method} attempt for "${targetIncludes}" in ${JSON.stringify(d.tried, null, 2)}`);
  return found;
}

describe('detecting server settings from an address', () => {
  it('answers a provider it knows from the table, asking no one', async () => {
    const before = dns.queries.length;
    const d = await detect('Ada Lovelace <ada@GMail.com>');
    expect(d.address).toBe('ada@GMail.com');
    expect(d.proposal).toMatchObject({
      provider: 'Gmail',
      host: { value: 'smtp.gmail.com', source: 'built-in table: Gmail' },
      port: { value: 465 },
      security: { value: 'tls' },
      authModel: { value: 'basic' },
      username: { value: 'ada@GMail.com' },
    });
    expect(d.tried).toEqual([expect.objectContaining({ method: 'table', target: 'gmail.com', outcome: 'found' })]);
    expect(dns.queries.length).toBe(before);
    expect(web.requests.some((r) => r.includes('gmail'))).toBe(false);
  });

  it('reads the autoconfig file at autoconfig.DOMAIN, filling in its placeholders, ahead of the MX record', async () => {
    const d = await detect('ada@autoconf.test');
    const url = `https://autoconfig.autoconf.test:${web.port}/mail/config-v1.1.xml?emailaddress=ada%40autoconf.test`;
    expect(d.proposal).toMatchObject({
      provider: 'Autoconf Hosting',
      host: { value: 'smtp.autoconf.test', source: `autoconfig at ${url}` },
      port: { value: 587, source: `autoconfig at ${url}` },
      security: { value: 'starttls-required' },
      auth: { value: 'required' },
      authModel: { value: 'basic' },
      username: { value: 'ada', source: `autoconfig at ${url} (%EMAILLOCALPART%)` },
    });
    expect(attempt(d, 'autoconfig', 'autoconfig.autoconf.test')).toMatchObject({ outcome: 'found', detail: 'smtp.autoconf.test:587' });
    // The MX lookup ran too and is listed, whether it had answered (found) or was stopped.
    expect(['found', 'not-needed']).toContain(attempt(d, 'mx').outcome);
    expect(d.tried.map((t) => t.method)).toEqual(['table', 'autoconfig', 'autoconfig', 'mx', 'srv', 'srv']);
  });

  it('falls back to the well-known address when autoconfig.DOMAIN does not exist', async () => {
    const d = await detect('bo@wellknown.test');
    expect(attempt(d, 'autoconfig', 'autoconfig.wellknown.test')).toMatchObject({ outcome: 'not-found', detail: 'autoconfig.wellknown.test does not exist' });
    expect(d.proposal).toMatchObject({ host: { value: 'out.wellknown.test' }, port: { value: 465 }, security: { value: 'tls' }, username: { value: 'bo@wellknown.test' } });
    expect(d.proposal?.host.source).toBe(`autoconfig at https://wellknown.test:${web.port}/.well-known/autoconfig/mail/config-v1.1.xml`);
  });

  it('knows Microsoft 365 by its MX record: OAuth2 with Microsoft, the domain as tenant', async () => {
    const d = await detect('invoices@m365.test');
    const source = 'MX record m365-test.mail.protection.outlook.com → Microsoft 365';
    expect(d.proposal).toMatchObject({
      provider: 'Microsoft 365',
      host: { value: 'smtp.office365.com', source },
      port: { value: 587 },
      security: { value: 'starttls-required' },
      authModel: { value: 'oauth2', source },
      oauthProvider: { value: 'microsoft365' },
      tenant: { value: 'm365.test' },
      username: { value: 'invoices@m365.test' },
    });
    expect(attempt(d, 'autoconfig', 'autoconfig.m365.test').outcome).toBe('not-found');
    expect(attempt(d, 'mx')).toMatchObject({ outcome: 'found', detail: source });
  });

  it('knows Google Workspace by its MX record, taking the most preferred exchanger', async () => {
    const d = await detect('ops@gws.test');
    expect(d.proposal).toMatchObject({ provider: 'Google Workspace', host: { value: 'smtp.gmail.com', source: 'MX record aspmx.l.google.com → Google Workspace' }, authModel: { value: 'basic' } });
  });

  it('says an MX record of its own proves nothing, and finds nothing else', async () => {
    const d = await detect('ops@own-mx.test');
    expect(d.proposal).toBeNull();
    expect(attempt(d, 'mx')).toMatchObject({ outcome: 'not-found', detail: 'MX mx.own-mx.test: not a hosted provider Mailroom knows' });
    expect(attempt(d, 'srv', '_submission._tcp')).toMatchObject({ outcome: 'not-found' });
  });

  it('reads RFC 6186 SRV records, implicit TLS first', async () => {
    const d = await detect('ada@srv.test');
    expect(d.proposal).toMatchObject({
      host: { value: 'mail.srv.test', source: 'SRV _submissions._tcp.srv.test → mail.srv.test:465' },
      port: { value: 465 },
      security: { value: 'tls' },
      authModel: { value: 'basic' },
      username: { value: 'ada@srv.test' },
    });
  });

  it('takes "." as not offered, and the best STARTTLS record by priority', async () => {
    const d = await detect('ada@starttls.test');
    expect(attempt(d, 'srv', '_submissions._tcp')).toMatchObject({ outcome: 'not-found', detail: 'The domain says this service is not offered (target ".")' });
    expect(d.proposal).toMatchObject({ host: { value: 'submit.starttls.test' }, port: { value: 587 }, security: { value: 'starttls-required' } });
  });

  it('refuses what is not an email address, naming the field', async () => {
    const result = await detectSettings('accounts at example', options());
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input', fields: [{ path: 'address', message: expect.stringContaining('is not an email address') }] } });
  });
});

describe('detection against hostile answers', () => {
  it('stops reading a 5 MB answer at 1 MB', async () => {
    const d = await detect('ada@huge.test');
    expect(attempt(d, 'autoconfig', 'autoconfig.huge.test')).toMatchObject({ outcome: 'failed', detail: 'The answer is larger than 1 MB; not read further' });
    expect(d.proposal).toBeNull();
  });

  it('reports malformed XML without proposing anything from it', async () => {
    const d = await detect('ada@malformed.test');
    expect(attempt(d, 'autoconfig', 'autoconfig.malformed.test')).toMatchObject({ outcome: 'failed', detail: expect.stringContaining('</port> does not match <hostname>') });
    expect(d.proposal).toBeNull();
  });

  it('refuses an XML bomb at its DOCTYPE, expanding nothing', async () => {
    const d = await detect('ada@bomb.test');
    expect(attempt(d, 'autoconfig', 'autoconfig.bomb.test')).toMatchObject({ outcome: 'failed', detail: expect.stringContaining('A DOCTYPE or other declaration is not accepted') });
    expect(d.proposal).toBeNull();
  });

  it('stops a redirect loop, and a redirect to plain HTTP', async () => {
    const loop = await detect('ada@loop.test');
    expect(attempt(loop, 'autoconfig', 'autoconfig.loop.test')).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/^Redirected in a loop/) });
    const downgrade = await detect('ada@downgrade.test');
    expect(attempt(downgrade, 'autoconfig', 'autoconfig.downgrade.test')).toMatchObject({ outcome: 'failed', detail: `Redirected to http://autoconfig.downgrade.test:${web.port}: autoconfig is read over HTTPS only` });
  });

  it('gives up on a server that never answers at the deadline of the whole detection', async () => {
    const started = Date.now();
    const d = await detect('ada@slow.test', { lookupTimeoutMs: 5_000, deadlineMs: 1_500 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(took).toBeLessThan(3_000);
    expect(attempt(d, 'autoconfig', 'autoconfig.slow.test')).toMatchObject({ outcome: 'timed-out', detail: 'No answer within 1.5 s (the limit for the whole detection)' });
    expect(d.proposal).toBeNull();
  });

  it('gives up on a server that drips its answer at the lookup timeout', async () => {
    const started = Date.now();
    const d = await detect('ada@drip.test', { lookupTimeoutMs: 1_000, deadlineMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(attempt(d, 'autoconfig', 'autoconfig.drip.test')).toMatchObject({ outcome: 'timed-out', detail: expect.stringMatching(/^No answer within 1 s/) });
  });

  it('ends within the deadline when DNS never answers, every lookup reported as timed out', async () => {
    const started = Date.now();
    const d = await detect('ada@nowhere.test', { dnsServers: [deadDns.server], lookupTimeoutMs: 800, deadlineMs: 1_500 });
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(d.proposal).toBeNull();
    const network = d.tried.filter((t) => t.method !== 'table');
    expect(network).toHaveLength(5);
    for (const t of network) expect(t.outcome, `${t.target}: ${t.detail}`).toBe('timed-out');
  });

  it('treats a name the DNS server ignores like any other silence', async () => {
    const d = await detect('ada@silent.test', { lookupTimeoutMs: 800, deadlineMs: 3_000 });
    expect(attempt(d, 'mx').outcome).toBe('timed-out');
    expect(attempt(d, 'autoconfig', 'autoconfig.silent.test').outcome).toBe('timed-out');
  });
});
