import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDicomError } from '../shared/dicom/errors.js';
import { parseDicom } from '../shared/dicom/parse.js';
import { part10, str } from '../test/part10.js';
import { openInput } from './file-source.js';
import { type InputEntry, walkInputs } from './inputs.js';

const root = mkdtempSync(join(tmpdir(), 'deid-inputs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const dicom = part10([str(0x00100010, 'PN', 'WALK^TEST')]);
const at = (...parts: string[]) => join(root, ...parts);

// study/
//   b/            a.dcm (DICOM)  loop -> ..  (a link back up)
//   empty.dcm     (0 bytes)
//   image         (DICOM without an extension)
//   notes.txt     (text)
//   x.dcm/        (a folder named like a file)  inner.dcm (DICOM)
//   dangling -> nowhere
//   pipe          (a FIFO)
mkdirSync(at('study', 'b'), { recursive: true });
mkdirSync(at('study', 'x.dcm'));
writeFileSync(at('study', 'b', 'a.dcm'), dicom);
symlinkSync('..', at('study', 'b', 'loop'));
writeFileSync(at('study', 'empty.dcm'), '');
writeFileSync(at('study', 'image'), dicom);
writeFileSync(at('study', 'notes.txt'), 'Patient called back about results.\n');
writeFileSync(at('study', 'x.dcm', 'inner.dcm'), dicom);
symlinkSync(at('nowhere'), at('study', 'dangling'));
execFileSync('mkfifo', [at('study', 'pipe')]);

async function list(paths: string[]): Promise<InputEntry[]> {
  const out: InputEntry[] = [];
  for await (const entry of walkInputs(paths)) out.push(entry);
  return out;
}

/** Paths below the root; every name here is UTF-8, so what opens a file is its path as text. */
const relative = (entries: InputEntry[]) =>
  entries.map(({ osPath, ...e }) => {
    expect(osPath).toBe(e.path);
    return { ...e, path: e.path.slice(root.length + 1) };
  });

describe('walkInputs', () => {
  it('lists every file under a folder in sorted order and says why anything else was passed over', async () => {
    expect(relative(await list([at('study')]))).toEqual([
      { path: 'study/b/a.dcm', kind: 'file' },
      { path: 'study/b/loop', kind: 'skipped', reason: 'symlink-loop' },
      { path: 'study/dangling', kind: 'skipped', reason: 'not-found' },
      { path: 'study/empty.dcm', kind: 'file' },
      { path: 'study/image', kind: 'file' },
      { path: 'study/notes.txt', kind: 'file' },
      { path: 'study/pipe', kind: 'skipped', reason: 'special-file' },
      { path: 'study/x.dcm/inner.dcm', kind: 'file' },
    ]);
  });

  it('walks a deep tree depth-first, files and folders in name order, however fast it is consumed', async () => {
    // tree/f0 d0/ f1 d1/ f2 … with each dN/ holding the same shape two levels down, and an empty folder.
    const expected: string[] = [];
    const grow = (dir: string, depth: number) => {
      mkdirSync(dir, { recursive: true });
      mkdirSync(join(dir, 'e-empty'));
      for (let i = 0; i < 3; i++) {
        writeFileSync(join(dir, `f${i}`), '');
        expected.push(join(dir, `f${i}`));
        if (depth < 2) grow(join(dir, `f${i}-d`), depth + 1);
      }
    };
    grow(at('tree'), 0);
    expect(expected).toHaveLength(3 + 9 + 27);
    const walked: string[] = [];
    for await (const entry of walkInputs([at('tree')])) {
      walked.push(entry.path);
      // A slow consumer now and then: folders read ahead are taken in their turn, never early or twice.
      if (walked.length % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(walked).toEqual(expected);
  });

  it('names files as path.join would, however the folder is written', async () => {
    const written = [`${at('study', 'x.dcm')}//`, `${at('study', 'b')}/../x.dcm/.`];
    for (const folder of written) {
      const [entry] = await list([folder]);
      expect(entry).toEqual({
        path: join(folder, 'inner.dcm'),
        osPath: join(folder, 'inner.dcm'),
        kind: 'file',
      });
    }
  });

  it('enters a folder once however it is reached, and takes files as given', async () => {
    const entries = relative(
      await list([at('study', 'b', 'a.dcm'), at('study', 'b'), at('study', 'b', 'loop', 'b')]),
    );
    expect(entries.slice(0, 2)).toEqual([
      { path: 'study/b/a.dcm', kind: 'file' },
      { path: 'study/b/a.dcm', kind: 'file' },
    ]);
    // From study/b the link leads up into study, new ground; study/b itself is not entered again.
    expect(entries).toContainEqual({ path: 'study/b/loop/b', kind: 'skipped', reason: 'already-listed' });
    expect(entries.at(-1)).toEqual({ path: 'study/b/loop/b', kind: 'skipped', reason: 'already-listed' });
    expect(entries.filter((e) => e.path.endsWith('inner.dcm'))).toHaveLength(1);
  });

  it('knows a folder listed inside another as the one a link leads to', async () => {
    // Subfolders are known by their parent's real path plus their name; a link resolves to the same.
    mkdirSync(at('linked', 'series'), { recursive: true });
    writeFileSync(at('linked', 'series', 'one.dcm'), dicom);
    symlinkSync(at('linked', 'series'), at('linked', 'z-alias'));
    symlinkSync(at('linked'), at('linked', 'series', 'up'));
    expect(relative(await list([at('linked')]))).toEqual([
      { path: 'linked/series/one.dcm', kind: 'file' },
      { path: 'linked/series/up', kind: 'skipped', reason: 'symlink-loop' },
      { path: 'linked/z-alias', kind: 'skipped', reason: 'already-listed' },
    ]);
  });

  it('walks names that are not valid UTF-8 by their bytes, showing them with replacement characters', async () => {
    const base = Buffer.from(at('latin1'));
    const folder = Buffer.concat([base, Buffer.from('/M\xfcller', 'latin1')]);
    mkdirSync(folder, { recursive: true });
    const file = Buffer.concat([folder, Buffer.from('/caf\xe9.dcm', 'latin1')]);
    writeFileSync(file, dicom);
    const entries = await list([at('latin1')]);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'file', path: at('latin1', 'M\uFFFDller', 'caf\uFFFD.dcm') });
    expect(Buffer.compare(entries[0]!.osPath as Buffer, file)).toBe(0);
    const input = openInput(entries[0]!.osPath as Buffer);
    expect(input.source.size).toBe(dicom.length);
    input.close();
  });

  it('reports a path that does not exist', async () => {
    expect(relative(await list([at('missing')]))).toEqual([
      { path: 'missing', kind: 'skipped', reason: 'not-found' },
    ]);
  });

  it('leaves recognising DICOM to the parser: content decides, not names', async () => {
    const verdicts: Record<string, string> = {};
    for (const entry of await list([at('study')])) {
      if (entry.kind !== 'file') continue;
      const input = openInput(entry.path);
      try {
        parseDicom(input.source);
        verdicts[entry.path.slice(root.length + 1)] = 'dicom';
      } catch (e) {
        if (!isDicomError(e)) throw e;
        verdicts[entry.path.slice(root.length + 1)] = e.code;
      } finally {
        input.close();
      }
    }
    expect(verdicts).toEqual({
      'study/b/a.dcm': 'dicom',
      'study/empty.dcm': 'empty',
      'study/image': 'dicom',
      'study/notes.txt': 'not-dicom',
      'study/x.dcm/inner.dcm': 'dicom',
    });
  });
});
