/** Test inputs made from the committed samples: an XSS name, a corrupt file, a large batch, the samples. */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asciiBytes } from '../shared/dicom/encode.js';
import { parseDicom } from '../shared/dicom/parse.js';
import { MemorySource } from '../shared/dicom/source.js';
import { tagOf } from '../shared/dicom/tag.js';
import { concatChunks, writeDicom } from '../shared/dicom/write.js';
import { ROOT } from './harness.js';

export const SAMPLES = join(ROOT, 'assets/samples');
export const CT_SAMPLE = join(SAMPLES, 'patient-001/ct/series-01/0001.dcm');

interface PhiFile {
  readonly strings: readonly string[];
  readonly studies: ReadonlyArray<{ readonly files: readonly string[] }>;
}
const phi = JSON.parse(readFileSync(join(SAMPLES, 'phi.json'), 'utf8')) as PhiFile;
/** Every fake identifying value planted in the samples. */
export const SAMPLE_PHI: readonly string[] = phi.strings;
/** How many DICOM files the samples hold. */
export const SAMPLE_FILES = phi.studies.reduce((n, study) => n + study.files.length, 0);

/** Markup that must show as text: React escapes it, and nothing may run it. */
export const XSS_NAME = '<img src=x onerror="window.__xss=1">^<script>window.__xss=2</script>';
export const XSS_PATIENT_ID = 'XSS<b>ID</b>';

export function copySamples(folder: string) {
  cpSync(SAMPLES, folder, {
    recursive: true,
    filter: (path) => !path.endsWith('.json') && !path.endsWith('.md'),
  });
}

/** The CT sample with new values for some of its attributes: [group, element, VR, text]. */
export function writeEditedCt(
  path: string,
  values: ReadonlyArray<readonly [number, number, string, string]>,
) {
  const parsed = parseDicom(new MemorySource(new Uint8Array(readFileSync(CT_SAMPLE))));
  const element = (tag: number) => parsed.dataset.elements.find((e) => e.tag === tag)!;
  const edits = new Map(
    values.map(([group, number, vr, text]) => [
      element(tagOf(group, number)).start,
      { kind: 'value' as const, vr, value: asciiBytes(text) },
    ]),
  );
  writeFileSync(path, concatChunks(writeDicom(parsed, { elements: edits })));
}

/** The CT sample with markup for Patient's Name and ID. */
export function writeXssFile(path: string) {
  writeEditedCt(path, [
    [0x0010, 0x0010, 'PN', XSS_NAME],
    [0x0010, 0x0020, 'LO', XSS_PATIENT_ID],
  ]);
}

/** A CT file cut off inside its pixel data: the header reads, the file cannot be processed. */
export function writeCorruptFile(path: string) {
  const bytes = readFileSync(CT_SAMPLE);
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
}

/** `count` copies of the CT sample, each its own instance (same-length SOP Instance UIDs). */
export function writeCopies(folder: string, count: number) {
  mkdirSync(folder, { recursive: true });
  const bytes = readFileSync(CT_SAMPLE);
  const parsed = parseDicom(new MemorySource(new Uint8Array(bytes)));
  const sop = parsed.dataset.elements.find((e) => e.tag === tagOf(0x0008, 0x0018))!;
  const uid = Buffer.from(bytes.subarray(sop.valueStart, sop.valueStart + sop.length))
    .toString('latin1')
    .replace(/\0+$/, '');
  for (let i = 0; i < count; i++) {
    const suffix = String(i).padStart(6, '0');
    const copy = Buffer.from(
      bytes
        .toString('latin1')
        .split(uid)
        .join(`${uid.slice(0, -6)}${suffix}`),
      'latin1',
    );
    writeFileSync(join(folder, `copy-${suffix}.dcm`), copy);
  }
}
