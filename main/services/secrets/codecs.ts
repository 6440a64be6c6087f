// How a secret is encrypted at rest. Each stored value names its scheme, so a value written by the
// desktop app (OS keychain) and one written by the CLI (key file) can live side by side.
//
// Every value is bound to the name it is stored under, so moving ciphertexts between entries of
// secrets.json (giving one profile another's password) makes both fail to decrypt. Values written
// before that binding ("legacy") have no such mark; they still decrypt, and the store re-encrypts them.
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Decrypted {
  plain: string;
  /** Written before values were bound to their names: readable, but to be re-encrypted. */
  legacy: boolean;
}

export interface SecretCodec {
  /** Stored as the value's prefix, e.g. "aes256gcm". */
  readonly scheme: string;
  /** Where this codec keeps its key, for messages. */
  readonly description: string;
  /** Encrypts `plain` so that it decrypts only as the entry called `name`. */
  encrypt(plain: string, name: string): string;
  /** Decrypts the entry called `name`; throws when the value was altered or belongs to another entry. */
  decrypt(payload: string, name: string): Decrypted;
}

/** Marks a payload bound to its entry's name; legacy payloads never start with it. */
const BOUND = '2.';

/** Whether a stored payload (after its scheme) is bound to its entry's name; false for legacy values. */
export function isBound(payload: string): boolean {
  return payload.startsWith(BOUND);
}

/** The part of Electron's safeStorage Mailroom needs; passed in so this file never imports electron. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/**
 * The OS keychain. safeStorage takes no associated data, so the name travels inside the
 * encrypted text and must match on the way out.
 */
export function safeStorageCodec(safeStorage: SafeStorageLike): SecretCodec {
  return {
    scheme: 'safestorage',
    description: "the operating system's keychain",
    encrypt: (plain, name) => BOUND + safeStorage.encryptString(JSON.stringify([name, plain])).toString('base64'),
    decrypt(payload, name) {
      if (!payload.startsWith(BOUND)) return { plain: safeStorage.decryptString(Buffer.from(payload, 'base64')), legacy: true };
      const inside: unknown = JSON.parse(safeStorage.decryptString(Buffer.from(payload.slice(BOUND.length), 'base64')));
      if (!Array.isArray(inside) || inside.length !== 2 || typeof inside[1] !== 'string') throw new Error('The stored secret is damaged');
      if (inside[0] !== name) throw new Error('The stored secret belongs to another entry');
      return { plain: inside[1], legacy: false };
    },
  };
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The associated data that ties a value to its entry. */
function boundTo(name: string): Buffer {
  return Buffer.from(`mailroom-secret\0${name}`, 'utf8');
}

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
    encrypt(plain, name) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', loadKey(), iv);
      cipher.setAAD(boundTo(name));
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return BOUND + [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64')).join('.');
    },
    decrypt(payload, name) {
      const legacy = !payload.startsWith(BOUND);
      const [iv, tag, data, ...extra] = (legacy ? payload : payload.slice(BOUND.length)).split('.').map((p) => Buffer.from(p, 'base64'));
      if (!iv || !tag || !data || extra.length > 0 || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('The stored secret is damaged');
      const decipher = createDecipheriv('aes-256-gcm', loadKey(), iv);
      if (!legacy) decipher.setAAD(boundTo(name));
      decipher.setAuthTag(tag);
      return { plain: Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8'), legacy };
    },
  };
}
