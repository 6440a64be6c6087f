// A seeded fuzzer for the sender: thousands of conversations with a hostile server whose every reply
// may be mutated (wrong codes, self-contradicting lines, no code, unknown classes, garbage, splits,
// early and extra replies, closes, silence). The oracle: "delivered" only when the server cleanly
// accepted the whole message after its terminating dot; every attempt settles before its deadline;
// no credential in clear; nothing escapes as an unhandled error. The seed is printed; set
// MAILROOM_FUZZ_SEED to repeat a run, and MAILROOM_FUZZ_ONLY=N to replay conversation N alone.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deliverOnce, type DeliveryOutcome, type SmtpEndpoint } from '../../main/services/mail/smtp-delivery';
import { createTestCa, type KeyPair } from '../helpers/test-ca';
import { cleanReply, mulberry32, onlyCleanReply, secretsIn, startHostileServer, wire, type Act, type HostileOptions, type HostileServer, type HostileStep } from '../helpers/hostile-smtp';

const SEED = Number(process.env.MAILROOM_FUZZ_SEED ?? 20261204) >>> 0;
const ONLY = process.env.MAILROOM_FUZZ_ONLY === undefined ? undefined : Number(process.env.MAILROOM_FUZZ_ONLY);
const CONVERSATIONS = Number(process.env.MAILROOM_FUZZ_CONVERSATIONS ?? 2400);
const MIN_REPLIES = 10_000;
const IN_FLIGHT = 32;
const TIMEOUT_S = 1;
// The attempt's limit (three timeouts plus the upload at 20 kB/s), and two seconds of slack for a
// test process that runs dozens of conversations at once.
const boundMs = (bytes: number) => TIMEOUT_S * 3000 + Math.ceil((bytes * 1000) / 20_000) + 2000;

const USER = 'fuzz@example.test';
const PASSWORD = 'Marmot-4417-velvet!Harbour';
const TOKEN = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJmdXp6In0.Fuzz-Access-Token-8830';
const SECRETS = [
  PASSWORD,
  TOKEN,
  Buffer.from(PASSWORD).toString('base64'),
  Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64'),
  Buffer.from(`user=${USER}\x01auth=Bearer ${TOKEN}\x01\x01`).toString('base64'),
];

// ---- a deterministic PRNG ----------------------------------------------------------------------

/** One 32-bit seed from several numbers, so each conversation and each reply has its own stream. */
function mix(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

interface Rng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

function rng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    chance: (p) => next() < p,
  };
}

// ---- the mutations -----------------------------------------------------------------------------

type Kind =
  | 'valid'
  | 'valid-multiline'
  | 'split'
  | 'drip'
  | 'wrong-code'
  | 'disagree'
  | 'no-code'
  | 'unknown-class'
  | 'garbage'
  | 'long-line'
  | 'extra-glued'
  | 'extra-late'
  | 'close'
  | 'silence';

/** Mutations that leave the conversation valid: a server doing only these must get the message. */
const BENIGN = new Set<Kind>(['valid', 'valid-multiline', 'split']);

const WEIGHTS: [Kind, number][] = [
  ['valid', 800],
  ['split', 40],
  ['valid-multiline', 20],
  ['drip', 8],
  ['wrong-code', 30],
  ['disagree', 20],
  ['no-code', 15],
  ['unknown-class', 15],
  ['garbage', 15],
  ['long-line', 3],
  ['extra-glued', 12],
  ['extra-late', 12],
  ['close', 10],
  // Rare: each costs a whole timeout.
  ['silence', 2],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((n, [, w]) => n + w, 0);

function chooseKind(r: Rng): Kind {
  let x = r.next() * TOTAL_WEIGHT;
  for (const [kind, w] of WEIGHTS) {
    if ((x -= w) < 0) return kind;
  }
  return 'valid';
}

const CODES = [220, 221, 235, 250, 251, 334, 354, 421, 450, 451, 452, 454, 500, 501, 502, 503, 504, 530, 535, 550, 552, 553, 554];

function codeOf(normal: string): number {
  return Number(normal.slice(0, 3));
}

function randomBytes(r: Rng, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => r.int(0, 255)));
}

