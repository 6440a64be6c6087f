// A certificate authority made fresh for each test run, so TLS is tested for real: a server
// certificate it issues verifies with its CA, and fails without it.
import forge from 'node-forge';

export interface KeyPair {
  key: string;
  cert: string;
}

export interface TestCa extends KeyPair {
  issue(hostnames: string[], options?: { days?: number; commonName?: string }): KeyPair;
}

function keyPair(): forge.pki.rsa.KeyPair {
  return forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
}

function serial(): string {
  return '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
}

function validity(cert: forge.pki.Certificate, days: number): void {
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + days * 86_400_000);
}

export function createTestCa(commonName = 'Mailroom Test CA'): TestCa {
  const keys = keyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = keys.publicKey;
  caCert.serialNumber = serial();
  validity(caCert, 30);
  const attrs = [{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Mailroom Tests' }];
  caCert.setSubject(attrs);
  caCert.setIssuer(attrs);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  caCert.sign(keys.privateKey, forge.md.sha256.create());

  return {
    key: forge.pki.privateKeyToPem(keys.privateKey),
    cert: forge.pki.certificateToPem(caCert),
    issue(hostnames, options = {}) {
      const leafKeys = keyPair();
      const leaf = forge.pki.createCertificate();
      leaf.publicKey = leafKeys.publicKey;
      leaf.serialNumber = serial();
      validity(leaf, options.days ?? 30);
      leaf.setSubject([{ name: 'commonName', value: options.commonName ?? hostnames[0] ?? 'localhost' }]);
      leaf.setIssuer(caCert.subject.attributes);
      leaf.setExtensions([
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: hostnames.map((h) => (/^[\d.]+$/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
        },
      ]);
      leaf.sign(keys.privateKey, forge.md.sha256.create());
      return { key: forge.pki.privateKeyToPem(leafKeys.privateKey), cert: forge.pki.certificateToPem(leaf) };
    },
  };
}
