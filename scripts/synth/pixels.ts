/*
 * Deterministic pixel patterns. Every pixel byte stays outside printable ASCII where it could line up with
 * neighbours into text: 16-bit values stay below 4096 (so every other byte is < 0x10) and 8-bit values are
 * 0 or >= 0x80. A PHI string found in an output is then a real leak, never a coincidence in the pixels.
 */

/** 16-bit grey levels: a diagonal gradient and a disc that moves from frame to frame. */
export function greyFrame(rows: number, cols: number, frame: number, littleEndian: boolean): Uint8Array {
  const out = new Uint8Array(rows * cols * 2);
  const cx = cols / 2 + ((frame * 3) % 21) - 10;
  const cy = rows / 2;
  const r2 = (Math.min(rows, cols) / 4) ** 2;
  const [lo, hi] = littleEndian ? [0, 1] : [1, 0];
  let at = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const disc = (x - cx) ** 2 + (y - cy) ** 2 < r2 ? 1500 : 0;
      const v = ((x * 7 + y * 3 + frame * 16) & 0x3ff) + disc + 24;
      out[at + lo] = v & 0xff;
      out[at + hi] = v >> 8;
      at += 2;
    }
  }
  return out;
}

// A 3×5 pixel font: one octal digit per row, the high bit on the left.
// biome-ignore format: a glyph table reads best as a table
const GLYPHS: Readonly<Record<string, number>> = {
  A: 0o25755, B: 0o65656, C: 0o34443, D: 0o65556, E: 0o74647, F: 0o74644, G: 0o34553, H: 0o55755, I: 0o72227,
  J: 0o11152, K: 0o55655, L: 0o44447, M: 0o57755, N: 0o65555, O: 0o25552, P: 0o65644, Q: 0o25563, R: 0o65655,
  S: 0o34216, T: 0o72222, U: 0o55557, V: 0o55552, W: 0o55775, X: 0o55255, Y: 0o55222, Z: 0o71247,
  '0': 0o75557, '1': 0o26227, '2': 0o61247, '3': 0o61216, '4': 0o55711, '5': 0o74616, '6': 0o34757,
  '7': 0o71222, '8': 0o75757, '9': 0o75716, '^': 0o25000, '-': 0o00700, '.': 0o00002, ':': 0o02020, '/': 0o11244,
};
const GLYPH_W = 3;
const GLYPH_H = 5;

export interface TextBox {
  readonly lines: readonly string[];
  readonly x: number;
  readonly y: number;
  readonly scale: number;
}

/** The rectangle a text box covers, for tests that check burned-in text was hidden. */
export function textBoxRegion(box: TextBox): { x: number; y: number; width: number; height: number } {
  const longest = Math.max(...box.lines.map((l) => l.length));
  return {
    x: box.x,
    y: box.y,
    width: (longest * (GLYPH_W + 1) - 1) * box.scale,
    height: (box.lines.length * (GLYPH_H + 2) - 2) * box.scale,
  };
}

/**
 * An ultrasound-like RGB frame: a grey sector on black with the text burned in white, as scanners print the
 * patient's name into the image.
 */
export function ultrasoundFrame(rows: number, cols: number, frame: number, text: TextBox): Uint8Array {
  const out = new Uint8Array(rows * cols * 3);
  const apexX = cols / 2;
  const apexY = rows / 8;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const dx = x - apexX;
      const dy = y - apexY;
      const inSector = dy > 0 && Math.abs(dx) < dy * 0.8 && dx * dx + dy * dy < (rows * 0.8) ** 2;
      const v = inSector ? 0x80 + ((x * 5 + y * 11 + frame * 9) % 0x70) : 0;
      out.fill(v, (y * cols + x) * 3, (y * cols + x) * 3 + 3);
    }
  }
  // Accents are drawn as their base letters: the font only has A-Z.
  text.lines.forEach((line, row) => {
    [
      ...line
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .toUpperCase(),
    ].forEach((ch, col) => {
      const glyph = GLYPHS[ch] ?? 0;
      for (let gy = 0; gy < GLYPH_H; gy++) {
        for (let gx = 0; gx < GLYPH_W; gx++) {
          if (!((glyph >> ((GLYPH_H - 1 - gy) * 3 + (GLYPH_W - 1 - gx))) & 1)) continue;
          const px = text.x + (col * (GLYPH_W + 1) + gx) * text.scale;
          const py = text.y + (row * (GLYPH_H + 2) + gy) * text.scale;
          for (let sy = 0; sy < text.scale; sy++) {
            const start = ((py + sy) * cols + px) * 3;
            out.fill(0xff, start, start + text.scale * 3);
          }
        }
      }
    });
  });
  return out;
}