/** Splits `bytes` into random pieces. */
function pieces(r: Rng, length: number): number[] {
  const out: number[] = [];
  let left = length;
  while (left > 1 && out.length < 6) {
    const n = r.int(1, Math.max(1, Math.min(left - 1, 40)));
    out.push(n);
    left -= n;
  }
  return out;
}

function mutate(kind: Kind, normal: string, step: HostileStep, r: Rng): Act {
  const code = codeOf(normal);
  const text = normal.replace(/\r\n$/, '');
  const lastLine = text.split('\r\n').pop() ?? '';
  const closeAfterQuit = step === 'quit' ? { close: 'end' as const } : {};
  switch (kind) {
    case 'valid':
      return { send: normal, ...closeAfterQuit };
    case 'valid-multiline':
      // A consistent multi-line reply: a note line first, every line with the same code.
      return { send: text.includes('\r\n') ? normal : wire(`${code}-Note from the fuzzer\n${text}`), ...closeAfterQuit };
    case 'split':
      return { send: normal, pieces: pieces(r, normal.length), gapMs: r.int(0, 3), ...closeAfterQuit };
    case 'drip':
      return { send: normal, pieces: Array.from({ length: normal.length }, () => 1), gapMs: r.int(1, 12) };
    case 'wrong-code': {
      const other = r.pick(CODES.filter((c) => c !== code));
      return { send: wire(`${other} ${lastLine.slice(4) || 'Changed my mind'}`) };
    }
    case 'disagree': {
      const other = r.pick(CODES.filter((c) => c !== code));
      const shapes = [`${code}-Fine so far\n${other} Not fine`, `${other}-Not fine\n${code} Fine`, `${code}-One\n${other}-Two\n${code} Three`];
      return { send: wire(r.pick(shapes)) };
    }
    case 'no-code':
      return { send: wire(r.pick(['OK', ` ${code} OK`, `${code}OK`, `${String(code).slice(0, 2)} OK`, `${code}0 OK`, `${code}-Fine\nno code here`, `Fine\n${code} OK`, ''])) };
    case 'unknown-class': {
      const digits = String(code);
      const bad = r.chance(0.7) ? `${r.pick([0, 1, 6, 7, 8, 9])}${digits.slice(1)}` : `${digits[0]}${r.int(6, 9)}${digits[2]}`;
      return { send: wire(r.chance(0.5) ? `${bad} Fine` : `${bad}-Fine\n${bad} Fine`) };
    }
    case 'garbage': {
      const kinds = [
        () => randomBytes(r, r.int(1, 200)),
        () => Buffer.alloc(r.int(1, 64)),
        () => Buffer.from(`\x1b[2J\x1b]0;pwned\x07${code} OK\x1b[0m`),
        () => Buffer.from(`${code} OK\0\0`),
      ];
      const body = r.pick(kinds)();
      return { send: r.chance(0.75) ? Buffer.concat([body, Buffer.from('\r\n')]) : body };
    }
    case 'long-line':
      return { send: Buffer.alloc(r.int(9, 70) * 1024, r.pick(['A', '2', ' '])) };
    case 'extra-glued':
      return { send: normal + wire(r.pick(['250 2.0.0 OK', '354 Go ahead', '554 5.0.0 No', '221 Bye'])) };
    case 'extra-late':
      return { send: normal + wire(r.pick(['250 2.0.0 OK', '554 5.0.0 No', '235 Fine'])), pieces: [normal.length], gapMs: r.int(2, 40) };
    case 'close':
      return { send: normal.slice(0, r.int(0, normal.length - 1)), close: r.pick(['end', 'destroy', 'reset'] as const) };
    case 'silence':
      return {};
  }
}

// ---- one conversation --------------------------------------------------------------------------

interface Conversation {
  index: number;
  endpoint: Omit<SmtpEndpoint, 'port' | 'host'>;
  server: Omit<HostileOptions, 'tls' | 'respond'>;
  message: { envelope: { from: string; to: string[] }; raw: Buffer };
  /** Whether this server's settings let the profile send at all (before any mutation). */
  coherent: boolean;
}

