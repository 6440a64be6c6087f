// Sealing a secret to the office's sender key, with Node's crypto alone: an ephemeral X25519 key
// agreement with the sender's public key, HKDF-SHA256 to an AES-256-GCM key, and the secret's
// name as associated data, so a sealed value moved to another name does not open. Anyone with the
// public key can seal; only the holder of the private key (the sender service) can open.
//
// Format: "mrseal1." + base64url(ephemeral public key, 32 bytes) + "." + base64url(IV, 12 bytes)
// + "." + base64url(ciphertext followed by the 16-byte tag).
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

const PREFIX = 'mrseal1';
const INFO = Buffer.from('mailroom-seal-v1', 'utf8');
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SenderKeyPair {
  /** SPKI PEM: stored in the office database, given to every client. */
  publicKey: string;
  /** PKCS#8 PEM: kept only on sender machines, in a file only its owner reads. */
  privateKey: string;
}

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

export function generateSenderKeyPair(): SenderKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function publicKeyObject(key: string | KeyObject): KeyObject {
  const object = typeof key === 'string' ? createPublicKey(key) : key;
  if (object.asymmetricKeyType !== 'x25519') throw new SealError('The office key is not an X25519 public key');
  return object;
}

function privateKeyObject(key: string | KeyObject): KeyObject {
  let object: KeyObject;
  try {
    object = typeof key === 'string' ? createPrivateKey(key) : key;
  } catch {
    throw new SealError('The sender key is not a private key in PEM form');
  }
  if (object.asymmetricKeyType !== 'x25519') throw new SealError('The sender key is not an X25519 private key');
  return object;
}

const raw = (key: KeyObject): Buffer => Buffer.from(key.export({ format: 'jwk' }).x ?? '', 'base64url');

function aad(name: string): Buffer {
  return Buffer.from(`mailroom-secret\0${name}`, 'utf8');
}

function deriveKey(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.concat([ephemeral, recipient]), INFO, 32));
}

/** Seals `value` for the holder of the private key matching `publicKey`, bound to `name`. */
export function seal(publicKey: string | KeyObject, name: string, value: string): string {
  const recipient = publicKeyObject(publicKey);
  const eph = generateKeyPairSync('x25519');
  const ephRaw = raw(eph.publicKey);
  const key = deriveKey(diffieHellman({ privateKey: eph.privateKey, publicKey: recipient }), ephRaw, raw(recipient));
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(name));
  const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return [PREFIX, ephRaw.toString('base64url'), iv.toString('base64url'), data.toString('base64url')].join('.');
}

/** Opens a value sealed under `name`; throws SealError for another key, another name, or damage. */
export function open(privateKey: string | KeyObject, name: string, sealed: string): string {
  const own = privateKeyObject(privateKey);
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw new SealError(`The secret "${name}" is not a sealed value`);
  const [ephRaw, iv, data] = parts.slice(1).map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
  if (ephRaw.length !== 32 || iv.length !== IV_BYTES || data.length < TAG_BYTES) throw new SealError(`The secret "${name}" is damaged`);
  try {
    const ephemeral = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: ephRaw.toString('base64url') }, format: 'jwk' });
    const key = deriveKey(diffieHellman({ privateKey: own, publicKey: ephemeral }), ephRaw, raw(createPublicKey(own)));
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad(name));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(0, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new SealError(`The secret "${name}" does not open with this sender key (sealed to another office's key, or moved from another name)`);
  }
}

/** The public key that belongs to a private key, as SPKI PEM (to check a key file against the office). */
export function publicKeyOf(privateKey: string | KeyObject): string {
  return createPublicKey(privateKeyObject(privateKey)).export({ type: 'spki', format: 'pem' }).toString();
}

/** Writes a private key to a new file only its owner can read; never over an existing file. */
export function writePrivateKeyFile(file: string, privateKey: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, privateKey, { mode: 0o600, flag: 'wx' });
  // The mode given to writeFileSync is filtered by the umask; make sure.
  fs.chmodSync(file, 0o600);
}

/** Reads the sender's private key (MAILROOM_SENDER_KEY_FILE); refuses a file others can read. */
export function readPrivateKeyFile(file: string): KeyObject {
  const st = fs.statSync(file);
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
    throw new SealError(`The sender key file ${file} can be read by other accounts; make it readable by its owner only (chmod 600)`);
  }
  return privateKeyObject(fs.readFileSync(file, 'utf8'));
}
