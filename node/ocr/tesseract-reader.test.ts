import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ReportableError } from '../../shared/errors.js';
import { TesseractReader } from './tesseract-reader.js';

describe('TesseractReader', () => {
  const empty = mkdtempSync(join(tmpdir(), 'ocr-nolang-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('without its language data says so in plain words, and never downloads it', async () => {
    const reader = new TesseractReader({ workers: 1, langPath: empty });
    const image = { width: 8, height: 8, data: new Uint8Array(64).fill(255) };
    const error = await reader.read(image).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportableError);
    expect((error as Error).message).toMatch(/language data is missing/);
    await reader.close().catch(() => undefined);
  }, 60_000);

  it('reads a blank image as no text, with the packaged data', async () => {
    const reader = new TesseractReader({ workers: 1 });
    const image = { width: 64, height: 32, data: new Uint8Array(64 * 32).fill(255) };
    expect(await reader.read(image)).toEqual([]);
    await reader.close();
  }, 60_000);
});
