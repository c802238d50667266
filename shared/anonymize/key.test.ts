import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyedDigest, keyFromBytes } from './key.js';

describe('keyedDigest', () => {
  const secrets = [new Uint8Array(32).map((_, i) => i * 7 + 1), new Uint8Array(48).map((_, i) => 255 - i)];

  it('is HMAC-SHA256 of purpose NUL data under the key, call after call and key after key', () => {
    const keys = secrets.map(keyFromBytes);
    const inputs: Array<[string, string]> = [
      ['uid', '1.2.840.113619.2.55.3.604688119.969.1268071029.320'],
      ['patient', 'PAT-0042'],
      ['uid', '1.2.840.113619.2.55.3.604688119.969.1268071029.320'],
      ['date-shift', 'Müller^Jürgen 山田'],
      ['hash', ''],
    ];
    // Interleaved, so a digest that disturbed the key's reused state would change the next one.
    for (let round = 0; round < 2; round++)
      for (const [purpose, data] of inputs)
        keys.forEach((key, k) => {
          const expected = createHmac('sha256', secrets[k]!)
            .update(`${purpose}\u0000${data}`, 'utf8')
            .digest();
          expect(Buffer.from(keyedDigest(key, purpose, data))).toEqual(expected);
        });
  });
});
