import type { FrameLayout } from '../../shared/pixels/codec.js';
import type { DetectedRegions, Rect } from '../../shared/pixels/regions.js';
import {
  type ClassifiedText,
  classifyText,
  type IdentityNeedles,
  type OcrLine,
} from '../../shared/pixels/text-identity.js';
import type { TechnicalAllowList } from '../../shared/pixels/text-technical.js';
import { forReading, toGray } from './prepare.js';
import type { GrayImage, TextReader } from './text-reader.js';

export interface FindTextOptions {
  readonly identifiers: IdentityNeedles;
  readonly modality?: string;
  readonly allow?: TechnicalAllowList;
}

export interface FoundText {
  /** Identity text to clean, per frame (padded boxes). */
  readonly regions: DetectedRegions;
  /** Every piece of text read and classed, per frame: for the person at the screen, never for a log. */
  readonly texts: ReadonlyMap<number, readonly ClassifiedText[]>;
  readonly counts: { readonly identity: number; readonly technical: number; readonly undecided: number };
  /** Frames the layout could not be read in: nothing can be said about their text. */
  readonly unreadableFrames: number;
  /** Frame pixels given to the reader (whole first frame, then the parts that changed): the cost of a cine. */
  readonly pixelsRead: number;
}

// Small frames are read enlarged towards this size: text 10 px high is then read as reliably as 20 px.
const READ_SIZE = 1200;
// Frame differences are found on a grid of cells; a cell changed when enough of its pixels moved a lot.
const CELL = 16;
const PIXEL_CHANGE = 48;
const CELL_CHANGE = 3;
// Above and below a changed area the reader is given this many cells more, so a whole line is read.
const MARGIN_Y = 2;

interface Read {
  readonly frame: number;
  readonly rect: Rect;
  readonly lines: Promise<OcrLine[]>;
}

/**
 * Finds the burned-in text of every frame. The first frame is read whole; every later one only where it
 * differs from the frame before (a cine's static overlay is read once).
 */
export async function findBurnedInText(
  reader: TextReader,
  frameCount: number,
  frameAt: (index: number) => Uint8Array | Promise<Uint8Array>,
  layout: FrameLayout,
  options: FindTextOptions,
): Promise<FoundText> {
  const reads: Read[] = [];
  let pixelsRead = 0;
  let previous: GrayImage | undefined;
  let unreadableFrames = 0;
  for (let f = 0; f < frameCount; f++) {
    const gray = toGray(await frameAt(f), layout);
    if (!gray) {
      unreadableFrames++;
      previous = undefined;
      continue;
    }
    const scale = Math.min(3, Math.max(1, Math.round(READ_SIZE / Math.max(gray.width, gray.height))));
    const whole: Rect = { x: 0, y: 0, width: gray.width, height: gray.height };
    const cells = previous ? changes(previous, gray) : undefined;
    const rects = cells ? changedAreas(cells, gray) : [whole];
    for (const rect of rects) {
      pixelsRead += rect.width * rect.height;
      const image = forReading(gray, rect, scale);
      const lines = reader
        .read(image)
        .then((read) => tighten(toFrame(read, rect, scale), gray))
        .then((read) => readDoubtfulAgain(reader, read, gray, scale));
      reads.push({ frame: f, rect, lines });
    }
    // Bounded memory: never more reads waiting than the frames a pool can use at once.
    if (reads.length > 0 && f % 4 === 3) await Promise.all(reads.slice(-8).map((r) => r.lines));
    previous = gray;
  }

  const perFrame = new Map<number, ClassifiedText[]>();
  for (const read of reads) {
    const found = classifyText(await read.lines, options.identifiers, {
      width: layout.columns,
      height: layout.rows,
      ...(options.modality ? { modality: options.modality } : {}),
      ...(options.allow ? { allow: options.allow } : {}),
    });
    const list = perFrame.get(read.frame) ?? [];
    list.push(...found);
    perFrame.set(read.frame, list);
  }

  // Identity found on a frame is cleaned on every later one too: unchanged areas are not read again, and a
  // reading that fails on a later frame must not uncover what an earlier one found.
  const regions = new Map<number, Rect[]>();
  const counts = { identity: 0, technical: 0, undecided: 0 };
  const carried: Rect[] = [];
  for (let f = 0; f < frameCount; f++) {
    const own = perFrame.get(f) ?? [];
    for (const t of own) counts[t.cls]++;
    for (const t of own)
      if (t.cls !== 'technical' && !carried.some((r) => contains(r, t.box))) carried.push(t.box);
    if (carried.length > 0) regions.set(f, [...carried]);
  }
  return { regions, texts: perFrame, counts, unreadableFrames, pixelsRead };
}

