// The sender and Test connection against a hostile server: whatever it does, Mailroom never says
// "delivered" unless the server cleanly accepted the whole message, never sends a credential in
// clear, never waits past its deadline, and never lets an error escape.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Diagnosis } from '../../preload/contract';
import { diagnose, type ConnectionConfig } from '../../main/services/mail/diagnose';
import { deliverOnce, type DeliveryOutcome, type OutgoingData, type SmtpEndpoint } from '../../main/services/mail/smtp-delivery';
import { createTestCa, type KeyPair, type TestCa } from '../helpers/test-ca';
import { drip, mulberry32, secretsIn, startHostileServer, wire, type Act, type HostileOptions, type HostileServer, type HostileStep } from '../helpers/hostile-smtp';

const USER = 'alice@example.test';
// Distinctive, so that finding it anywhere in clear text cannot be a coincidence.
const PASSWORD = 'Quokka-7731-zebra!Lantern';
const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJob3N0aWxlIn0.Xoauth2-Secret-Token-5519';
const SECRETS = [
  PASSWORD,
  TOKEN,
  Buffer.from(PASSWORD).toString('base64'),
  Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64'),
  Buffer.from(`user=${USER}\x01auth=Bearer ${TOKEN}\x01\x01`).toString('base64'),
];
const TIMEOUT_S = 1;
// "No hang": the attempt's own limit (three timeouts, plus the upload at 20 kB/s) and two seconds of slack.
const boundMs = (bytes = 0) => TIMEOUT_S * 3000 + Math.ceil((bytes * 1000) / 20_000) + 2000;
// Test connection has no overall limit but one timeout a step: at most eight replies are waited for.
const DIAGNOSE_BOUND_MS = 8 * TIMEOUT_S * 1000 + 2000;

let ca: TestCa;
let cert: KeyPair;
const servers: HostileServer[] = [];
const escaped: unknown[] = [];
const onUncaught = (err: unknown) => escaped.push(err);
const onUnhandled = (reason: unknown) => escaped.push(reason);

beforeAll(() => {
  ca = createTestCa('Mailroom Hostile Test CA');
  cert = ca.issue(['localhost', '127.0.0.1']);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
});

afterEach(() => {
  // Nothing escaped: every socket error, timer and late reply was handled where it happened.
  expect(escaped).toEqual([]);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  // Late events (a socket closing after its test) have had their chance to escape too.
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUnhandled);
  expect(escaped).toEqual([]);
});

async function hostile(options: Omit<HostileOptions, 'tls'> = {}): Promise<HostileServer> {
  const server = await startHostileServer({ tls: cert, ...options });
  servers.push(server);
  return server;
}

function endpoint(server: HostileServer, over: Partial<SmtpEndpoint> = {}): SmtpEndpoint {
  return {
    host: '127.0.0.1',
    port: server.port,
    security: 'starttls-required',
    minTls: '1.2',
    verifyCert: true,
    ca: ca.cert,
    timeoutSeconds: TIMEOUT_S,
    clientName: 'pc1.example.test',
    auth: 'required',
    credentials: { username: USER, password: PASSWORD },
    ...over,
  };
}

function configOf(e: SmtpEndpoint): ConnectionConfig {
  return {
    profileName: 'Hostile',
    host: e.host,
    port: e.port,
    security: e.security,
    minTls: e.minTls,
    verifyCert: e.verifyCert,
    ...(e.ca ? { ca: e.ca } : {}),
    auth: e.auth,
    username: e.credentials?.username ?? '',
    ...(e.credentials?.password ? { password: e.credentials.password } : {}),
    ...(e.credentials?.accessToken ? { accessToken: e.credentials.accessToken } : {}),
    fromAddress: 'invoices@example.test',
    timeoutSeconds: e.timeoutSeconds,
    ...(e.clientName ? { clientName: e.clientName } : {}),
  };
}

const BODY = 'Subject: Invoice 42\r\nFrom: invoices@example.test\r\nTo: bob@example.test\r\n\r\nPlease find the invoice.\r\n.a line that starts with a dot\r\n';
const MESSAGE: OutgoingData = { envelope: { from: 'invoices@example.test', to: ['bob@example.test'] }, raw: Buffer.from(BODY) };

