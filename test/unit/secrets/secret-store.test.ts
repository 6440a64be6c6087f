import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keyFileCodec, safeStorageCodec, type SafeStorageLike } from '../../../main/services/secrets/codecs';
import { SecretStore, SecretUnavailableError } from '../../../main/services/secrets/secret-store';
import { tempDir } from '../../helpers/temp-dir';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const keyFile = () => path.join(dir, 'keys', 'secrets.key');

/** Stands in for Electron's safeStorage, which needs the Electron runtime; it really encrypts. */
function fakeKeychain(): SafeStorageLike {
  const codec = keyFileCodec(path.join(dir, 'keychain.key'));
  return {
    isEncryptionAvailable: () => true,
    encryptString: (plain) => Buffer.from(codec.encrypt(plain)),
    decryptString: (buf) => codec.decrypt(buf.toString()),
  };
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
    const [iv, tag, data] = doc.entries.a.slice('aes256gcm:'.length).split('.');
    const flipped = Buffer.from(data, 'base64');
    flipped[0]! ^= 1;
    doc.entries.a = `aes256gcm:${iv}.${tag}.${flipped.toString('base64')}`;
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

  it('sets a damaged secrets file aside and carries on empty', () => {
    fs.writeFileSync(path.join(dir, 'secrets.json'), '{not json');
    const store = new SecretStore(dir, [keyFileCodec(keyFile())]);
    expect(store.has('a')).toBe(false);
    expect(fs.readdirSync(dir).some((f) => f.startsWith('secrets.json.corrupt-'))).toBe(true);
  });
});
