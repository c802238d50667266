/**
 * What became of a file's pixels: the contract between the pixel stage (which decides) and the batch,
 * reports and app (which act on it). A file whose pixels may carry identity is never called clean:
 * it is either cleaned, explicitly accepted by a person or a profile rule, or held for review.
 */
export type PixelStatus = 'not-at-risk' | 'cleaned' | 'accepted' | 'held';

export interface PixelOutcome {
  readonly status: PixelStatus;
  /** Plain words naming attributes and counts only, never a value: why the file was held or accepted. */
  readonly reason?: string;
  /** Rectangles filled, summed over frames (counted, never described, in the shareable report). */
  readonly regionsCleaned: number;
  /** Frames re-encoded in a syntax that allows loss, keeping the original's coding parameters: reported. */
  readonly lossyReencoded?: number;
}

export const PIXELS_NOT_AT_RISK: PixelOutcome = { status: 'not-at-risk', regionsCleaned: 0 };