// A line read with a word below this confidence is read once more, on its own and larger.
const DOUBTFUL = 80;

/**
 * Lines the reader was unsure of ("008: ka :" for a date of birth, "Sonog raph") are read again, each
 * on its own and at a larger size, and both readings are classed: identity in either is cleaned.
 */
async function readDoubtfulAgain(
  reader: TextReader,
  lines: OcrLine[],
  gray: GrayImage,
  scale: number,
): Promise<OcrLine[]> {
  const again: Promise<OcrLine[]>[] = [];
  for (const line of lines) {
    if (line.words.length === 0 || line.words.every((w) => w.confidence >= DOUBTFUL)) continue;
    const x0 = Math.min(...line.words.map((w) => w.box.x));
    const y0 = Math.min(...line.words.map((w) => w.box.y));
    const x1 = Math.max(...line.words.map((w) => w.box.x + w.box.width));
    const y1 = Math.max(...line.words.map((w) => w.box.y + w.box.height));
    const h = y1 - y0;
    const rect = {
      x: Math.max(0, x0 - 3 * h),
      y: Math.max(0, y0 - h),
      width: Math.min(gray.width, x1 + 3 * h) - Math.max(0, x0 - 3 * h),
      height: Math.min(gray.height, y1 + h) - Math.max(0, y0 - h),
    };
    if (rect.width <= 0 || rect.height <= 0) continue;
    const larger = scale + 1;
    again.push(
      reader.read(forReading(gray, rect, larger)).then((read) => tighten(toFrame(read, rect, larger), gray)),
    );
  }
  return [...lines, ...(await Promise.all(again)).flat()];
}

function toFrame(lines: OcrLine[], rect: Rect, scale: number): OcrLine[] {
  return lines.map((line) => ({
    words: line.words.map((w) => {
      const x0 = rect.x + Math.floor(w.box.x / scale);
      const y0 = rect.y + Math.floor(w.box.y / scale);
      const x1 = rect.x + Math.ceil((w.box.x + w.box.width) / scale);
      const y1 = rect.y + Math.ceil((w.box.y + w.box.height) / scale);
      return { ...w, box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } };
    }),
  }));
}

/**
 * The reader's word boxes grow over specks of texture next to the glyphs (a 10 px word on ultrasound
 * speckle may come back 30 px high). Each box is shrunk to the rows and columns that hold the word's
 * own ink: the pixels on the far side of the box's mid grey from its background.
 */
function tighten(lines: OcrLine[], gray: GrayImage): OcrLine[] {
  return lines.map((line) => ({ words: line.words.map((w) => ({ ...w, box: inkBox(w.box, gray) })) }));
}

function inkBox(box: Rect, gray: GrayImage): Rect {
  const x1 = Math.min(gray.width, box.x + box.width);
  const y1 = Math.min(gray.height, box.y + box.height);
  let lo = 255;
  let hi = 0;
  let sum = 0;
  for (let y = box.y; y < y1; y++) {
    for (let x = box.x; x < x1; x++) {
      const v = gray.data[y * gray.width + x]!;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      sum += v;
    }
  }
  const count = (x1 - box.x) * (y1 - box.y);
  if (count === 0 || hi - lo < 32) return box;
  const mid = (lo + hi) / 2;
  // Glyphs are thin: the background is the side most pixels are on.
  const brightText = sum / count < mid;
  const rows = new Uint16Array(y1 - box.y);
  const columns = new Uint16Array(x1 - box.x);
  for (let y = box.y; y < y1; y++) {
    for (let x = box.x; x < x1; x++) {
      const v = gray.data[y * gray.width + x]!;
      if (brightText ? v > mid : v < mid) {
        rows[y - box.y]!++;
        columns[x - box.x]!++;
      }
    }
  }
  const first = (a: Uint16Array) => a.findIndex((n) => n >= 2);
  const last = (a: Uint16Array) => a.length - 1 - [...a].reverse().findIndex((n) => n >= 2);
  const [r0, c0] = [first(rows), first(columns)];
  if (r0 < 0 || c0 < 0) return box;
  const [r1, c1] = [last(rows), last(columns)];
  return { x: box.x + c0, y: box.y + r0, width: c1 - c0 + 1, height: r1 - r0 + 1 };
}

