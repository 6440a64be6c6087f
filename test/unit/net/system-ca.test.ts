// Which certificate authorities trustSystemStore makes the defaults, decided from the runtime's
// two functions (given here): the real effect on connections is in test/integration/system-ca.test.ts.
import { describe, expect, it } from 'vitest';
import { systemTrust, trustSystemStore, type CaRuntime } from '../../../main/services/net/system-ca';

const pem = (name: string) => `-----BEGIN CERTIFICATE-----\n${name}AAAA\n-----END CERTIFICATE-----\n`;
const BUNDLED = [pem('bundled1'), pem('bundled2')];
const EXTRA = pem('extra');
const CORP = pem('corp');

function runtime(lists: { default?: string[]; system?: string[] | Error }, setFails?: Error) {
  const set: string[][] = [];
  const fns: Required<CaRuntime> = {
    getCACertificates: (type = 'default') => {
      if (type === 'system') {
        if (lists.system instanceof Error) throw lists.system;
        return lists.system ?? [];
      }
      if (type === 'default') return lists.default ?? [];
      throw new Error(`not asked for: ${type}`);
    },
    setDefaultCACertificates: (certs) => {
      if (setFails) throw setFails;
      set.push(certs);
    },
  };
  return { fns, set };
}

describe('trustSystemStore', () => {
  it('adds the store\'s certificates to what Node trusts now (its roots and NODE_EXTRA_CA_CERTS\'), once each', () => {
    const { fns, set } = runtime({ default: [...BUNDLED, EXTRA], system: [CORP, BUNDLED[0]!.replace(/\n/g, '\r\n'), CORP] });
    const report = trustSystemStore(fns);
    expect(set).toEqual([[...BUNDLED, EXTRA, CORP]]);
    expect(report).toMatchObject({ state: 'added', system: 3, added: 1 });
    expect(report.text).toBe('system store added, 3 certificates (1 new)');
  });

  it('changes nothing when the store holds nothing Node does not trust already', () => {
    const { fns, set } = runtime({ default: BUNDLED, system: [BUNDLED[1]!] });
    expect(trustSystemStore(fns)).toMatchObject({ state: 'added', system: 1, added: 0, text: 'system store added, 1 certificate (0 new)' });
    expect(set).toEqual([]);
  });

  it('says so on a runtime without either function, and touches nothing', () => {
    const { fns, set } = runtime({ default: BUNDLED, system: [CORP] });
    for (const partial of [{}, { getCACertificates: fns.getCACertificates }, { setDefaultCACertificates: fns.setDefaultCACertificates }] as CaRuntime[]) {
      const report = trustSystemStore(partial);
      expect(report.state).toBe('unsupported');
      expect(report.text).toMatch(/unsupported by this runtime \(Node\.js \d+\./);
    }
    expect(set).toEqual([]);
  });

  it('a store that cannot be read leaves Node\'s defaults, and does not throw', () => {
    const { fns, set } = runtime({ default: BUNDLED, system: new Error('keychain locked') });
    const report = trustSystemStore(fns);
    expect(report).toMatchObject({ state: 'failed', error: "the computer's certificate store could not be read: keychain locked" });
    expect(report.text).toMatch(/^Node\.js's own certificate authorities only/);
    expect(set).toEqual([]);
  });

  it('certificates the runtime refuses leave its defaults, and do not throw', () => {
    const { fns } = runtime({ default: BUNDLED, system: [CORP] }, new Error('bad certificate'));
    expect(trustSystemStore(fns)).toMatchObject({ state: 'failed', error: "the computer's certificate store could not be used: bad certificate" });
  });

  it('leaves Node on OpenSSL\'s store when it was told to use it (no default list)', () => {
    const { fns, set } = runtime({ default: [], system: [CORP] });
    expect(trustSystemStore(fns).state).toBe('unchanged');
    expect(set).toEqual([]);
  });
});

describe('systemTrust', () => {
  it('is done once per process: later calls get the first report', () => {
    const first = systemTrust();
    expect(['added', 'unchanged', 'unsupported', 'failed']).toContain(first.state);
    expect(systemTrust()).toBe(first);
  });
});
