import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { topLevelText } from '../shared/dicom/header.js';
import type { ParsedDicom } from '../shared/dicom/model.js';
import { tagOf } from '../shared/dicom/tag.js';
import { datasetCharset } from '../shared/dicom/walk.js';
import type { BurnedInRisk, Emit, FileRow, FileStatus } from '../shared/ipc/contract.js';
import type { BurnedIn } from '../shared/scan/burned-in.js';
import { scanParsed } from '../shared/scan/scan.js';
import { UnreadableFile, withParsedFile } from './app-read.js';
import { SKIP_REASONS, walkInputs } from './inputs.js';

export interface LibraryFile {
  readonly id: number;
  readonly path: string;
  readonly row: FileRow;
}

/** Files read at once: their opening overlaps the parsing of others, as in the CLI's scan. */
const CONCURRENCY = 8;
/** Rows go to the window in batches: often enough to look live, rarely enough not to flood IPC. */
const FLUSH_MS = 120;
const FLUSH_ROWS = 500;

const TAG = {
  patientName: tagOf(0x0010, 0x0010),
  patientId: tagOf(0x0010, 0x0020),
  studyUid: tagOf(0x0020, 0x000d),
  studyDescription: tagOf(0x0008, 0x1030),
  studyDate: tagOf(0x0008, 0x0020),
  seriesDate: tagOf(0x0008, 0x0021),
  seriesUid: tagOf(0x0020, 0x000e),
  seriesNumber: tagOf(0x0020, 0x0011),
  seriesDescription: tagOf(0x0008, 0x103e),
  sopInstanceUid: tagOf(0x0008, 0x0018),
};

/** The scanner's burned-in text risk in the window's words (the list's badge and the inspector's banner). */
export const BURNED_IN: Readonly<Record<BurnedIn['risk'], BurnedInRisk>> = {
  yes: 'likely',
  possible: 'possible',
  unlikely: 'none',
};
const OTHER_FILES = 'Files that are not DICOM or cannot be read';

function rowFromParsed(id: number, path: string, parsed: ParsedDicom): FileRow {
  const charset = datasetCharset(parsed.source, parsed.dataset, undefined);
  const text = (tag: number): string => topLevelText(parsed, tag, charset);
  const scan = scanParsed(parsed);
  const name = text(TAG.patientName).replace(/\^+/g, ' ').trim();
  const patientId = text(TAG.patientId);
  const seriesNumber = text(TAG.seriesNumber);
  const instanceUid = text(TAG.sopInstanceUid);
  return {
    id,
    name: basename(path),
    patient: `${name || 'No name'}${patientId ? ` · ID ${patientId}` : ''}`,
    study: text(TAG.studyDescription) || 'Study without description',
    studyKey: text(TAG.studyUid) || dirname(path),
    series: [seriesNumber ? `Series ${seriesNumber}` : 'Series', text(TAG.seriesDescription), scan.modality]
      .filter(Boolean)
      .join(' · '),
    seriesKey: text(TAG.seriesUid) || dirname(path),
    date: text(TAG.studyDate) || text(TAG.seriesDate),
    modality: scan.modality ?? '',
    phiCount: scan.findings.filter((finding) => finding.present).length,
    burnedIn: BURNED_IN[scan.burnedIn.risk],
    status: 'scanned',
    // Only equality matters to the window, so it gets a digest rather than the UID itself.
    ...(instanceUid
      ? { instanceKey: createHash('sha256').update(instanceUid).digest('base64url').slice(0, 22) }
      : {}),
  };
}

function otherRow(id: number, path: string, status: FileStatus, reason?: string): FileRow {
  return {
    id,
    name: basename(path),
    patient: OTHER_FILES,
    study: '',
    studyKey: '',
    series: '',
    seriesKey: '',
    date: '',
    modality: '',
    phiCount: null,
    burnedIn: 'none',
    status,
    ...(reason ? { reason } : {}),
  };
}

/** One file read into its list row; a file that cannot be read becomes a row that says why. */
export async function readRow(id: number, path: string): Promise<FileRow> {
  try {
    return await withParsedFile(path, (parsed) => rowFromParsed(id, path, parsed));
  } catch (error) {
    const failure =
      error instanceof UnreadableFile ? error : new UnreadableFile(false, 'the file could not be read');
    return otherRow(id, path, failure.notDicom ? 'not-dicom' : 'unreadable', failure.message);
  }
}

/**
 * The files the user has put in the app: found by walking what they dropped or opened, then read in the
 * background, each row sent to the window as soon as it is known.
 */
export class Library {
  private readonly files = new Map<number, LibraryFile>();
  private readonly idsByPath = new Map<string, number>();
  private readonly inputFolders = new Set<string>();
  private nextId = 1;
  // Bumped by clear(), so walks and reads still going for the old list drop their results.
  private generation = 0;
  private walking = 0;
  private pending: FileRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private found = 0;
  private scanned = 0;

