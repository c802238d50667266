import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type * as Tesseract from 'tesseract.js';
import type { Scheduler } from 'tesseract.js';
import { ReportableError } from '../../shared/errors.js';
import type { OcrLine } from '../../shared/pixels/text-identity.js';
import type { GrayImage, TextReader } from './text-reader.js';

const require = createRequire(import.meta.url);

/**
 * The language data ships in an npm package, so nothing is downloaded at run time: the integer-quantised
 * "best" LSTM model, small (3 MB) and as accurate as the larger one on screen text.
 */
function languagePath(): string {
  const eng = require('@tesseract.js-data/eng') as { langPath: string };
  return eng.langPath.replace(/4\.0\.0$/, '4.0.0_best_int');
}

/** Binary PGM: Tesseract's image library reads it without any encoder on our side. */
function pgm(image: GrayImage): Buffer {
  const header = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'latin1');
  return Buffer.concat([header, image.data.subarray(0, image.width * image.height)]);
}

export interface TesseractReaderOptions {
  /** Worker threads, each holding its own model (~40 MB): memory is bounded by this number. */
  readonly workers?: number;
  /** Folder holding eng.traineddata.gz; the npm package's by default. */
  readonly langPath?: string;
}

/** A pool of Tesseract workers created once and reused for every frame, read in sparse-text mode. */
export class TesseractReader implements TextReader {
  private scheduler: Promise<Scheduler> | undefined;

  constructor(private readonly options: TesseractReaderOptions = {}) {}

  private start(): Promise<Scheduler> {
    this.scheduler ??= (async () => {
      const langPath = this.options.langPath ?? languagePath();
      // tesseract.js waits forever when its data file is missing: look first.
      if (!existsSync(join(langPath, 'eng.traineddata.gz'))) throw new Error('no language data');
      // Required here, not imported: a batch whose images need no reading never loads Tesseract.
      const { createScheduler, createWorker, OEM, PSM } = require('tesseract.js') as typeof Tesseract;
      const scheduler = createScheduler();
      const count = Math.max(1, this.options.workers ?? Math.min(2, availableParallelism()));
      const workers = await Promise.all(
        Array.from({ length: count }, () =>
          // cacheMethod 'none': the model is read from the package each time, never copied to the disk.
          createWorker('eng', OEM.LSTM_ONLY, {
            langPath,
            gzip: true,
            cacheMethod: 'none',
          }),
        ),
      );
      for (const worker of workers) {
        // A fixed resolution also keeps Tesseract from printing its estimate for every image.
        await worker.setParameters({
          tessedit_pageseg_mode: PSM.SPARSE_TEXT,
          user_defined_dpi: '300',
          // Tesseract's own diagnostics ("Detected 9 diacritics") go nowhere, not to our stderr.
          debug_file: '/dev/null',
        });
        scheduler.addWorker(worker);
      }
      return scheduler;
    })();
    return this.scheduler;
  }

  async read(image: GrayImage): Promise<OcrLine[]> {
    // Tesseract's own messages name its files, not ours; they are replaced by plain words all the same.
    const scheduler = await this.start().catch(() => {
      throw new ReportableError(
        'the burned-in text reader could not start: its language data is missing or damaged',
      );
    });
    const result = await scheduler
      .addJob('recognize', pgm(image), {}, { blocks: true, text: false })
      .catch(() => {
        throw new ReportableError('the burned-in text reader could not read a frame');
      });
    const lines: OcrLine[] = [];
    for (const block of result.data.blocks ?? []) {
      for (const paragraph of block.paragraphs) {
        for (const line of paragraph.lines) {
          lines.push({
            words: line.words.map((w) => ({
              text: w.text,
              confidence: w.confidence,
              box: {
                x: w.bbox.x0,
                y: w.bbox.y0,
                width: w.bbox.x1 - w.bbox.x0,
                height: w.bbox.y1 - w.bbox.y0,
              },
            })),
          });
        }
      }
    }
    return lines;
  }

  async close(): Promise<void> {
    const scheduler = this.scheduler;
    this.scheduler = undefined;
    if (scheduler) await (await scheduler).terminate();
  }
}
