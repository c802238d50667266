import { describe, expect, it } from 'vitest';
import { parseDicom } from '../shared/dicom/parse.js';
import { MemorySource } from '../shared/dicom/source.js';
import { corpusFiles, hasCorpus, readCorpus } from '../test/corpus.js';
import { decodeFrame, imageInfo } from './app-image.js';

const parse = (path: string) => parseDicom(new MemorySource(readCorpus(path)));
const decoded = async (path: string, frameNumber = 0) => {
  const frame = await decodeFrame(parse(path), frameNumber);
  if (frame.kind === 'jpeg') throw new Error(`${path} was handed to the page`);
  return frame;
};
/** Modality values (after rescale) of a grey frame. */
const greyValues = async (path: string, frameNumber = 0) => {
  const frame = await decoded(path, frameNumber);
  if (frame.kind !== 'grey') throw new Error(`${path} is not grey`);
  const bytes = Buffer.from(frame.data, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
};
const rgbaBytes = async (path: string) => {
  const frame = await decoded(path);
  if (frame.kind !== 'rgba') throw new Error(`${path} is not colour`);
  return Buffer.from(frame.data, 'base64');
};
function differences(a: Float32Array, b: Float32Array) {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / a.length };
}

const WG04 = 'Enet4+dicom-test-files/data/WG04';
const HTJ2K = 'chafey+DICOMHTJ2K/test/fixtures/htj2k';
const TS = 'neurolabusc+dcm_qa_ts/In';
const CT1 = 'cornerstonejs+dicomParser/testImages/CT1_UNC.implicit_little_endian.dcm';
const CT0012 = 'cornerstonejs+dicomParser/testImages/encapsulated/multi-frame/CT0012';

describe.skipIf(!hasCorpus)('image preview on the corpus', () => {
  const readable = corpusFiles().filter((f) => f.dcmdumpStatus === 'ok');

  it('decodes the first frame of every image it offers to preview, at its size', async () => {
    let previewed = 0;
    const failures: string[] = [];
    const syntaxes = new Set<string>();
    for (const f of readable) {
      let parsed: ReturnType<typeof parse>;
      try {
        parsed = parse(f.path);
      } catch {
        continue;
      }
      const info = imageInfo(parsed);
      if (!info || info.unsupported) continue;
      let frame: Awaited<ReturnType<typeof decodeFrame>>;
      try {
        frame = await decodeFrame(parsed, 0);
      } catch (error) {
        failures.push(`${f.path}: ${(error as Error).message}`);
        continue;
      }
      expect([frame.width, frame.height], f.path).toEqual([info.columns, info.rows]);
      if (frame.kind === 'grey')
        expect(Number.isFinite(frame.min) && frame.min <= frame.max, f.path).toBe(true);
      previewed++;
      syntaxes.add(f.transferSyntax);
    }
    expect(failures).toEqual([]);
    expect(previewed).toBeGreaterThan(140);
    for (const ts of ['4.57', '4.70', '4.80', '4.81', '4.90', '4.91', '4.202'])
      expect(syntaxes, ts).toContain(`1.2.840.10008.1.2.${ts}`);
  });

  it('decodes RLE to the same values as the uncompressed original (NEMA WG04 CT1)', async () => {
    expect(await greyValues('fo-dicom+fo-dicom/TestData/D_CLUNIE_CT1_RLE_FRAGS.dcm')).toEqual(
      await greyValues(CT1),
    );
  });

  it('reads big-endian pixels like little-endian ones', async () => {
    expect(await greyValues('cornerstonejs+dicomParser/testImages/CT1_UNC.explicit_big_endian.dcm')).toEqual(
      await greyValues(CT1),
    );
  });

  it.each([
    ['RLE', `${TS}/4.dcm`],
    ['JPEG lossless SV1', `${TS}/5.dcm`],
    ['JPEG-LS lossless', `${TS}/7.dcm`],
    ['JPEG 2000 lossless', `${TS}/9.dcm`],
  ])('decodes %s to the uncompressed pixels exactly (dcm_qa_ts Siemens MR)', async (_, path) => {
    expect(await greyValues(path)).toEqual(await greyValues(`${TS}/1.dcm`));
  });

  it.each([
    ['JPEG 2000 lossless', `${WG04}/J2KR/CT1_J2KR`],
    ['HTJ2K lossless RPCL', `${HTJ2K}/CT1_JPH`],
    [
      'JPEG-LS lossless, fragmented',
      'cornerstonejs+dicomParser/testImages/encapsulated/single-frame/CT1_UNC.fragmented_bot_jpeg_ls.80.dcm',
    ],
  ])('decodes %s to the uncompressed pixels exactly (NEMA WG04 CT1)', async (_, path) => {
    expect(await greyValues(path)).toEqual(await greyValues(CT1));
  });

  it('decodes JPEG-LS lossless like RLE (WG04 MR3) and HTJ2K colour like RLE (WG04 US1)', async () => {
    expect(await greyValues(`${WG04}/JLSL/MR3_JLSL`)).toEqual(await greyValues(`${WG04}/RLE/MR3_RLE`));
    expect((await rgbaBytes(`${HTJ2K}/US1_JPH`)).equals(await rgbaBytes(`${WG04}/RLE/US1_RLE`))).toBe(true);
  });

  it.each([
    ['JPEG lossless process 14', 'fragmented_no_bot_jpeg_lossless.57.dcm'],
    ['JPEG-LS lossless', 'fragmented_no_bot_jpeg_ls.80.dcm'],
  ])('finds and decodes each frame of multi-frame %s without an offset table', async (_, name) => {
    for (const frameNumber of [0, 1])
      expect(await greyValues(`${CT0012}.${name}`, frameNumber)).toEqual(
        await greyValues(`${CT0012}.not_fragmented_bot_rle.dcm`, frameNumber),
      );
  });

  it('keeps near-lossless JPEG-LS within its NEAR bound (WG04 MR4: NEAR 4, Rescale Slope 9.570207)', async () => {
    const { max } = differences(
      await greyValues(`${WG04}/JLSN/MR4_JLSN`),
      await greyValues(`${WG04}/JPLL/MR4_JPLL`),
    );
    expect(max).toBeGreaterThan(0);
    expect(max).toBeLessThanOrEqual(4 * 9.570207 + 1e-3);
  });

  it('keeps lossy JPEG 2000 close to the lossless original (WG04 XA1: at most 16, mean under 2)', async () => {
    const { max, mean } = differences(
      await greyValues(`${WG04}/J2KI/XA1_J2KI`),
      await greyValues(`${HTJ2K}/XA1_JPH`),
    );
    expect(max).toBeLessThanOrEqual(16);
    expect(mean).toBeLessThan(2);
  });

  it('passes 8-bit baseline JPEG frames to the page, which decodes them itself', async () => {
    const frame = await decodeFrame(
      parse('orthanc-mirrors+orthanc-tests/Database/TransferSyntaxes/1.2.840.10008.1.2.4.50.dcm'),
      0,
    );
    expect(frame.kind).toBe('jpeg');
    expect(Buffer.from(frame.data, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  it('says why the remaining compressed images are not previewed', () => {
    expect(imageInfo(parse('dcm4che+dcm4che/test-data/will-jxl.dcm'))?.unsupported).toMatch(/JPEG XL/);
    expect(imageInfo(parse(`${WG04}/JPLY/MR4_JPLY`))?.unsupported).toMatch(/12-bit JPEG/);
    expect(imageInfo(parse(`${WG04}/J2KR/CT1_J2KR`))?.unsupported).toBeUndefined();
  });
});
