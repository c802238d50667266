import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ReportableError } from '../shared/errors.js';
import { didYouMean } from './suggest.js';

/** One `dicom-deid <name>` subcommand. `run` resolves to the exit status. */
export interface Command {
  readonly name: string;
  /** One line for the command list in `dicom-deid --help`. */
  readonly summary: string;
  run(args: readonly string[]): Promise<number>;
}

/** A mistake in how the command was called: reported in one line with exit status 2, never as a crash. */
export class UsageError extends ReportableError {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * node:util parseArgs in strict mode, with its complaints turned into usage errors; an unknown option
 * gets the nearest known one suggested.
 */
export function parseCommandArgs<const O extends Options>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'(-[^']*)'/.exec(String(e))?.[1] : undefined;
    if (unknown) {
      const names = Object.entries(options).flatMap(([name, o]) => [
        `--${name}`,
        ...(o.short ? [`-${o.short}`] : []),
      ]);
      throw new UsageError(
        `unknown option ${unknown.split('=')[0]}${didYouMean(unknown.split('=')[0]!, names)}`,
      );
    }
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

/** Writes to stdout, waiting when the pipe is full so a long listing does not pile up in memory. */
export function writeOut(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.write(text)) resolve();
    else process.stdout.once('drain', resolve);
  });
}
