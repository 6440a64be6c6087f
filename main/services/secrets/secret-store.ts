// Secrets (passwords, later tokens) encrypted at rest in secrets.json, apart from the settings, so
// an export of the settings can never carry one. Values never leave main except to the mail code.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file';
import { isBound, type SecretCodec } from './codecs';

export class SecretUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnavailableError';
  }
}

/**
 * Version 1 files may hold legacy values (not bound to their names); a version 2 file holds only
 * bound ones, so a legacy value found in it (an old copy put back) is refused.
 */
interface SecretFile {
  version: 1 | 2;
  entries: Record<string, string>;
}

export class SecretStore {
  readonly file: string;
  /** Legacy values are re-encrypted once per store, at its first read. */
  private upgraded = false;

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
    const file = this.read();
    const stored = file.entries[name];
    if (stored === undefined) return undefined;
    const { codec, payload } = this.codecFor(stored);
    let plain: string;
    try {
      const out = codec.decrypt(payload, name);
      if (out.legacy && file.version === 2) throw new Error('a legacy value in a file that holds none');
      plain = out.plain;
    } catch {
      throw new SecretUnavailableError(`A stored secret could not be decrypted with ${codec.description}. Enter it again.`);
    }
    return plain;
  }

  set(name: string, value: string): void {
    const [codec] = this.codecs as [SecretCodec];
    const file = this.read();
    file.entries[name] = `${codec.scheme}:${codec.encrypt(value, name)}`;
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

  private codecFor(stored: string): { codec: SecretCodec; payload: string } {
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
    return { codec, payload: stored.slice(cut + 1) };
  }

  private read(): SecretFile {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 2, entries: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as { version?: unknown; entries?: unknown };
      if (parsed && typeof parsed.entries === 'object' && parsed.entries !== null) {
        const entries: Record<string, string> = {};
        for (const [k, v] of Object.entries(parsed.entries)) if (typeof v === 'string') entries[k] = v;
        const file: SecretFile = { version: parsed.version === 2 ? 2 : 1, entries };
        return file.version === 1 ? this.upgrade(file) : file;
      }
    } catch {
      /* fall through */
    }
    // A damaged secrets file is kept aside, like a damaged settings file; the user enters passwords again.
    fs.renameSync(this.file, `${this.file}.corrupt-${Date.now()}`);
    return { version: 2, entries: {} };
  }

  /**
   * Re-encrypts legacy values bound to their names, with the codec that wrote them (a keychain
   * value stays in the keychain). Values this process cannot decrypt stay as they are, for the
   * process that can; the file becomes version 2 once none is left.
   */
  private upgrade(file: SecretFile): SecretFile {
    if (this.upgraded) return file;
    this.upgraded = true;
    let changed = false;
    for (const [name, stored] of Object.entries(file.entries)) {
      const cut = stored.indexOf(':');
      const payload = stored.slice(cut + 1);
      if (isBound(payload)) continue;
      const codec = this.codecs.find((c) => c.scheme === stored.slice(0, cut));
      if (!codec) continue;
      try {
        const { plain } = codec.decrypt(payload, name);
        file.entries[name] = `${codec.scheme}:${codec.encrypt(plain, name)}`;
        changed = true;
      } catch {
        /* damaged, or another install's key: reported when someone asks for it */
      }
    }
    if (changed || allBound(file.entries)) {
      try {
        this.write(file);
      } catch {
        /* a read-only data folder: the values stay readable as they are */
      }
    }
    return { ...file, version: allBound(file.entries) ? 2 : 1 };
  }

  private write(file: SecretFile): void {
    const doc: SecretFile = { version: allBound(file.entries) ? 2 : 1, entries: file.entries };
    writeFileAtomic(this.file, JSON.stringify(doc, null, 2) + '\n', 0o600);
  }
}

function allBound(entries: Record<string, string>): boolean {
  return Object.values(entries).every((stored) => isBound(stored.slice(stored.indexOf(':') + 1)));
}
