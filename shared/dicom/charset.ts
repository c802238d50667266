import { convertBytes } from 'dicom-character-set';

/**
 * Text decoding per Specific Character Set (0008,0005), delegated to dicom-character-set, which handles
 * ISO 2022 escapes, GB18030 and UTF-8. A value it cannot decode is read as Latin-1 rather than failing the
 * file: we still need to see (and remove) whatever it holds.
 */
export function decodeText(bytes: Uint8Array, specificCharacterSet: string | undefined, vr: string): string {
  // Most values are ASCII, which every character set reads alike: no need to spell the set out first.
  if (isAscii(bytes)) return latin1(bytes);
  const charset = normaliseCharset(specificCharacterSet);
  if (!charset) return latin1(bytes);
  try {
    return convertBytes(charset, bytes, { vr });
  } catch {
    return decodeWithAscii(bytes, charset, vr) ?? latin1(bytes);
  }
}

/**
 * Japanese writers return to ASCII with ESC ( B without declaring ISO 2022 IR 6 (e.g. `ISO 2022 IR 13\ISO
 * 2022 IR 87`), which dicom-character-set rightly refuses; declaring it recovers the text.
 */
function decodeWithAscii(bytes: Uint8Array, charset: string, vr: string): string | undefined {
  if (!charset.includes('2022') || charset.split('\\').includes('ISO 2022 IR 6')) return undefined;
  try {
    return convertBytes(`${charset}\\ISO 2022 IR 6`, bytes, { vr });
  } catch {
    return undefined;
  }
}

/** Common misspellings seen in real files, e.g. `ISO-IR 100` for `ISO_IR 100`. */
export function normaliseCharset(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const cleaned = value
    .split('\\')
    .map((term) =>
      term
        .trim()
        .replace(/^ISO-IR /, 'ISO_IR ')
        .replace(/^ISO_IR(\d)/, 'ISO_IR $1'),
    )
    .join('\\');
  return cleaned.replace(/\\+$/, '') || undefined;
}

const isAscii = (bytes: Uint8Array) => {
  for (const b of bytes) if (b > 0x7f || b === 0x1b) return false;
  return true;
};

/** Bytes as ISO 8859-1 text (every byte one character), for values no character set applies to. */
export function latin1(bytes: Uint8Array): string {
  // One fromCharCode call gives a flat string; a loop of `+=` builds a rope that every later read
  // (padding trim, comparison, map key) flattens again: twice the time per value, measured.
  const chunk = 8192;
  if (bytes.length <= chunk) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = 0; i < bytes.length; i += chunk) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return s;
}
