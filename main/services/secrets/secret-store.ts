// Secrets (passwords, later tokens) encrypted at rest in secrets.json, apart from the settings, so
// an export of the settings can never carry one. Values never leave main except to the mail code.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import type { SecretCodec } from './codecs';

export class SecretUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnavailableError';
  }
}

interface SecretFile {
  version: 1;
  entries: Record<string, string>;
}

export class SecretStore {
  readonly file: string;

  /** codecs[0] encrypts new values; every codec given can decrypt what it wrote. */
  constructor(dataDir: string, private readonly codecs: readonly SecretCodec[]) {
    if (codecs.length === 0) throw new Error('SecretStore needs at least one codec');
    this.file = path.join(dataDir, 'secrets.json');
  }

  has(name: string): boolean {
    return Object.hasOwn(this.read().entries, name);
  }

  /** Names of the stored secrets; never their values. */
  names(): string[] {
    return Object.keys(this.read().entries);
  }

  get(name: string): string | undefined {
    const stored = this.read().entries[name];
    if (stored === undefined) return undefined;
    const cut = stored.indexOf(':');
    const scheme = stored.slice(0, cut);
    const codec = this.codecs.find((c) => c.scheme === scheme);
    if (!codec) {
      throw new SecretUnavailableError(
        scheme === 'safestorage'
          ? 'This password was saved by the Mailroom desktop app in the operating system keychain, which this process cannot open. Enter it again here, or use the desktop app.'
          : `This secret was stored with "${scheme}", which this version of Mailroom cannot read. Enter it again.`,
      );
    }
    try {
      return codec.decrypt(stored.slice(cut + 1));
    } catch {
      throw new SecretUnavailableError(`A stored secret could not be decrypted with ${codec.description}. Enter it again.`);
    }
  }

  set(name: string, value: string): void {
    const [codec] = this.codecs as [SecretCodec];
    const file = this.read();
    file.entries[name] = `${codec.scheme}:${codec.encrypt(value)}`;
    this.write(file);
  }

  delete(name: string): boolean {
    const file = this.read();
    if (!Object.hasOwn(file.entries, name)) return false;
    delete file.entries[name];
    this.write(file);
    return true;
  }

  /** Removes every secret whose name starts with prefix, e.g. all of one profile's. */
  deletePrefix(prefix: string): number {
    const file = this.read();
    const doomed = Object.keys(file.entries).filter((k) => k.startsWith(prefix));
    for (const k of doomed) delete file.entries[k];
    if (doomed.length > 0) this.write(file);
    return doomed.length;
  }

  private read(): SecretFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, entries: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<SecretFile>;
      if (parsed && typeof parsed.entries === 'object' && parsed.entries !== null) {
        const entries: Record<string, string> = {};
        for (const [k, v] of Object.entries(parsed.entries)) if (typeof v === 'string') entries[k] = v;
        return { version: 1, entries };
      }
    } catch {
      /* fall through */
    }
    // A damaged secrets file is kept aside, like a damaged settings file; the user enters passwords again.
    fs.renameSync(this.file, `${this.file}.corrupt-${Date.now()}`);
    return { version: 1, entries: {} };
  }

  private write(file: SecretFile): void {
    writeFileAtomic(this.file, JSON.stringify(file, null, 2) + '\n', 0o600);
  }
}
