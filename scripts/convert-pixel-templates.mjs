#!/usr/bin/env node
// Converts the public device templates in shared/pixels/source/ (pydicom-deid filter recipes, copied with
// their provenance from the team's reference folder) into shared/pixels/templates.generated.ts, and lists
// every entry it could not convert faithfully, with why, in shared/pixels/source/build-report.txt.
// `--from <dir>` first refreshes the copies (e.g. ../shared/reference/pixel-templates).
//
// Reading of the recipe format: a LABEL starts an entry; each condition line is `[+] test Field [value]`,
// possibly `a || b` inside the line; lines are joined by "and". pydicom-deid folds a line's "||" left to
// right together with the lines before it; we read each line as its own group ((A and B) and (C or D)),
// which is what the authors wrote and never matches more files than the fold. Every "or" becomes one
// rule per alternative. `contains` is a case-insensitive search whose `|` separates alternatives; values
// holding other regular-expression syntax are not converted.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'shared/pixels/source');
const RECIPES = [
  'pydicom-deid.deid.dicom',
  'pydicom-deid.deid.dicom.ultrasound',
  'pydicom-deid.deid.dicom.xray.chest',
];

const fromIdx = process.argv.indexOf('--from');
if (fromIdx > 0) {
  const from = process.argv[fromIdx + 1];
  for (const f of [...RECIPES, 'SOURCES.md']) copyFileSync(join(from, f), join(sourceDir, f));
}

const dictionary = JSON.parse(
  readFileSync(join(root, 'shared/standard/source/ps36-dictionary-2026b.json'), 'utf8'),
);
const KEYWORDS = new Set(dictionary.entries.map((e) => e.keyword));
const TESTS = new Set(['contains', 'equals', 'missing', 'empty', 'present']);
const REGEX_SYNTAX = /[\\^$.*+?()[\]{}]/;

/** One recipe file → entries { file, section, label, lines: string[], coordinates: string[] }. */
function entriesOf(file) {
  const text = readFileSync(join(sourceDir, file), 'utf8');
  const entries = [];
  let section = '';
  let entry;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed === 'FORMAT dicom') continue;
    if (trimmed.startsWith('%')) {
      section = trimmed.startsWith('%filter') ? trimmed.split(/\s+/)[1] : '';
      entry = undefined;
      continue;
    }
    if (!section) continue;
    if (trimmed.startsWith('LABEL ')) {
      const label = trimmed
        .slice(6)
        .replace(/\s*#.*$/, '')
        .trim();
      entry = { file, section, label, lines: [], coordinates: [] };
      entries.push(entry);
      continue;
    }
    if (!entry) continue;
    if (/^(keep|ctp)?coordinates\s/.test(trimmed)) entry.coordinates.push(trimmed);
    else entry.lines.push(trimmed);
  }
  return entries;
}

class Skip extends Error {}

function atom(text) {
  const m = /^(\S+)\s+(\S+)(?:\s+(.*))?$/.exec(text.trim());
  if (!m) throw new Skip(`cannot read the condition "${text.trim()}"`);
  const [, test, field, value = ''] = m;
  if (!TESTS.has(test)) throw new Skip(`the test "${test}" cannot be expressed`);
  if (!KEYWORDS.has(field)) throw new Skip(`"${field}" is not a DICOM keyword, so the condition never holds`);
  if (test === 'equals' && (field === 'Rows' || field === 'Columns')) {
    if (!/^\d+$/.test(value))
      throw new Skip(`${field} is compared with "${value}", not a number, so the condition never holds`);
    return { [field === 'Rows' ? 'rows' : 'columns']: Number(value) };
  }
  if (test === 'contains' || test === 'equals') {
    // In a search, "x+" at the very end finds exactly what "x" finds (SOMATOM Definition AS+).
    const literal = value.replace(/([^\\^$.*+?()[\]{}|])\+$/, '$1');
    if (REGEX_SYNTAX.test(literal)) throw new Skip(`the value for ${field} uses regular-expression syntax`);
    if (value === '') throw new Skip(`the ${test} test on ${field} has no value`);
    const values = test === 'contains' ? literal.split('|') : [value];
    return { condition: { keyword: field, test, values } };
  }
  return { condition: { keyword: field, test } };
}

/** Condition lines → alternatives, each a list of atoms that must all hold. */
function alternatives(lines) {
  let result = [[]];
  for (const line of lines) {
    if (line.startsWith('||')) throw new Skip('a line starts with "||", which has no unambiguous grouping');
    const body = line.replace(/^\+\s*/, '');
    const options = body.split('||').map(atom);
    result = result.flatMap((conj) => options.map((o) => [...conj, o]));
  }
  return result;
}

