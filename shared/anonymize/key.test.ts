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

  it('gives every caller its own digest: changing one does not change the next', () => {
    const key = keyFromBytes(secrets[0]!);
    const first = keyedDigest(key, 'uid', '1.2.3.4');
    const expected = Uint8Array.from(first);
    first.fill(0);
    expect(keyedDigest(key, 'uid', '1.2.3.4')).toEqual(expected);
  });

  it('stays right past the number of digests it remembers, and for long data', () => {
    const key = keyFromBytes(secrets[1]!);
    const hmacOf = (data: string) =>
      new Uint8Array(createHmac('sha256', secrets[1]!).update(`uid\u0000${data}`, 'utf8').digest());
    for (let i = 0; i < 5000; i++) expect(keyedDigest(key, 'uid', `1.2.${i}`)).toEqual(hmacOf(`1.2.${i}`));
    const long = 'x'.repeat(1000);
    expect(keyedDigest(key, 'uid', long)).toEqual(hmacOf(long));
    expect(keyedDigest(key, 'uid', '1.2.0')).toEqual(hmacOf('1.2.0'));
  });
});
