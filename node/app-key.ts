import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AnonymizationKey } from '../shared/anonymize/key.js';
import type { KeyState } from '../shared/ipc/contract.js';
import { exportKey, importKey, loadKey, loadOrCreateKey } from './key-store.js';

export interface KeyStore {
  /** The key, or undefined before one is created or imported. */
  current(): AnonymizationKey | undefined;
  /** The key, created on first use. */
  ensure(): AnonymizationKey;
  state(): KeyState;
  /** A new key in place of the current one, which is kept beside it (see setAside). */
  create(): void;
  /** Another site's key in place of the current one, which is kept beside it. */
  importFrom(path: string): void;
  exportTo(path: string): void;
}

/**
 * The app's view of the project key in key-store's format (shared with the command line). Where the
 * command line refuses to replace a key, the app's "create" and "import" do so on the user's confirmed
 * request, but move the old key aside rather than lose it: outputs made with it can still be matched.
 */
export function createKeyStore(location: () => string): KeyStore {
  const current = () => {
    const path = location();
    return existsSync(path) ? loadKey(path).key : undefined;
  };
  const setAside = () => {
    const path = location();
    if (!existsSync(path)) return;
    const { fingerprint } = loadKey(path);
    renameSync(path, join(dirname(path), `project-${fingerprint}.previous.key`));
  };
  return {
    current,
    ensure: () => loadOrCreateKey(location()).key,
    state() {
      const path = location();
      return { fingerprint: existsSync(path) ? loadKey(path).fingerprint : null, location: path };
    },
    create() {
      setAside();
      loadOrCreateKey(location());
    },
    importFrom(path) {
      // Staged first, so a file that is not a key leaves the current one in place.
      const target = location();
      const staged = `${target}.incoming`;
      rmSync(staged, { force: true });
      const incoming = importKey(path, staged);
      if (existsSync(target) && loadKey(target).fingerprint === incoming.fingerprint) {
        rmSync(staged);
        return;
      }
      setAside();
      renameSync(staged, target);
    },
    exportTo(path) {
      exportKey(location(), path);
    },
  };
}
