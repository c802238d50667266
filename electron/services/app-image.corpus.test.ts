import { describe, expect, it } from 'vitest';
import { parseDicom } from '../../shared/dicom/parse.js';
import { MemorySource } from '../../shared/dicom/source.js';
import { corpusFiles, hasCorpus, readCorpus } from '../../test/corpus.js';
import { decodeFrame, imageInfo } from './app-image.js';

const parse = (path: string) => parseDicom(new MemorySource(readCorpus(path)));
const greyValues = (path: string) => {
  const frame = decodeFrame(parse(path), 0);
  if (frame.kind !== 'grey') throw new Error(`${path} is not grey`);
  return Buffer.from(frame.data, 'base64');
};

describe.skipIf(!hasCorpus)('image preview on the corpus', () => {
  const readable = corpusFiles().filter((f) => f.dcmdumpStatus === 'ok');

  it('decodes the first frame of every image it offers to preview, at its size', () => {
    let previewed = 0;
    const failures: string[] = [];
    for (const f of readable) {
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = parse(f.path);
      } catch {
        continue;
      }
      const info = imageInfo(parsed);
      if (!info || info.unsupported) continue;
      let frame: ReturnType<typeof decodeFrame>;
      try {
        frame = decodeFrame(parsed, 0);
      } catch (error) {
        failures.push(`${f.path}: ${(error as Error).message}`);
        continue;
      }
      expect([frame.width, frame.height], f.path).toEqual([info.columns, info.rows]);
      if (frame.kind === 'grey')
        expect(Number.isFinite(frame.min) && frame.min <= frame.max, f.path).toBe(true);
      previewed++;
    }
    expect(failures).toEqual([]);
    expect(previewed).toBeGreaterThan(100);
  });

  it('decodes RLE to the same values as the uncompressed original (NEMA WG04 CT1)', () => {
    const rle = greyValues('fo-dicom+fo-dicom/TestData/D_CLUNIE_CT1_RLE_FRAGS.dcm');
    const plain = greyValues('cornerstonejs+dicomParser/testImages/CT1_UNC.implicit_little_endian.dcm');
    expect(rle.equals(plain)).toBe(true);
  });

  it('reads big-endian pixels like little-endian ones', () => {
    expect(
      greyValues('cornerstonejs+dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm').equals(
        greyValues('cornerstonejs+dicomParser/testImages/CT1_UNC.implicit_little_endian.dcm'),
      ),
    ).toBe(true);
  });

  it('passes 8-bit baseline JPEG frames to the page, which decodes them itself', () => {
    const frame = decodeFrame(
      parse('orthanc-mirrors+orthanc-tests/Database/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm'),
      0,
    );
    expect(frame.kind).toBe('jpeg');
    expect(Buffer.from(frame.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('says why other compressed images are not previewed', () => {
    const info = imageInfo(parse('Enet4+dicom-test-files/data/WG04/J2KR/CT1_J2KR'));
    expect(info?.unsupported).toMatch(/JPEG 2000/);
  });
});