function conversation(index: number): Conversation {
  const r = rng(mix(SEED, index, 1));
  const security = r.pick(['none', 'none', 'starttls', 'starttls-required', 'tls'] as const);
  const withToken = security !== 'none' && r.chance(0.3);
  const auth = security === 'none' ? r.pick(['none', 'none', 'required'] as const) : r.pick(['required', 'required', 'optional'] as const);
  const methods = r.pick([['PLAIN', 'LOGIN', 'XOAUTH2'], ['PLAIN'], ['LOGIN'], ['XOAUTH2'], ['LOGIN', 'XOAUTH2'], ['PLAIN', 'LOGIN', 'XOAUTH2']]);
  const offerStarttls = security === 'starttls' || security === 'starttls-required' ? r.chance(0.93) : r.chance(0.5);
  const size = r.chance(0.8) ? r.pick([10485760, 52428800, 0]) : false;
  const to = Array.from({ length: r.int(1, 3) }, (_, i) => `rcpt${i}.${index}@example.test`);
  const big = r.chance(0.06);
  const lines = big ? r.int(200, 2500) : r.int(1, 12);
  const body = Array.from({ length: lines }, (_, i) => (i % 7 === 3 ? `.dot line ${i}` : `Line ${i} of message ${index} ${'x'.repeat(r.int(0, 70))}`)).join('\r\n');
  const raw = Buffer.from(`Subject: Fuzz ${index}\r\nFrom: invoices@example.test\r\n\r\n${body}\r\n`);
  const early = r.chance(0.04) ? { afterBytes: r.int(1, raw.length), act: { send: wire(r.pick(['250 2.0.0 OK', '554 5.0.0 No'])) } } : undefined;

  const mechanismOffered = withToken ? methods.includes('XOAUTH2') : methods.some((m) => m === 'PLAIN' || m === 'LOGIN');
  const encrypted = security === 'tls' || ((security === 'starttls' || security === 'starttls-required') && offerStarttls);
  const signsIn = withToken || auth === 'required' || (auth === 'optional' && encrypted);
  const coherent =
    !early &&
    (security !== 'starttls-required' || offerStarttls) &&
    (!(withToken || auth === 'required') || security === 'none' || encrypted) &&
    (!signsIn || mechanismOffered);

  return {
    index,
    endpoint: {
      security,
      minTls: '1.2',
      // Certificates are proven in smtp-hostile.test.ts. Here an extra CA would cost every connection
      // ~40 ms of CPU (the system roots are parsed again with it), and thousands of them would starve
      // the timers this run is about.
      verifyCert: false,
      timeoutSeconds: TIMEOUT_S,
      clientName: `fuzz${index}.example.test`,
      auth,
      ...(auth === 'none' && !withToken ? {} : { credentials: withToken ? { username: USER, accessToken: TOKEN } : { username: USER, password: PASSWORD } }),
    },
    server: { implicitTls: security === 'tls', offerStarttls, authMethods: methods, size, ...(early ? { earlyReply: early } : {}) },
    message: { envelope: { from: 'invoices@example.test', to }, raw },
    coherent,
  };
}

const STEP_IDS: Record<HostileStep, number> = {
  greeting: 1,
  ehlo: 2,
  helo: 3,
  starttls: 4,
  auth: 5,
  'auth-continue': 6,
  mail: 7,
  rcpt: 8,
  data: 9,
  'data-early': 10,
  'data-end': 11,
  rset: 12,
  noop: 13,
  quit: 14,
  unknown: 15,
};

/**
 * What the server itself saw, for a "delivered": undefined when it accepted the whole message,
 * unchanged, with a 2xx to the terminating dot; otherwise what was wrong.
 *
 * A server that spoke between its 354 and the dot is counted (see `spokeEarly`) but is not a false
 * "delivered" when it then accepted the message: a reply the server wrote early can reach the client
 * only after the whole message is written, and then nothing on the wire tells it from a prompt
 * answer until a later reply shows the count is off. What must never happen is a "delivered" for a
 * message the server refused or never had.
 */
