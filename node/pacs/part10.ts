import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATION_CLASS_UID } from '../../shared/anonymize/engine.js';
import { asciiBytes } from '../../shared/dicom/encode.js';
import { metaText, sopClassUID, topLevelText } from '../../shared/dicom/header.js';
import { parseDicom } from '../../shared/dicom/parse.js';
import { encodeFileMeta } from '../../shared/dicom/write.js';
import { openInput } from '../file-source.js';
import { PeerError } from './errors.js';

const SOP_INSTANCE_UID = 0x00080018;
const UID = /^[0-9]+(\.[0-9]+)*$/;

/** What C-STORE and STOW-RS send: the dataset bytes exactly as they lie in the file, and how to label them. */
export interface OutgoingInstance {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** The dataset after the file meta, in the file's transfer syntax (still deflated when it is). */
  readonly dataset: Uint8Array;
  /** The whole Part 10 file, for STOW-RS. */
  readonly file: Uint8Array;
}

/** Reads a file for sending without re-encoding anything, so the receiver gets our bytes unchanged. */
export function readOutgoing(path: string): OutgoingInstance {
  const input = openInput(path);
  try {
    const parsed = parseDicom(input.source, { stopAtPixelData: true });
    const sopClassUid = sopClassUID(parsed) ?? '';
    const sopInstanceUid =
      topLevelText(parsed, SOP_INSTANCE_UID) || metaText(parsed, 0x00020003 /* MediaStorageSOPInstanceUID */);
    if (!UID.test(sopClassUid) || !UID.test(sopInstanceUid))
      throw new PeerError('protocol', 'the file has no usable SOP Class or SOP Instance UID to send it by');
    const file = input.source.read(0, input.source.size);
    return {
      sopClassUid,
      sopInstanceUid,
      transferSyntaxUid: parsed.transferSyntax.uid,
      dataset: file.subarray(parsed.datasetStart),
      file,
    };
  } finally {
    input.close();
  }
}

// Files sent in one association or one STOW-RS request are read whole: this bounds their total size.
const BATCH_BYTES = 256 * 1024 * 1024;

/** Splits the files to send into groups bounded by count and total size (a larger file goes alone). */
export function* sendBatches(paths: readonly string[], maxFiles: number): Generator<string[]> {
  let batch: string[] = [];
  let bytes = 0;
  for (const path of paths) {
    let size = 0;
    try {
      size = statSync(path).size;
    } catch {
      // reported when it is read
    }
    if (batch.length > 0 && (batch.length >= maxFiles || bytes + size > BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(path);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/** Preamble, magic and the file meta group of a received instance. */
export function part10Head(
  sopClassUid: string,
  sopInstanceUid: string,
  transferSyntaxUid: string,
): Uint8Array {
  const head = new Uint8Array(132);
  head.set(asciiBytes('DICM'), 128);
  const meta = encodeFileMeta([
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: asciiBytes(sopClassUid) },
    { tag: 0x00020003, vr: 'UI', value: asciiBytes(sopInstanceUid) },
    { tag: 0x00020010, vr: 'UI', value: asciiBytes(transferSyntaxUid) },
    { tag: 0x00020012, vr: 'UI', value: asciiBytes(IMPLEMENTATION_CLASS_UID) },
  ]);
  const out = new Uint8Array(head.length + meta.length);
  out.set(head);
  out.set(meta, head.length);
  return out;
}

/** An instance being received: streamed to a hidden part file, renamed into place once complete. */
export interface IncomingFile {
  readonly stream: WriteStream;
  /** Waits for the bytes to reach the disk and moves the file into place; returns its path. */
  commit(): Promise<string>;
  /** Removes the part file (an aborted or refused transfer leaves nothing behind); resolves once it is gone. */
  discard(): Promise<void>;
}

/**
 * A private, owner-only folder that received instances are streamed into. Files are named by a random
 * run prefix and a counter, never by anything the peer sent: UIDs and names identify patients.
 */
export class StagingFolder {
  private next = 0;
  private readonly prefix = randomBytes(4).toString('hex');

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** A received instance whose meta group we write from the DIMSE command, then the dataset bytes. */
  begin(sopClassUid: string, sopInstanceUid: string, transferSyntaxUid: string): IncomingFile {
    if (![sopClassUid, sopInstanceUid, transferSyntaxUid].every((u) => UID.test(u)))
      throw new PeerError('protocol', 'the peer sent an instance without valid UIDs in its command');
    const incoming = this.beginFile();
    incoming.stream.write(part10Head(sopClassUid, sopInstanceUid, transferSyntaxUid));
    return incoming;
  }

  /** A received Part 10 file (DICOMweb), written as it comes. */
  beginFile(): IncomingFile {
    const name = `${this.prefix}-${String(++this.next).padStart(6, '0')}`;
    const part = join(this.dir, `.${name}.part`);
    const final = join(this.dir, `${name}.dcm`);
    const stream = createWriteStream(part, { flags: 'wx', mode: 0o600 });
    return {
      stream,
      commit: () =>
        new Promise<string>((resolve, reject) => {
          stream.once('error', reject);
          stream.end(() => {
            try {
              renameSync(part, final);
              resolve(final);
            } catch (e) {
              reject(e);
            }
          });
        }),
      // The file is opened asynchronously: removed once the stream is closed, or it could appear after.
      discard: () =>
        new Promise<void>((resolve) => {
          const remove = () => {
            rmSync(part, { force: true });
            resolve();
          };
          if (stream.closed) remove();
          else {
            stream.once('close', remove);
            stream.destroy();
          }
        }),
    };
  }
}
