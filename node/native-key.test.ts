import { describe, expect, it } from 'vitest';
import { keyedDigest, keyFromBytes } from '../shared/anonymize/key.js';
import { remapUid } from '../shared/anonymize/uid-remap.js';
import { nativeKey } from './native-key.js';

describe('nativeKey', () => {
  const secrets = [new Uint8Array(32).map((_, i) => i * 7 + 1), new Uint8Array(48).map((_, i) => 255 - i)];

  it("gives the engine's own digests, byte for byte, call after call and key after key", () => {
    const inputs: Array<[string, string]> = [
      ['uid', '1.2.840.113619.2.55.3.604688119.969.1268071029.320'],
      ['patient', 'PAT-0042'],
      ['date-shift', 'Müller^Jürgen 山田'],
      ['hash', ''],
      ['uid', '1.2.840.113619.2.55.3.604688119.969.1268071029.320'],
    ];
    const native = secrets.map(nativeKey);
    const plain = secrets.map(keyFromBytes);
    expect(native.every((key) => key.hmacSha256 !== undefined)).toBe(true);
    for (const [purpose, data] of inputs)
      secrets.forEach((_, k) => {
        const digest = keyedDigest(native[k]!, purpose, data);
        expect(digest).toBeInstanceOf(Uint8Array);
        expect(digest).toEqual(keyedDigest(plain[k]!, purpose, data));
      });
    expect(remapUid(native[0]!, '1.2.3.4')).toBe(remapUid(plain[0]!, '1.2.3.4'));
    expect(remapUid(native[0]!, '1.2.3.4')).not.toBe(remapUid(native[1]!, '1.2.3.4'));
  });

  it('refuses a secret too short to be a key, as the engine does', () => {
    expect(() => nativeKey(new Uint8Array(8))).toThrow(RangeError);
  });
});
