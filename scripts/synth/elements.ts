import { encodeNumbers } from '../../shared/dicom/encode.js';
import type { Tag } from '../../shared/dicom/tag.js';
import type { Syntax } from '../../shared/dicom/transfer-syntax.js';
import type { NewElement } from '../../shared/dicom/write.js';
import { lookup, tagForKeyword } from '../../shared/dictionary/index.js';

/** Latin-1 bytes: the synthetic files declare ISO_IR 100 whenever a value goes beyond ASCII. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError('synthetic values must be Latin-1');
    out[i] = c;
  }
  return out;
}

/** Builds elements by keyword, so a misspelt attribute fails loudly instead of writing a wrong tag. */
export class ElementBuilder {
  constructor(readonly syntax: Syntax) {}

  private tag(keyword: string): { tag: Tag; vr: string } {
    const tag = tagForKeyword(keyword);
    if (tag === undefined) throw new Error(`unknown keyword ${keyword}`);
    return { tag, vr: lookup(tag)!.vr.slice(0, 2) };
  }

  /** A string element; several values are joined with backslashes. */
  str(keyword: string, ...values: readonly (string | number)[]): NewElement {
    const { tag, vr } = this.tag(keyword);
    return { tag, vr, value: latin1Bytes(values.join('\\')) };
  }

  num(keyword: string, ...values: readonly number[]): NewElement {
    const { tag, vr } = this.tag(keyword);
    return { tag, vr, value: encodeNumbers(vr, values, this.syntax) };
  }

  seq(keyword: string, ...items: ReadonlyArray<readonly NewElement[]>): NewElement {
    return { tag: this.tag(keyword).tag, vr: 'SQ', items };
  }

  /** Private elements have no dictionary entry: the caller names tag and VR. */
  priv(tag: Tag, vr: string, value: string): NewElement {
    return { tag, vr, value: latin1Bytes(value) };
  }
}
