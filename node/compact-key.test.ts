import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compactKey } from './compact-key.js';

describe('compactKey', () => {
  it('is the first 12 bytes of the text’s UTF-8 SHA-256, in base64, for any text', () => {
    const texts = ['', 'a', 'ANON-9BX3YGV6TT/2.25.1/2.25.2/2.25.3.dcm', 'Müller/路径/😀', 'x'.repeat(5000)];
    for (const text of texts) {
      const digest = createHash('sha256').update(text, 'utf8').digest();
      expect(compactKey(text)).toBe(digest.subarray(0, 12).toString('base64'));
    }
    expect(new Set(texts.map(compactKey)).size).toBe(texts.length);
  });
});
