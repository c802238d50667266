import { type KeyboardEvent, type PointerEvent, useRef } from 'react';
import type { DetectedText, Rect } from '../../../shared/ipc/contract.js';
import {
  type Corner,
  describeRect,
  fixedCorner,
  keyEdit,
  moveRect,
  type Point,
  rectFromCorners,
  type Size,
} from '../regions.js';
import { describeDetected } from './DetectedText.js';

type Drag =
  | { readonly kind: 'new'; readonly origin: Point }
  | { readonly kind: 'move'; readonly index: number; readonly origin: Point; readonly start: Rect }
  | { readonly kind: 'resize'; readonly index: number; readonly fixed: Point }
  | { readonly kind: 'other' };

/** Line styles of detected boxes, so each class differs by more than its colour (screen pixels). */
const DASH: Readonly<Record<DetectedText['cls'] | 'kept', readonly number[]>> = {
  identity: [],
  undecided: [8, 4],
  technical: [2, 3],
  kept: [8, 3, 2, 3],
};

const area = (r: Rect) => r.width * r.height;

const CORNERS: readonly Corner[] = ['nw', 'ne', 'sw', 'se'];
/** Handle size on screen, in CSS pixels, whatever the zoom. */
const HANDLE = 10;

/**
 * The boxes over the image, in the image's own pixel coordinates (the SVG's viewBox), so they stay on the
 * same pixels at every zoom and window/level. Drag on the image to draw (in drawing mode), drag a box to
 * move it, a corner to resize it; the keyboard does all of it on the focused box.
 */