function bigMessage(bytes: number): OutgoingData {
  const line = 'x'.repeat(76) + '\r\n';
  const body = line.repeat(Math.ceil(bytes / line.length));
  return { envelope: MESSAGE.envelope, raw: Buffer.from(`Subject: Big\r\n\r\n${body}`) };
}

/** No credential crossed in clear: not as an AUTH line, nor anywhere in any byte, plain or base64. */
function expectNothingInClear(server: HostileServer): void {
  expect(server.log.cleartextAuth).toEqual([]);
  expect(secretsIn(server.clearBytes(), SECRETS)).toEqual([]);
}

/** Nothing a user sees carries a raw control character or a secret. */
function expectSafeToShow(value: unknown): void {
  const text = JSON.stringify(value);
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/\\u00(0[0-9a-f]|1[0-9a-f]|7f)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/i);
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

async function send(server: HostileServer, over: Partial<SmtpEndpoint> = {}, message: OutgoingData = MESSAGE): Promise<DeliveryOutcome> {
  const e = endpoint(server, over);
  const started = Date.now();
  const outcome = await deliverOnce(e, message);
  expect(Date.now() - started).toBeLessThan(boundMs(message.raw.length));
  if (e.security !== 'none') expectNothingInClear(server);
  expectSafeToShow(outcome);
  if (outcome.state !== 'delivered') expect(outcome.advice).toBeDefined();
  return outcome;
}

async function test(server: HostileServer, over: Partial<SmtpEndpoint> = {}): Promise<Diagnosis> {
  const e = endpoint(server, over);
  const started = Date.now();
  const d = await diagnose(configOf(e));
  expect(Date.now() - started).toBeLessThan(DIAGNOSE_BOUND_MS);
  expect(Diagnosis.safeParse(d).success).toBe(true);
  if (e.security !== 'none') expectNothingInClear(server);
  expectSafeToShow(d);
  return d;
}

/** Misbehave at one step (on every connection), behave everywhere else. */
function at(step: HostileStep, act: Act | ((normal: string) => Act)): Pick<HostileOptions, 'respond'> {
  return { respond: (ctx) => (ctx.step === step ? (typeof act === 'function' ? act(ctx.normal) : act) : undefined) };
}

// The steps of a full conversation with STARTTLS and a password, and the code each normally answers.
const STEPS: { step: HostileStep; code: number; diagnoseStep?: string }[] = [
  { step: 'greeting', code: 220, diagnoseStep: 'greeting' },
  { step: 'ehlo', code: 250, diagnoseStep: 'ehlo' },
  { step: 'starttls', code: 220, diagnoseStep: 'starttls' },
  { step: 'auth', code: 235, diagnoseStep: 'auth' },
  { step: 'mail', code: 250, diagnoseStep: 'sender' },
  { step: 'rcpt', code: 250 },
  { step: 'data', code: 354 },
  { step: 'data-end', code: 250 },
];

/** What the outcome must be when the server misbehaved at `step`: never delivered; after the dot, unknown. */
function expectNotDelivered(outcome: DeliveryOutcome, step: HostileStep): void {
  expect(outcome.state).not.toBe('delivered');
  if (step === 'data-end') {
    expect(outcome.dataSent).toBe(true);
    expect(outcome.state).toBe('unknown');
  } else {
    expect(outcome.dataSent).toBe(false);
  }
}

// ---- the positive path -----------------------------------------------------------------------

