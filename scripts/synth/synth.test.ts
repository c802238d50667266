import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DicomElement } from '../../shared/dicom/model.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { MemorySource } from '../../shared/dicom/source.js';
import { readText } from '../../shared/dicom/values.js';
import { writeSynthFile } from './files.js';
import {
  fileBytes,
  type Modality,
  makeCtStudy,
  makeStudy,
  type StudyOptions,
  SYNTAXES,
  type SyntaxName,
  studyFiles,
} from './study.js';

const small = (syntax: SyntaxName, seed = 7): StudyOptions => ({
  patients: 2,
  seriesPerPatient: 1,
  instancesPerSeries: 2,
  rows: 32,
  cols: 32,
  frames: 1,
  syntax,
  seed,
});

const cases: ReadonlyArray<{ modality: Modality; options: StudyOptions }> = [
  ...(Object.keys(SYNTAXES) as SyntaxName[]).map((syntax) => ({
    modality: 'CT' as const,
    options: small(syntax),
  })),
  { modality: 'MR', options: { ...small('explicit-le'), frames: 3 } },
  { modality: 'US', options: { ...small('explicit-le'), rows: 96, cols: 128 } },
  { modality: 'US', options: { ...small('explicit-le'), rows: 96, cols: 128, frames: 3 } },
];

// The files declare ISO_IR 100 where a value needs it, so text is searched for as Latin-1 bytes.
const latin1 = (text: string) => Buffer.from(text, 'latin1');
const contains = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(latin1(text));
const element = (elements: readonly DicomElement[], tag: number) => elements.find((e) => e.tag === tag);

describe.each(cases)('$modality $options.syntax, $options.frames frame(s)', ({ modality, options }) => {
  const files = [...studyFiles(modality, options)];

  it('makes one file per patient, series and instance', () => {
    expect(files).toHaveLength(options.patients * options.seriesPerPatient * options.instancesPerSeries);
    expect(new Set(files.map((f) => f.relativePath)).size).toBe(files.length);
  });

  it('parses cleanly with the declared syntax, names and nested sequences intact', () => {
    for (const file of files) {
      const bytes = fileBytes(file);
      const parsed = parseDicom(new MemorySource(bytes));
      expect(parsed.warnings).toEqual([]);
      expect(parsed.layout).toBe('part10');
      expect(parsed.transferSyntax.uid).toBe(SYNTAXES[options.syntax].uid);
      const top = parsed.dataset.elements;
      // Strictly ascending: encodeNewDataset sorts but does not reject a tag given twice.
      expect(top.every((e, k) => k === 0 || e.tag > top[k - 1]!.tag)).toBe(true);
      const charset =
        element(top, 0x00080005) && readText(parsed.source, element(top, 0x00080005)!, 'CS', undefined);
      expect(readText(parsed.source, element(top, 0x00100010)!, 'PN', charset)).toBe(file.phi.patientName);
      expect(element(top, 0x00101002)?.items).toHaveLength(1);
      expect(element(top, 0x00400275)?.items).toHaveLength(1);
      const pixels = element(top, 0x7fe00010)!;
      expect(pixels.valueStart).toBe(file.head.length);
      expect(pixels.end).toBe(bytes.length);
      // CT and MR are enhanced multi-frame objects; a US cine has no functional groups.
      if (options.frames > 1 && modality !== 'US')
        expect(element(top, 0x52009230)?.items).toHaveLength(options.frames);
      if (options.frames > 1)
        expect(readText(parsed.source, element(top, 0x00280008)!, 'IS', undefined)).toBe(
          String(options.frames),
        );
    }
  });

  it('carries every planted PHI value, in the header only', () => {
    for (const file of files) {
      const bytes = fileBytes(file);
      for (const value of Object.values(file.phi)) {
        expect(contains(bytes, value), value).toBe(true);
        // Pixel values are kept out of printable ASCII, so a match in an output is never a coincidence.
        expect(Buffer.from(bytes).lastIndexOf(latin1(value))).toBeLessThan(file.head.length);
      }
    }
  });

  it('is deterministic for a seed and differs for another', () => {
    const again = [...studyFiles(modality, options)].map((f) => Buffer.from(fileBytes(f)));
    expect(again).toEqual(files.map((f) => Buffer.from(fileBytes(f))));
    const other = [...studyFiles(modality, { ...options, seed: options.seed + 1 })].map(fileBytes);
    expect(Buffer.compare(fileBytes(files[0]!), other[0]!)).not.toBe(0);
  });
});

