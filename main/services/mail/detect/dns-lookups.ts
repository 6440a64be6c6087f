// The DNS questions detection asks (MX, SRV, and the addresses of the hosts it fetches from),
// each on a resolver of its own so that cancelling one cancels nothing else, with one try and a
// timeout, and servers that can be named (an office's own resolver, or a test server on loopback).
import dns from 'node:dns';
import { Resolver } from 'node:dns/promises';
import net, { type LookupFunction } from 'node:net';

export interface DnsOptions {
  /** Servers to ask, as "ip" or "ip:port" ("[::1]:53" for IPv6 with a port); the system's when absent. */
  servers?: readonly string[];
}

export class DnsCancelled extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'DnsCancelled';
  }
}

function resolverFor(options: DnsOptions, timeoutMs: number): Resolver {
  const resolver = new Resolver({ timeout: Math.max(1, Math.round(timeoutMs)), tries: 1 });
  if (options.servers && options.servers.length > 0) resolver.setServers([...options.servers]);
  return resolver;
}

/** Runs one question on a resolver of its own; an abort cancels it. */
async function ask<T>(options: DnsOptions, timeoutMs: number, signal: AbortSignal | undefined, question: (r: Resolver) => Promise<T>): Promise<T> {
  if (signal?.aborted) throw new DnsCancelled();
  const resolver = resolverFor(options, timeoutMs);
  const onAbort = () => resolver.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await question(resolver);
  } catch (error) {
    if (signal?.aborted) throw new DnsCancelled();
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** "No such name" and "no records of that type" both mean: the domain does not say. */
export function isNoAnswer(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === dns.NOTFOUND || code === dns.NODATA;
}

export function isDnsTimeout(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === dns.TIMEOUT;
}

export function resolveMx(domain: string, options: DnsOptions, timeoutMs: number, signal?: AbortSignal) {
  return ask(options, timeoutMs, signal, (r) => r.resolveMx(domain));
}

export function resolveSrv(name: string, options: DnsOptions, timeoutMs: number, signal?: AbortSignal) {
  return ask(options, timeoutMs, signal, (r) => r.resolveSrv(name));
}

/**
 * A lookup function for https.request that asks the named servers (A, then AAAA) instead of the
 * system; undefined when no servers are named, so the system's own (hosts file included) is used.
 */
export function lookupWith(options: DnsOptions, timeoutMs: number, signal?: AbortSignal): LookupFunction | undefined {
  if (!options.servers || options.servers.length === 0) return undefined;
  return (hostname, lookupOptions, callback) => {
    const all = Boolean((lookupOptions as { all?: boolean }).all);
    const answer = (addresses: string[], family: 4 | 6) => {
      if (all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, addresses.map((address) => ({ address, family })));
      else callback(null, addresses[0] as string, family);
    };
    if (net.isIP(hostname)) {
      answer([hostname], net.isIP(hostname) === 6 ? 6 : 4);
      return;
    }
    void (async () => {
      try {
        const v4 = await ask(options, timeoutMs, signal, (r) => r.resolve4(hostname)).catch((error: unknown) => {
          if (isNoAnswer(error)) return [];
          throw error;
        });
        if (v4.length > 0) return answer(v4, 4);
        const v6 = await ask(options, timeoutMs, signal, (r) => r.resolve6(hostname));
        if (v6.length > 0) return answer(v6, 6);
        callback(Object.assign(new Error(`${hostname} has no address`), { code: dns.NOTFOUND }), '', 4);
      } catch (error) {
        callback(error as NodeJS.ErrnoException, '', 4);
      }
    })();
  };
}
