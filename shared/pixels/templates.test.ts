import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pixelModule } from '../../test/image.js';
import { part10, str } from '../../test/part10.js';
import { anonymize } from '../anonymize/engine.js';
import { keyFromBytes } from '../anonymize/key.js';
import { encodeNumbers } from '../dicom/encode.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { EXPLICIT_LE } from '../dicom/transfer-syntax.js';
import { concatChunks, type NewElement } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { frameLayoutOf } from './layout.js';
import { HeaderValues, matchesFile, rulesMatching } from './match.js';
import { PIXEL_TEMPLATES } from './templates.generated.js';
import { pixelRulesFor } from './templates.js';

const KEY = keyFromBytes(new Uint8Array(32).fill(0x19));
const US_IMAGE = '1.2.840.10008.5.1.4.1.1.6.1';
const W = 64;
const H = 48;

const ul = (tag: number, v: number): NewElement => ({
  tag,
  vr: 'UL',
  value: encodeNumbers('UL', [v], EXPLICIT_LE),
});
const pixels = Uint8Array.from({ length: W * H * 3 }, (_, i) => 1 + (i % 251));

/** An 8-bit RGB ultrasound image from the given device, with optional Ultrasound Region Sequence areas. */
function ultrasound(
  manufacturer: string,
  model: string,
  regions: ReadonlyArray<readonly number[]> = [],
): Uint8Array {
  const elements: NewElement[] = [
    str(0x00080016, 'UI', US_IMAGE),
    str(0x00080060, 'CS', 'US'),
    str(0x00080070, 'LO', manufacturer),
    str(0x00081090, 'LO', model),
    str(0x00100010, 'PN', 'DOE^JANE'),
    ...pixelModule({ rows: H, columns: W, photometric: 'RGB', bits: 8, planar: 0 }),
    { tag: PIXEL_DATA, vr: 'OB', value: pixels },
  ];
  if (regions.length > 0) {
    elements.push({
      tag: 0x00186011,
      vr: 'SQ',
      items: regions.map(([x0, y0, x1, y1]) => [
        ul(0x00186018, x0!),
        ul(0x0018601a, y0!),
        ul(0x0018601c, x1!),
        ul(0x0018601e, y1!),
      ]),
    });
  }
  return part10(elements, US_IMAGE);
}

function cleanedPixels(input: Uint8Array) {
  const result = anonymize(parseDicom(new MemorySource(input)), {
    profile: getPreset('basic'),
    key: KEY,
    toolVersion: '0.1.0',
  });
  const out = parseDicom(new MemorySource(concatChunks(result.chunks)));
  const el = out.dataset.elements.find((e) => e.tag === PIXEL_DATA)!;
  return { pixels: result.pixels, samples: out.source.read(el.valueStart, el.length) };
}

/** Whether every sample of pixel (x, y) is 0 (filled) or as it was. */
const pixelAt = (samples: Uint8Array, x: number, y: number) =>
  [0, 1, 2].map((s) => samples[(y * W + x) * 3 + s]);
const originalAt = (x: number, y: number) => pixelAt(pixels, x, y);

describe('built-in device templates', () => {
  it('are converted with provenance and every rule names conditions and something to clean', () => {
    expect(PIXEL_TEMPLATES.length).toBeGreaterThan(90);
    for (const t of PIXEL_TEMPLATES) {
      expect(t.label).toMatch(/^pydicom-deid /);
      expect(Object.keys(t.match).length).toBeGreaterThan(0);
      expect(t.regions.length > 0 || t.outsideUltrasoundRegions).toBe(true);
    }
    const report = readFileSync(join(__dirname, 'source/build-report.txt'), 'utf8');
    expect(report).toMatch(
      /not converted {2}pydicom-deid\.deid\.dicom\.ultrasound: graylist "Blank Image": no condition/,
    );
  });

  it('clean the banner of a GE LOGIQ9 screen, clipped to the image, and nothing else', () => {
    const { pixels: outcome, samples } = cleanedPixels(ultrasound('GE Healthcare', 'LOGIQ9'));
    expect(outcome).toEqual({ status: 'cleaned', regionsCleaned: 1 });
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++)
        expect(pixelAt(samples, x, y)).toEqual(y < 30 ? [0, 0, 0] : originalAt(x, y));
  });

  it('match case-insensitive parts of header values, as the recipes do, and nothing looser', () => {
    const parsed = parseDicom(new MemorySource(ultrasound('ge medical systems', 'Logiq9 Pro')));
    const layout = frameLayoutOf(parsed);
    const logiq9 = PIXEL_TEMPLATES.find((t) => t.label?.endsWith('Logiq US (LOGIQ9)'))!;
    expect(
      matchesFile(
        new HeaderValues(parsed),
        logiq9.match,
        layout && 'layout' in layout ? layout.layout : undefined,
      ),
    ).toBe(true);
    const other = parseDicom(new MemorySource(ultrasound('Philips', 'LOGIQ9')));
    expect(matchesFile(new HeaderValues(other), logiq9.match, undefined)).toBe(false);
  });

  it('remember which rules a header matches, never giving one header the answer found for another', () => {
    const profile = getPreset('basic');
    const rules = pixelRulesFor(profile);
    // One list per profile: what is remembered about it lasts the batch.
    expect(pixelRulesFor(profile)).toBe(rules);
    const files = [
      ultrasound('GE Healthcare', 'LOGIQ9'),
      ultrasound('Philips', 'LOGIQ9'),
      // Its region sequence is written after the pixel data: top-level tags out of order.
      ultrasound('GE Healthcare', 'LOGIQ9', [[8, 10, 39, 41]]),
      ultrasound('GE Healthcare', 'LOGIQ9 Pro'),
      ultrasound('GE Healthcare', 'LOGIQ9'),
    ];
    const found = files.map((bytes) => {
      const parsed = parseDicom(new MemorySource(bytes));
      const checked = frameLayoutOf(parsed);
      const layout = checked && 'layout' in checked ? checked.layout : undefined;
      const each = rules.filter((rule) => matchesFile(new HeaderValues(parsed), rule.match, layout));
      expect(rulesMatching(new HeaderValues(parsed), rules, layout)).toEqual(each);
      return each.map((rule) => rule.label);
    });
    expect(found[0]!.length).toBeGreaterThan(0);
    expect(found[1]).toEqual([]);
    expect(found[4]).toEqual(found[0]);
  });

  it('clean everything outside the Ultrasound Region Sequence areas', () => {
    const { pixels: outcome, samples } = cleanedPixels(ultrasound('ACME', 'Model 1', [[8, 10, 39, 41]]));
    expect(outcome.status).toBe('cleaned');
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const inside = x >= 8 && x <= 39 && y >= 10 && y <= 41;
        expect(pixelAt(samples, x, y)).toEqual(inside ? originalAt(x, y) : [0, 0, 0]);
      }
  });

  it('leave an ultrasound file no template knows held, not written as clean', () => {
    const result = anonymize(parseDicom(new MemorySource(ultrasound('ACME', 'Model 1'))), {
      profile: getPreset('basic'),
      key: KEY,
      toolVersion: '0.1.0',
    });
    expect(result.pixels.status).toBe('held');
    expect(result.pixels.reason).toMatch(/ultrasound/);
  });
});
