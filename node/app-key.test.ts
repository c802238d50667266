import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyStore } from './app-key.js';

const root = mkdtempSync(join(tmpdir(), 'deid-key-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('app key store', () => {
  it('has no key until one is needed, then creates it owner-only', () => {
    const store = createKeyStore(() => join(root, 'a', 'project.key'));
    expect(store.current()).toBeUndefined();
    expect(store.state().fingerprint).toBeNull();
    store.ensure();
    const fingerprint = store.state().fingerprint;
    store.ensure();
    expect(store.state().fingerprint).toBe(fingerprint);
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    if (process.platform !== 'win32')
      expect(statSync(join(root, 'a', 'project.key')).mode & 0o777).toBe(0o600);
  });

  it('replaces a key on request, keeping the old one beside it', () => {
    const folder = join(root, 'b');
    const store = createKeyStore(() => join(folder, 'project.key'));
    store.ensure();
    const old = store.state().fingerprint;
    store.create();
    expect(store.state().fingerprint).not.toBe(old);
    expect(existsSync(join(folder, `project-${old}.previous.key`))).toBe(true);
  });

  it('exports and imports a key that keeps its fingerprint', () => {
    const first = createKeyStore(() => join(root, 'c', 'project.key'));
    first.ensure();
    first.exportTo(join(root, 'shared.key'));
    const second = createKeyStore(() => join(root, 'd', 'project.key'));
    second.ensure();
    second.importFrom(join(root, 'shared.key'));
    expect(second.state().fingerprint).toBe(first.state().fingerprint);
  });

  it('refuses a file that is not a key, leaving the current key in place', () => {
    const folder = join(root, 'e');
    const store = createKeyStore(() => join(folder, 'project.key'));
    store.ensure();
    const before = store.state().fingerprint;
    writeFileSync(join(root, 'not-a-key.txt'), 'hello');
    expect(() => store.importFrom(join(root, 'not-a-key.txt'))).toThrow(/not a dicom-deid key file/);
    expect(store.state().fingerprint).toBe(before);
    expect(readdirSync(folder)).toEqual(['project.key']);
  });
});