function serverAccepted(server: HostileServer, expected: Buffer): string | undefined {
  const writes = server.log.writes;
  const end = writes.findIndex((w) => w.step === 'data-end');
  if (end < 0) return 'FALSE DELIVERED: the server never answered a terminating dot';
  let stop = end;
  while (stop < writes.length && writes[stop]!.step === 'data-end') stop++;
  const answerDot = Buffer.concat(writes.slice(end, stop).map((w) => w.bytes));
  const reply = cleanReply(answerDot);
  if (!reply || reply.code < 200 || reply.code > 299) return `FALSE DELIVERED: the server answered the dot with ${JSON.stringify(answerDot.toString('latin1').slice(0, 60))}`;
  const message = server.log.messages[0];
  if (!message) return 'FALSE DELIVERED: no message arrived';
  if (!message.data.equals(expected)) return 'FALSE DELIVERED: the message arrived changed';
  return undefined;
}

/** Whether the server said anything besides a clean 354 between DATA and the dot. */
function spokeEarly(server: HostileServer): boolean {
  const writes = server.log.writes;
  const end = writes.findIndex((w) => w.step === 'data-end');
  const first = writes.findIndex((w) => w.step === 'data');
  if (end < 0 || first < 0) return false;
  const between = Buffer.concat(writes.slice(first, end).map((w) => w.bytes));
  const clean = onlyCleanReply(between) === 354 || cleanReply(between)?.length === between.length;
  return !clean || server.log.messages[0]?.spokeDuringData === true;
}

interface Result {
  index: number;
  replies: number;
  kinds: Kind[];
  outcome: DeliveryOutcome;
  problems: string[];
  mustDeliver: boolean;
  /** The server spoke between its 354 and the dot. */
  early: boolean;
}

async function run(c: Conversation, cert: KeyPair): Promise<Result> {
  const kinds: Kind[] = [];
  const seen = new Map<HostileStep, number>();
  let replies = 0;
  const server: HostileServer = await startHostileServer({
    tls: cert,
    ...c.server,
    respond: (ctx) => {
      const occurrence = seen.get(ctx.step) ?? 0;
      seen.set(ctx.step, occurrence + 1);
      const r = rng(mix(SEED, c.index, STEP_IDS[ctx.step], occurrence));
      const kind = chooseKind(r);
      replies += 1;
      kinds.push(kind);
      return mutate(kind, ctx.normal, ctx.step, r);
    },
  });
  const problems: string[] = [];
  let outcome: DeliveryOutcome;
  try {
    const started = Date.now();
    outcome = await deliverOnce({ ...c.endpoint, host: '127.0.0.1', port: server.port }, c.message);
    const elapsed = Date.now() - started;
    if (elapsed > boundMs(c.message.raw.length)) problems.push(`took ${elapsed} ms, past its deadline`);
  } finally {
    await server.close();
  }
  if (c.endpoint.security !== 'none') {
    if (server.log.cleartextAuth.length > 0) problems.push(`AUTH in clear: ${server.log.cleartextAuth.join(' | ').slice(0, 120)}`);
    const found = secretsIn(server.clearBytes(), SECRETS);
    if (found.length > 0) problems.push(`a credential in clear (${found.length} forms)`);
  }
  if (outcome.state === 'delivered') {
    const why = serverAccepted(server, c.message.raw);
    if (why) problems.push(why);
  } else if (!outcome.advice) problems.push(`state ${outcome.state} without advice`);
  const mustDeliver = c.coherent && kinds.every((k) => BENIGN.has(k));
  if (mustDeliver && outcome.state !== 'delivered') problems.push(`a valid conversation was not delivered: ${outcome.state} ${outcome.advice?.code ?? ''}`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(JSON.stringify(outcome))) problems.push('a raw control character in what the user sees');
  if (server.log.errors.length > 0) problems.push(`the fuzzer's own script threw: ${String(server.log.errors[0])}`);
  return { index: c.index, replies, kinds, outcome, problems, mustDeliver, early: spokeEarly(server) };
}

