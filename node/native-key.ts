import { createHmac, createSecretKey } from 'node:crypto';
import { type AnonymizationKey, keyFromBytes } from '../shared/anonymize/key.js';

/**
 * The key with Node's HMAC-SHA256 (OpenSSL) for the engine's digests: the same bytes as the engine's own
 * plain-JavaScript HMAC, several times faster. Holds a function, so it stays in the thread that made it:
 * threads are given the secret's bytes and make their own.
 */
export function nativeKey(secret: Uint8Array): AnonymizationKey {
  const key = keyFromBytes(secret);
  const keyObject = createSecretKey(key.secret);
  return {
    secret: key.secret,
    hmacSha256: (data) => new Uint8Array(createHmac('sha256', keyObject).update(data).digest()),
  };
}
