import { PeerError } from './errors.js';

/** Where the parts go: one sink per part, fed its body in pieces. */
export interface PartSink {
  write(bytes: Uint8Array): Promise<void> | void;
  end(): Promise<void> | void;
}

const MAX_HEADERS = 16 * 1024;
const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);

/** The boundary of a multipart/related Content-Type (RFC 2046 5.1.1), or undefined. */
export function boundaryOf(contentType: string | null): string | undefined {
  if (!contentType || !/^multipart\/related\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^;\s]{1,70}))/i.exec(contentType);
  return m?.[1] ?? m?.[2];
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0];
  outer: for (
    let i = hay.indexOf(first!, from);
    i !== -1 && i + needle.length <= hay.length;
    i = hay.indexOf(first!, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/**
 * Splits a multipart/related body into parts as it streams in, handing each part's body to a fresh sink:
 * memory stays at one network chunk plus a delimiter, whatever the size of the parts. A body that breaks
 * the format (no boundary, endless headers, missing close delimiter) is a protocol error.
 */
export async function splitMultipart(
  body: AsyncIterable<Uint8Array>,
  boundary: string,
  newPart: (headers: string) => PartSink,
): Promise<number> {
  const delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  // The first delimiter may open the body without the CRLF before it.
  let buffer: Uint8Array = CRLF;
  let state: 'preamble' | 'after-boundary' | 'headers' | 'body' | 'done' = 'preamble';
  let sink: PartSink | undefined;
  let parts = 0;
  for await (const chunk of body) {
    buffer = concat(buffer, chunk);
    for (;;) {
      if (state === 'preamble') {
        const at = indexOf(buffer, delimiter);
        if (at === -1) {
          if (buffer.length > MAX_HEADERS)
            throw new PeerError('protocol', 'the multipart answer has no boundary');
          break;
        }
        buffer = buffer.subarray(at + delimiter.length);
        state = 'after-boundary';
      } else if (state === 'after-boundary') {
        if (buffer.length < 2) break;
        if (buffer[0] === 45 && buffer[1] === 45) {
          state = 'done';
          break;
        }
        // Transport padding, then the CRLF that ends the delimiter line.
        const eol = indexOf(buffer, CRLF);
        if (eol === -1) {
          if (buffer.length > MAX_HEADERS)
            throw new PeerError('protocol', 'a multipart delimiter line is endless');
          break;
        }
        buffer = buffer.subarray(eol + CRLF.length);
        state = 'headers';
      } else if (state === 'headers') {
        if (buffer.length < 2) break;
        // No headers: the blank line follows at once.
        const at = buffer[0] === 13 && buffer[1] === 10 ? -2 : indexOf(buffer, HEADER_END);
        if (at === -1) {
          if (buffer.length > MAX_HEADERS)
            throw new PeerError('protocol', 'a multipart part has endless headers');
          break;
        }
        const headers = at < 0 ? '' : new TextDecoder('latin1').decode(buffer.subarray(0, at));
        buffer = buffer.subarray(at < 0 ? 2 : at + HEADER_END.length);
        sink = newPart(headers);
        parts++;
        state = 'body';
      } else if (state === 'body') {
        const at = indexOf(buffer, delimiter);
        if (at === -1) {
          // Keep what could be the start of a delimiter split across chunks.
          const keep = Math.min(buffer.length, delimiter.length - 1);
          if (buffer.length > keep) await sink!.write(buffer.slice(0, buffer.length - keep));
          buffer = buffer.slice(buffer.length - keep);
          break;
        }
        if (at > 0) await sink!.write(buffer.slice(0, at));
        await sink!.end();
        sink = undefined;
        buffer = buffer.subarray(at + delimiter.length);
        state = 'after-boundary';
      } else break;
    }
    if (state === 'done') break;
  }
  if (state !== 'done')
    throw new PeerError('protocol', 'the multipart answer ended before its last part was complete');
  return parts;
}
