// Trusting the computer's own certificate store, as desktop mail clients do. An office behind a
// proxy that inspects TLS, or with a mail server certified by the organisation's own authority,
// has IT install that root certificate in the operating system's store (Windows: Trusted Root
// Certification Authorities; macOS: the System keychain). Node trusts only its bundled roots, and
// the installed app ignores NODE_EXTRA_CA_CERTS (the NodeOptions fuse is off), so at start the
// store's certificates are added to the defaults: every TLS connection that names no CA of its own
// then trusts Node's roots (with NODE_EXTRA_CA_CERTS where Node reads it) and the store's. A
// connection with its own `ca` (an SMTP profile's CA file) is left exactly as it is.
//
// This needs tls.getCACertificates('system') and tls.setDefaultCACertificates (Node 22.19 and
// 24.5 onwards); on an older runtime nothing changes and the report says so. Nothing here throws:
// a store that cannot be read leaves Node's defaults in force.
import tls from 'node:tls';

type CaType = 'default' | 'system' | 'bundled' | 'extra';

/** The two functions used, passed in by tests; node:tls's own when absent. */
export interface CaRuntime {
  getCACertificates?: (type?: CaType) => string[];
  setDefaultCACertificates?: (certs: string[]) => void;
}

export type SystemTrust =
  /** The store's certificates are trusted: `system` in the store, `added` of them new to Node's defaults. */
  | { state: 'added'; system: number; added: number; text: string }
  /** Node already takes its roots from elsewhere (OpenSSL's store): left as it is. */
  | { state: 'unchanged'; text: string }
  /** This runtime cannot do it: Node's own defaults only. */
  | { state: 'unsupported'; text: string }
  /** The store could not be read, or its certificates not used: Node's own defaults only. */
  | { state: 'failed'; error: string; text: string };

/** Adds the operating system's trusted certificates to the defaults of every TLS connection. */
export function trustSystemStore(runtime: CaRuntime = tls as CaRuntime): SystemTrust {
  const { getCACertificates: get, setDefaultCACertificates: set } = runtime;
  if (typeof get !== 'function' || typeof set !== 'function') {
    return { state: 'unsupported', text: `the computer's certificate store is not used: unsupported by this runtime (Node.js ${process.versions.node})` };
  }
  let current: string[];
  let system: string[];
  try {
    // What Node trusts now: its bundled roots, and NODE_EXTRA_CA_CERTS' where it reads them.
    current = get('default');
  } catch (error) {
    return failed('Node.js\'s certificate authorities could not be listed', error);
  }
  // Empty only when Node was told to use OpenSSL's own store (--use-openssl-ca): that choice stands.
  if (current.length === 0) return { state: 'unchanged', text: 'the certificate store OpenSSL was told to use (--use-openssl-ca)' };
  try {
    system = get('system');
  } catch (error) {
    return failed('the computer\'s certificate store could not be read', error);
  }
  const known = new Set(current.map(normalise));
  const fresh: string[] = [];
  for (const cert of system) {
    const key = normalise(cert);
    if (known.has(key)) continue;
    known.add(key);
    fresh.push(cert);
  }
  if (fresh.length > 0) {
    try {
      // All or nothing: a list that does not parse leaves the defaults as they were.
      set([...current, ...fresh]);
    } catch (error) {
      return failed('the computer\'s certificate store could not be used', error);
    }
  }
  return { state: 'added', system: system.length, added: fresh.length, text: `system store added, ${system.length} certificate${system.length === 1 ? '' : 's'} (${fresh.length} new)` };
}

let applied: SystemTrust | undefined;

/** trustSystemStore for this process, done once: later calls return the first report. */
export function systemTrust(): SystemTrust {
  return (applied ??= trustSystemStore());
}

function failed(what: string, error: unknown): SystemTrust {
  const message = error instanceof Error ? error.message : String(error);
  return { state: 'failed', error: `${what}: ${message}`, text: `Node.js's own certificate authorities only: ${what} (${message})` };
}

/** The same certificate in PEM with other line endings or spacing is the same certificate. */
function normalise(pem: string): string {
  return pem.replace(/\s+/g, '');
}
