// Proposes a server profile's connection from an email address, the way Thunderbird and Outlook
// do, and says where each value came from. In the order they are trusted: Mailroom's own table of
// providers; the domain's autoconfig file; its MX record when it names a hosted provider; its
// RFC 6186 SRV records. The table answers at once; the others run side by side, each with its own
// timeout and all within one deadline, and the first in that order to answer wins. Nothing is saved.
import { performance } from 'node:perf_hooks';
import {
  fail,
  invalidFields,
  ok,
  parseRecipient,
  type DetectAttempt,
  type DetectMethod,
  type DetectedSettings,
  type Detection,
  type Result,
} from '../../../../preload/contract';
import { AutoconfigError, autoconfigUrls, fetchAutoconfig, readAutoconfig } from './autoconfig';
import { DnsCancelled, isDnsTimeout, isNoAnswer, resolveMx, resolveSrv, type DnsOptions } from './dns-lookups';
import { providerForDomain, providerForMx, type Provider } from './provider-table';

export const DEFAULT_LOOKUP_TIMEOUT_MS = 4_000;
export const DEFAULT_DEADLINE_MS = 10_000;

export interface DetectOptions {
  /** DNS servers to ask ("10.0.0.53", "127.0.0.1:5353"); the system's when absent. */
  dnsServers?: readonly string[];
  /** Extra trusted certificate authorities (PEM) for autoconfig, on top of the system's. */
  ca?: string;
  /** The port autoconfig is fetched from: 443 (HTTPS) unless a local test server sits elsewhere. */
  autoconfigPort?: number;
  /** How long one lookup (a URL with its redirects, one DNS question) may take. */
  lookupTimeoutMs?: number;
  /** How long the whole detection may take. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

/**
 * Options from the environment: MAILROOM_DNS_SERVERS (comma-separated) asks those servers instead
 * of the system's, and MAILROOM_AUTOCONFIG_PORT fetches autoconfig from another port (a local
 * test server). Extra CAs come from the computer's certificate store (net/system-ca.ts), and from
 * NODE_EXTRA_CA_CERTS where Node reads it (not in the installed app).
 */
export function detectOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): DetectOptions {
  const servers = (env.MAILROOM_DNS_SERVERS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const port = Number(env.MAILROOM_AUTOCONFIG_PORT);
  return {
    ...(servers.length > 0 ? { dnsServers: servers } : {}),
    ...(Number.isInteger(port) && port >= 1 && port <= 65535 ? { autoconfigPort: port } : {}),
  };
}

/** What a lookup that found something answers: its proposal, and the line for the report. */
type Found = { settings: DetectedSettings; detail: string };

interface Lookup {
  method: DetectMethod;
  target: string;
  run(signal: AbortSignal, timeoutMs: number): Promise<Found | { outcome: 'not-found' | 'failed' | 'timed-out'; detail: string }>;
}

class Stop {
  constructor(readonly why: 'deadline' | 'better-answer' | 'cancelled') {}
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The proposal of a table entry, every value credited to `source`. */
function fromProvider(provider: Provider, address: string, domain: string, source: string): DetectedSettings {
  const at = (value: string | number) => ({ value, source });
  const oauth = provider.authModel === 'oauth2';
  return {
    provider: provider.name,
    host: at(provider.host) as DetectedSettings['host'],
    port: at(provider.port) as DetectedSettings['port'],
    security: { value: provider.security, source },
    auth: { value: 'required', source },
    authModel: { value: provider.authModel, source },
    ...(oauth ? { oauthProvider: { value: 'microsoft365' as const, source } } : {}),
    ...(oauth && provider.tenant
      ? { tenant: { value: provider.tenant === 'consumers' ? 'consumers' : domain, source: provider.tenant === 'consumers' ? `${source} (personal Microsoft accounts)` : `${source} (the address's domain)` } }
      : {}),
    username: { value: address, source: `${source} (the whole address)` },
    notes: [...provider.notes],
  };
}

/**
 * Detects the settings for one address. Invalid input is refused with the field "address"; a
 * detection that finds nothing is still a result (proposal null), with every attempt and why.
 */
export async function detectSettings(input: string, options: DetectOptions = {}): Promise<Result<Detection>> {
  const parsed = parseRecipient(input);
  if (!parsed.ok) return invalidFields([{ path: 'address', message: parsed.message }]);
  const address = parsed.value.address;
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const tried: DetectAttempt[] = [];

  // a. The table: no network, and a hit needs nothing else.
  const known = providerForDomain(domain);
  const tableStart = performance.now();
  if (known) {
    const source = `built-in table: ${known.provider.name}`;
    tried.push({ method: 'table', target: domain, outcome: 'found', detail: `${domain} is ${known.provider.name}`, durationMs: Math.round(performance.now() - tableStart) });
    return ok({ address, domain, proposal: fromProvider(known.provider, address, domain, source), tried, elapsedMs: elapsed() });
  }
  tried.push({ method: 'table', target: domain, outcome: 'not-found', detail: `${domain} is not a provider Mailroom knows by name`, durationMs: Math.round(performance.now() - tableStart) });

  const lookupTimeoutMs = options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  const dnsOptions: DnsOptions = options.dnsServers ? { servers: options.dnsServers } : {};
  const lookups: Lookup[] = [
    ...autoconfigUrls(address, domain, options.autoconfigPort).map((url): Lookup => ({ method: 'autoconfig', target: url, run: (signal, timeoutMs) => autoconfigLookup(url, address, { ca: options.ca, dns: dnsOptions, timeoutMs, signal }) })),
    { method: 'mx', target: `${domain} MX`, run: (signal, timeoutMs) => mxLookup(domain, address, dnsOptions, timeoutMs, signal) },
    { method: 'srv', target: `_submissions._tcp.${domain} SRV`, run: (signal, timeoutMs) => srvLookup(`_submissions._tcp.${domain}`, 'tls', address, dnsOptions, timeoutMs, signal) },
    { method: 'srv', target: `_submission._tcp.${domain} SRV`, run: (signal, timeoutMs) => srvLookup(`_submission._tcp.${domain}`, 'starttls-required', address, dnsOptions, timeoutMs, signal) },
  ];

  // b–d side by side; all stop at the deadline, or when the caller cancels.
  const all = new AbortController();
  const deadline = setTimeout(() => all.abort(new Stop('deadline')), deadlineMs);
  const onCancel = () => all.abort(new Stop('cancelled'));
  options.signal?.addEventListener('abort', onCancel, { once: true });
  const running = lookups.map((lookup) => runLookup(lookup, all.signal, lookupTimeoutMs, deadlineMs));
  let proposal: DetectedSettings | null = null;
  try {
    // The first in rank order to find something wins: wait for each in turn, and once one has
    // found settings, stop the ones ranked below it.
    for (const [index, pending] of running.entries()) {
      const result = await pending.outcome;
      if (result.found) {
        proposal = result.found.settings;
        for (const later of running.slice(index + 1)) later.stop();
        break;
      }
    }
    for (const { outcome } of running) tried.push((await outcome).attempt);
  } finally {
    clearTimeout(deadline);
    options.signal?.removeEventListener('abort', onCancel);
  }
  if (options.signal?.aborted) return fail('unavailable', 'Detection was cancelled');
  return ok({ address, domain, proposal, tried, elapsedMs: elapsed() });
}

/** One lookup with its own timeout, stopped by the deadline, a cancel, or a better answer. */
function runLookup(lookup: Lookup, parent: AbortSignal, timeoutMs: number, deadlineMs: number) {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onParent, { once: true });
  const started = performance.now();
  const timer = setTimeout(() => controller.abort(new Stop('deadline')), timeoutMs);
  const attempt = (outcome: DetectAttempt['outcome'], detail: string): DetectAttempt => ({ method: lookup.method, target: lookup.target, outcome, detail, durationMs: Math.round(performance.now() - started) });
  const stopped = new Promise<never>((_, reject) => {
    if (controller.signal.aborted) reject(controller.signal.reason);
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  stopped.catch(() => undefined);
  const outcome = (async (): Promise<{ attempt: DetectAttempt; found?: Found }> => {
    try {
      // Whatever the lookup does with its signal, it is over once stopped.
      const result = await Promise.race([lookup.run(controller.signal, timeoutMs), stopped]);
      if ('settings' in result) return { attempt: attempt('found', result.detail), found: result };
      return { attempt: attempt(result.outcome, result.detail) };
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
      if (reason instanceof Stop) {
        if (reason.why === 'better-answer') return { attempt: attempt('not-needed', 'Stopped: a lookup ranked higher had already answered') };
        if (reason.why === 'cancelled') return { attempt: attempt('failed', 'Cancelled') };
        const limit = parent.aborted ? deadlineMs : timeoutMs;
        return { attempt: attempt('timed-out', `No answer within ${seconds(limit)}${parent.aborted ? ' (the limit for the whole detection)' : ''}`) };
      }
      return { attempt: attempt('failed', error instanceof Error ? error.message : String(error)) };
    } finally {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParent);
    }
  })();
  return { outcome, stop: () => controller.abort(new Stop('better-answer')) };
}

async function autoconfigLookup(url: string, address: string, options: Parameters<typeof fetchAutoconfig>[1]) {
  try {
    const fetched = await fetchAutoconfig(url, options);
    const server = readAutoconfig(fetched.body, address);
    const source = `autoconfig at ${fetched.url}`;
    const at = <T>(value: T) => ({ value, source });
    const settings: DetectedSettings = {
      ...(server.displayName ? { provider: server.displayName } : {}),
      host: at(server.host),
      port: at(server.port),
      security: at(server.security),
      auth: at(server.auth),
      authModel: at(server.authModel),
      ...(server.authModel === 'oauth2'
        ? { oauthProvider: at('microsoft365' as const), tenant: { value: address.slice(address.lastIndexOf('@') + 1), source: `${source} (the address's domain)` } }
        : {}),
      username: { value: server.username, source: server.username === server.usernameTemplate ? source : `${source} (${server.usernameTemplate})` },
      notes: server.notes,
    };
    return { settings, detail: `${server.host}:${server.port}` };
  } catch (error) {
    if (error instanceof AutoconfigError) return { outcome: error.kind, detail: error.message };
    throw error;
  }
}

function dnsFailure(error: unknown, what: string) {
  if (isNoAnswer(error)) return { outcome: 'not-found' as const, detail: `No ${what} record` };
  if (isDnsTimeout(error)) return { outcome: 'timed-out' as const, detail: 'The DNS server did not answer' };
  if (error instanceof DnsCancelled) throw error;
  const code = (error as NodeJS.ErrnoException).code;
  return { outcome: 'failed' as const, detail: `DNS said ${code ?? (error instanceof Error ? error.message : String(error))}` };
}

async function mxLookup(domain: string, address: string, dnsOptions: DnsOptions, timeoutMs: number, signal: AbortSignal) {
  let records;
  try {
    records = await resolveMx(domain, dnsOptions, timeoutMs, signal);
  } catch (error) {
    return dnsFailure(error, 'MX');
  }
  const sorted = [...records].sort((a, b) => a.priority - b.priority);
  for (const record of sorted) {
    const known = providerForMx(record.exchange);
    if (known) {
      const source = `MX record ${record.exchange} → ${known.provider.name}`;
      return { settings: fromProvider(known.provider, address, domain, source), detail: source };
    }
  }
  if (sorted.length === 0) return { outcome: 'not-found' as const, detail: 'No MX record' };
  return { outcome: 'not-found' as const, detail: `MX ${sorted.map((r) => r.exchange).slice(0, 3).join(', ')}: not a hosted provider Mailroom knows` };
}

async function srvLookup(name: string, security: 'tls' | 'starttls-required', address: string, dnsOptions: DnsOptions, timeoutMs: number, signal: AbortSignal) {
  let records;
  try {
    records = await resolveSrv(name, dnsOptions, timeoutMs, signal);
  } catch (error) {
    return dnsFailure(error, 'SRV');
  }
  // RFC 2782: lowest priority first, then the heaviest weight.
  const best = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
  if (!best) return { outcome: 'not-found' as const, detail: 'No SRV record' };
  const target = best.name.replace(/\.$/, '');
  if (target === '' || target === '.') return { outcome: 'not-found' as const, detail: 'The domain says this service is not offered (target ".")' };
  if (!(best.port >= 1 && best.port <= 65535)) return { outcome: 'failed' as const, detail: `Port ${best.port} is not usable` };
  const source = `SRV ${name} → ${target}:${best.port}`;
  const settings: DetectedSettings = {
    host: { value: target, source },
    port: { value: best.port, source },
    security: { value: security, source: `${source} (${security === 'tls' ? 'implicit TLS' : 'STARTTLS'}, RFC 6186)` },
    auth: { value: 'required', source: `${source} (submission always signs in)` },
    authModel: { value: 'basic', source: `${source} (a username and password)` },
    username: { value: address, source: 'SRV records name no username: the whole address, as most servers expect' },
    notes: [],
  };
  return { settings, detail: `${target}:${best.port}` };
}