describe('a well-behaved server', () => {
  it('STARTTLS: signs in only after encryption, declares SIZE=, and the message arrives byte for byte', async () => {
    const server = await hostile();
    const outcome = await send(server);
    expect(outcome).toMatchObject({ state: 'delivered', dataSent: true, recipients: [{ address: 'bob@example.test', state: 'accepted' }] });
    expect(outcome.reply).toMatch(/^250 2\.0\.0 Queued as HOSTILE1/);
    expect(server.log.tlsSessions).toBe(1);
    expect(server.log.tlsAuth[0]).toMatch(/^AUTH PLAIN /);
    expect(secretsIn(server.tlsBytes(), SECRETS).length).toBeGreaterThan(0);
    expect(server.log.mailFrom).toEqual([`MAIL FROM:<invoices@example.test> SIZE=${MESSAGE.raw.length}`]);
    expect(server.log.messages).toHaveLength(1);
    expect(server.log.messages[0]!.data.toString('latin1')).toBe(BODY);
    expect(server.log.messages[0]!.encrypted).toBe(true);
  });

  it('implicit TLS, LOGIN only: the user name and password go encrypted', async () => {
    const server = await hostile({ implicitTls: true, authMethods: ['LOGIN'] });
    const outcome = await send(server, { security: 'tls' });
    expect(outcome.state).toBe('delivered');
    expect(server.log.tlsAuth).toEqual(['AUTH LOGIN', Buffer.from(USER).toString('base64'), Buffer.from(PASSWORD).toString('base64')]);
    expect(server.clearBytes().length).toBe(0);
  });

  it('XOAUTH2 over STARTTLS: the token goes encrypted', async () => {
    const server = await hostile();
    const outcome = await send(server, { auth: 'required', credentials: { username: USER, accessToken: TOKEN } });
    expect(outcome.state).toBe('delivered');
    expect(server.log.tlsAuth[0]).toMatch(/^AUTH XOAUTH2 /);
  });

  it('no SIZE advertised: none declared', async () => {
    const server = await hostile({ size: false });
    const outcome = await send(server);
    expect(outcome.state).toBe('delivered');
    expect(server.log.mailFrom).toEqual(['MAIL FROM:<invoices@example.test>']);
  });

  it('replies split across packets, or dripped slowly but within the timeout after the dot, still deliver', async () => {
    const split = await hostile({ respond: (ctx) => ({ send: ctx.normal, pieces: [1, 2, 3], gapMs: 5, ...(ctx.step === 'quit' ? { close: 'end' as const } : {}) }) });
    expect((await send(split)).state).toBe('delivered');
    const slow = await hostile(at('data-end', (normal) => drip(normal, Math.floor((TIMEOUT_S * 500) / normal.length))));
    expect((await send(slow)).state).toBe('delivered');
  });

  it('Test connection passes every step against it', async () => {
    const server = await hostile();
    const d = await test(server);
    expect(d.ok).toBe(true);
    expect(server.log.tlsAuth[0]).toMatch(/^AUTH PLAIN /);
  });
});

// ---- credentials ------------------------------------------------------------------------------

describe('STARTTLS stripped from EHLO (the server would take AUTH in clear)', () => {
  it('STARTTLS if offered, with a password: stops, nothing sent, the password stays home', async () => {
    const server = await hostile({ offerStarttls: false });
    const outcome = await send(server, { security: 'starttls' });
    expect(outcome.state).toBe('failed');
    expect(outcome.advice?.code).toBe('encryption-not-offered');
    expect(outcome.advice?.title).toMatch(/did not offer encryption; your password was not sent/);
    expect(server.log.commands.map((c) => c.line.split(' ')[0])).not.toContain('AUTH');
    expect(server.log.messages).toEqual([]);
  });

  it('STARTTLS if offered, with an access token: stops, the token stays home', async () => {
    const server = await hostile({ offerStarttls: false });
    const outcome = await send(server, { security: 'starttls', credentials: { username: USER, accessToken: TOKEN } });
    expect(outcome.state).not.toBe('delivered');
    expect(outcome.advice?.code).toBe('encryption-not-offered');
    expect(outcome.advice?.title).toMatch(/access token was not sent/);
  });

  it('STARTTLS if offered, Authorisation optional: sends without signing in', async () => {
    const server = await hostile({ offerStarttls: false });
    const outcome = await send(server, { security: 'starttls', auth: 'optional' });
    expect(outcome.state).toBe('delivered');
    expect(server.log.messages).toHaveLength(1);
  });

  it('STARTTLS required: stops before any sign-in', async () => {
    const server = await hostile({ offerStarttls: false });
    const outcome = await send(server, { security: 'starttls-required' });
    expect(outcome.state).toBe('failed');
    expect(outcome.advice?.code).toBe('starttls-not-offered');
  });

  it('a STARTTLS answered with 454: the password is not sent in clear instead', async () => {
    const server = await hostile(at('starttls', { send: wire('454 4.7.0 TLS not available due to temporary reason') }));
    for (const security of ['starttls', 'starttls-required'] as const) {
      const outcome = await send(server, { security });
      expect(outcome.state).not.toBe('delivered');
    }
  });

  it('Test connection stops at the STARTTLS step the same way', async () => {
    const server = await hostile({ offerStarttls: false });
    const password = await test(server, { security: 'starttls' });
    expect(password.failure).toMatchObject({ step: 'starttls', code: 'encryption-not-offered' });
    const token = await test(server, { security: 'starttls', credentials: { username: USER, accessToken: TOKEN } });
    expect(token.failure).toMatchObject({ step: 'starttls', code: 'encryption-not-offered' });
    const required = await test(server, { security: 'starttls-required' });
    expect(required.failure).toMatchObject({ step: 'starttls', code: 'starttls-not-offered' });
    const optional = await test(server, { security: 'starttls', auth: 'optional' });
    expect(optional.ok).toBe(true);
    expect(optional.steps.find((s) => s.id === 'auth')?.status).toBe('skipped');
  });
});

