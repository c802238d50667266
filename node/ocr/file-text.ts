import { topLevelText } from '../../shared/dicom/header.js';
import type { ParsedDicom } from '../../shared/dicom/model.js';
import type { PixelCodecs } from '../../shared/pixels/codec.js';
import { coveredShare, type TextDecisions } from '../../shared/pixels/gate.js';
import { frameLayoutOf, isLayoutProblem } from '../../shared/pixels/layout.js';
import { CannotClean, concat, framesOfFragments } from '../../shared/pixels/redact.js';
import type { DetectedRegions } from '../../shared/pixels/regions.js';
import type { IdentityNeedles } from '../../shared/pixels/text-identity.js';
import type { TechnicalAllowList } from '../../shared/pixels/text-technical.js';
import { type FoundText, findBurnedInText } from './find-text.js';
import type { TextReader } from './text-reader.js';

const MODALITY = 0x00080060;

export interface FileTextOptions {
  readonly identifiers: IdentityNeedles;
  readonly codecs?: PixelCodecs | undefined;
  readonly allow?: TechnicalAllowList;
}

/** The text found in a file's frames, or why its frames could not be read (plain words, no value). */
export type FileText = { readonly found: FoundText } | { readonly unreadable: string };

/**
 * Reads the burned-in text of every frame of one file: native frames straight from the Pixel Data,
 * encapsulated ones decoded by the codec the pixel stage uses for the same syntax. A file whose
 * frames cannot be read here must be held, not called free of text.
 */
export async function findTextInFile(
  parsed: ParsedDicom,
  reader: TextReader,
  options: FileTextOptions,
): Promise<FileText | undefined> {
  const checked = frameLayoutOf(parsed);
  if (!checked) return undefined;
  if (isLayoutProblem(checked)) return { unreadable: checked.problem };
  const { layout, pixelData, frameBytes } = checked;
  const modality = topLevelText(parsed, MODALITY).trim();
  let frameAt: (index: number) => Uint8Array;
  if (!parsed.transferSyntax.encapsulated) {
    const swap = !parsed.dataset.syntax.littleEndian && layout.bitsAllocated === 16;
    frameAt = (f) => {
      const bytes = parsed.source.read(pixelData.valueStart + f * frameBytes, frameBytes);
      return swap ? swapPairs(bytes) : bytes;
    };
  } else {
    const codec = options.codecs?.forSyntax(parsed.transferSyntax.uid);
    const decode = codec?.decode;
    if (!decode) {
      return { unreadable: `frames in ${parsed.transferSyntax.name} cannot be decoded for reading here` };
    }
    let members: number[][];
    try {
      members = framesOfFragments(parsed, pixelData, layout.numberOfFrames);
    } catch (e) {
      if (e instanceof CannotClean) return { unreadable: e.message };
      throw e;
    }
    const fragments = (pixelData.fragments ?? []).slice(1);
    frameAt = (f) => {
      const parts = members[f]!.map((k) =>
        parsed.source.read(fragments[k]!.valueStart, fragments[k]!.length),
      );
      const data = parts.length === 1 ? parts[0]! : concat(parts);
      return decode(data, layout);
    };
  }
  // Decoders give every pixel its three samples: YBR_FULL_422 is packed by pairs only in native Pixel Data.
  const readLayout =
    parsed.transferSyntax.encapsulated && layout.photometricInterpretation.trim() === 'YBR_FULL_422'
      ? { ...layout, photometricInterpretation: 'YBR_FULL' }
      : layout;
  const found = await findBurnedInText(reader, layout.numberOfFrames, frameAt, readLayout, {
    identifiers: options.identifiers,
    ...(modality ? { modality } : {}),
    ...(options.allow ? { allow: options.allow } : {}),
  });
  return { found };
}

function swapPairs(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1]!;
    out[i + 1] = bytes[i]!;
  }
  return out;
}

/** What the batch does with a file's text: regions for the pixel stage, or why the file must be held. */
export type TextVerdict =
  | { readonly regions: DetectedRegions }
  | { readonly hold: string; readonly regions: DetectedRegions };

/**
 * The detector's answer in the pixel stage's terms. Frames that could not be read, or text beside a label
 * that could not be read, hold the file (never guessed clean) unless the person reviewed it; otherwise the
 * identity regions are cleaned. Text that lies mostly in what the profile's rules clean anyway, or in what
 * the person kept, needs no decision. Reasons name counts only, never what was read.
 */
export function textVerdict(text: FileText | undefined, decisions: Partial<TextDecisions> = {}): TextVerdict {
  if (!text) return { regions: new Map() };
  if ('unreadable' in text) {
    return {
      hold: `the frames could not be searched for burned-in text: ${text.unreadable}`,
      regions: new Map(),
    };
  }
  const { found } = text;
  if (found.unreadableFrames > 0) {
    return {
      hold: `${found.unreadableFrames} frames could not be searched for burned-in text`,
      regions: found.regions,
    };
  }
  const decided = [...(decisions.covered ?? []), ...(decisions.kept ?? [])];
  const undecided = decisions.reviewed
    ? 0
    : [...found.texts.values()]
        .flat()
        .filter((t) => t.cls === 'undecided' && coveredShare(t.box, decided) < MOSTLY_COVERED).length;
  if (undecided > 0) {
    return {
      hold: `${undecided} pieces of burned-in text beside a label could not be read`,
      regions: found.regions,
    };
  }
  return { regions: found.regions };
}

// Text mostly under what the rules clean anyway: its padded box may reach past them, and the verifier reads
// the written pixels again for anything left legible.
const MOSTLY_COVERED = 0.75;
