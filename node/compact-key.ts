import { createHash } from 'node:crypto';

/**
 * A 96-bit digest of a text, as 16 characters: what a map kept for every output of a run holds instead of
 * the text itself (an output path is ~200 characters; a million of them would not fit a bounded memory).
 * Two different texts share one with a chance of about 2^-96.
 */
export const compactKey = (text: string): string =>
  createHash('sha256').update(text).digest().subarray(0, 12).toString('base64');