describe('EHLO refused, HELO accepted (and AUTH would be accepted if tried)', () => {
  it('never signs in: required fails with advice, optional sends without', async () => {
    const server = await hostile({ refuseEhlo: true });
    const required = await send(server, { security: 'none' });
    expect(required.state).toBe('failed');
    expect(required.advice?.code).toBe('auth-not-offered');
    const optional = await send(server, { security: 'none', auth: 'optional' });
    expect(optional.state).toBe('delivered');
    const tokenOutcome = await send(server, { security: 'none', credentials: { username: USER, accessToken: TOKEN } });
    expect(tokenOutcome.state).not.toBe('delivered');
    const starttls = await send(server, { security: 'starttls' });
    expect(starttls.advice?.code).toBe('encryption-not-offered');
    expect(server.log.commands.filter((c) => /^AUTH/i.test(c.line))).toEqual([]);
    expect(server.log.cleartextAuth).toEqual([]);
    // A message without SIZE= (HELO lists no extensions).
    expect(server.log.mailFrom).toEqual(['MAIL FROM:<invoices@example.test>']);
  });

  it('over implicit TLS too: not sent, and no AUTH even encrypted', async () => {
    const server = await hostile({ refuseEhlo: true, implicitTls: true });
    const outcome = await send(server, { security: 'tls' });
    expect(outcome.state).toBe('failed');
    // The sender does not fall back to HELO once encrypted (Test connection does, then finds no AUTH).
    expect(['auth-not-offered', 'ehlo-rejected']).toContain(outcome.advice?.code);
    expect(server.log.tlsAuth).toEqual([]);
    const d = await test(server, { security: 'tls' });
    expect(d.failure).toMatchObject({ step: 'auth', code: 'auth-not-offered' });
    expect(server.log.tlsAuth).toEqual([]);
  });

  it('Test connection never signs in either', async () => {
    const server = await hostile({ refuseEhlo: true });
    const required = await test(server, { security: 'none' });
    expect(required.failure).toMatchObject({ step: 'auth', code: 'auth-not-offered' });
    const optional = await test(server, { security: 'none', auth: 'optional' });
    expect(optional.ok).toBe(true);
    const starttls = await test(server, { security: 'starttls' });
    expect(starttls.failure).toMatchObject({ step: 'starttls', code: 'encryption-not-offered' });
    expect(server.log.commands.filter((c) => /^AUTH/i.test(c.line))).toEqual([]);
  });
});

// ---- answers before the message is complete ----------------------------------------------------

