// The packaged app's fuses, read from the builder config and checked against electron-builder's own schema,
// so a typo in a fuse name (which electron-builder would reject only at packaging time) fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '../..');
const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as {
  electronFuses?: Record<string, boolean>;
  asar?: boolean;
};
const schema = JSON.parse(readFileSync(join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as {
  definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
};

describe('electron-builder fuses', () => {
  it('turn off every way to run the binary as plain Node, and load only the checked archive', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // ASAR integrity needs the archive: it is electron-builder's default, and must stay on.
    expect(config.asar).not.toBe(false);
  });

  it('name only fuses electron-builder knows', () => {
    const known = Object.keys(schema.definitions.FuseOptionsV1.properties);
    for (const fuse of Object.keys(config.electronFuses ?? {})) expect(known).toContain(fuse);
  });

  it('hold with RunAsNode off: the app starts no child Node process (it would need ELECTRON_RUN_AS_NODE)', () => {
    // The main process bundle is electron/ plus the Node-side services it imports from node/.
    const sources = ['electron', 'node'].flatMap((folder) =>
      readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
        .map((name) => join(folder, name)),
    );
    expect(sources.length).toBeGreaterThan(50);
    for (const name of sources) {
      const text = readFileSync(join(ROOT, name), 'utf8');
      expect(text, name).not.toMatch(/child_process|\bfork\(|utilityProcess/);
    }
  });

  it('are listed in the README’s security section', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const fuse of Object.keys(config.electronFuses ?? {})) expect(readme).toContain(fuse);
  });
});
