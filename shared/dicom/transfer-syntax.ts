/** How a transfer syntax lays out the dataset bytes (PS3.5 10, Annex A). */
export interface Syntax {
  readonly explicitVR: boolean;
  readonly littleEndian: boolean;
}

export interface TransferSyntax extends Syntax {
  readonly uid: string;
  readonly name: string;
  readonly deflated: boolean;
  readonly encapsulated: boolean;
}

export const IMPLICIT_LE: Syntax = { explicitVR: false, littleEndian: true };
export const EXPLICIT_LE: Syntax = { explicitVR: true, littleEndian: true };
export const EXPLICIT_BE: Syntax = { explicitVR: true, littleEndian: false };

const ts = (
  uid: string,
  name: string,
  syntax: Syntax,
  deflated = false,
  encapsulated = true,
): TransferSyntax => ({
  uid,
  name,
  ...syntax,
  deflated,
  encapsulated,
});

const KNOWN: readonly TransferSyntax[] = [
  ts('1.2.840.10008.1.2', 'Implicit VR Little Endian', IMPLICIT_LE, false, false),
  ts('1.2.840.10008.1.2.1', 'Explicit VR Little Endian', EXPLICIT_LE, false, false),
  ts('1.2.840.10008.1.2.1.99', 'Deflated Explicit VR Little Endian', EXPLICIT_LE, true, false),
  ts('1.2.840.10008.1.2.2', 'Explicit VR Big Endian', EXPLICIT_BE, false, false),
  ts('1.2.840.10008.1.2.1.98', 'Encapsulated Uncompressed Explicit VR Little Endian', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.8.1', 'Deflated Image Frame Compression', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.50', 'JPEG Baseline (Process 1)', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.51', 'JPEG Extended (Process 2 & 4)', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.53', 'JPEG Spectral Selection, Non-Hierarchical (Process 6 & 8)', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.55', 'JPEG Full Progression, Non-Hierarchical (Process 10 & 12)', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.57', 'JPEG Lossless, Non-Hierarchical (Process 14)', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.70', 'JPEG Lossless, First-Order Prediction (Process 14 SV1)', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.80', 'JPEG-LS Lossless', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.81', 'JPEG-LS Near-Lossless', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.90', 'JPEG 2000 (Lossless Only)', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.91', 'JPEG 2000', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.92', 'JPEG 2000 Part 2 Multi-component (Lossless Only)', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.93', 'JPEG 2000 Part 2 Multi-component', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.94', 'JPIP Referenced', EXPLICIT_LE, false, false),
  ts('1.2.840.10008.1.2.4.95', 'JPIP Referenced Deflate', EXPLICIT_LE, true, false),
  ts('1.2.840.10008.1.2.4.100', 'MPEG2 Main Profile / Main Level', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.101', 'MPEG2 Main Profile / High Level', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.102', 'MPEG-4 AVC/H.264 High Profile / Level 4.1', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.103', 'MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.104', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.105', 'MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.106', 'MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.107', 'HEVC/H.265 Main Profile / Level 5.1', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.108', 'HEVC/H.265 Main 10 Profile / Level 5.1', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.110', 'JPEG XL Lossless', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.111', 'JPEG XL JPEG Recompression', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.112', 'JPEG XL', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.201', 'HTJ2K Lossless', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.202', 'HTJ2K Lossless RPCL', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.4.203', 'HTJ2K', EXPLICIT_LE),
  ts('1.2.840.10008.1.2.5', 'RLE Lossless', EXPLICIT_LE),
];

const BY_UID = new Map(KNOWN.map((t) => [t.uid, t]));

export const transferSyntaxFor = (uid: string): TransferSyntax | undefined => BY_UID.get(uid);

/** A transfer syntax for a dataset we found without (usable) file meta, named by what we detected. */
export function detectedSyntax(syntax: Syntax): TransferSyntax {
  if (!syntax.explicitVR) return BY_UID.get('1.2.840.10008.1.2')!;
  return BY_UID.get(syntax.littleEndian ? '1.2.840.10008.1.2.1' : '1.2.840.10008.1.2.2')!;
}