  /** `read`: how a file becomes its row (the app's reading worker; in this thread by default). */
  constructor(private readonly read: typeof readRow = readRow) {}

  get(id: number): LibraryFile | undefined {
    return this.files.get(id);
  }

  all(): LibraryFile[] {
    return [...this.files.values()];
  }

  /** The folders the inputs live in: dropped folders, and the folder of each dropped file. */
  folders(): string[] {
    return [...this.inputFolders];
  }

  get scanning(): boolean {
    return this.walking > 0;
  }

  clear(emit: Emit) {
    this.generation++;
    this.files.clear();
    this.idsByPath.clear();
    this.inputFolders.clear();
    this.pending = [];
    this.found = 0;
    this.scanned = 0;
    this.walking = 0;
    emit('files:scan', { scanning: false, found: 0, scanned: 0 });
  }

  /** Takes files out of the list (a file still being read is dropped when its row arrives). */
  remove(ids: readonly number[], emit: Emit): number {
    const removed: number[] = [];
    for (const id of ids) {
      const file = this.files.get(id);
      if (!file) continue;
      this.files.delete(id);
      this.idsByPath.delete(file.path);
      this.found--;
      if (file.row.status !== 'waiting') this.scanned--;
      removed.push(id);
    }
    if (removed.length > 0) {
      this.pending = this.pending.filter((row) => this.files.has(row.id));
      emit('files:removed', { ids: removed });
      emit('files:scan', this.status());
    }
    return removed.length;
  }

  /** Starts reading `paths` in the background; resolves once they are accepted, not when they are read. */
  async add(paths: readonly string[], emit: Emit): Promise<number> {
    const generation = this.generation;
    for (const path of paths) {
      try {
        const info = await stat(path);
        this.inputFolders.add(await realpath(info.isDirectory() ? path : dirname(path)));
      } catch {
        // Missing paths are reported as rows by the walk below.
      }
    }
    this.walking++;
    emit('files:scan', this.status());
    void this.walk(paths, generation, emit).finally(() => {
      if (generation !== this.generation) return;
      this.walking--;
      this.flush(emit);
    });
    return paths.length;
  }

  /** Records the outcome of a run for one input and shows it in the list. */
  setOutcome(path: string, status: FileStatus, reason: string | undefined, emit: Emit) {
    const id = this.idsByPath.get(path);
    const file = id === undefined ? undefined : this.files.get(id);
    if (!file) return;
    const { reason: _previous, ...row } = file.row;
    this.update({ ...file, row: { ...row, status, ...(reason ? { reason } : {}) } }, emit);
  }

  /** Records what the pixel check found for one input and shows it in the list (its filters). */
  setPixels(id: number, pixels: NonNullable<FileRow['pixels']>, emit: Emit) {
    const file = this.files.get(id);
    if (file) this.update({ ...file, row: { ...file.row, pixels } }, emit);
  }

  private status() {
    return { scanning: this.scanning, found: this.found, scanned: this.scanned };
  }

  private async walk(paths: readonly string[], generation: number, emit: Emit) {
    const reading = new Set<Promise<void>>();
    for await (const entry of walkInputs(paths)) {
      if (generation !== this.generation) return;
      if (entry.kind === 'skipped' && entry.reason === 'already-listed') continue;
      if (this.idsByPath.has(entry.path)) continue;
      const id = this.nextId++;
      this.idsByPath.set(entry.path, id);
      this.found++;
      if (entry.kind === 'skipped') {
        this.scanned++;
        this.update(
          { id, path: entry.path, row: otherRow(id, entry.path, 'unreadable', SKIP_REASONS[entry.reason]) },
          emit,
        );
        continue;
      }
      this.update({ id, path: entry.path, row: otherRow(id, entry.path, 'waiting') }, emit);
      const read = this.readOne(id, entry.path, generation, emit).finally(() => reading.delete(read));
      reading.add(read);
      if (reading.size >= CONCURRENCY) await Promise.race(reading);
    }
    await Promise.all(reading);
  }

  private async readOne(id: number, path: string, generation: number, emit: Emit) {
    let row: FileRow;
    try {
      row = await this.read(id, path);
    } catch {
      // The reading worker stopped (the list was cleared, or it crashed): the row says so.
      row = otherRow(id, path, 'unreadable', 'the file could not be read');
    }
    if (generation !== this.generation || !this.files.has(id)) return;
    this.scanned++;
    this.update({ id, path, row }, emit);
  }

  private update(file: LibraryFile, emit: Emit) {
    this.files.set(file.id, file);
    this.pending.push(file.row);
    if (this.pending.length >= FLUSH_ROWS) this.flush(emit);
    else this.timer ??= setTimeout(() => this.flush(emit), FLUSH_MS);
  }

  private flush(emit: Emit) {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length > 0) emit('files:rows', { rows: this.pending });
    this.pending = [];
    emit('files:scan', this.status());
  }
}
