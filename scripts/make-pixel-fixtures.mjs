#!/usr/bin/env node
// Renders the text the pixel tests burn into synthetic images: a name as an ultrasound screen shows it,
// in DejaVu Sans through ImageMagick, into test/fixtures/pixels/ (committed; rerun to regenerate).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const out = join(dirname(fileURLToPath(import.meta.url)), '../test/fixtures/pixels');
mkdirSync(out, { recursive: true });
// 64×24 pixels, white glyphs on black, 8-bit PGM: the tests place it inside a 64×24 region.
execFileSync('convert', [
  '-size',
  '64x24',
  'xc:black',
  '-font',
  'DejaVu-Sans',
  '-pointsize',
  '15',
  '-fill',
  'white',
  '-annotate',
  '+1+17',
  'DOE^JANE',
  '-depth',
  '8',
  `pgm:${join(out, 'doe-jane-64x24.pgm')}`,
]);
console.log('test/fixtures/pixels/doe-jane-64x24.pgm');
