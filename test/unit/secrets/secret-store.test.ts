import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyFileCodec, safeStorageCodec, type SafeStorageLike } from '../../../main/services/secrets/codecs';
import { SecretStore, SecretUnavailableError } from '../../../main/services/secrets/secret-store';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const keyFile = () => path.join(dir, 'keys', 'secrets.key');

/** Stands in for Electron's safeStorage, which needs the Electron runtime; it really encrypts (one key, no names, as safeStorage). */
function fakeKeychain(): SafeStorageLike {
  const codec = keyFileCodec(path.join(dir, 'keychain.key'));
  return {
    isEncryptionAvailable: () => true,
    encryptString: (plain) => Buffer.from(codec.encrypt(plain, 'keychain')),
    decryptString: (buf) => codec.decrypt(buf.toString(), 'keychain').plain,
  };
}

/** A value as Mailroom wrote it before values were bound to their names: AES-GCM without associated data. */
function legacyValue(plain: string): string {
  const key = Buffer.from(fs.readFileSync(keyFile(), 'utf8').trim(), 'base64');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return 'aes256gcm:' + [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64')).join('.');
}

const onDisk = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number; entries: Record<string, string> };

function swap(file: string, a: string, b: string): void {
  const doc = onDisk(file);
  [doc.entries[a], doc.entries[b]] = [doc.entries[b]!, doc.entries[a]!];
  fs.writeFileSync(file, JSON.stringify(doc));
}

