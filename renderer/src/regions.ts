/** Geometry of the boxes drawn over an image: whole pixels, always inside the image, never empty. */
import type { Rect } from '../../shared/ipc/contract.js';

export interface Size {
  readonly width: number;
  readonly height: number;
}
export interface Point {
  readonly x: number;
  readonly y: number;
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** The box spanned by two corners, in either order, on whole pixels and inside the image. */
export function rectFromCorners(a: Point, b: Point, image: Size): Rect {
  const x0 = clamp(Math.floor(Math.min(a.x, b.x)), 0, image.width - 1);
  const y0 = clamp(Math.floor(Math.min(a.y, b.y)), 0, image.height - 1);
  const x1 = clamp(Math.ceil(Math.max(a.x, b.x)), x0 + 1, image.width);
  const y1 = clamp(Math.ceil(Math.max(a.y, b.y)), y0 + 1, image.height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** The box moved, stopping at the image's edges. */
export function moveRect(rect: Rect, dx: number, dy: number, image: Size): Rect {
  return {
    ...rect,
    x: clamp(Math.round(rect.x + dx), 0, image.width - rect.width),
    y: clamp(Math.round(rect.y + dy), 0, image.height - rect.height),
  };
}

/** The box grown or shrunk from its bottom-right corner, at least one pixel and inside the image. */
export function resizeRect(rect: Rect, dw: number, dh: number, image: Size): Rect {
  return {
    ...rect,
    width: clamp(Math.round(rect.width + dw), 1, image.width - rect.x),
    height: clamp(Math.round(rect.height + dh), 1, image.height - rect.y),
  };
}

export type Corner = 'nw' | 'ne' | 'sw' | 'se';

/** The corner opposite the one being dragged: it stays where it is while the box is resized. */
export function fixedCorner(rect: Rect, dragged: Corner): Point {
  return {
    x: dragged.endsWith('w') ? rect.x + rect.width : rect.x,
    y: dragged.startsWith('n') ? rect.y + rect.height : rect.y,
  };
}

const ARROWS: Readonly<Record<string, Point>> = {
  ArrowLeft: { x: -1, y: 0 },
  ArrowRight: { x: 1, y: 0 },
  ArrowUp: { x: 0, y: -1 },
  ArrowDown: { x: 0, y: 1 },
};

/**
 * What a key does to the focused box: arrows move it (Shift: ten pixels), Alt+arrows resize it (right and
 * down grow), Delete or Backspace removes it. Null for any other key.
 */
export function keyEdit(
  rect: Rect,
  key: { readonly key: string; readonly shiftKey: boolean; readonly altKey: boolean },
  image: Size,
): Rect | 'delete' | null {
  if (key.key === 'Delete' || key.key === 'Backspace') return 'delete';
  const arrow = ARROWS[key.key];
  if (!arrow) return null;
  const step = key.shiftKey ? 10 : 1;
  return key.altKey
    ? resizeRect(rect, arrow.x * step, arrow.y * step, image)
    : moveRect(rect, arrow.x * step, arrow.y * step, image);
}

export const describeRect = (rect: Rect) => `x ${rect.x}, y ${rect.y}, ${rect.width} × ${rect.height} pixels`;