const gridWidth = (width: number) => Math.ceil(width / CELL);

/** Which grid cells changed between two frames: 1 where at least a few pixels moved a lot. */
function changes(a: GrayImage, b: GrayImage): Uint8Array {
  const gw = gridWidth(b.width);
  const gh = Math.ceil(b.height / CELL);
  const counts = new Uint16Array(gw * gh);
  for (let y = 0; y < b.height; y++) {
    const row = y * b.width;
    const cellRow = Math.floor(y / CELL) * gw;
    for (let x = 0; x < b.width; x++) {
      if (Math.abs(a.data[row + x]! - b.data[row + x]!) > PIXEL_CHANGE)
        counts[cellRow + Math.floor(x / CELL)]!++;
    }
  }
  return counts.map((c) => (c >= CELL_CHANGE ? 1 : 0)) as unknown as Uint8Array;
}

/** The changed cells grouped into rectangles (connected areas, widened by a margin), in pixels. */
function changedAreas(cells: Uint8Array, image: GrayImage): Rect[] {
  const gw = gridWidth(image.width);
  const gh = cells.length / gw;
  const seen = new Uint8Array(cells.length);
  const out: Rect[] = [];
  for (let start = 0; start < cells.length; start++) {
    if (!cells[start] || seen[start]) continue;
    let [x0, y0, x1, y1] = [gw, gh, 0, 0];
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const i = stack.pop()!;
      const cx = i % gw;
      const cy = Math.floor(i / gw);
      x0 = Math.min(x0, cx);
      y0 = Math.min(y0, cy);
      x1 = Math.max(x1, cx);
      y1 = Math.max(y1, cy);
      for (const [nx, ny] of [
        [cx - 1, cy],
        [cx + 1, cy],
        [cx, cy - 1],
        [cx, cy + 1],
      ] as const) {
        const n = ny * gw + nx;
        if (nx >= 0 && ny >= 0 && nx < gw && ny < gh && cells[n] && !seen[n]) {
          seen[n] = 1;
          stack.push(n);
        }
      }
    }
    // Whole rows: a word whose tail changed ("04:03" → "04:10") is read whole, not cut at a cell edge.
    const py0 = Math.max(0, (y0 - MARGIN_Y) * CELL);
    const py1 = Math.min(image.height, (y1 + 1 + MARGIN_Y) * CELL);
    out.push({ x: 0, y: py0, width: image.width, height: py1 - py0 });
  }
  return merge(out);
}

/** Overlapping areas read once, as their union. */
function merge(rects: Rect[]): Rect[] {
  const out = [...rects];
  for (let again = true; again; ) {
    again = false;
    for (let i = 0; i < out.length && !again; i++) {
      for (let j = i + 1; j < out.length && !again; j++) {
        const a = out[i]!;
        const b = out[j]!;
        if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) {
          const x = Math.min(a.x, b.x);
          const y = Math.min(a.y, b.y);
          out[i] = {
            x,
            y,
            width: Math.max(a.x + a.width, b.x + b.width) - x,
            height: Math.max(a.y + a.height, b.y + b.height) - y,
          };
          out.splice(j, 1);
          again = true;
        }
      }
    }
  }
  return out;
}

const contains = (outer: Rect, inner: Rect) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width &&
  inner.y + inner.height <= outer.y + outer.height;
