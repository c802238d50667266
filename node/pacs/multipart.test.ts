import { describe, expect, it } from 'vitest';
import { PeerError } from './errors.js';
import { boundaryOf, splitMultipart } from './multipart.js';

const enc = new TextEncoder();

async function* chunks(bytes: Uint8Array, size: number) {
  for (let at = 0; at < bytes.length; at += size) yield bytes.slice(at, at + size);
}

async function split(body: Uint8Array, boundary: string, chunkSize: number) {
  const parts: { headers: string; body: number[] }[] = [];
  await splitMultipart(chunks(body, chunkSize), boundary, (headers) => {
    const part = { headers, body: [] as number[] };
    parts.push(part);
    return { write: (b) => void part.body.push(...b), end: () => undefined };
  });
  return parts;
}

describe('splitMultipart', () => {
  // Part bodies that contain CR LF, dashes and most of the delimiter: only the whole delimiter splits.
  const a = new Uint8Array([1, 2, 13, 10, 45, 45, 65, 66, 0, 255]);
  const b = enc.encode('\r\n--XY-not-quite\r\n--XY');
  const body = enc.encode('preamble\r\n--XYZ\r\nContent-Type: application/dicom\r\n\r\n');
  const whole = new Uint8Array([
    ...body,
    ...a,
    ...enc.encode('\r\n--XYZ\r\nContent-Type: application/dicom\r\n\r\n'),
    ...b,
    ...enc.encode('\r\n--XYZ--\r\n'),
  ]);

  it('finds the parts whatever the chunking', async () => {
    for (const size of [1, 2, 3, 7, 64, whole.length]) {
      const parts = await split(whole, 'XYZ', size);
      expect(parts.map((p) => p.body)).toEqual([[...a], [...b]]);
      expect(parts[0]!.headers).toBe('Content-Type: application/dicom');
    }
  });

  it('refuses a body cut before the close delimiter', async () => {
    await expect(split(whole.subarray(0, whole.length - 12), 'XYZ', 5)).rejects.toBeInstanceOf(PeerError);
  });

  it('refuses endless headers and a missing boundary', async () => {
    const endless = enc.encode(`--XYZ\r\n${'X-Pad: 1\r\n'.repeat(3000)}`);
    await expect(split(endless, 'XYZ', 1000)).rejects.toThrow(/endless headers/);
    await expect(split(new Uint8Array(20000), 'XYZ', 1000)).rejects.toThrow(/no boundary/);
  });

  it('reads the boundary from the content type', () => {
    expect(boundaryOf('multipart/related; type="application/dicom"; boundary=abc')).toBe('abc');
    expect(boundaryOf('multipart/related; boundary="a b"; type=application/dicom')).toBe('a b');
    expect(boundaryOf('application/dicom')).toBeUndefined();
  });
});
