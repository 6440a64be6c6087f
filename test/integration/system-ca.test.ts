// The computer's certificate store trusted for real: a loopback TLS server whose certificate comes
// from a throw-away CA (standing in for an organisation's own, or a proxy's) is refused, then
// accepted once the "system" list the module reads holds that CA. A connection that names its own
// CA (an SMTP profile's CA file) is not touched by it.
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustSystemStore, type CaRuntime } from '../../main/services/net/system-ca';
import { createServices } from '../../main/services';
import { createConfFile } from '../../main/services/conf-file';
import type { Notice } from '../../preload/contract';
import { createTestCa, type TestCa } from '../helpers/test-ca';
import { tempDir } from '../helpers/temp-dir';

const node = tls as CaRuntime;
const REAL_API = typeof node.getCACertificates === 'function' && typeof node.setDefaultCACertificates === 'function';

let corp: TestCa;
let other: TestCa;
let server: tls.Server;
let port: number;

beforeAll(async () => {
  corp = createTestCa('Mailroom System Store Test CA');
  other = createTestCa('Mailroom Other Test CA');
  const leaf = corp.issue(['localhost', '127.0.0.1']);
  server = tls.createServer({ key: leaf.key, cert: leaf.cert }, (socket) => socket.end('hello\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
}, 60_000);
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** 'trusted', or the verification error's code. No session is reused between attempts. */
function attempt(options: Pick<tls.ConnectionOptions, 'ca'> = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...options });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve('trusted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      socket.destroy();
      resolve(error.code ?? error.message);
    });
  });
}

describe('the list trustSystemStore installs', () => {
  it('trusts a server certified by a CA in the store, which Node\'s own roots do not', async () => {
    let installed: string[] | undefined;
    const report = trustSystemStore({
      getCACertificates: (type = 'default') => (type === 'system' ? [corp.cert] : [...tls.rootCertificates]),
      setDefaultCACertificates: (certs) => {
        installed = certs;
      },
    });
    expect(report).toMatchObject({ state: 'added', system: 1, added: 1 });
    expect(await attempt({ ca: [...tls.rootCertificates] })).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(installed).toBeDefined();
    expect(await attempt({ ca: installed! })).toBe('trusted');
  });
});

describe('on this runtime', () => {
  it.runIf(!REAL_API)('without getCACertificates/setDefaultCACertificates (Node before 22.19 / 24.5): reports it and changes nothing', async () => {
    expect(trustSystemStore().state).toBe('unsupported');
    expect(await attempt()).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  // Needs the runtime's own tls.setDefaultCACertificates (Node 22.19+, 24.5+, Electron 45): skipped only where it is missing.
  it.skipIf(!REAL_API)('connections without a CA of their own trust the store\'s CA from then on; one with its own CA does not', async () => {
    const get = node.getCACertificates!;
    const saved = get('default');
    try {
      expect(await attempt()).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      const report = trustSystemStore({
        getCACertificates: (type = 'default') => (type === 'system' ? [...get('system'), corp.cert] : get(type)),
        setDefaultCACertificates: node.setDefaultCACertificates!,
      });
      expect(report.state).toBe('added');
      expect(await attempt()).toBe('trusted');
      // As an SMTP profile with a CA file connects: Node's bundled roots and that file, nothing else.
      expect(await attempt({ ca: [...tls.rootCertificates, other.cert] })).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
      expect(get('default')).toEqual(expect.arrayContaining(saved));
    } finally {
      // Other files in this worker share the module, and with it the process's defaults.
      node.setDefaultCACertificates!(saved);
    }
    expect(await attempt()).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describe('a store that cannot be used', () => {
  it('is told once in the notices, however often Mailroom starts', async () => {
    const data = tempDir();
    try {
      const trust = trustSystemStore({
        getCACertificates: (type = 'default') => {
          if (type === 'system') throw new Error('the keychain is locked');
          return [...tls.rootCertificates];
        },
        setDefaultCACertificates: () => {
          throw new Error('not to be called');
        },
      });
      const open = () => createServices({ dataDir: data.dir, shell: 'browser', version: 't', createFile: createConfFile, trust });
      let notices: Notice[] = [];
      for (let i = 0; i < 3; i++) {
        const services = open();
        notices = services.notices.list();
        services.oauth.close();
        await services.outbox.stop();
      }
      expect(notices).toHaveLength(1);
      expect(notices[0]).toMatchObject({ level: 'warning', title: "The computer's certificate store could not be used" });
      expect(notices[0]!.message).toContain("the computer's certificate store could not be read: the keychain is locked");
    } finally {
      data.cleanup();
    }
  });
});
