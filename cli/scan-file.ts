import { FIRST_WINDOW, type OpenInput, openInput } from '../node/file-source.js';
import { type InputEntry, SKIP_REASONS } from '../node/inputs.js';
import { isDicomError } from '../shared/dicom/errors.js';
import type { ParsedDicom } from '../shared/dicom/model.js';
import { parseDicom } from '../shared/dicom/parse.js';
import { errorText } from '../shared/errors.js';
import { type FileOutcome, jsonFileTexts } from '../shared/scan/report.js';
import { type FileScan, scanParsed } from '../shared/scan/scan.js';
import { tableBlock } from './scan-table.js';

function failure(path: string, e: unknown): FileOutcome<never> {
  const notDicom = isDicomError(e) && (e.code === 'not-dicom' || e.code === 'empty');
  return { path, status: notDicom ? 'not-dicom' : 'error', reason: errorText(e) };
}

/** Lent to every file's first read: a scan keeps only text of what it read, nothing of the bytes. */
const firstWindow = new Uint8Array(FIRST_WINDOW);

function scanEntry<S extends FileScan>(entry: InputEntry, scan: (parsed: ParsedDicom) => S): FileOutcome<S> {
  const { path } = entry;
  if (entry.kind === 'skipped') {
    const status = entry.reason === 'unreadable' || entry.reason === 'not-found' ? 'error' : 'skipped';
    return { path, status, reason: SKIP_REASONS[entry.reason] };
  }
  let input: OpenInput;
  try {
    input = openInput(entry.osPath, firstWindow);
  } catch (e) {
    return failure(path, e);
  }
  try {
    // The whole structure is parsed, not just the header: private groups and padding after Pixel Data
    // carry findings too. Pixel data itself is skipped by offset, so this reads little more.
    return { path, status: 'ok', scan: scan(parseDicom(input.source)) };
  } catch (e) {
    return failure(path, e);
  } finally {
    input.close();
  }
}

/**
 * Reads and scans one input and renders it: as a table block with values for the person at the
 * terminal, or as a JSON file object without any (the caller adds the commas), in pieces to be written one
 * after the other; with `render` false, only scans it (for the summary).
 */
export function renderEntry(
  entry: InputEntry,
  json: boolean,
  render = true,
): { outcome: FileOutcome; texts: string[] } {
  if (json) {
    const outcome = scanEntry(entry, (parsed) => scanParsed(parsed));
    return { outcome, texts: jsonFileTexts(outcome) };
  }
  // Values are decoded only for a table that shows them.
  if (!render) return { outcome: scanEntry(entry, (parsed) => scanParsed(parsed)), texts: [] };
  const outcome = scanEntry(entry, (parsed) => scanParsed(parsed, { withValues: true }));
  return { outcome, texts: [tableBlock(outcome)] };
}