// ---- the run -----------------------------------------------------------------------------------

let cert: KeyPair;
const escaped: unknown[] = [];
const onUncaught = (err: unknown) => escaped.push(err);
const onUnhandled = (reason: unknown) => escaped.push(reason);

beforeAll(() => {
  cert = createTestCa('Mailroom Fuzz Test CA').issue(['localhost', '127.0.0.1']);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
});

afterAll(() => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUnhandled);
});

it(`${CONVERSATIONS} fuzzed conversations: never a false "delivered", never a credential in clear, never past the deadline`, async () => {
  const started = Date.now();
  // Reported with the counts: a deadline missed while the process itself was stalled says so.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const indexes = ONLY === undefined ? Array.from({ length: CONVERSATIONS }, (_, i) => i) : [ONLY];
  const results: Result[] = [];
  let nextIndex = 0;
  // A pool: IN_FLIGHT conversations at a time, a new one as soon as one ends.
  await Promise.all(
    Array.from({ length: Math.min(IN_FLIGHT, indexes.length) }, async () => {
      while (nextIndex < indexes.length) {
        const index = indexes[nextIndex++] as number;
        results.push(await run(conversation(index), cert));
      }
    }),
  );
  // Late socket events get their chance to escape.
  await new Promise((resolve) => setTimeout(resolve, 100));
  lag.disable();

  const replies = results.reduce((n, r) => n + r.replies, 0);
  const mutated = results.reduce((n, r) => n + r.kinds.filter((k) => k !== 'valid').length, 0);
  const byKind = new Map<Kind, number>();
  for (const r of results) for (const k of r.kinds) byKind.set(k, (byKind.get(k) ?? 0) + 1);
  const states = new Map<string, number>();
  for (const r of results) states.set(r.outcome.state, (states.get(r.outcome.state) ?? 0) + 1);
  const failed = results.filter((r) => r.problems.length > 0).sort((a, b) => a.index - b.index);
  console.log(
    [
      `smtp fuzz: seed ${SEED} (MAILROOM_FUZZ_SEED=${SEED} repeats this run), ${results.length} conversations in ${Date.now() - started} ms`,
      `  ${replies} fuzzed replies, ${mutated} of them changed: ${[...byKind].filter(([k]) => k !== 'valid').map(([k, n]) => `${k} ${n}`).join(', ')}`,
      `  outcomes: ${[...states].map(([s, n]) => `${s} ${n}`).join(', ')}; ${results.filter((r) => r.mustDeliver).length} unchanged conversations had to deliver`,
      `  the server spoke before the dot in ${results.filter((r) => r.early).length}: ${results.filter((r) => r.early && r.outcome.state !== 'delivered').length} stopped, ${results.filter((r) => r.early && r.outcome.state === 'delivered').length} delivered (the server then accepted the whole message)`,
      `  event loop delay: at most ${Math.round(lag.max / 1e6)} ms (99th percentile ${Math.round(lag.percentile(99) / 1e6)} ms)`,
      `  ${failed.length} conversations broke a rule${failed.length ? ' (MAILROOM_FUZZ_ONLY=N replays one):' : ''}`,
      ...failed.slice(0, 25).map((r) => `    #${r.index}: ${r.problems.join('; ')} [${r.kinds.join(' ')}${conversation(r.index).server.earlyReply ? ' +early' : ''}] -> ${r.outcome.state} ${r.outcome.advice?.code ?? ''} ${JSON.stringify(r.outcome.reply.slice(0, 60))}`),
    ].join('\n'),
  );

  if (ONLY === undefined && process.env.MAILROOM_FUZZ_CONVERSATIONS === undefined) expect(replies).toBeGreaterThanOrEqual(MIN_REPLIES);
  expect(escaped).toEqual([]);
  expect(failed.map((r) => `#${r.index}: ${r.problems.join('; ')}`)).toEqual([]);
}, 180_000);
