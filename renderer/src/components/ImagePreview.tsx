import { type PointerEvent, useEffect, useRef, useState } from 'react';
import type { FrameImage, ImageInfo } from '../../../shared/ipc/contract.js';
import { deid, messageOf } from '../api.js';

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

/** The file's pixel data, so burned-in text can be seen before export; drag or use the sliders for window/level. */
export function ImagePreview({ fileId, image }: { fileId: number; image: ImageInfo }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [frameNumber, setFrameNumber] = useState(0);
  const [frame, setFrame] = useState<FrameImage | null>(null);
  const [values, setValues] = useState<Float32Array | null>(null);
  const [voi, setVoi] = useState<Voi | null>(null);
  const [error, setError] = useState<string | null>(image.unsupported ?? null);
  const drag = useRef<{ x: number; y: number; start: Voi } | null>(null);

  useEffect(() => {
    if (image.unsupported) return;
    let current = true;
    setError(null);
    deid
      .frame({ id: fileId, frame: frameNumber })
      .then((result) => {
        if (!current) return;
        setFrame(result);
        if (result.kind === 'grey') {
          setValues(new Float32Array(decodeBase64(result.data).buffer));
          setVoi((previous) => previous ?? result.window);
        }
      })
      .catch((failure: unknown) => current && setError(messageOf(failure)));
    return () => {
      current = false;
    };
  }, [fileId, frameNumber, image.unsupported]);

  useEffect(() => {
    const element = canvas.current;
    if (!element || !frame) return;
    element.width = frame.width;
    element.height = frame.height;
    if (frame.kind === 'grey') {
      if (values && voi) paintGrey(element, frame, values, voi);
    } else {
      paintOther(element, frame).catch((failure: unknown) => setError(messageOf(failure)));
    }
  }, [frame, values, voi]);

  if (error) {
    return (
      <p className="note" role="status">
        The image cannot be shown here: {error}
      </p>
    );
  }
  const grey = frame?.kind === 'grey' ? frame : null;
  const range = grey ? Math.max(1, grey.max - grey.min) : 1;
  const onPointerDown = (event: PointerEvent<HTMLCanvasElement>) => {
    if (!voi) return;
    event.currentTarget.setPointerCapture(event.pointerId);
    drag.current = { x: event.clientX, y: event.clientY, start: voi };
  };
  const onPointerMove = (event: PointerEvent<HTMLCanvasElement>) => {
    const start = drag.current;
    if (!start) return;
    const step = range / 300;
    setVoi({
      width: Math.max(1, start.start.width + (event.clientX - start.x) * step),
      center: start.start.center + (event.clientY - start.y) * step,
    });
  };
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
      </div>
      <div className="image-stage">
        <canvas
          ref={canvas}
          aria-label={`Image ${image.columns} × ${image.rows} pixels`}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={() => {
            drag.current = null;
          }}
        />
      </div>
      <p className="hint">
        {grey ? 'Drag on the image: left–right changes the window, up–down the level.' : ''}
      </p>
    </div>
  );
}