describe('a reply before the data is complete', () => {
  it('"250 OK" glued to the 354 in the same packet: not sent, a protocol error', async () => {
    const server = await hostile(at('data', { send: wire('354 Go ahead\n250 2.0.0 OK queued') }));
    const outcome = await send(server);
    expect(outcome.state).toBe('retry');
    expect(outcome.advice?.code).toBe('protocol-error');
    expect(server.log.messages).toEqual([]);
  });

  it('a "354-" continuation that ends in "250 ": a protocol error, no data sent', async () => {
    const server = await hostile(at('data', { send: wire('354-Go ahead\n250 2.0.0 OK') }));
    const outcome = await send(server);
    expect(outcome.state).not.toBe('delivered');
    expect(outcome.advice?.code).toBe('protocol-error');
    expect(server.log.messages).toEqual([]);
  });

  // A 1 MB message: the server says "250" after the first piece, then "554" at the dot. Repeated,
  // since when the early reply arrives relative to the last write is down to the scheduler.
  it.each([1, 2, 3, 4, 5])('"250" after the first piece of a 1 MB message, "554" at the dot (run %i)', async () => {
    const server = await hostile({
      earlyReply: { afterBytes: 1, act: { send: wire('250 2.0.0 OK') } },
      ...at('data-end', { send: wire('554 5.6.0 Message rejected') }),
    });
    const message = bigMessage(1024 * 1024);
    const outcome = await send(server, {}, message);
    expect(outcome.state).not.toBe('delivered');
    expect(outcome.advice?.code).toBe('protocol-error');
  });

  it.each([1, 2, 3])('"250" in the middle of a 1 MB message, and "250" again at the dot: still not delivered (run %i)', async () => {
    const server = await hostile({ earlyReply: { afterBytes: 256 * 1024, act: { send: wire('250 2.0.0 OK') } } });
    const outcome = await send(server, {}, bigMessage(1024 * 1024));
    expect(outcome.state).not.toBe('delivered');
    expect(outcome.advice?.code).toBe('protocol-error');
  });

  // The early "250" can reach the client after its last write returned, with the real answer to the
  // dot ("554") in a later packet: only the reply count (the NOOP after the dot) exposes it.
  it.each([
    { security: 'none' as const, kb: 1024, delayMs: 50 },
    { security: 'starttls-required' as const, kb: 32, delayMs: 0 },
    { security: 'starttls-required' as const, kb: 32, delayMs: 50 },
  ])('"250" after the first piece, "554" for the dot in a later packet: not delivered ($security, $kb KB, $delayMs ms)', async ({ security, kb, delayMs }) => {
    const server = await hostile({
      earlyReply: { afterBytes: 1, act: { send: wire('250 2.0.0 OK') } },
      ...at('data-end', { send: wire('554 5.6.0 Message rejected'), delayMs }),
    });
    const outcome = await send(server, { security, ...(security === 'none' ? { auth: 'none' as const } : {}) }, bigMessage(kb * 1024));
    // The server said something before the dot and then refused the message.
    expect(server.log.messages[0]?.spokeDuringData).toBe(true);
    expect(outcome.state).not.toBe('delivered');
  });

  it('a second reply glued after the reply to the dot: the outcome is unknown, not delivered', async () => {
    const server = await hostile(at('data-end', { send: wire('250 2.0.0 Queued\n554 5.0.0 Actually not') }));
    const outcome = await send(server);
    expect(outcome.state).toBe('unknown');
    expect(outcome.advice?.code).toBe('protocol-error');
  });
});

// ---- replies that contradict themselves ---------------------------------------------------------

describe.concurrent('disagreeing and malformed multi-line replies', () => {
  const variants: { name: string; reply: (code: number) => string }[] = [
    { name: 'NNN- then 554', reply: (code) => wire(`${code}-Fine so far\n554 5.0.0 No`) },
    { name: '554- then NNN', reply: (code) => wire(`554-Refused\n${code} Fine`) },
    { name: 'a final line with no code', reply: (code) => wire(`${code}-Fine so far\nall good`) },
    { name: 'a code of unknown class (6xx)', reply: (code) => wire(`6${String(code).slice(1)} Fine`) },
    { name: 'a code of unknown class (0xx)', reply: (code) => wire(`0${String(code).slice(1)} Fine`) },
    { name: 'a code of unknown class (9xx)', reply: (code) => wire(`9${String(code).slice(1)} Fine`) },
  ];
  const cases = STEPS.flatMap((s) => variants.map((v) => ({ ...s, name: v.name, variant: v })));
  it.for(cases)('at $step: $name', async (c, { expect: local }) => {
    const server = await hostile(at(c.step, { send: c.variant.reply(c.code) }));
    const outcome = await send(server);
    expectNotDelivered(outcome, c.step);
    local(outcome.advice?.code).toBe('protocol-error');
    if (c.diagnoseStep) {
      const d = await test(server);
      local(d.ok).toBe(false);
      local(d.failure?.step).toBe(c.diagnoseStep);
      local(d.failure?.code).toBe('protocol-error');
    }
  });
});

// ---- slow servers ------------------------------------------------------------------------------

