/**
 * The coding parameters a lossy-capable frame was written with, read from its headers, so a re-encoded frame
 * is written the same way: JPEG-LS NEAR (ITU T.87 C.2.3) and the JPEG 2000 / HTJ2K wavelet and progression
 * order (ITU T.800 A.6.1). Undefined when the headers cannot be read: the caller then encodes losslessly.
 */

const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;
const u32 = (b: Uint8Array, i: number): number =>
  ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;

export interface StartOfFrame {
  /** The SOFn marker's second byte: 0xc0 baseline, 0xc1 extended, 0xc3 lossless, 0xf7 JPEG-LS. */
  readonly marker: number;
  readonly precision: number;
  readonly width: number;
  readonly height: number;
  readonly components: number;
}

/** The frame header (ITU T.81 B.2.2) of a JPEG stream, found by walking its marker segments. */
export function startOfFrame(bytes: Uint8Array): StartOfFrame | undefined {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  for (let i = 2; i + 9 < bytes.length; ) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const isFrame =
      (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) || marker === 0xf7;
    if (isFrame) {
      return {
        marker,
        precision: bytes[i + 4]!,
        height: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        width: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      };
    }
    i += 2 + ((bytes[i + 2]! << 8) | bytes[i + 3]!);
  }
  return undefined;
}

/** More samples than this in one frame (16384 × 16384) are not decoded here: the file is held instead. */
export const MAX_FRAME_SAMPLES = 1 << 28;

/**
 * The image size a JPEG-family frame or a JPEG 2000 / HTJ2K codestream declares (SOF, or SIZ: ITU T.800
 * A.5.1), read before a decoder is given the frame, so a frame claiming a size other than the header's is
 * refused instead of decoded into a buffer of that size.
 */
export function codedSize(
  frame: Uint8Array,
): { width: number; height: number; components: number } | undefined {
  if (u16(frame, 0) === 0xff4f && u16(frame, 2) === 0xff51 && frame.length >= 42) {
    // Image size minus image offset; Csiz after the tile grid.
    return {
      width: u32(frame, 8) - u32(frame, 16),
      height: u32(frame, 12) - u32(frame, 20),
      components: u16(frame, 40),
    };
  }
  return startOfFrame(frame);
}

export interface JpegLsScan {
  /** 0 is lossless. */
  readonly near: number;
  /** Components in the first scan: 1 in a colour frame means one scan per plane (interleave mode 0). */
  readonly components: number;
}

/** The first scan header of a JPEG-LS frame. */
export function jpegLsScan(frame: Uint8Array): JpegLsScan | undefined {
  if (frame[0] !== 0xff || frame[1] !== 0xd8) return undefined;
  for (let i = 2; i + 4 <= frame.length; ) {
    if (frame[i] !== 0xff) return undefined;
    const marker = frame[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xda) {
      const components = frame[i + 4];
      const near = components === undefined ? undefined : frame[i + 5 + components * 2];
      return components === undefined || near === undefined ? undefined : { near, components };
    }
    i += 2 + u16(frame, i + 2);
  }
  return undefined;
}

export interface Jpeg2000Coding {
  /** The 5/3 reversible wavelet: the codestream can be lossless. */
  readonly reversible: boolean;
  /** 0 LRCP, 1 RLCP, 2 RPCL, 3 PCRL, 4 CPRL. */
  readonly progressionOrder: number;
}

/** The coding style default (COD) of a JPEG 2000 or HTJ2K codestream's main header. */
export function jpeg2000Coding(frame: Uint8Array): Jpeg2000Coding | undefined {
  if (u16(frame, 0) !== 0xff4f) return undefined;
  for (let i = 2; i + 4 <= frame.length; ) {
    const marker = u16(frame, i);
    // The main header ends at the first tile-part.
    if (marker === 0xff90 || (marker & 0xff00) !== 0xff00) return undefined;
    if (marker === 0xff52) {
      const progressionOrder = frame[i + 5];
      const transform = frame[i + 13];
      if (progressionOrder === undefined || transform === undefined) return undefined;
      return { reversible: transform === 1, progressionOrder };
    }
    i += 2 + u16(frame, i + 2);
  }
  return undefined;
}
