import { EncodeError } from './errors.js';
import type { Tag } from './tag.js';
import type { Syntax } from './transfer-syntax.js';
import { BINARY_SIZE, hasLongHeader, isStringVR, paddingByte } from './vr.js';

/** The bytes of an element header in the given encoding. `length` may be 0xFFFFFFFF (undefined). */
export function encodeHeader(tag: Tag, vr: string, length: number, syntax: Syntax): Uint8Array {
  const b = new Uint8Array(headerSize(tag, vr, syntax));
  writeHeader(b, 0, tag, vr, length, syntax);
  return b;
}

/** How many bytes an element header takes: 8, or 12 for an explicit VR with a 4-byte length. */
export const headerSize = (tag: Tag, vr: string, syntax: Syntax): number =>
  syntax.explicitVR && tag >>> 16 !== 0xfffe && hasLongHeader(vr) ? 12 : 8;

/**
 * encodeHeader into `b` at `at`, which has room for headerSize bytes: the writer puts a file's many
 * headers straight into its output blocks, without a small array (and a view of it) each.
 */
export function writeHeader(
  b: Uint8Array,
  at: number,
  tag: Tag,
  vr: string,
  length: number,
  syntax: Syntax,
): void {
  const le = syntax.littleEndian;
  put16(b, at, tag >>> 16, le);
  put16(b, at + 2, tag & 0xffff, le);
  if (!syntax.explicitVR || tag >>> 16 === 0xfffe) {
    put32(b, at + 4, length, le);
    return;
  }
  b[at + 4] = vr.charCodeAt(0);
  b[at + 5] = vr.charCodeAt(1);
  if (hasLongHeader(vr)) {
    b[at + 6] = 0;
    b[at + 7] = 0;
    put32(b, at + 8, length, le);
  } else {
    if (length > 0xffff) throw new EncodeError(`a ${vr} value cannot hold ${length} bytes`);
    put16(b, at + 6, length, le);
  }
}

function put16(b: Uint8Array, at: number, v: number, le: boolean) {
  b[at + (le ? 0 : 1)] = v & 0xff;
  b[at + (le ? 1 : 0)] = (v >>> 8) & 0xff;
}

function put32(b: Uint8Array, at: number, v: number, le: boolean) {
  for (let i = 0; i < 4; i++) b[at + (le ? i : 3 - i)] = (v >>> (8 * i)) & 0xff;
}

/** Pads a value to even length with the VR's padding byte (PS3.5 7.1.1). */
export function padValue(vr: string, value: Uint8Array): Uint8Array {
  if (value.length % 2 === 0) return value;
  const out = new Uint8Array(value.length + 1);
  out.set(value);
  out[value.length] = paddingByte(vr);
  return out;
}

/** A string value as ASCII bytes. Our replacement values are ASCII, which every character set decodes alike. */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e) throw new EncodeError('replacement values must be ASCII');
    out[i] = c;
  }
  return out;
}

/** Binary numbers (US, UL, FD, ...) in the dataset's byte order. */
export function encodeNumbers(vr: string, values: readonly number[], syntax: Syntax): Uint8Array {
  const size = BINARY_SIZE[vr];
  if (!size || isStringVR(vr)) throw new EncodeError(`${vr} is not a binary VR`);
  const out = new Uint8Array(size * values.length);
  const v = new DataView(out.buffer);
  const le = syntax.littleEndian;
  values.forEach((n, i) => {
    const at = i * size;
    switch (vr) {
      case 'US':
      case 'OW':
        v.setUint16(at, n, le);
        break;
      case 'SS':
        v.setInt16(at, n, le);
        break;
      case 'UL':
      case 'OL':
        v.setUint32(at, n, le);
        break;
      case 'SL':
        v.setInt32(at, n, le);
        break;
      case 'FL':
      case 'OF':
        v.setFloat32(at, n, le);
        break;
      case 'FD':
      case 'OD':
        v.setFloat64(at, n, le);
        break;
      case 'AT':
        v.setUint16(at, n >>> 16, le);
        v.setUint16(at + 2, n & 0xffff, le);
        break;
      case 'SV':
        v.setBigInt64(at, BigInt(n), le);
        break;
      case 'UV':
      case 'OV':
        v.setBigUint64(at, BigInt(n), le);
        break;
    }
  });
  return out;
}

/** Byte-swapping units of the binary VRs: an AT is two 16-bit numbers. */
const SWAP_UNIT: Readonly<Record<string, number>> = { ...BINARY_SIZE, AT: 2 };

/** A value in the other byte order: each binary number reversed; strings and bytes (OB, UN) unchanged. */
export function swapBytes(vr: string, value: Uint8Array): Uint8Array {
  const unit = SWAP_UNIT[vr];
  if (!unit || unit === 1) return value;
  const out = new Uint8Array(value.length);
  const whole = value.length - (value.length % unit);
  for (let at = 0; at < whole; at += unit) {
    for (let i = 0; i < unit; i++) out[at + i] = value[at + unit - 1 - i]!;
  }
  out.set(value.subarray(whole), whole);
  return out;
}
