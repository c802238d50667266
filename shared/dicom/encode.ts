import { EncodeError } from './errors.js';
import type { Tag } from './tag.js';
import type { Syntax } from './transfer-syntax.js';
import { BINARY_SIZE, hasLongHeader, isStringVR, paddingByte } from './vr.js';

/** The bytes of an element header in the given encoding. `length` may be 0xFFFFFFFF (undefined). */
export function encodeHeader(tag: Tag, vr: string, length: number, syntax: Syntax): Uint8Array {
  const le = syntax.littleEndian;
  if (!syntax.explicitVR || tag >>> 16 === 0xfffe) {
    const b = new Uint8Array(8);
    const v = new DataView(b.buffer);
    v.setUint16(0, tag >>> 16, le);
    v.setUint16(2, tag & 0xffff, le);
    v.setUint32(4, length, le);
    return b;
  }
  const long = hasLongHeader(vr);
  const b = new Uint8Array(long ? 12 : 8);
  const v = new DataView(b.buffer);
  v.setUint16(0, tag >>> 16, le);
  v.setUint16(2, tag & 0xffff, le);
  b[4] = vr.charCodeAt(0);
  b[5] = vr.charCodeAt(1);
  if (long) v.setUint32(8, length, le);
  else {
    if (length > 0xffff) throw new EncodeError(`a ${vr} value cannot hold ${length} bytes`);
    v.setUint16(6, length, le);
  }
  return b;
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
