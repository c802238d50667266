#!/usr/bin/env node
// Builds the synthetic burned-in text set: screens with a made-up patient's name, IDs and dates written in
// many forms beside technical annotations, rendered by ImageMagick with DejaVu fonts (fonts-dejavu-core),
// with an answer key (key.json) giving every text's box, class (identity / technical) and frames, and the
// identifiers the file's header would hold. The same seed gives the same set.
//
//   node scripts/ocr-set.mjs --out DIR [--count N] [--seed S]
//
// Frames are written as binary PGM (gray) or PPM (RGB), one file per frame: NNN-F.pgm / NNN-F.ppm.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const FONT_DIR = '/usr/share/fonts/truetype/dejavu';
const FONTS = ['DejaVuSans.ttf', 'DejaVuSansMono.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansCondensed.ttf'];

const FIRST = ['Priya', 'Jane', 'Mohammed', 'Olga', 'Kwame', 'Hiroshi', 'Maria', 'Liam', 'Fatima', 'Chen'];
const LAST = ['Desai', 'Doe', 'Okafor', 'Kowalski', 'Smith-Jones', "O'Brien", 'Nakamura', 'Li', 'Haddad'];
const STAFF = ['Garcia', 'Muller', 'Johansson', 'Rossi', 'Nguyen', 'Brennan', 'Petrov', 'Adeyemi'];
const PLACES = ['Riverside Medical Center', "St Mary's Hospital", 'Northgate Clinic', 'Lakeview Imaging'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Mulberry32: small, fast, and the same sequence on every machine. */
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo, hi) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = (list) => list[Math.floor(next() * list.length)];
  return { next, int, pick };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

function datesFor(r, y, m, d) {
  const mon = MONTHS[m - 1];
  return [
    `${pad(d)}/${pad(m)}/${y}`,
    `${pad(m)}/${pad(d)}/${y}`,
    `${pad(d)}-${mon}-${y}`,
    `${y}-${pad(m)}-${pad(d)}`,
    `${pad(d)}.${pad(m)}.${String(y).slice(2)}`,
    `${y}${pad(m)}${pad(d)}`,
    `${d} ${mon} ${y}`,
    `${mon} ${d}, ${y}`,
  ][r.int(0, 7)];
}

function patient(r) {
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  const middle = String.fromCharCode(65 + r.int(0, 25));
  const birth = [r.int(1935, 2015), r.int(1, 12), r.int(1, 28)];
  const study = [r.int(2015, 2026), r.int(1, 12), r.int(1, 28)];
  const id = [
    `MRN${r.int(1000000, 9999999)}`,
    String(r.int(10000000, 99999999)),
    `AB-${r.int(100000, 999999)}`,
  ][r.int(0, 2)];
  const accession = `${study[0]}${pad(study[1])}${pad(study[2])}-${pad(r.int(1, 999), 4)}`;
  const staff = r.pick(STAFF);
  const place = r.pick(PLACES);
  return { first, last, middle, birth, study, id, accession, staff, place };
}

/** The identifying lines a screen may show, each in one of the ways devices and people write them. */
function identityTexts(r, p) {
  const up = (s) => s.toUpperCase();
  const name = [
    `${up(p.last)}, ${up(p.first)} ${p.middle}`,
    `${p.first} ${p.last}`,
    `${p.first[0]}. ${up(p.last)}`,
    `${up(p.last)}^${up(p.first)}^${p.middle}`,
    `Name: ${p.first} ${p.last}`,
    `Pt: ${up(p.last)} ${up(p.first)}`,
  ][r.int(0, 5)];
  const id = [`ID: ${p.id}`, `MRN ${p.id}`, p.id, `Patient ID: ${p.id}`][r.int(0, 3)];
  const dob = [`DOB: ${datesFor(r, ...p.birth)}`, datesFor(r, ...p.birth), `Born ${datesFor(r, ...p.birth)}`][
    r.int(0, 2)
  ];
  const time = `${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}`;
  const study = [`${datesFor(r, ...p.study)} ${time}`, datesFor(r, ...p.study), time][r.int(0, 2)];
  const optional = [
    p.place,
    `Sonographer: ${p.first[0]}. ${p.staff}`,
    `Ref: Dr ${p.staff}`,
    `Acc: ${p.accession}`,
    `Operator: ${p.staff}`,
  ];
  const extra = [];
  for (const t of optional) if (r.next() < 0.35) extra.push(t);
  return [name, id, dob, study, ...extra];
}

