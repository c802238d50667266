import { type AnonymizeOptions, type AnonymizeResult, anonymize } from '../../shared/anonymize/engine.js';
import { fileIdentifiers } from '../../shared/anonymize/identifiers.js';
import { modality } from '../../shared/dicom/header.js';
import type { ParsedDicom } from '../../shared/dicom/model.js';
import type { PixelCodecs } from '../../shared/pixels/codec.js';
import {
  acceptedAsIs,
  burnedInRiskOf,
  coveredShare,
  type TextDecisions,
  textDecisions,
} from '../../shared/pixels/gate.js';
import type { PixelOutcome } from '../../shared/pixels/outcome.js';
import type { Rect } from '../../shared/pixels/regions.js';
import { pixelRulesFor } from '../../shared/pixels/templates.js';
import { IdentityNeedles } from '../../shared/pixels/text-identity.js';
import { type TechnicalAllowList, technicalAllowList } from '../../shared/pixels/text-technical.js';
import { type FileText, findTextInFile, textVerdict } from '../ocr/file-text.js';
import { TesseractReader } from '../ocr/tesseract-reader.js';
import type { TextReader } from '../ocr/text-reader.js';
import type { FrameSpillFile } from './frame-spill.js';

/**
 * One thread's pixel tools, made on first need and reused for every later file: the WebAssembly codecs
 * (a quarter of a second to compile) and a one-worker text reader (~40 MB, so memory stays bounded by the
 * number of threads). A header-only run never makes either.
 */
export class PixelTools {
  private codecs: PixelCodecs | undefined;
  private loading: Promise<PixelCodecs> | undefined;
  private reader: TextReader | undefined;

  constructor(private readonly makeReader: () => TextReader = () => new TesseractReader({ workers: 1 })) {}

  get loadedCodecs(): PixelCodecs | undefined {
    return this.codecs;
  }

  loadCodecs(): Promise<PixelCodecs> {
    // Imported on first need too: a header-only run's threads never load (or even parse) the codec glue.
    this.loading ??= import('../codecs/pixel-codecs.js').then(async ({ loadPixelCodecs }) => {
      const codecs = await loadPixelCodecs();
      this.codecs = codecs;
      return codecs;
    });
    return this.loading;
  }

  textReader(): TextReader {
    this.reader ??= this.makeReader();
    return this.reader;
  }

  async close(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    await reader?.close();
  }
}

/** Whether the pixels may show text: what `scan` and the gate call more than unlikely. */
export const pixelsAtRisk = (parsed: ParsedDicom): boolean => burnedInRiskOf(parsed).risk !== 'unlikely';

/** What a search of a file's frames decided: the regions to clean, or why the file is held. */
export type TextFindings = Pick<AnonymizeOptions, 'detectedRegions' | 'textSearched'> & {
  readonly hold?: string;
};

export interface PixelPassResult {
  readonly result: AnonymizeResult;
  /** What the search decided (nothing when the file was not searched), to make the same copy again. */
  readonly found: TextFindings;
  /** The engine's outcome, or held when the detector could not decide (its reason, counts only). */
  readonly pixels: PixelOutcome;
  /** The detector read this file's frames: its output must be readable again by the pixel verifier. */
  readonly searched: boolean;
  /** This file's identifiers, when its output's pixels are to be read again (searched or cleaned). */
  readonly needles?: IdentityNeedles;
  /** What the detector read, when it searched: for the person at the screen only, never for a log. */
  readonly text?: FileText;
  /** Where the person turned detected text off: not a residue when the output is read again. */
  readonly kept: readonly Rect[];
  /** The text the profile keeps on this file's modality, for reading the output as the input was read. */
  readonly allow: TechnicalAllowList;
}

/**
 * The engine with its pixel stage fed: with Clean Pixel Data on, an at-risk file's frames are searched for
 * burned-in text first, and the identity regions found are cleaned with the rest; a file whose text could
 * not be decided is held. The engine runs once after the search (cleaning a long cine's frames is costly),
 * again only when it asked for codecs this thread had not loaded.
 */
