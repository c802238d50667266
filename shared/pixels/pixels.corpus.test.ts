import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasCorpus, readableCorpusFiles, readCorpus } from '../../test/corpus.js';
import { dcmdumpErrors, hasTool } from '../../test/tools.js';
import { anonymize } from '../anonymize/engine.js';
import { keyFromBytes } from '../anonymize/key.js';
import { BURNED_IN_ANNOTATION, isDicomdir, modality, sopClassUID, topLevelCode } from '../dicom/header.js';
import { parseDicom } from '../dicom/parse.js';
import { MemorySource } from '../dicom/source.js';
import { PIXEL_DATA } from '../dicom/tag.js';
import { concatChunks } from '../dicom/write.js';
import { getPreset } from '../profile/index.js';
import { burnedInFactsOf, burnedInRisk } from '../scan/burned-in.js';

const KEY = keyFromBytes(new Uint8Array(32).fill(0x21));
const SCOUT = 'microsoft+presidio/integration/resources/dir1/dir2/2_ORIGINAL.dcm';
const SECONDARY_CAPTURE = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.7(\.|$)/;

const tmp = mkdtempSync(join(tmpdir(), 'pixels-corpus-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!hasCorpus)('pixels of the public corpus under the Basic preset', () => {
  const files = readableCorpusFiles();

  it('never lets a file that declares burned-in text, or is a screen capture, out uncleaned', () => {
    let atRisk = 0;
    let cleaned = 0;
    for (const f of files) {
      const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(f.abs))));
      if (isDicomdir(parsed) || !parsed.dataset.elements.some((e) => e.tag === PIXEL_DATA)) continue;
      const sop = sopClassUID(parsed);
      const facts = burnedInFactsOf(parsed, modality(parsed), sop);
      const declaresText = topLevelCode(parsed, BURNED_IN_ANNOTATION) === 'YES';
      const screen = SECONDARY_CAPTURE.test(sop ?? '') || (facts.imageType ?? []).includes('SCREEN SAVE');
      const risky = burnedInRisk(facts).risk !== 'unlikely';
      const { pixels } = anonymize(parsed, { profile: getPreset('basic'), key: KEY, toolVersion: '0.1.0' });
      if (declaresText || risky) {
        atRisk++;
        expect(['held', 'cleaned'], f.path).toContain(pixels.status);
      }
      if (screen && pixels.status === 'not-at-risk') {
        // A grey secondary capture with nothing screen-like about it (the character set samples).
        expect(burnedInRisk(facts).risk, f.path).toBe('unlikely');
      }
      if (pixels.status === 'held') expect(pixels.reason, f.path).toMatch(/^[a-z]/);
      if (pixels.status === 'cleaned') cleaned++;
    }
    expect(atRisk).toBeGreaterThan(20);
    expect(cleaned).toBeGreaterThan(0);
  });

  it('holds the public CT scout with a name burned in, which declares nothing about it', () => {
    const parsed = parseDicom(new MemorySource(readCorpus(SCOUT)));
    expect(burnedInRisk(burnedInFactsOf(parsed, modality(parsed), sopClassUID(parsed))).risk).toBe(
      'possible',
    );
    const { pixels } = anonymize(parsed, { profile: getPreset('basic'), key: KEY, toolVersion: '0.1.0' });
    expect(pixels.status).toBe('held');
    expect(pixels.reason).toMatch(/scout/i);
  });

  it.skipIf(!hasTool('dcmdump'))(
    'writes cleaned files that dcmtk reads, with Burned In Annotation NO',
    () => {
      let checked = 0;
      for (const f of files) {
        const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(f.abs))));
        if (isDicomdir(parsed)) continue;
        const result = anonymize(parsed, { profile: getPreset('basic'), key: KEY, toolVersion: '0.1.0' });
        if (result.pixels.status !== 'cleaned') continue;
        const out = join(tmp, `${checked++}.dcm`);
        writeFileSync(out, concatChunks(result.chunks));
        expect(dcmdumpErrors(out), f.path).toEqual([]);
        const again = parseDicom(new MemorySource(new Uint8Array(readFileSync(out))));
        expect(topLevelCode(again, BURNED_IN_ANNOTATION)).toBe('NO');
      }
      expect(checked).toBeGreaterThan(0);
    },
  );
});