describe('makeCtStudy', () => {
  it('yields whole files, a Latin-1 name among them', () => {
    const files = [...makeCtStudy(small('explicit-le'))];
    expect(files.map((f) => f.phi.patientName)).toEqual([
      'DOE^JANE^M',
      'DOE^JANE^M',
      'MÜLLER^JÖRG^K',
      'MÜLLER^JÖRG^K',
    ]);
    expect(contains(files[0]!.bytes, 'Follow-up for Jane Doe')).toBe(true);
    expect(contains(files[2]!.bytes, 'ISO_IR 100')).toBe(true);
    expect(contains(files[0]!.bytes, 'ISO_IR 100')).toBe(false);
  });

  it('keeps a patient the same whatever the corpus size', () => {
    const second = [...makeCtStudy({ ...small('explicit-le'), patients: 1, firstPatient: 1 })];
    const whole = [...makeCtStudy(small('explicit-le'))].slice(2);
    expect(second.map((f) => Buffer.from(f.bytes))).toEqual(whole.map((f) => Buffer.from(f.bytes)));
  });
});

describe('ultrasound burned-in annotation', () => {
  it('is declared YES unless the options say the scanner declares NO', () => {
    const flag = (declaresBurnedIn?: boolean) => {
      const options = { ...small('explicit-le'), rows: 96, cols: 128, frames: 2 };
      const [file] = studyFiles(
        'US',
        declaresBurnedIn === undefined ? options : { ...options, declaresBurnedIn },
      );
      const parsed = parseDicom(new MemorySource(fileBytes(file!)));
      return readText(parsed.source, element(parsed.dataset.elements, 0x00280301)!, 'CS', undefined);
    };
    expect([flag(), flag(true), flag(false)]).toEqual(['YES', 'YES', 'NO']);
  });

  it('draws white text inside the region it reports', () => {
    const [file] = studyFiles('US', { ...small('explicit-le'), rows: 96, cols: 128 });
    const { region, lines } = file!.burnedIn!;
    expect(lines[0]).toBe('DOE^JANE^M');
    const [pixels] = file!.pixels();
    const white = (x: number, y: number) => pixels![(y * 128 + x) * 3] === 0xff;
    let inside = 0;
    for (let y = 0; y < 96; y++) {
      for (let x = 0; x < 128; x++) {
        const within =
          x >= region.x && x < region.x + region.width && y >= region.y && y < region.y + region.height;
        if (white(x, y)) {
          expect(within).toBe(true);
          inside++;
        }
      }
    }
    expect(inside).toBeGreaterThan(100);
  });
});

const dir = mkdtempSync(join(tmpdir(), 'synth-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeSynthFile', () => {
  it('streams the same bytes fileBytes assembles', () => {
    const [file] = studyFiles('CT', { ...small('explicit-le'), frames: 4 });
    writeSynthFile(dir, file!);
    expect(Buffer.compare(readFileSync(join(dir, file!.relativePath)), fileBytes(file!))).toBe(0);
  });
});

const hasDcmdump = spawnSync('dcmdump', ['--version']).status === 0;

const dcmdumpTitle = `dcmdump (DCMTK) reads every variant without complaint${hasDcmdump ? '' : ' (skipped: dcmdump is not installed)'}`;
describe.skipIf(!hasDcmdump)(dcmdumpTitle, () => {
  it.each(cases)('$modality $options.syntax', ({ modality, options }) => {
    for (const [i, file] of [...makeStudy(modality, options)].entries()) {
      const path = join(dir, `${modality}-${options.syntax}-${i}.dcm`);
      writeFileSync(path, file.bytes);
      const run = spawnSync('dcmdump', ['-q', path], { encoding: 'utf8' });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
    }
  });
});
