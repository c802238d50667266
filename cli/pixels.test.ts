import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../test/tools.js';

/*
 * Clean Pixel Data from the command line on the sample ultrasound images, whose name, ID and birth date are
 * burned in at x 4, y 4, 102×38 (assets/samples/README.md). dcmtk decodes input and output independently.
 */

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'dicom-deid.js');
const US = join(ROOT, 'assets', 'samples', 'patient-001', 'us');
const W = 256;
const H = 192;
const BOX = { x: 0, y: 0, width: 110, height: 46 };

const dir = mkdtempSync(join(tmpdir(), 'deid-cli-pixels-'));
const home = join(dir, 'home');
const inputs = join(dir, 'in');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT });
  cpSync(US, inputs, { recursive: true });
}, 120_000);

function anonymize(out: string, ...args: string[]) {
  const r = spawnSync(
    process.execPath,
    [CLI, 'anonymize', inputs, '--out', join(dir, out), '--json', ...args],
    {
      encoding: 'utf8',
      env: { ...process.env, HOME: home },
    },
  );
  return { status: r.status, json: JSON.parse(r.stdout || '{}') as { files: Array<{ status: string }> } };
}

function profile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const RULE = `pixelRules:\n  - label: banner\n    match: { modality: US, rows: ${H}, columns: ${W} }\n    regions: [{ x: ${BOX.x}, y: ${BOX.y}, width: ${BOX.width}, height: ${BOX.height} }]\n`;

const outputs = (root: string): string[] =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.dcm'))
    .map((d) => join(d.parentPath, d.name));

/** RGB samples as dcmtk reads them (dcmdump +W writes Pixel Data out raw). */
function rgbOf(path: string): Uint8Array {
  const to = mkdtempSync(join(dir, 'raw-'));
  execFileSync('dcmdump', ['+W', to, path]);
  const raw = readdirSync(to).find((f) => f.endsWith('.raw'))!;
  return new Uint8Array(readFileSync(join(to, raw)));
}

describe.skipIf(!hasTool('dcmdump'))('dicom-deid anonymize: pixels', () => {
  it('cleans the ultrasound images under a preset: no template knows this device, the detector finds the banner', () => {
    const r = anonymize('out-preset', '--option', 'cleanPixelData');
    expect(r.status).toBe(0);
    expect(r.json.files.map((f) => f.status)).toEqual(['written', 'written']);
    for (const path of outputs(join(dir, 'out-preset'))) {
      const dump = spawnSync('dcmdump', ['-q', path], { encoding: 'utf8' }).stdout;
      expect(dump).toMatch(/\(0028,0301\) CS \[NO\]/);
      expect(dump).toMatch(/\(0008,0100\) SH \[113101\]/);
    }
  });

  it('cleans the box a profile rule draws, and the detector what it found, with BIA NO and 113101', () => {
    const r = anonymize('out-box', '--profile', profile('box.yaml', `name: Banner box\n${RULE}`));
    expect(r.status).toBe(0);
    expect(r.json.files.map((f) => f.status)).toEqual(['written', 'written']);
    const written = outputs(join(dir, 'out-box'));
    expect(written).toHaveLength(2);
    const originals = readdirSync(join(inputs, 'series-01')).map((f) => rgbOf(join(inputs, 'series-01', f)));
    for (const path of written) {
      const dump = spawnSync('dcmdump', ['-q', path], { encoding: 'utf8' }).stdout;
      expect(dump).toMatch(/\(0028,0301\) CS \[NO\]/);
      expect(dump).toMatch(/\(0008,0100\) SH \[113101\]/);
      const after = rgbOf(path);
      // Which input it came from: the one whose pixels outside the box it matches, but for the identity text
      // the detector found beyond the box, filled black like it.
      const inside = (i: number) => {
        const p = Math.floor(i / 3);
        const x = p % W;
        const y = Math.floor(p / W);
        return x >= BOX.x && x < BOX.x + BOX.width && y >= BOX.y && y < BOX.y + BOX.height;
      };
      const same = originals.filter((before) =>
        before.every((v, i) => inside(i) || after[i] === v || after[i] === 0),
      );
      expect(same).toHaveLength(1);
      const before = same[0]!;
      let textBefore = 0;
      for (let i = 0; i < after.length; i++) {
        if (!inside(i)) continue;
        expect(after[i]).toBe(0);
        if (before[i]! > 128) textBefore++;
      }
      // The name was there in the input: bright glyph samples inside the box.
      expect(textBefore).toBeGreaterThan(100);
    }
  });

  it('holds them again when the profile turns Clean Pixel Data off', () => {
    const off = profile('off.yaml', `name: No pixels\nwithoutOptions: [cleanPixelData]\n${RULE}`);
    const r = anonymize('out-off', '--profile', off);
    expect(r.status).toBe(1);
    expect(r.json.files.map((f) => f.status)).toEqual(['held', 'held']);
    mkdirSync(join(dir, 'out-off'), { recursive: true });
    expect(outputs(join(dir, 'out-off'))).toEqual([]);
  });
});
