// Whether the desktop app keeps secrets in the OS keychain (Electron safeStorage) or in the key
// file, as browser mode and the CLI do. Pure, so it can be tested without Electron.

/** The Linux backends that are a real keychain; 'basic_text' and 'unknown' are not. */
const REAL_LINUX_BACKENDS = new Set(['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']);

export interface KeychainFacts {
  platform: NodeJS.Platform;
  /** safeStorage.isEncryptionAvailable(), asked once the app is ready. */
  encryptionAvailable: boolean;
  /** safeStorage.getSelectedStorageBackend(), on Linux only. */
  linuxBackend?: string;
}

export type KeychainChoice = { use: 'keychain' } | { use: 'key-file'; reason: string };

/**
 * The keychain only where it really protects the secrets. On Linux without a keyring, Electron
 * reports the 'basic_text' backend and encrypts with a key built into Electron itself, which
 * protects nothing; the owner-only key file is then the better of the two.
 */
export function chooseKeychain(facts: KeychainFacts): KeychainChoice {
  if (!facts.encryptionAvailable) return { use: 'key-file', reason: 'the operating system keychain is not available' };
  if (facts.platform === 'linux' && !REAL_LINUX_BACKENDS.has(facts.linuxBackend ?? 'unknown')) {
    return { use: 'key-file', reason: `no keyring is running (Electron's storage backend is "${facts.linuxBackend ?? 'unknown'}")` };
  }
  return { use: 'keychain' };
}
