import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSettingsStore } from './app-settings.js';

const folders: string[] = [];
const tempFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'deid-settings-'));
  folders.push(folder);
  return folder;
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('settings store', () => {
  it('starts from defaults when nothing was saved', () => {
    expect(createSettingsStore(tempFolder()).get()).toEqual({ verify: true, pixelRules: [] });
  });

  it('persists updates across instances', () => {
    const folder = tempFolder();
    createSettingsStore(folder).update({ outputFolder: '/data/out', keyPath: '/keys/k.key', verify: false });
    expect(createSettingsStore(folder).get()).toEqual({
      outputFolder: '/data/out',
      keyPath: '/keys/k.key',
      verify: false,
      pixelRules: [],
    });
  });

  it('keeps earlier fields when updating others', () => {
    const store = createSettingsStore(tempFolder());
    store.update({ outputFolder: '/a' });
    expect(store.update({ lastInputFolder: '/b' })).toMatchObject({
      outputFolder: '/a',
      lastInputFolder: '/b',
    });
  });

  it('falls back to defaults when the file is damaged', () => {
    const folder = tempFolder();
    writeFileSync(join(folder, 'settings.json'), '{not json');
    expect(createSettingsStore(folder).get()).toEqual({ verify: true, pixelRules: [] });
    writeFileSync(join(folder, 'settings.json'), JSON.stringify({ verify: 'yes' }));
    expect(createSettingsStore(folder).get()).toEqual({ verify: true, pixelRules: [] });
  });

  it('refuses an invalid update and keeps the file as it was', () => {
    const folder = tempFolder();
    const store = createSettingsStore(folder);
    store.update({ outputFolder: '/a' });
    expect(() => store.update({ verify: 'no' as unknown as boolean })).toThrow();
    expect(JSON.parse(readFileSync(join(folder, 'settings.json'), 'utf8'))).toMatchObject({
      outputFolder: '/a',
    });
  });
});
