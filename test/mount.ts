import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Whether this machine lets the tests mount a small tmpfs (Linux, root, and a container allowed to mount):
 * a full disk, a read-only disk and a folder at the root of a mount are real only on a real mount.
 */
export const canMountTmpfs: boolean = (() => {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), 'deid-mount-probe-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (mounted) spawnSync('umount', [probe]);
  rmdirSync(probe);
  return mounted;
})();

/** Mounts a tmpfs of `options` (`size=16k`, `ro`) on a new folder, runs `use`, and unmounts whatever happens. */
export async function withTmpfs<T>(options: string, use: (folder: string) => T | Promise<T>): Promise<T> {
  const folder = mkdtempSync(join(tmpdir(), 'deid-mnt-'));
  const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', folder], { encoding: 'utf8' });
  if (mount.status !== 0) throw new Error(`mount failed: ${mount.stderr}`);
  try {
    return await use(folder);
  } finally {
    spawnSync('umount', [folder]);
    rmdirSync(folder);
  }
}
