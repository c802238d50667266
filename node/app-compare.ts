/**
 * The before / after view of one file: the engine de-identifies the parsed file in memory with the profile
 * and key in force, the copy is parsed back from those bytes, and the two headers (and images) are compared.
 * Nothing is written. For the screen only: the changes hold values.
 */
import { createHash } from 'node:crypto';
import { type DicomElement, type ParsedDicom, UNDEFINED_LENGTH } from '../shared/dicom/model.js';
import { parseDicom } from '../shared/dicom/parse.js';
import type { ByteSource } from '../shared/dicom/source.js';
import { formatTag } from '../shared/dicom/tag.js';
import { readNumbers, readText } from '../shared/dicom/values.js';
import { BINARY_SIZE, isStringVR } from '../shared/dicom/vr.js';
import { type ElementContext, formatPath } from '../shared/dicom/walk.js';
import type { Chunk } from '../shared/dicom/write.js';
import { errorText, ReportableError } from '../shared/errors.js';
import type { Comparison, FrameImage, HeaderChange, HeaderLine } from '../shared/ipc/contract.js';
import type { PixelOutcome } from '../shared/pixels/outcome.js';
import { decodeFrame } from './app-image.js';
import { type InspectOptions, readablePath, walkHeader } from './app-inspect.js';
import { knownFindings, remembered } from './app-text-findings.js';
import { anonymizeWithPixels, type PixelTools } from './batch/pixel-pass.js';

/**
 * The engine's output read where it lies: new bytes from memory, copied ranges (pixel data) from the input
 * itself, so a large image is never gathered. The parser reads element headers and small values only.
 */
class ChunkSource implements ByteSource {
  readonly size: number;
  private readonly starts: number[] = [];

  constructor(private readonly chunks: readonly Chunk[]) {
    let at = 0;
    for (const chunk of chunks) {
      this.starts.push(at);
      at += chunk.length;
    }
    this.size = at;
  }

  window(offset: number, minLength: number) {
    return { bytes: this.read(offset, Math.max(minLength, 4096)), base: offset };
  }

  read(offset: number, length: number): Uint8Array {
    const end = Math.min(this.size, offset + length);
    const out = new Uint8Array(Math.max(0, end - offset));
    let i = this.chunkAt(offset);
    for (let at = offset; at < end && i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const from = at - this.starts[i]!;
      const take = Math.min(chunk.length - from, end - at);
      const bytes =
        chunk instanceof Uint8Array
          ? chunk.subarray(from, from + take)
          : chunk.source.read(chunk.offset + from, take);
      out.set(bytes, at - offset);
      at += take;
    }
    return out;
  }

  /** The chunk holding `offset`: the last one starting at or before it. */
  private chunkAt(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low;
  }
}

interface Attribute {
  readonly line: HeaderLine;
  /** The whole value (text, or a digest of the bytes): what the two sides are compared on. */
  readonly whole: string;
  /** The value the display cut short, for the screen (itself cut at FULL_TEXT_LIMIT). */
  readonly full?: string;
  /** Where it sits, e.g. `(0040,0275)[0].(0032,1060)`: the key both sides are matched on. */
  readonly at: string;
  /** The sequence item it sits in, or '' at the top level. */
  readonly within: string;
}

/** How much of a value cut for display the screen gets on hover or focus. */
const FULL_TEXT_LIMIT = 10_000;
/** Text and numbers up to this size are compared as text; larger values by a digest of their bytes. */
const TEXT_LIMIT = 1024 * 1024;
/** Values up to this size are compared byte by byte (by digest); larger ones by their length. */
const DIGEST_LIMIT = 64 * 1024 * 1024;
const DIGEST_CHUNK = 1024 * 1024;

const capped = (text: string) =>
  text.length > FULL_TEXT_LIMIT ? `${text.slice(0, FULL_TEXT_LIMIT - 1)}…` : text;

/** A digest of the value's bytes (each fragment's, when encapsulated), read in pieces. */
function bytesDigest(source: ByteSource, el: DicomElement): string {
  const hash = createHash('sha256');
  for (const part of el.fragments ?? [{ valueStart: el.valueStart, length: el.length }]) {
    hash.update(`${part.length};`);
    for (let done = 0; done < part.length; done += DIGEST_CHUNK)
      hash.update(source.read(part.valueStart + done, Math.min(DIGEST_CHUNK, part.length - done)));
  }
  return hash.digest('hex');
}

/**
 * The whole value, where the display may have cut it: text values in full, binary numbers all of them,
 * other values (and very long ones) by digest. A cut display ends in an ellipsis and the whole text goes
 * with it.
 */