const TECHNICAL = {
  US: [
    (r) => `C5-1 ${r.pick(['2.5', '3.5', '4.0', '5.0'])}MHz`,
    (r) => `L12-5 ${r.int(5, 12)}.0MHz`,
    (r) => `FR ${r.int(8, 60)}Hz`,
    (r) => `Depth ${r.int(4, 24)} cm`,
    (r) => `Gain ${r.int(20, 90)}`,
    (r) => `DR ${r.int(40, 90)}`,
    (r) => `MI ${r.int(1, 14) / 10} TIS ${r.int(1, 9) / 10}`,
    (r) => `TIB ${r.int(1, 9) / 10}`,
    (r) => `L ${r.int(1, 9)}.${pad(r.int(0, 99))} cm`,
    (r) => `Vol ${r.int(2, 90)} ml`,
    (r) => `D ${r.int(1, 9)}.${pad(r.int(0, 99))} cm`,
    () => 'ABD GEN',
    () => 'Liver',
    () => 'Kidney Long',
    (r) => `PRF ${r.int(1, 9)}.${r.int(0, 9)}kHz`,
    (r) => `Pwr ${r.int(50, 100)}`,
  ],
  CT: [
    (r) => `kV ${[80, 100, 120, 140][r.int(0, 3)]}`,
    (r) => `mA ${r.int(50, 400)}`,
    (r) => `W ${r.int(50, 2000)} L ${r.int(-600, 400)}`,
    (r) => `Thk ${r.int(1, 10)}.0 mm`,
    () => 'SCOUT',
    (r) => `Tilt ${r.int(0, 20)}.0`,
    (r) => `FOV ${r.int(20, 50)} cm`,
  ],
  XA: [
    (r) => `LAO ${r.int(0, 45)} CRA ${r.int(0, 30)}`,
    (r) => `Fr ${r.int(3, 30)}/s`,
    (r) => `Mag ${r.int(10, 20) / 10}`,
    () => 'FLUORO',
  ],
};

const DARK_BG = ['black', 'gray6', '#101828'];
const BRIGHT = ['white', 'yellow', '#40ff40', 'cyan', 'gray85'];
const LIGHT_BG = ['white', 'gray92', '#f4f0e0'];
const DARK_FG = ['black', 'navy', 'gray20'];

/**
 * Sizes of rendered labels, one convert run for all of an image's texts: the label's size (for placing it)
 * and where its ink lies inside it (the answer key's box: what must be covered to hide the text).
 */
function measure(items) {
  if (items.length === 0) return;
  const args = [];
  for (const it of items) args.push('-font', it.font, '-pointsize', String(it.size), `label:${it.text}`);
  const out = execFileSync('convert', [...args, '-trim', '-format', '%W %H %X %Y %w %h\n', 'info:'], {
    encoding: 'utf8',
  });
  const sizes = out.trim().split('\n');
  items.forEach((it, i) => {
    const [w, h, dx, dy, inkW, inkH] = sizes[i].split(' ').map(Number);
    it.box = { x: 0, y: 0, width: w, height: h };
    it.ink = { dx, dy, width: inkW, height: inkH };
  });
}

/** Stacks texts down the left and right edges from the top and up from the bottom, never overlapping. */
function layout(items, width, height, r) {
  const columns = [
    { x: 8, y: 6, down: true },
    { right: true, y: 6, down: true },
    { x: 8, y: height - 6, down: false },
    { right: true, y: height - 6, down: false },
  ];
  const placed = [];
  for (const it of items) {
    for (let tries = 0; tries < 8; tries++) {
      const c = columns[r.int(0, 3)];
      const x = c.right ? width - 8 - it.box.width : c.x;
      const y = c.down ? c.y : c.y - it.box.height;
      if (x < 0 || y < 0 || y + it.box.height > height) continue;
      // The top and bottom stacks of one side must not meet.
      const box = { x, y, width: it.box.width, height: it.box.height };
      if (placed.some((b) => overlaps(b, box, 2))) continue;
      it.box = box;
      placed.push(box);
      if (c.down) c.y += it.box.height + r.int(4, 12);
      else c.y -= it.box.height + r.int(4, 12);
      break;
    }
    if (!placed.includes(it.box)) it.box = undefined;
  }
  return items.filter((it) => it.box);
}

const overlaps = (a, b, gap) =>
  a.x < b.x + b.width + gap &&
  b.x < a.x + a.width + gap &&
  a.y < b.y + b.height + gap &&
  b.y < a.y + a.height + gap;

function render(base, items, file, gray) {
  const args = [...base];
  for (const it of items) {
    args.push('(', '-background', 'none', '-fill', it.color, '-font', it.font, '-pointsize', String(it.size));
    args.push(`label:${it.text}`, ')', '-geometry', `+${it.box.x}+${it.box.y}`, '-composite');
  }
  if (gray) args.push('-colorspace', 'Gray');
  args.push('-depth', '8', file);
  execFileSync('convert', args);
}