describe('secret store', () => {
  it('keeps values encrypted on disk, in owner-only files, and reads them back in a new instance', () => {
    const store = new SecretStore(dir, [keyFileCodec(keyFile())]);
    store.set('smtp-password:p1', 'correct horse battery staple');
    const onDisk = fs.readFileSync(store.file, 'utf8');
    expect(onDisk).not.toContain('correct horse');
    expect(onDisk).not.toContain(Buffer.from('correct horse battery staple').toString('base64'));
    expect(onDisk).toContain('"smtp-password:p1": "aes256gcm:');
    if (process.platform !== 'win32') {
      expect(fs.statSync(store.file).mode & 0o777).toBe(0o600);
      expect(fs.statSync(keyFile()).mode & 0o777).toBe(0o600);
    }
    expect(new SecretStore(dir, [keyFileCodec(keyFile())]).get('smtp-password:p1')).toBe('correct horse battery staple');
  });

  it('uses a fresh nonce for every value', () => {
    const store = new SecretStore(dir, [keyFileCodec(keyFile())]);
    store.set('a', 'same');
    store.set('b', 'same');
    const entries = JSON.parse(fs.readFileSync(store.file, 'utf8')).entries;
    expect(entries.a).not.toBe(entries.b);
  });

  it('refuses a tampered value instead of returning garbage', () => {
    const store = new SecretStore(dir, [keyFileCodec(keyFile())]);
    store.set('a', 'secret');
    const doc = JSON.parse(fs.readFileSync(store.file, 'utf8'));
    const [mark, iv, tag, data] = doc.entries.a.slice('aes256gcm:'.length).split('.');
    const flipped = Buffer.from(data, 'base64');
    flipped[0]! ^= 1;
    doc.entries.a = `aes256gcm:${mark}.${iv}.${tag}.${flipped.toString('base64')}`;
    fs.writeFileSync(store.file, JSON.stringify(doc));
    expect(() => store.get('a')).toThrow(SecretUnavailableError);
  });

  it('cannot read values with another install key', () => {
    new SecretStore(dir, [keyFileCodec(keyFile())]).set('a', 'secret');
    const other = new SecretStore(dir, [keyFileCodec(path.join(dir, 'other.key'))]);
    expect(() => other.get('a')).toThrow(/could not be decrypted/);
  });

  it('says clearly when a value was saved with the desktop keychain and this process lacks it', () => {
    new SecretStore(dir, [safeStorageCodec(fakeKeychain()), keyFileCodec(keyFile())]).set('a', 'from desktop');
    const cli = new SecretStore(dir, [keyFileCodec(keyFile())]);
    expect(cli.has('a')).toBe(true);
    expect(() => cli.get('a')).toThrow(/desktop app/);
    // The desktop app still reads both kinds.
    cli.set('b', 'from cli');
    const desktop = new SecretStore(dir, [safeStorageCodec(fakeKeychain()), keyFileCodec(keyFile())]);
    expect(desktop.get('a')).toBe('from desktop');
    expect(desktop.get('b')).toBe('from cli');
  });

  it('deletes one value or all under a prefix', () => {
    const store = new SecretStore(dir, [keyFileCodec(keyFile())]);
    store.set('smtp-password:p1', 'x');
    store.set('smtp-password:p2', 'y');
    store.set('oauth:p1', 'z');
    expect(store.delete('oauth:p1')).toBe(true);
    expect(store.delete('oauth:p1')).toBe(false);
    expect(store.deletePrefix('smtp-password:')).toBe(2);
    expect(store.names()).toEqual([]);
    expect(fs.readFileSync(store.file, 'utf8')).not.toMatch(/aes256gcm/);
  });

  it("binds each value to its name: two profiles' passwords swapped in the file both fail instead of crossing over", () => {
    const store = new SecretStore(dir, [keyFileCodec(keyFile())]);
    store.set('smtp-password:p1', 'password of p1');
    store.set('smtp-password:p2', 'password of p2');
    swap(store.file, 'smtp-password:p1', 'smtp-password:p2');
    const fresh = new SecretStore(dir, [keyFileCodec(keyFile())]);
    expect(() => fresh.get('smtp-password:p1')).toThrow(SecretUnavailableError);
    expect(() => fresh.get('smtp-password:p2')).toThrow(SecretUnavailableError);
    swap(store.file, 'smtp-password:p1', 'smtp-password:p2');
    expect(fresh.get('smtp-password:p1')).toBe('password of p1');
  });

  it('binds keychain values to their names too', () => {
    const desktop = () => new SecretStore(dir, [safeStorageCodec(fakeKeychain()), keyFileCodec(keyFile())]);
    desktop().set('user-password:u1', 'first');
    desktop().set('user-password:u2', 'second');
    expect(onDisk(path.join(dir, 'secrets.json')).entries['user-password:u1']).toMatch(/^safestorage:/);
    swap(path.join(dir, 'secrets.json'), 'user-password:u1', 'user-password:u2');
    expect(() => desktop().get('user-password:u1')).toThrow(/could not be decrypted/);
    expect(() => desktop().get('user-password:u2')).toThrow(/could not be decrypted/);
  });

  it('reads a secrets.json written before values were bound, and re-encrypts it bound at the first read', () => {
    new SecretStore(dir, [keyFileCodec(keyFile())]).set('warm-up', 'x'); // makes the install key
    const file = path.join(dir, 'secrets.json');
    fs.writeFileSync(file, JSON.stringify({ version: 1, entries: { 'smtp-password:p1': legacyValue('old one'), 'smtp-password:p2': legacyValue('old two') } }));
    const oldP1 = onDisk(file).entries['smtp-password:p1']!;

    const store = new SecretStore(dir, [keyFileCodec(keyFile())]);
    expect(store.get('smtp-password:p1')).toBe('old one');
    const upgraded = onDisk(file);
    expect(upgraded.version).toBe(2);
    expect(upgraded.entries['smtp-password:p1']).toMatch(/^aes256gcm:2\./);
    expect(upgraded.entries['smtp-password:p2']).toMatch(/^aes256gcm:2\./);
    expect(new SecretStore(dir, [keyFileCodec(keyFile())]).get('smtp-password:p2')).toBe('old two');

    // From now on the swap fails, and an old unbound copy put back is refused rather than trusted.
    swap(file, 'smtp-password:p1', 'smtp-password:p2');
    expect(() => new SecretStore(dir, [keyFileCodec(keyFile())]).get('smtp-password:p1')).toThrow(SecretUnavailableError);
    const doc = onDisk(file);
    doc.entries['smtp-password:p2'] = oldP1;
    fs.writeFileSync(file, JSON.stringify(doc));
    expect(() => new SecretStore(dir, [keyFileCodec(keyFile())]).get('smtp-password:p2')).toThrow(SecretUnavailableError);
  });

  it('leaves an old keychain value for the desktop app to upgrade when the CLI cannot open the keychain', () => {
    const keychain = fakeKeychain();
    const file = path.join(dir, 'secrets.json');
    const legacyKeychain = 'safestorage:' + keychain.encryptString('from the desktop').toString('base64');
    fs.writeFileSync(file, JSON.stringify({ version: 1, entries: { 'smtp-password:p1': legacyKeychain } }));

    const cli = new SecretStore(dir, [keyFileCodec(keyFile())]);
    cli.set('smtp-password:p2', 'from the cli');
    expect(onDisk(file)).toMatchObject({ version: 1, entries: { 'smtp-password:p1': legacyKeychain } });

    const desktop = new SecretStore(dir, [safeStorageCodec(keychain), keyFileCodec(keyFile())]);
    expect(desktop.get('smtp-password:p1')).toBe('from the desktop');
    expect(desktop.get('smtp-password:p2')).toBe('from the cli');
    const after = onDisk(file);
    expect(after.version).toBe(2);
    expect(after.entries['smtp-password:p1']).toMatch(/^safestorage:2\./);
  });

  it('sets a damaged secrets file aside and carries on empty', () => {
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{not json');
    const store = new SecretStore(dir, [keyFileCodec(keyFile())]);
    expect(store.has('a')).toBe(false);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('secrets.json.corrupt-'))).toBe(true);
  });
});