function wholeValue(source: ByteSource, el: DicomElement, ctx: ElementContext, line: HeaderLine) {
  const { vr } = ctx;
  let text: string | undefined;
  if (el.items || el.length === UNDEFINED_LENGTH) text = line.value;
  else if (el.length > TEXT_LIMIT) text = undefined;
  else if (isStringVR(vr)) text = readText(source, el, vr, ctx.charset);
  else if (BINARY_SIZE[vr] && !vr.startsWith('O'))
    text = readNumbers(source, el, vr, ctx.dataset.syntax, Number.POSITIVE_INFINITY)
      .map((n) => (vr === 'AT' ? formatTag(n) : String(n)))
      .join('\\');
  if (text === undefined) {
    const total = el.fragments ? el.fragments.reduce((n, f) => n + f.length, 0) : el.length;
    return { line, whole: total <= DIGEST_LIMIT ? bytesDigest(source, el) : `${total} bytes` };
  }
  if (text === line.value) return { line, whole: text };
  const shown = line.value.endsWith('…') ? line.value : `${line.value}…`;
  return { line: { ...line, value: shown }, whole: text, full: capped(text) };
}

function attributes(parsed: ParsedDicom): Map<string, Attribute> {
  const out = new Map<string, Attribute>();
  walkHeader(parsed, (line, el, ctx, source) => {
    const at = formatPath(ctx.path, el.tag);
    const parent = ctx.path.at(-1);
    const within = parent ? formatPath(ctx.path.slice(0, -1), parent.tag) : '';
    out.set(at, { ...wholeValue(source, el, ctx, line), at, within });
  });
  return out;
}

function describePixels(pixels: PixelOutcome): string {
  switch (pixels.status) {
    case 'not-at-risk':
      return 'The image is copied as it is.';
    case 'cleaned':
      return `${pixels.regionsCleaned} ${pixels.regionsCleaned === 1 ? 'region is' : 'regions are'} blacked out in the image (the boxes shown).`;
    case 'accepted':
      return `The image is copied as it is, as accepted${pixels.reason ? `: ${pixels.reason}` : ''}.`;
    case 'held':
      return `The file will be held for review, not written${pixels.reason ? `: ${pixels.reason}` : ''}.`;
  }
}

/** One side of a change: the value as displayed, and in full when the display cut it. */
const side = (name: 'before' | 'after', attribute: Attribute) => ({
  [name]: attribute.line.value,
  ...(attribute.full === undefined ? {} : { [`${name}Full`]: attribute.full }),
});

const change = (attribute: Attribute, kind: HeaderChange['change']): HeaderChange => ({
  tag: attribute.line.tag,
  keyword: attribute.line.keyword,
  path: readablePath(attribute.at),
  change: kind,
});

/** The file being viewed and this thread's pixel tools (codecs, text reader), as the batch's threads have. */
export interface CopyContext {
  readonly path: string;
  readonly tools: PixelTools;
}

/**
 * What the run would write for `parsed`, made in memory by the batch's own pixel pass (codecs, the text
 * search and the engine) and parsed back. The frames are searched once per file and profile: later copies
 * use what the search found.
 */
async function deidentifiedCopy(parsed: ParsedDicom, options: InspectOptions, context: CopyContext) {
  const known = await knownFindings(context.path, options.profile);
  const run = anonymizeWithPixels(
    parsed,
    { profile: options.profile, key: options.key, toolVersion: options.toolVersion },
    context.tools,
    undefined,
    known,
  );
  const pass = await (known ? run : remembered(context.path, options.profile, run));
  return { pixels: pass.pixels, copy: parseDicom(new ChunkSource(pass.result.chunks)) };
}

/**
 * One frame of the de-identified copy, decoded as the inspector decodes the original's: the pixels the run
 * would write, regions blacked out. A file the run would hold has no copy to show.
 */
export async function deidentifiedFrame(
  parsed: ParsedDicom,
  options: InspectOptions,
  context: CopyContext,
  frame: number,
): Promise<FrameImage> {
  const { pixels, copy } = await deidentifiedCopy(parsed, options, context);
  if (pixels.status === 'held')
    throw new ReportableError('the file will be held for review, so no de-identified image is written');
  return decodeFrame(copy, frame);
}

/**
 * Every attribute changed, removed or added by de-identifying `parsed`, in the original's order with the
 * added ones last. What a removed or added sequence held is not listed again: it goes or comes with it.
 */
export async function compareParsed(
  parsed: ParsedDicom,
  options: InspectOptions,
  context: CopyContext,
): Promise<Omit<Comparison, 'id'>> {
  let made: Awaited<ReturnType<typeof deidentifiedCopy>>;
  try {
    made = await deidentifiedCopy(parsed, options, context);
  } catch (error) {
    return {
      changes: [],
      unchanged: 0,
      pixels: '',
      unavailable: `No de-identified copy can be made: ${errorText(error)}`,
    };
  }
  const before = attributes(parsed);
  const after = attributes(made.copy);
  const changes: HeaderChange[] = [];
  let unchanged = 0;
  for (const [at, old] of before) {
    const now = after.get(at);
    if (!now) {
      if (!old.within || after.has(old.within))
        changes.push({ ...change(old, 'removed'), ...side('before', old) });
    } else if (now.whole !== old.whole) {
      changes.push({ ...change(old, 'changed'), ...side('before', old), ...side('after', now) });
    } else {
      unchanged++;
    }
  }
  for (const [at, now] of after) {
    if (before.has(at) || (now.within && !before.has(now.within))) continue;
    changes.push({ ...change(now, 'added'), ...side('after', now) });
  }
  return { changes, unchanged, pixels: describePixels(made.pixels) };
}
