import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../dicom/charset.js';
import { encodeText } from './text-encode.js';

const roundTrip = (text: string, charset: string | undefined) =>
  decodeText(encodeText(text, charset), charset, 'LO');

describe('encodeText', () => {
  it('writes ASCII as ASCII whatever the character set', () => {
    for (const cs of [undefined, 'ISO_IR 100', 'ISO_IR 192', 'ISO 2022 IR 87', 'GB18030']) {
      expect([...encodeText('Plain [removed] 123', cs)]).toEqual([
        ...Buffer.from('Plain [removed] 123', 'latin1'),
      ]);
    }
  });

  it('encodes Latin-1 (ISO_IR 100) one byte per character and decodes back', () => {
    const text = 'Müller^Françoise Ñandú ß æ ø å';
    const bytes = encodeText(text, 'ISO_IR 100');
    expect(bytes.length).toBe(text.length);
    expect([...bytes]).toEqual([...Buffer.from(text, 'latin1')]);
    expect(roundTrip(text, 'ISO_IR 100')).toBe(text);
    // A common misspelling of the term is normalised.
    expect(roundTrip(text, 'ISO-IR 100')).toBe(text);
  });

  it.each([
    ['ISO_IR 144', 'Иванов^Пётр'],
    ['ISO_IR 126', 'Παπαδόπουλος'],
    ['ISO_IR 138', 'כהן^שרה'],
    ['ISO_IR 127', 'قباني^لنزار'],
    ['ISO_IR 101', 'Dvořák^Žofie'],
    ['ISO_IR 148', 'Öztürk^Şule'],
    ['ISO_IR 192', 'Wang^XiaoDong=王^小東=ワン^シャオドン'],
  ])('round-trips %s text through decodeText', (charset, text) => {
    expect(roundTrip(text, charset)).toBe(text);
  });

  it('round-trips any Latin-1 text (property)', () => {
    const latin1 = fc
      .array(
        fc.integer({ min: 0x20, max: 0xff }).filter((c) => c < 0x7f || c >= 0xa0),
        { maxLength: 64 },
      )
      .map((cs) => String.fromCharCode(...cs));
    fc.assert(
      fc.property(latin1, (text) => {
        expect(roundTrip(text, 'ISO_IR 100')).toBe(text);
      }),
    );
  });

  it('round-trips any text in UTF-8 (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 32 }), (s) => {
        const text = s.replace(/[\x00-\x1f\\]/g, '');
        expect(roundTrip(text, 'ISO_IR 192')).toBe(text);
      }),
    );
  });

  it("writes '?' for characters the single-byte set cannot hold", () => {
    expect(roundTrip('Jörg Жуков 😀', 'ISO_IR 100')).toBe('Jörg ????? ?');
  });

  it("writes '?' for every non-ASCII character in ISO 2022 multi-byte sets and GB18030, never the original bytes", () => {
    for (const cs of [
      'ISO 2022 IR 87',
      'ISO 2022 IR 13\\ISO 2022 IR 87',
      '\\ISO 2022 IR 149',
      'GB18030',
      'GBK',
    ]) {
      const bytes = encodeText('[removed] 山田^太郎 홍길동 ok', cs);
      expect(Buffer.from(bytes).toString('latin1'), cs).toBe('[removed] ??^?? ??? ok');
      expect(bytes.every((b) => b < 0x80 && b !== 0x1b)).toBe(true);
    }
  });
});
