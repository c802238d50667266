import { decodeText, normaliseCharset } from '../dicom/charset.js';

const utf8 = new TextEncoder();
const singleByteTables = new Map<string, Map<string, number>>();

/** Byte for each character of a single-byte character set, learnt by decoding its 256 bytes. */
function tableFor(charset: string): Map<string, number> {
  let table = singleByteTables.get(charset);
  if (!table) {
    table = new Map();
    for (let b = 0x20; b < 0x100; b++) table.set(decodeText(Uint8Array.of(b), charset, 'LO'), b);
    singleByteTables.set(charset, table);
  }
  return table;
}

/**
 * Text we changed (cleaned descriptions) back to bytes in the dataset's character set. ASCII is valid in
 * every set; UTF-8 and single-byte sets are encoded exactly; in ISO 2022 multi-byte sets the characters
 * we cannot encode become '?', which loses words but never keeps a removed value.
 */
export function encodeText(text: string, specificCharacterSet: string | undefined): Uint8Array {
  const charset = normaliseCharset(specificCharacterSet);
  if (/^[\x00-\x7e]*$/.test(text)) return utf8.encode(text);
  if (charset === 'ISO_IR 192') return utf8.encode(text);
  if (charset && !charset.includes('\\') && charset.startsWith('ISO_IR')) {
    const table = tableFor(charset);
    return Uint8Array.from(
      [...text].map((c) => (c.charCodeAt(0) < 0x7f ? c.charCodeAt(0) : (table.get(c) ?? 0x3f))),
    );
  }
  return utf8.encode([...text].map((c) => (c.charCodeAt(0) < 0x7f ? c : '?')).join(''));
}