function regionsOf(coordinates) {
  const regions = [];
  let outsideUltrasoundRegions = false;
  for (const c of coordinates) {
    const [kind, ...rest] = c.split(/\s+/);
    const value = rest.join('');
    if (kind === 'keepcoordinates') {
      if (value !== 'from:SequenceOfUltrasoundRegions')
        throw new Skip(`keepcoordinates ${value} cannot be expressed`);
      outsideUltrasoundRegions = true;
      continue;
    }
    if (value === 'all') {
      regions.push({ x: 0, y: 0, width: 65535, height: 65535 });
      continue;
    }
    const n = value.split(',').map(Number);
    if (n.length !== 4 || n.some((v) => !Number.isInteger(v) || v < 0)) throw new Skip(`cannot read "${c}"`);
    const rect =
      kind === 'ctpcoordinates'
        ? { x: n[0], y: n[1], width: n[2], height: n[3] }
        : { x: n[0], y: n[1], width: n[2] - n[0], height: n[3] - n[1] };
    if (rect.width <= 0 || rect.height <= 0) throw new Skip(`"${c}" is an empty rectangle`);
    regions.push(rect);
  }
  return { regions, outsideUltrasoundRegions };
}

function toMatch(atoms) {
  const match = {};
  const conditions = [];
  for (const a of atoms) {
    if (a.condition) conditions.push(a.condition);
    else
      for (const [k, v] of Object.entries(a)) {
        if (match[k] !== undefined && match[k] !== v) return undefined; // Rows 512 and Rows 1024: never holds
        match[k] = v;
      }
  }
  if (conditions.length > 0) match.conditions = conditions;
  return match;
}

const templates = [];
const report = [];
const seen = new Set();
for (const file of RECIPES) {
  for (const entry of entriesOf(file)) {
    const name = `${file}: ${entry.section} "${entry.label}"`;
    if (entry.section !== 'graylist') {
      report.push(`not converted  ${name}: ${entry.section} entries name no regions to clean`);
      continue;
    }
    try {
      if (entry.coordinates.length === 0) throw new Skip('flags only, it names no regions to clean');
      if (entry.lines.length === 0) throw new Skip('no condition: it would black out every image');
      const { regions, outsideUltrasoundRegions } = regionsOf(entry.coordinates);
      let made = 0;
      for (const atoms of alternatives(entry.lines)) {
        const match = toMatch(atoms);
        if (!match) continue;
        const rule = {
          label: `pydicom-deid ${file.replace(/^pydicom-deid\./, '')}: ${entry.label}`,
          match,
          regions,
          ...(outsideUltrasoundRegions ? { outsideUltrasoundRegions } : {}),
        };
        const key = JSON.stringify([match, regions, outsideUltrasoundRegions]);
        if (seen.has(key)) continue;
        seen.add(key);
        templates.push(rule);
        made++;
      }
      report.push(`converted      ${name}: ${made} rule${made === 1 ? '' : 's'}`);
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      report.push(`not converted  ${name}: ${e.message}`);
    }
  }
}

const sources = readFileSync(join(sourceDir, 'SOURCES.md'), 'utf8');
const commit = /commit ([0-9a-f]{40})/.exec(sources)?.[1] ?? 'unknown';
writeFileSync(
  join(root, 'shared/pixels/templates.generated.ts'),
  `// GENERATED by scripts/convert-pixel-templates.mjs from shared/pixels/source/ (pydicom/deid ${commit}, MIT,\n` +
    '// Copyright (c) 2016-2022 Vanessa Sochat; many entries ported there from CTP DicomPixelAnonymizer).\n' +
    '// Do not edit: change the source recipes and regenerate. What was not converted, and why: source/build-report.txt.\n' +
    "import type { RegionRule } from './regions.js';\n\n" +
    `export const PIXEL_TEMPLATES: readonly RegionRule[] = ${JSON.stringify(templates, null, 1)};\n`,
);
writeFileSync(
  join(sourceDir, 'build-report.txt'),
  `scripts/convert-pixel-templates.mjs: ${templates.length} rules from ${report.filter((l) => l.startsWith('converted')).length} entries\n\n${report.join('\n')}\n`,
);
console.log(`${templates.length} template rules; report in shared/pixels/source/build-report.txt`);