export function RegionLayer({
  image,
  scale,
  boxes,
  applied,
  selected,
  drawing,
  onBoxes,
  onSelect,
  onOtherDrag,
  detected = [],
  tip = null,
  onToggleDetected,
  onTip,
}: {
  image: Size;
  /** Screen pixels per image pixel, for handles and strokes that keep their size on screen. */
  scale: number;
  boxes: readonly Rect[];
  /** Boxes already in force for this file (templates, series), shown dashed and not edited here. */
  applied: readonly Rect[];
  selected: number | null;
  drawing: boolean;
  onBoxes: (boxes: Rect[], select: number | null) => void;
  onSelect: (index: number | null) => void;
  /** A drag that is not about boxes (window/level when not drawing): screen movement since the start. */
  onOtherDrag: (phase: 'start' | 'move' | 'end', dx: number, dy: number) => void;
  /** The detector's text on this frame, with its index in the check's list. */
  detected?: ReadonlyArray<{ readonly text: DetectedText; readonly index: number }>;
  /** The detected text whose reading is shown (hover or keyboard focus). */
  tip?: number | null;
  /** Turns a detected region off (kept as it is) or on again. */
  onToggleDetected?: (index: number) => void;
  onTip?: (index: number | null) => void;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const drag = useRef<{ state: Drag; screen: Point } | null>(null);
  const draft = useRef<Rect[]>([...boxes]);
  draft.current = [...boxes];

  const toImage = (event: PointerEvent): Point => {
    const box = svg.current!.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) / box.width) * image.width,
      y: ((event.clientY - box.top) / box.height) * image.height,
    };
  };

  const onPointerDown = (event: PointerEvent<SVGSVGElement>) => {
    if (event.button !== 0) return;
    const target = event.target as SVGElement;
    // A detected box is clicked to turn it off or on, not dragged (outside drawing mode).
    if (target.dataset.detected !== undefined && !drawing) return;
    const index = target.dataset.box === undefined ? null : Number(target.dataset.box);
    const corner = target.dataset.corner as Corner | undefined;
    const at = toImage(event);
    let state: Drag;
    if (index !== null && corner)
      state = { kind: 'resize', index, fixed: fixedCorner(boxes[index]!, corner) };
    else if (index !== null) state = { kind: 'move', index, origin: at, start: boxes[index]! };
    else if (drawing) state = { kind: 'new', origin: at };
    else state = { kind: 'other' };
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { state, screen: { x: event.clientX, y: event.clientY } };
    if (state.kind === 'other') {
      onSelect(null);
      onOtherDrag('start', 0, 0);
    } else if (state.kind === 'new') {
      onBoxes([...boxes, rectFromCorners(at, at, image)], boxes.length);
    } else {
      onSelect(state.index);
    }
  };

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const current = drag.current;
    if (!current) return;
    const { state } = current;
    const at = toImage(event);
    const next = [...draft.current];
    if (state.kind === 'other') {
      onOtherDrag('move', event.clientX - current.screen.x, event.clientY - current.screen.y);
      return;
    }
    if (state.kind === 'new') next[next.length - 1] = rectFromCorners(state.origin, at, image);
    if (state.kind === 'resize') next[state.index] = rectFromCorners(state.fixed, at, image);
    if (state.kind === 'move') {
      next[state.index] = moveRect(state.start, at.x - state.origin.x, at.y - state.origin.y, image);
    }
    onBoxes(next, state.kind === 'new' ? next.length - 1 : state.index);
  };

  const onPointerUp = () => {
    const current = drag.current;
    drag.current = null;
    if (current?.state.kind === 'other') onOtherDrag('end', 0, 0);
    // A click without a drag in drawing mode makes no box.
    const last = draft.current[draft.current.length - 1];
    if (current?.state.kind === 'new' && last && (last.width < 2 || last.height < 2)) {
      onBoxes(draft.current.slice(0, -1), null);
    }
  };

  const onKeyDown = (index: number) => (event: KeyboardEvent<SVGRectElement>) => {
    const edit = keyEdit(boxes[index]!, event, image);
    if (edit === null) {
      if (event.key === 'Escape') onSelect(null);
      return;
    }
    event.preventDefault();
    if (edit === 'delete') {
      onBoxes(
        boxes.filter((_, i) => i !== index),
        null,
      );
      return;
    }
    onBoxes(
      boxes.map((box, i) => (i === index ? edit : box)),
      index,
    );
  };

  const handle = HANDLE / scale;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a <fieldset> cannot stand in for an SVG element
    <svg
      ref={svg}
      className={`region-layer${drawing ? ' drawing' : ''}`}
      viewBox={`0 0 ${image.width} ${image.height}`}
      preserveAspectRatio="none"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={onPointerUp}
      role="group"
      aria-label="Boxes over the image"
    >
      {applied.map((box, i) => (
        <rect
          // biome-ignore lint/suspicious/noArrayIndexKey: boxes have no identity beyond their place
          key={`applied-${i}`}
          className="region-applied"
          x={box.x}
          y={box.y}
          width={box.width}
          height={box.height}
          strokeWidth={2 / scale}
          strokeDasharray={`${6 / scale} ${4 / scale}`}
        />
      ))}
      {/* Larger boxes first, so a small one inside another stays reachable by the pointer. */}
      {[...detected]
        .sort((a, b) => area(b.text.box) - area(a.text.box))
        .map(({ text, index }) => {
          const kind = text.kept ? 'kept' : text.cls;
          const toggles = text.cls !== 'technical';
          const common = {
            x: text.box.x,
            y: text.box.y,
            width: text.box.width,
            height: text.box.height,
          };
          return (
            <g key={`detected-${index}`}>
              <rect {...common} className="detected-halo" strokeWidth={4 / scale} />
              {/* biome-ignore lint/a11y/useSemanticElements: an SVG shape cannot be a <button>; it takes the role */}
              <rect
                {...common}
                role="button"
                tabIndex={0}
                aria-label={`Detected text ${index + 1}: ${describeDetected(text)}`}
                // Technical text is kept whatever is decided: its box shows the reading, it turns nothing off.
                {...(toggles ? { 'aria-pressed': !text.kept } : { 'aria-disabled': true })}
                aria-describedby={tip === index ? 'detected-tip' : undefined}
                data-detected={index}
                className={`detected detected-${kind}`}
                strokeWidth={2 / scale}
                strokeDasharray={DASH[kind].map((d) => d / scale).join(' ') || undefined}
                onPointerEnter={() => onTip?.(index)}
                onPointerLeave={() => onTip?.(null)}
                onFocus={() => onTip?.(index)}
                onBlur={() => onTip?.(null)}
                onClick={() => toggles && onToggleDetected?.(index)}
                onKeyDown={(event) => {
                  if (event.key === 'Escape') onTip?.(null);
                  if (toggles && (event.key === 'Enter' || event.key === ' ')) {
                    event.preventDefault();
                    onToggleDetected?.(index);
                  }
                }}
              />
            </g>
          );
        })}
      {boxes.map((box, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: boxes have no identity beyond their place
        <g key={i}>
          {/* biome-ignore lint/a11y/useSemanticElements: an SVG shape cannot be a <button>; it takes the role */}
          <rect
            role="button"
            tabIndex={0}
            aria-label={`Box ${i + 1}: ${describeRect(box)}`}
            aria-pressed={selected === i}
            data-box={i}
            className={`region-box${selected === i ? ' selected' : ''}`}
            x={box.x}
            y={box.y}
            width={box.width}
            height={box.height}
            strokeWidth={2 / scale}
            onFocus={() => onSelect(i)}
            onKeyDown={onKeyDown(i)}
          />
          {selected === i
            ? CORNERS.map((corner) => (
                <rect
                  key={corner}
                  data-box={i}
                  data-corner={corner}
                  className={`region-handle handle-${corner}`}
                  x={(corner.endsWith('w') ? box.x : box.x + box.width) - handle / 2}
                  y={(corner.startsWith('n') ? box.y : box.y + box.height) - handle / 2}
                  width={handle}
                  height={handle}
                  strokeWidth={1 / scale}
                />
              ))
            : null}
        </g>
      ))}
    </svg>
  );
}