function scene(r, index, out) {
  const modality = r.pick(['US', 'US', 'CT', 'XA']);
  const [width, height] = modality === 'US' ? [640, 480] : modality === 'CT' ? [512, 512] : [512, 512];
  const kind = r.pick(['gray8', 'rgb8', 'gray16', 'rgb8']);
  const control = index % 12 === 11;
  const multiFrame = !control && index % 6 === 2;
  const frames = multiFrame ? 4 : 1;
  const light = !control && r.next() < 0.2;
  const bg = light ? r.pick(LIGHT_BG) : r.pick(DARK_BG);
  const p = patient(r);
  const item = (text, cls) => ({
    text,
    cls,
    size: r.int(10, 26),
    font: join(FONT_DIR, r.pick(FONTS)),
    color: kind.startsWith('gray') ? (light ? 'black' : 'white') : light ? r.pick(DARK_FG) : r.pick(BRIGHT),
  });
  let items = [];
  if (!control) {
    for (const t of identityTexts(r, p)) items.push(item(t, 'identity'));
    const tech = TECHNICAL[modality];
    for (let i = r.int(2, 5); i > 0; i--) items.push(item(r.pick(tech)(r), 'technical'));
    items.sort(() => r.next() - 0.5);
  }
  // A changing timer on every frame of a cine, and one identity text on one frame only.
  const perFrame = [];
  if (multiFrame) {
    const first = item(`${pad(r.int(0, 9))}:03`, 'identity');
    for (let f = 0; f < frames; f++)
      perFrame.push({ ...first, text: `${first.text.slice(0, 3)}${pad(f * 7 + 3)}` });
    perFrame.push({ ...item(`${p.first} ${p.last}`, 'identity'), onlyFrame: r.int(1, frames - 1) });
  }
  measure([...items, ...perFrame]);
  items = layout([...items, ...perFrame.slice(0, 1), ...perFrame.slice(frames)], width, height, r);
  const timer = items.find((it) => it === perFrame[0]);
  const once = items.find((it) => it === perFrame[frames]);
  for (const it of perFrame.slice(1, frames)) if (timer) it.box = timer.box;
  const staticItems = items.filter((it) => it !== timer && it !== once);

  // The image area: an ultrasound sector or a round body with speckle, so OCR also sees texture.
  const cx = Math.round(width / 2);
  const cy = Math.round(height / 2);
  const gray = kind.startsWith('gray');
  const ext = gray ? 'pgm' : 'ppm';
  const key = { id: pad(index, 3), modality, kind, width, height, frames: [], control, items: [] };
  for (let f = 0; f < frames; f++) {
    const base = ['-size', `${width}x${height}`, `xc:${bg}`];
    if (!light) {
      const rx = Math.round(width * 0.28) + f * 3;
      base.push('-fill', 'gray35', '-draw', `ellipse ${cx},${cy} ${rx},${Math.round(height * 0.3)} 0,360`);
      base.push('-seed', String(index * 10 + f), '-attenuate', '0.6', '+noise', 'Gaussian');
    }
    const shown = [...staticItems];
    if (timer) shown.push(f === 0 ? timer : { ...perFrame[f], box: timer.box });
    if (once && once.onlyFrame === f) shown.push(once);
    const file = `${key.id}-${f}.${ext}`;
    render(base, shown, join(out, file), gray);
    key.frames.push(file);
  }
  const entry = (it, frameList) => ({
    text: it.text,
    cls: it.cls,
    size: it.size,
    box: { x: it.box.x + it.ink.dx, y: it.box.y + it.ink.dy, width: it.ink.width, height: it.ink.height },
    frames: frameList,
  });
  for (const it of staticItems) key.items.push(entry(it, null));
  if (timer) for (let f = 0; f < frames; f++) key.items.push(entry({ ...perFrame[f], box: timer.box }, [f]));
  if (once) key.items.push(entry(once, [once.onlyFrame]));
  key.identifiers = [
    { kind: 'name', value: `${p.last.toUpperCase()}^${p.first.toUpperCase()}^${p.middle}` },
    { kind: 'id', value: p.id },
    { kind: 'id', value: p.accession },
    { kind: 'date', value: `${p.birth[0]}${pad(p.birth[1])}${pad(p.birth[2])}` },
    { kind: 'place', value: p.place },
    { kind: 'name', value: `${p.staff.toUpperCase()}^${p.first[0]}` },
  ];
  return key;
}

export function makeOcrSet(out, count, seed) {
  mkdirSync(out, { recursive: true });
  const r = rng(seed);
  const images = [];
  for (let i = 0; i < count; i++) images.push(scene(r, i, out));
  writeFileSync(join(out, 'key.json'), `${JSON.stringify({ seed, images }, null, 1)}\n`);
  return images;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      count: { type: 'string', default: '24' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (!values.out) throw new Error('--out DIR is required');
  const images = makeOcrSet(values.out, Number(values.count), Number(values.seed));
  console.log(`${images.length} images written to ${values.out}`);
}
