import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifierStrings } from '../../shared/anonymize/identifiers.js';
import type { Rect } from '../../shared/pixels/regions.js';
import { IdentityNeedles } from '../../shared/pixels/text-identity.js';
import { frameLayout } from '../../test/pixels.js';
import { type FoundText, findBurnedInText } from './find-text.js';
import { TesseractReader } from './tesseract-reader.js';

/**
 * A cine rendered by ImageMagick: a static overlay (name and probe) on every frame, a clock that changes on
 * every frame, and a second name on frame 2 only. The static overlay is read once, the rest where it changes.
 */
const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const [WIDTH, HEIGHT, FRAMES] = [480, 360, 4];
const NAME_ONCE: Rect = { x: 20, y: 300, width: 200, height: 30 };

function frame(dir: string, f: number): Uint8Array {
  const file = join(dir, `${f}.gray`);
  const text = (x: number, y: number, s: string) => ['-annotate', `+${x}+${y}`, s];
  execFileSync('convert', [
    '-size',
    `${WIDTH}x${HEIGHT}`,
    'xc:black',
    '-fill',
    'white',
    '-font',
    FONT,
    '-pointsize',
    '18',
    ...text(20, 30, 'OKAFOR, CHIDI'),
    ...text(360, 30, 'C5-1 4.0MHz'),
    ...text(360, 340, `10:4${f}:0${f}`),
    ...(f === 2 ? text(20, 320, 'Adaeze Okafor') : []),
    '-depth',
    '8',
    `gray:${file}`,
  ]);
  return new Uint8Array(readFileSync(file));
}

const covers = (rects: readonly Rect[] | undefined, box: Rect) =>
  (rects ?? []).some(
    (r) =>
      r.x <= box.x &&
      r.y <= box.y &&
      r.x + r.width >= box.x + box.width &&
      r.y + r.height >= box.y + box.height,
  );
const overlaps = (rects: readonly Rect[] | undefined, box: Rect) =>
  (rects ?? []).some(
    (r) =>
      r.x < box.x + box.width && box.x < r.x + r.width && r.y < box.y + box.height && box.y < r.y + r.height,
  );

describe('a cine: static overlay read once, changing text where it changes', () => {
  const reader = new TesseractReader({ workers: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'ocr-cine-'));
  let found: FoundText;

  beforeAll(async () => {
    const frames = Array.from({ length: FRAMES }, (_, f) => frame(dir, f));
    const needles = new IdentityNeedles(
      identifierStrings('name', 'OKAFOR^CHIDI').map((text) => ({ kind: 'name', text })),
    );
    found = await findBurnedInText(
      reader,
      FRAMES,
      (f) => frames[f]!,
      frameLayout({ rows: HEIGHT, columns: WIDTH, numberOfFrames: FRAMES }),
      { identifiers: needles, modality: 'US' },
    );
  }, 120_000);

  afterAll(async () => {
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the first frame whole and then only the rows that changed', () => {
    expect(found.pixelsRead).toBeGreaterThanOrEqual(WIDTH * HEIGHT);
    // Three frames of a clock band and a name band coming and going: well under half of reading every frame.
    expect(found.pixelsRead).toBeLessThan(WIDTH * HEIGHT * FRAMES * 0.5);
  });

  it('cleans the static name on every frame, keeps the probe, and the clock on every frame', () => {
    const name: Rect = { x: 20, y: 14, width: 120, height: 18 };
    const probe: Rect = { x: 380, y: 14, width: 80, height: 18 };
    const clock: Rect = { x: 365, y: 324, width: 70, height: 18 };
    for (let f = 0; f < FRAMES; f++) {
      expect(covers(found.regions.get(f), name)).toBe(true);
      expect(overlaps(found.regions.get(f), probe)).toBe(false);
      expect(covers(found.regions.get(f), clock)).toBe(true);
    }
  });

  it('cleans the name shown on frame 2 from frame 2 on, not before', () => {
    expect(overlaps(found.regions.get(0), NAME_ONCE)).toBe(false);
    expect(overlaps(found.regions.get(1), NAME_ONCE)).toBe(false);
    expect(overlaps(found.regions.get(2), NAME_ONCE)).toBe(true);
  });
});
