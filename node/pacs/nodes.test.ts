import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findNode, loadNodes, NodesFileError } from './nodes.js';

const dir = mkdtempSync(join(tmpdir(), 'nodes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

const SECRET = 'pa55-word-never-shown';

describe('nodes file', () => {
  it('reads YAML and JSON, attaches credentials by node name', () => {
    file('cred.yaml', `pacs: { username: alice, password: ${SECRET} }\nweb: { token: t-1 }\n`);
    const yaml = loadNodes(
      file(
        'nodes.yaml',
        'aeTitle: OURS\nport: 11112\ncredentials: cred.yaml\nnodes:\n' +
          '  pacs: { aeTitle: PACS, host: pacs.local, port: 104 }\n  web: { dicomweb: "https://x/dicom-web" }\n',
      ),
    );
    expect(yaml.aeTitle).toBe('OURS');
    expect(yaml.port).toBe(11112);
    expect(findNode(yaml, 'pacs')).toMatchObject({ aeTitle: 'PACS', credential: { username: 'alice' } });
    expect(findNode(yaml, 'web').credential).toEqual({ token: 't-1' });
    const json = loadNodes(
      file('nodes.json', JSON.stringify({ nodes: { a: { aeTitle: 'A', host: 'h', port: 1 } } })),
    );
    expect(json.aeTitle).toBe('DICOM-DEID');
    expect(() => findNode(json, 'b')).toThrow(NodesFileError);
  });

  it('refuses bad AE titles, ports, nodes without a way in, unknown keys', () => {
    const bad = [
      { nodes: { a: { aeTitle: 'WAY-TOO-LONG-AE-TITLE', host: 'h', port: 1 } } },
      { nodes: { a: { aeTitle: 'A\\B', host: 'h', port: 1 } } },
      { nodes: { a: { aeTitle: 'A', host: 'h', port: 70000 } } },
      { nodes: { a: { aeTitle: 'A' } } },
      { nodes: { a: { aeTitle: 'A', host: 'h', port: 1, password: 'x' } } },
      { nodes: { a: { dicomweb: 'not a url' } } },
    ];
    for (const [i, content] of bad.entries())
      expect(() => loadNodes(file(`bad-${i}.json`, JSON.stringify(content)))).toThrow(NodesFileError);
  });

  it('refuses a credentials file others can read, and never quotes a secret', () => {
    file('open.yaml', `pacs: { username: alice, password: ${SECRET} }\n`, 0o644);
    const nodes = file(
      'n1.yaml',
      'credentials: open.yaml\nnodes: { pacs: { aeTitle: P, host: h, port: 1 } }\n',
    );
    expect(() => loadNodes(nodes)).toThrow(/owner only/);
    file('broken.yaml', `pacs: { username: alice, password: ${SECRET}, extra: ${SECRET} }\n`);
    const n2 = file(
      'n2.yaml',
      'credentials: broken.yaml\nnodes: { pacs: { aeTitle: P, host: h, port: 1 } }\n',
    );
    let message = '';
    try {
      loadNodes(n2);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/credentials file is not valid at pacs/);
    expect(message).not.toContain(SECRET);
  });
});
