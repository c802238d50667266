import { decodeText, latin1 } from './charset.js';
import { type DicomElement, UNDEFINED_LENGTH } from './model.js';
import type { ByteSource } from './source.js';
import type { Syntax } from './transfer-syntax.js';
import { BINARY_SIZE, isMultiValuedString, isStringVR, usesCharset } from './vr.js';

/** The value as text with its padding trimmed; empty for sequences, binary and undefined lengths. */
export function readText(
  source: ByteSource,
  el: DicomElement,
  vr: string,
  charset: string | undefined,
): string {
  if (el.items || el.length === UNDEFINED_LENGTH || el.length === 0 || !isStringVR(vr)) return '';
  const bytes = source.read(el.valueStart, el.length);
  const text = usesCharset(vr) ? decodeText(bytes, charset, vr) : latin1(bytes);
  return withoutPadding(text, vr);
}

/**
 * The text without its trailing padding: UI pads with NUL, others with spaces (or NUL); leading spaces
 * are significant only in ST/LT/UT, and kept. A loop, not a pattern: it runs for every value read.
 */
export function withoutPadding(text: string, vr: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== 0 && (c !== 0x20 || vr === 'UI')) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}

/** Backslash-separated values of a multi-valued string VR (ST, LT, UT, UR are one value). */
export function readStrings(
  source: ByteSource,
  el: DicomElement,
  vr: string,
  charset: string | undefined,
): string[] {
  const text = readText(source, el, vr, charset);
  if (text === '') return [];
  return isMultiValuedString(vr) ? text.split('\\').map((v) => v.trim()) : [text];
}

/** Binary numbers of US, SS, UL, SL, FL, FD, AT (as tag numbers), SV, UV; capped at `max` values. */
export function readNumbers(
  source: ByteSource,
  el: DicomElement,
  vr: string,
  syntax: Syntax,
  max = 64,
): number[] {
  const size = BINARY_SIZE[vr];
  if (!size || el.length === UNDEFINED_LENGTH || el.items) return [];
  const count = Math.min(max, Math.floor(el.length / size));
  const bytes = source.read(el.valueStart, count * size);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = syntax.littleEndian;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * size;
    switch (vr) {
      case 'US':
      case 'OW':
        out.push(v.getUint16(at, le));
        break;
      case 'SS':
        out.push(v.getInt16(at, le));
        break;
      case 'UL':
      case 'OL':
        out.push(v.getUint32(at, le));
        break;
      case 'SL':
        out.push(v.getInt32(at, le));
        break;
      case 'FL':
      case 'OF':
        out.push(v.getFloat32(at, le));
        break;
      case 'FD':
      case 'OD':
        out.push(v.getFloat64(at, le));
        break;
      case 'AT':
        out.push(((v.getUint16(at, le) << 16) | v.getUint16(at + 2, le)) >>> 0);
        break;
      case 'SV':
        out.push(Number(v.getBigInt64(at, le)));
        break;
      case 'UV':
      case 'OV':
        out.push(Number(v.getBigUint64(at, le)));
        break;
    }
  }
  return out;
}
