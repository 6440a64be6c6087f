// How a secret is encrypted at rest. Each stored value names its scheme, so a value written by the
// desktop app (OS keychain) and one written by the CLI (key file) can live side by side.
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface SecretCodec {
  /** Stored as the value's prefix, e.g. "aes256gcm". */
  readonly scheme: string;
  /** Where this codec keeps its key, for messages. */
  readonly description: string;
  encrypt(plain: string): string;
  decrypt(payload: string): string;
}

/** The part of Electron's safeStorage Mailroom needs; passed in so this file never imports electron. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export function safeStorageCodec(safeStorage: SafeStorageLike): SecretCodec {
  return {
    scheme: 'safestorage',
    description: "the operating system's keychain",
    encrypt: (plain) => safeStorage.encryptString(plain).toString('base64'),
    decrypt: (payload) => safeStorage.decryptString(Buffer.from(payload, 'base64')),
  };
}

const KEY_BYTES = 32;
const IV_BYTES = 12;

/**
 * AES-256-GCM with a random per-install key in a file only its owner can read. Weaker than the OS
 * keychain: anyone who can read the owner's files can read the key.
 */
export function keyFileCodec(keyFile: string): SecretCodec {
  let key: Buffer | undefined;
  const loadKey = (): Buffer => {
    if (key) return key;
    try {
      const existing = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'base64');
      if (existing.length !== KEY_BYTES) throw new Error(`The key file ${keyFile} is damaged (wrong length)`);
      key = existing;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fs.mkdirSync(path.dirname(keyFile), { recursive: true, mode: 0o700 });
      const fresh = randomBytes(KEY_BYTES);
      try {
        // 'wx': never overwrite a key another process created a moment ago.
        fs.writeFileSync(keyFile, fresh.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
        key = fresh;
      } catch (writeError) {
        if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
        return loadKey();
      }
    }
    return key;
  };
  return {
    scheme: 'aes256gcm',
    description: `the key file ${keyFile}`,
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', loadKey(), iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64')).join('.');
    },
    decrypt(payload) {
      const [iv, tag, data] = payload.split('.').map((p) => Buffer.from(p, 'base64'));
      if (!iv || !tag || !data || iv.length !== IV_BYTES || tag.length !== 16) throw new Error('The stored secret is damaged');
      const decipher = createDecipheriv('aes-256-gcm', loadKey(), iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
    },
  };
}