export async function anonymizeWithPixels(
  parsed: ParsedDicom,
  options: Omit<AnonymizeOptions, 'pixelCodecs' | 'detectedRegions' | 'textSearched' | 'frameSpill'>,
  tools: PixelTools,
  spill?: FrameSpillFile,
  /** An earlier pass's findings on this file with this profile: the frames are not searched again. */
  known?: TextFindings,
): Promise<PixelPassResult> {
  const anonymizeOnce = (more: Partial<AnonymizeOptions>) => {
    // Only the last run's result is written: what an earlier one spilled is dropped.
    spill?.clear();
    return anonymize(parsed, { ...options, ...more, ...(spill ? { frameSpill: spill } : {}) });
  };
  const run = async (detected: Pick<AnonymizeOptions, 'detectedRegions' | 'textSearched'>) => {
    let asked = false;
    const lazy: PixelCodecs = {
      forSyntax: (uid) => {
        const codec = tools.loadedCodecs?.forSyntax(uid);
        if (!tools.loadedCodecs) asked = true;
        return codec;
      },
    };
    const result = anonymizeOnce({ ...detected, pixelCodecs: lazy });
    // The pixel stage wanted a codec this thread had not loaded: once loaded, the file is done again.
    return asked ? anonymizeOnce({ ...detected, pixelCodecs: await tools.loadCodecs() }) : result;
  };
  const rules = pixelRulesFor(options.profile);
  // A rule that accepts the file ("I have looked: send as is") is the person's decision: nothing to search.
  // Asked last: matching the rules costs more than the risk, which most files do not carry.
  const searched =
    options.profile.options.includes('cleanPixelData') &&
    pixelsAtRisk(parsed) &&
    !acceptedAsIs(parsed, rules);
  let hold: string | undefined;
  let needles: IdentityNeedles | undefined;
  let text: FileText | undefined;
  let decisions: TextDecisions | undefined;
  let detected: Pick<AnonymizeOptions, 'detectedRegions' | 'textSearched'> = {};
  const allow = technicalAllowList(modality(parsed), options.profile.technicalText);
  if (known) {
    ({ hold, ...detected } = known);
  } else if (searched) {
    if (parsed.transferSyntax.encapsulated) await tools.loadCodecs();
    needles = new IdentityNeedles(fileIdentifiers(parsed));
    text = await findTextInFile(parsed, tools.textReader(), {
      identifiers: needles,
      codecs: tools.loadedCodecs,
      allow,
    });
    decisions = textDecisions(parsed, rules);
    const verdict = textVerdict(text, decisions);
    if ('hold' in verdict) hold = verdict.hold;
    detected = { detectedRegions: verdict.regions, textSearched: hold === undefined };
  }
  const result = await run(detected);
  const pixels: PixelOutcome =
    hold === undefined ? result.pixels : { status: 'held', reason: hold, regionsCleaned: 0 };
  if (!needles && pixels.status === 'cleaned') needles = new IdentityNeedles(fileIdentifiers(parsed));
  return {
    result,
    found: { ...detected, ...(hold === undefined ? {} : { hold }) },
    pixels,
    searched,
    allow,
    kept: decisions?.kept ?? [],
    ...(needles ? { needles } : {}),
    ...(text ? { text } : {}),
  };
}

// Text the person kept, read again from the output: its box may come back a little larger or smaller.
const MOSTLY_KEPT = 0.5;

/**
 * The pixel half of the residual check, on the written bytes: an output whose pixels were searched or
 * cleaned is decoded and read again, and any of the input's identity still legible is a hit (plain words,
 * counts only). Undefined when nothing was found or the output's pixels need no second reading.
 */
export async function pixelResidue(
  output: ParsedDicom,
  pass: PixelPassResult,
  tools: PixelTools,
): Promise<string | undefined> {
  if (!pass.needles) return undefined;
  if (output.transferSyntax.encapsulated) await tools.loadCodecs();
  const text = await findTextInFile(output, tools.textReader(), {
    identifiers: pass.needles,
    codecs: tools.loadedCodecs,
    allow: pass.allow,
  });
  if (!text) return undefined;
  // The input's frames were read, so the output's must be: otherwise nothing can be said of them.
  if ('unreadable' in text)
    return pass.searched ? `the written pixels could not be read again: ${text.unreadable}` : undefined;
  const { found } = text;
  const legible = [...found.texts.values()]
    .flat()
    .filter((t) => t.cls === 'identity' && coveredShare(t.box, pass.kept) < MOSTLY_KEPT).length;
  if (legible > 0) return `${legible} pieces of identifying text are still legible in the written pixels`;
  if (found.unreadableFrames > 0 && pass.searched)
    return `${found.unreadableFrames} written frames could not be read again`;
  return undefined;
}