describe('replies dripped one byte at a time', () => {
  it('at every step, each reply within the timeout: the attempt still ends at its overall deadline', async () => {
    // Every reply takes 80% of the timeout: nine of them are far more than three timeouts.
    const server = await hostile({ respond: (ctx) => ({ ...drip(ctx.normal, Math.max(1, Math.floor((TIMEOUT_S * 800) / Buffer.byteLength(ctx.normal)))) }) });
    const outcome = await send(server);
    expect(outcome.state).not.toBe('delivered');
    expect(outcome.advice?.code).toMatch(/timeout/);
  });

  it('slower than the timeout at the greeting: given up at the timeout', async () => {
    const server = await hostile(at('greeting', (normal) => drip(normal, 100)));
    const started = Date.now();
    const outcome = await send(server);
    expect(outcome.state).toBe('retry');
    expect(Date.now() - started).toBeLessThan(TIMEOUT_S * 1000 + 1500);
    const d = await test(server);
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'reply-timeout' });
  });

  it('only after the final dot, slower than the timeout: unknown, since the message may have arrived', async () => {
    const server = await hostile(at('data-end', (normal) => drip(normal, 100)));
    const outcome = await send(server);
    expect(outcome.state).toBe('unknown');
    expect(outcome.dataSent).toBe(true);
    expect(outcome.advice?.code).toMatch(/timeout|stopped-answering/);
  });

  it('silence after the final dot: unknown, at the timeout', async () => {
    const server = await hostile(at('data-end', {}));
    const outcome = await send(server);
    expect(outcome.state).toBe('unknown');
    expect(outcome.dataSent).toBe(true);
    expect(server.log.messages).toHaveLength(1);
  });

  it('Test connection, dripped at every step, ends each step at its timeout', async () => {
    const server = await hostile({ respond: (ctx) => drip(ctx.normal, Math.max(1, Math.floor((TIMEOUT_S * 1500) / Buffer.byteLength(ctx.normal)))) });
    const d = await test(server);
    expect(d.failure).toMatchObject({ step: 'greeting', code: 'reply-timeout' });
  });
});

// ---- garbage and closes at each step ----------------------------------------------------------------

const GARBAGE: { name: string; bytes: () => Buffer }[] = [
  {
    name: 'random bytes',
    bytes: () => {
      const next = mulberry32(4242);
      return Buffer.concat([Buffer.from(Array.from({ length: 200 }, () => Math.floor(next() * 256))), Buffer.from('\r\n')]);
    },
  },
  { name: 'NUL bytes', bytes: () => Buffer.concat([Buffer.alloc(64), Buffer.from('\r\n')]) },
  { name: 'NULs inside a 250 line', bytes: () => Buffer.from('250 OK\0\0\0\r\n'.replace('250', '2\x0050')) },
  { name: 'ANSI escapes', bytes: () => Buffer.from('\x1b[2J\x1b]0;pwned\x07\x1b[31m250 OK\x1b[0m\r\n') },
  { name: 'a 1 MB line without a newline', bytes: () => Buffer.alloc(1024 * 1024, 'A') },
];

describe.concurrent('binary garbage at each step', () => {
  const cases = STEPS.flatMap((s) => GARBAGE.map((g) => ({ ...s, name: g.name, garbage: g })));
  it.for(cases)('at $step: $name', async (c, { expect: local }) => {
    const server = await hostile(at(c.step, { send: c.garbage.bytes() }));
    const outcome = await send(server);
    expectNotDelivered(outcome, c.step);
    if (c.diagnoseStep) {
      const d = await test(server);
      local(d.ok).toBe(false);
      local(d.failure?.step).toBe(c.diagnoseStep);
    }
  });
});

describe.concurrent('the server closes at each step', () => {
  const closes: { name: string; act: Act }[] = [
    // A short pause first, so that a close at the greeting comes after the connection is made.
    { name: 'closes without a word', act: { close: 'end', delayMs: 20 } },
    { name: 'drops the connection', act: { close: 'reset', delayMs: 20 } },
    { name: 'closes half-way through its reply', act: { send: '25', close: 'end', delayMs: 20 } },
  ];
  const cases = STEPS.flatMap((s) => closes.map((k) => ({ ...s, name: k.name, close: k })));
  it.for(cases)('at $step: $name', async (c, { expect: local }) => {
    const server = await hostile(at(c.step, c.close.act));
    const outcome = await send(server);
    expectNotDelivered(outcome, c.step);
    if (c.diagnoseStep) {
      const d = await test(server);
      local(d.ok).toBe(false);
      local(d.failure?.step).toBe(c.diagnoseStep);
    }
  });
});
