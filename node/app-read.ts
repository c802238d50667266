import { isDicomError } from '../shared/dicom/errors.js';
import type { ParsedDicom } from '../shared/dicom/model.js';
import { parseDicom } from '../shared/dicom/parse.js';
import { errorText, ReportableError } from '../shared/errors.js';
import { openInput } from './file-source.js';

/** Why a file could not be used, in words safe to show and log: offsets and tags, never values. */
export class UnreadableFile extends ReportableError {
  override readonly name = 'UnreadableFile';
  constructor(
    readonly notDicom: boolean,
    message: string,
  ) {
    super(message);
  }
}

function unreadable(error: unknown): UnreadableFile {
  const notDicom = isDicomError(error) && (error.code === 'not-dicom' || error.code === 'empty');
  return new UnreadableFile(notDicom, errorText(error));
}

/**
 * Opens and parses one file, hands it to `use` and closes it. Reading problems become UnreadableFile;
 * what `use` throws passes through unchanged.
 */
export async function withParsedFile<T>(
  path: string,
  use: (parsed: ParsedDicom) => T | Promise<T>,
): Promise<T> {
  let input: Awaited<ReturnType<typeof openInput>>;
  try {
    input = await openInput(path);
  } catch (error) {
    throw unreadable(error);
  }
  try {
    let parsed: ParsedDicom;
    try {
      parsed = parseDicom(input.source);
    } catch (error) {
      throw unreadable(error);
    }
    return await use(parsed);
  } finally {
    await input.close();
  }
}
