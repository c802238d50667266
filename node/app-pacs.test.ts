import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppPacs } from './app-pacs.js';
import { loadNodes } from './pacs/nodes.js';

const SECRET = 'the-password-only-main-may-hold';

describe('the app nodes', () => {
  let folder: string;
  beforeEach(() => {
    folder = join(mkdtempSync(join(tmpdir(), 'app-pacs-')), 'pacs');
  });
  afterEach(() => rmSync(join(folder, '..'), { recursive: true, force: true }));

  it('are a nodes file the CLI reads, with the sign-in in an owner-only file and never in the view', () => {
    const pacs = createAppPacs(folder);
    expect(pacs.nodes()).toEqual({ aeTitle: 'DICOM-DEID', nodes: [] });
    const view = pacs.save(
      'hospital',
      {
        aeTitle: 'PACS',
        host: 'pacs.example.org',
        port: 104,
        dicomweb: 'https://pacs.example.org/dicom-web',
      },
      { username: 'reader', password: SECRET },
    );
    expect(view.nodes).toEqual([
      {
        name: 'hospital',
        aeTitle: 'PACS',
        host: 'pacs.example.org',
        port: 104,
        dicomweb: 'https://pacs.example.org/dicom-web',
        signIn: 'basic',
      },
    ]);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(readFileSync(join(folder, 'nodes.json'), 'utf8')).not.toContain(SECRET);
    expect(statSync(join(folder, 'credentials.json')).mode & 0o077).toBe(0);
    expect(loadNodes(join(folder, 'nodes.json')).nodes.get('hospital')?.credential).toEqual({
      username: 'reader',
      password: SECRET,
    });
  });

  it('keep a sign-in when an edit leaves it out, and drop it when told to', () => {
    const pacs = createAppPacs(folder);
    pacs.save('web', { dicomweb: 'https://archive.example.org/wado' }, { token: SECRET });
    expect(pacs.save('web', { dicomweb: 'https://archive.example.org/dicom-web' }, undefined).nodes).toEqual([
      { name: 'web', dicomweb: 'https://archive.example.org/dicom-web', signIn: 'token' },
    ]);
    expect(
      pacs.save('web', { dicomweb: 'https://archive.example.org/dicom-web' }, null).nodes[0]?.signIn,
    ).toBe('none');
    expect(readFileSync(join(folder, 'credentials.json'), 'utf8')).not.toContain(SECRET);
  });

  it('refuse a node the nodes file schema refuses, in plain words, and keep the others', () => {
    const pacs = createAppPacs(folder);
    pacs.save('a', { aeTitle: 'A', host: 'h', port: 104 }, undefined);
    expect(() => pacs.save('b', { aeTitle: 'B' }, undefined)).toThrow(/a node needs aeTitle, host and port/);
    expect(() => pacs.save('c', { aeTitle: 'BAD\\AE', host: 'h', port: 104 }, undefined)).toThrow(
      /aeTitle: an AE title is 1 to 16 printable characters/,
    );
    expect(pacs.remove('zzz').nodes.map((n) => n.name)).toEqual(['a']);
    expect(pacs.remove('a').nodes).toEqual([]);
  });

  it('clear the staging of an earlier session when the app starts', () => {
    const leftover = join(folder, 'staging', 'retrieve-old');
    mkdirSync(leftover, { recursive: true });
    writeFileSync(join(leftover, 'a.dcm'), 'x');
    createAppPacs(folder);
    expect(() => statSync(leftover)).toThrow();
  });
});
