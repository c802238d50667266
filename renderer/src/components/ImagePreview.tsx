import { useEffect, useRef, useState } from 'react';
import type {
  AppliedRegions,
  FrameImage,
  ImageInfo,
  PixelCheck,
  Rect,
} from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';
import type { Size } from '../regions.js';
import { DetectedPanel } from './DetectedText.js';
import { RegionLayer } from './RegionLayer.js';
import { RegionPanel } from './RegionPanel.js';

type Grey = Extract<FrameImage, { kind: 'grey' }>;
interface Voi {
  readonly center: number;
  readonly width: number;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** PS3.3 C.11.2.1.2.1: the linear VOI function, values mapped to 0–255 grey. */
function paintGrey(canvas: HTMLCanvasElement, frame: Grey, values: Float32Array, voi: Voi) {
  const context = canvas.getContext('2d');
  if (!context) return;
  const image = context.createImageData(frame.width, frame.height);
  const low = voi.center - 0.5 - (voi.width - 1) / 2;
  const scale = 255 / Math.max(1, voi.width - 1);
  const out = image.data;
  for (let i = 0; i < values.length; i++) {
    let grey = Math.max(0, Math.min(255, (values[i]! - low) * scale));
    if (frame.invert) grey = 255 - grey;
    const at = i * 4;
    out[at] = grey;
    out[at + 1] = grey;
    out[at + 2] = grey;
    out[at + 3] = 255;
  }
  context.putImageData(image, 0, 0);
}

async function paintOther(canvas: HTMLCanvasElement, frame: Exclude<FrameImage, Grey>) {
  const context = canvas.getContext('2d');
  if (!context) return;
  const bytes = decodeBase64(frame.data);
  if (frame.kind === 'rgba') {
    context.putImageData(new ImageData(new Uint8ClampedArray(bytes.buffer), frame.width, frame.height), 0, 0);
    return;
  }
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
  context.drawImage(bitmap, 0, 0, frame.width, frame.height);
  bitmap.close();
}

/** A decoded frame on its canvas: grey ones at the window/level given, colour and JPEG ones as they are. */
function paintFrame(
  canvas: HTMLCanvasElement,
  frame: FrameImage,
  values: Float32Array | null,
  voi: Voi | null,
  onError: (message: string) => void,
) {
  canvas.width = frame.width;
  canvas.height = frame.height;
  if (frame.kind === 'grey') {
    if (values && voi) paintGrey(canvas, frame, values, voi);
  } else {
    paintOther(canvas, frame).catch((failure: unknown) => onError(messageOf(failure)));
  }
}

/** A frame as answered, with a grey one's modality values decoded once (repainting at a new level is cheap). */
interface Shown {
  readonly frame: FrameImage;
  readonly values: Float32Array | null;
}

const shownOf = (frame: FrameImage): Shown => ({
  frame,
  values: frame.kind === 'grey' ? new Float32Array(decodeBase64(frame.data).buffer) : null,
});

const ZOOMS = [0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8];

/** The other view of a pair scrolls with this one, so both show the same part of the image. */
function follow(from: HTMLElement, to: HTMLElement | null) {
  if (!to || (to.scrollLeft === from.scrollLeft && to.scrollTop === from.scrollTop)) return;
  to.scrollLeft = from.scrollLeft;
  to.scrollTop = from.scrollTop;
}

/**
 * One frame of the file, or of the de-identified copy the run would write, fetched again when the file, the
 * frame or the copy's revision changes; what failed, in words.
 */
function useFrame(
  fileId: number,
  frame: number,
  wanted: boolean,
  deidentified: boolean,
  revision?: string,
): { shown: Shown | null; failed: string | null } {
  const [state, setState] = useState<{ shown: Shown | null; failed: string | null }>({
    shown: null,
    failed: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new revision means a new copy to fetch
  useEffect(() => {
    if (!wanted) return;
    let current = true;
    deid.frame({ id: fileId, frame, ...(deidentified ? { deidentified } : {}) }).then(
      (result) => current && setState({ shown: shownOf(result), failed: null }),
      (failure: unknown) => current && setState({ shown: null, failed: messageOf(failure) }),
    );
    return () => {
      current = false;
    };
  }, [fileId, frame, wanted, deidentified, revision]);
  return state;
}

/** How big the stage is, for the zoom that fits the image in it. */
function useSize(element: HTMLElement | null): Size {
  const [size, setSize] = useState<Size>({ width: 0, height: 0 });
  useEffect(() => {
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [element]);
  return size;
}

/** The boxes to edit first: those of the most specific rule that has any. */
const initialBoxes = (rules: readonly AppliedRegions[]): Rect[] => [
  ...(rules.find((rule) => rule.regions.length > 0)?.regions ?? []),
];

/**
 * The file's pixel data, so burned-in text can be seen before export, and the region editor over it:
 * drag or use the sliders for window/level, zoom, draw boxes over text and say where they apply. With a
 * `copyRevision`, the de-identified copy's frame is shown beside it at the same frame, window/level, zoom
 * and scroll; a new revision (new boxes, another profile) fetches it again.
 */
export function ImagePreview({
  fileId,
  image,
  device,
  rules,
  onRules,
  check = null,
  deciding = false,
  onKeep,
  onReviewed,
  copyRevision,
}: {
  fileId: number;
  image: ImageInfo;
  device: string | null;
  rules: readonly AppliedRegions[];
  onRules: (rules: readonly AppliedRegions[]) => void;
  /** What the pixel check found, once it has: the detected text is drawn and listed. */
  check?: PixelCheck | null;
  /** A decision on the detected text is being recorded, or the file checked again after one. */
  deciding?: boolean;
  onKeep?: (box: Rect, keep: boolean) => void;
  onReviewed?: (reviewed: boolean) => void;
  copyRevision?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const copyCanvas = useRef<HTMLCanvasElement>(null);
  const copyStage = useRef<HTMLDivElement>(null);
  const [copyPaintError, setCopyPaintError] = useState<string | null>(null);
  const [stage, setStage] = useState<HTMLDivElement | null>(null);
  const stageSize = useSize(stage);
  const [frameNumber, setFrameNumber] = useState(0);
  const [voi, setVoi] = useState<Voi | null>(null);
  const [paintError, setPaintError] = useState<string | null>(null);
  const [zoom, setZoom] = useState<number | 'fit'>('fit');
  const [drawing, setDrawing] = useState(false);
  const [boxes, setBoxes] = useState<Rect[]>(() => initialBoxes(rules));
  const [selected, setSelected] = useState<number | null>(null);
  const [tip, setTip] = useState<number | null>(null);
  const levelStart = useRef<Voi | null>(null);
  const size: Size = { width: image.columns, height: image.rows };

  const showable = !image.unsupported;
  const { shown, failed } = useFrame(fileId, frameNumber, showable, false);
  const { shown: copy, failed: copyFailed } = useFrame(
    fileId,
    frameNumber,
    showable && copyRevision !== undefined,
    true,
    copyRevision,
  );
  const error = image.unsupported ?? failed ?? paintError;
  const copyError = copyFailed ?? copyPaintError;

  useEffect(() => {
    // The file's own window/level, on its first grey frame; both images keep the person's after that.
    const initial = shown?.frame.kind === 'grey' ? shown.frame.window : undefined;
    if (initial) setVoi((previous) => previous ?? initial);
  }, [shown]);

  useEffect(() => {
    const element = canvas.current;
    if (element && shown) paintFrame(element, shown.frame, shown.values, voi, setPaintError);
  }, [shown, voi]);

  useEffect(() => {
    const element = copyCanvas.current;
    if (element && copy) paintFrame(element, copy.frame, copy.values, voi, setCopyPaintError);
  }, [copy, voi]);

  if (error) {
    return (
      <p className="note" role="status">
        The image cannot be shown here: {error}
      </p>
    );
  }
  const grey = shown?.frame.kind === 'grey' ? shown.frame : null;
  const range = grey ? Math.max(1, grey.max - grey.min) : 1;
  const fit =
    stageSize.width > 0 ? Math.min(stageSize.width / size.width, stageSize.height / size.height) : 1;
  const scale = zoom === 'fit' ? fit : zoom;
  const zoomBy = (direction: 1 | -1) => {
    const next =
      direction > 0
        ? ZOOMS.find((step) => step > scale * 1.01)
        : ZOOMS.findLast((step) => step < scale * 0.99);
    setZoom(next ?? scale);
  };
  const onLevelDrag = (phase: 'start' | 'move' | 'end', dx: number, dy: number) => {
    if (phase === 'start') levelStart.current = voi;
    const start = levelStart.current;
    if (phase === 'end' || !start) return;
    const step = range / 300;
    setVoi({ width: Math.max(1, start.width + dx * step), center: start.center + dy * step });
  };
  const changeBoxes = (next: Rect[], select: number | null) => {
    setBoxes(next);
    setSelected(select);
  };
  const addBox = () => {
    const width = Math.max(1, Math.round(size.width / 4));
    const height = Math.max(1, Math.round(size.height / 8));
    const box = {
      x: Math.round((size.width - width) / 2),
      y: Math.round((size.height - height) / 2),
      width,
      height,
    };
    changeBoxes([...boxes, box], boxes.length);
    // The new box takes the keyboard focus, so the arrows move it straight away.
    requestAnimationFrame(() =>
      stage?.querySelector<SVGRectElement>(`rect[data-box="${boxes.length}"]:not([data-corner])`)?.focus(),
    );
  };
  const focusBox = (index: number) => {
    setSelected(index);
    stage?.querySelector<SVGRectElement>(`rect[data-box="${index}"]:not([data-corner])`)?.focus();
  };
  const applied = rules.flatMap((rule) => rule.regions);
  const detected = (check?.texts ?? [])
    .map((text, index) => ({ text, index }))
    .filter(({ text }) => text.frame === frameNumber);
  const tipText = tip === null ? undefined : check?.texts[tip];
  const reviewed = rules.some((rule) => rule.scope === 'file' && rule.reviewed === true);
  const frameSize = { width: Math.floor(size.width * scale), height: Math.floor(size.height * scale) };
  const original = (
    <div
      className={`image-stage${zoom === 'fit' ? ' fit' : ''}`}
      ref={setStage}
      onScroll={(event) => follow(event.currentTarget, copyStage.current)}
    >
      <div className="image-frame" style={frameSize}>
        <canvas ref={canvas} aria-label={`Image ${image.columns} × ${image.rows} pixels`} />
        <RegionLayer
          image={size}
          scale={scale}
          boxes={boxes}
          applied={applied}
          selected={selected}
          drawing={drawing}
          onBoxes={changeBoxes}
          onSelect={setSelected}
          onOtherDrag={onLevelDrag}
          detected={detected}
          tip={tip}
          onTip={setTip}
          onToggleDetected={(index) => {
            const text = check?.texts[index];
            if (text && !deciding) onKeep?.(text.box, !text.kept);
          }}
        />
        {tipText ? (
          // The reading is for the person at the screen only: it is never logged or reported.
          <div
            id="detected-tip"
            role="tooltip"
            className="detected-tip"
            style={{
              left: Math.round(tipText.box.x * scale),
              top: Math.round((tipText.box.y + tipText.box.height) * scale) + 4,
            }}
          >
            {tipText.text}
          </div>
        ) : null}
      </div>
    </div>
  );
  return (
    <div className="image-preview">
      <div className="image-controls">
        {image.frames > 1 ? (
          <label>
            Frame {frameNumber + 1} of {image.frames}
            <input
              type="range"
              min={0}
              max={image.frames - 1}
              value={frameNumber}
              onChange={(event) => setFrameNumber(Number(event.target.value))}
            />
          </label>
        ) : null}
        {grey && voi ? (
          <>
            <label>
              Level {Math.round(voi.center)}
              <input
                type="range"
                min={Math.min(grey.min, voi.center)}
                max={Math.max(grey.max, voi.center)}
                step={range / 500}
                value={voi.center}
                onChange={(event) => setVoi({ ...voi, center: Number(event.target.value) })}
              />
            </label>
            <label>
              Window {Math.round(voi.width)}
              <input
                type="range"
                min={1}
                max={Math.max(range * 2, voi.width)}
                step={range / 500}
                value={voi.width}
                onChange={(event) => setVoi({ ...voi, width: Number(event.target.value) })}
              />
            </label>
            <button type="button" onClick={() => setVoi(grey.window)}>
              Reset
            </button>
          </>
        ) : null}
        <div className="button-row">
          <button type="button" aria-label="Zoom out" onClick={() => zoomBy(-1)}>
            −
          </button>
          <span className="zoom-level" aria-live="polite">
            {Math.round(scale * 100)}%
          </span>
          <button type="button" aria-label="Zoom in" onClick={() => zoomBy(1)}>
            +
          </button>
          <button type="button" aria-pressed={zoom === 'fit'} onClick={() => setZoom('fit')}>
            Fit
          </button>
        </div>
        <button type="button" aria-pressed={drawing} onClick={() => setDrawing(!drawing)}>
          Draw boxes
        </button>
      </div>
      {copyRevision === undefined ? (
        original
      ) : (
        <div className="image-pair">
          <figure>
            <figcaption>Original</figcaption>
            {original}
          </figure>
          <figure>
            <figcaption>De-identified</figcaption>
            {copyError ? (
              <p className="note image-stage" role="status">
                The de-identified image cannot be shown: {copyError}
              </p>
            ) : (
              <div
                className={`image-stage${zoom === 'fit' ? ' fit' : ''}`}
                ref={copyStage}
                onScroll={(event) => follow(event.currentTarget, stage)}
              >
                <div className="image-frame" style={frameSize}>
                  <canvas
                    ref={copyCanvas}
                    role="img"
                    data-copy="deidentified"
                    // With the focus here, the arrows scroll a zoomed copy (and the original with it).
                    tabIndex={0}
                    aria-label={`De-identified image, ${image.columns} × ${image.rows} pixels, as the run would write it: the regions it cleans are blacked out`}
                  />
                </div>
              </div>
            )}
          </figure>
        </div>
      )}
      <p className="hint">
        {drawing
          ? 'Drag over the text to draw a box; drag a box to move it, its corners to resize it.'
          : grey
            ? 'Drag on the image: left–right changes the window, up–down the level.'
            : ''}
      </p>
      {check?.searched ? (
        <DetectedPanel
          texts={detected}
          reviewed={reviewed}
          busy={deciding}
          onKeep={(box, keep) => onKeep?.(box, keep)}
          onReviewed={(on) => onReviewed?.(on)}
          onFocusText={setTip}
        />
      ) : null}
      <RegionPanel
        fileId={fileId}
        boxes={boxes}
        device={device}
        rules={rules}
        selected={selected}
        onBoxes={changeBoxes}
        onSelect={focusBox}
        onAdd={addBox}
        onRules={onRules}
      />
    </div>
  );
}
