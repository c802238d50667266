import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  defaultKeyPath,
  exportKey,
  importKey,
  loadKey,
  loadOrCreateKey,
  weakKeyReason,
} from './key-store.js';

// As on a FAT or exFAT stick, which has no hard links: writing a key must not depend on them.
vi.mock('node:fs', async (original) => ({
  ...(await original<typeof import('node:fs')>()),
  linkSync: () => {
    throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
  },
}));

const root = mkdtempSync(join(tmpdir(), 'deid-keystore-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const posix = process.platform !== 'win32';
const mode = (path: string) => statSync(path).mode & 0o777;
const hex = (path: string) => readFileSync(path, 'utf8').trim();

describe('key store', () => {
  it('creates 32 random bytes owner-only on first use, then loads the same key', () => {
    const path = join(root, 'a', 'deep', 'project.key');
    const created = loadOrCreateKey(path);
    expect(created.created).toBe(true);
    expect(created.key.secret).toHaveLength(32);
    expect(created.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(hex(path)).toMatch(/^[0-9a-f]{64}$/);
    expect(hex(path)).not.toContain(created.fingerprint);
    if (posix) {
      expect(mode(path)).toBe(0o600);
      expect(mode(join(root, 'a'))).toBe(0o700);
      expect(mode(join(root, 'a', 'deep'))).toBe(0o700);
    }
    const again = loadOrCreateKey(path);
    expect(again.created).toBe(false);
    expect(again.fingerprint).toBe(created.fingerprint);
    expect(loadOrCreateKey(join(root, 'b', 'project.key')).fingerprint).not.toBe(created.fingerprint);
  });

  it.skipIf(!posix)('refuses a key file other users can read, saying how to fix it', () => {
    const path = join(root, 'c', 'project.key');
    loadOrCreateKey(path);
    chmodSync(path, 0o644);
    expect(() => loadOrCreateKey(path)).toThrow(`mode 0644); make it private with: chmod 600 "${path}"`);
    chmodSync(path, 0o600);
    expect(loadKey(path).created).toBe(false);
  });

  it('refuses a file that is not a key without showing its content', () => {
    const path = join(root, 'not-a-key.txt');
    writeFileSync(path, 'SMITH^JOHN', { mode: 0o600 });
    expect(() => loadKey(path)).toThrow(/is not a dicom-deid key file/);
    expect(() => loadKey(path)).not.toThrow(/SMITH/);
  });

  it('exports to a new owner-only file and never over an existing one', () => {
    const path = join(root, 'd', 'project.key');
    const { fingerprint } = loadOrCreateKey(path);
    const exported = join(root, 'exports', 'site.key');
    expect(exportKey(path, exported).fingerprint).toBe(fingerprint);
    expect(hex(exported)).toBe(hex(path));
    if (posix) expect(mode(exported)).toBe(0o600);
    expect(() => exportKey(path, exported)).toThrow(/already exists/);
  });

  it('imports a key from a file of any mode, and keeps a different key already in place', () => {
    const source = join(root, 'usb', 'site.key');
    const original = loadOrCreateKey(source);
    if (posix) chmodSync(source, 0o777);
    const target = join(root, 'e', 'project.key');
    const imported = importKey(source, target);
    expect(imported).toMatchObject({ fingerprint: original.fingerprint, created: true });
    if (posix) expect(mode(target)).toBe(0o600);
    expect(importKey(source, target).created).toBe(false);

    const other = loadOrCreateKey(join(root, 'f', 'project.key'));
    expect(() => importKey(other.path, target)).toThrow(
      /already holds a different key .* move it away first/,
    );
    expect(loadKey(target).fingerprint).toBe(original.fingerprint);
  });

  it('defaults to ~/.dicom-deid/project.key', () => {
    expect(defaultKeyPath('/home/u')).toBe(join('/home/u', '.dicom-deid', 'project.key'));
  });

  it('refuses to import a key that is all zeros, a repeated pattern or a count, in plain words', () => {
    const weak = {
      zeros: '00'.repeat(32),
      pattern: 'deadbeef'.repeat(8),
      halves: '0123456789abcdeffedcba9876543210'.repeat(2),
      count: Array.from({ length: 32 }, (_, i) => (i + 7).toString(16).padStart(2, '0')).join(''),
      few: `${'0001'.repeat(7)}0100`,
    };
    for (const [name, text] of Object.entries(weak)) {
      const source = join(root, 'weak', `${name}.key`);
      mkdirSync(join(root, 'weak'), { recursive: true });
      writeFileSync(source, `${text}\n`);
      const target = join(root, 'weak', `${name}-installed.key`);
      expect(() => importKey(source, target), name).toThrow(/is not random enough to protect anyone/);
      expect(existsSync(target), name).toBe(false);
    }
    expect(weakKeyReason(new Uint8Array(32))).toBe('every byte of it is the same');
    // A real key is accepted: 1,000 random keys, none refused.
    for (let i = 0; i < 1000; i++) expect(weakKeyReason(new Uint8Array(randomBytes(16)))).toBeNull();
  });

  it('writes a new key without hard links (FAT and exFAT have none) and never leaves a partial file', () => {
    const path = join(root, 'nolink', 'project.key');
    const made = loadOrCreateKey(path);
    const exported = join(root, 'nolink', 'stick.key');
    exportKey(path, exported);
    expect(hex(exported)).toBe(hex(path));
    expect(loadKey(exported).fingerprint).toBe(made.fingerprint);
    // Nothing beside the key: no temporary file left behind.
    expect(readdirSync(join(root, 'nolink')).sort()).toEqual(['project.key', 'stick.key']);
  });

  // A real FAT file system when the machine offers one (set DEID_VFAT_DIR to a mounted vfat folder).
  it.runIf(process.env.DEID_VFAT_DIR)('exports a key onto a FAT file system', () => {
    const path = join(root, 'g', 'project.key');
    const { fingerprint } = loadOrCreateKey(path);
    const stick = join(process.env.DEID_VFAT_DIR!, `deid-${process.pid}.key`);
    try {
      expect(exportKey(path, stick).fingerprint).toBe(fingerprint);
      expect(hex(stick)).toBe(hex(path));
      expect(importKey(stick, join(root, 'g', 'back.key')).fingerprint).toBe(fingerprint);
    } finally {
      rmSync(stick, { force: true });
    }
  });
});
