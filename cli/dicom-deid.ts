import packageJson from '../package.json' with { type: 'json' };
import { anonymizeCommand } from './anonymize.js';
import { type Command, UsageError, writeOut } from './command.js';
import { echoCommand } from './echo.js';
import { findCommand } from './find.js';
import { gatewayCommand } from './gateway.js';
import { lookupCommand } from './lookup.js';
import { mergeReportsCommand } from './merge-reports.js';
import { projectCommand } from './project-command.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { scanCommand } from './scan.js';
import { didYouMean } from './suggest.js';

/** Subcommands in the order `--help` lists them; a new one is one import and one entry here. */
const COMMANDS: readonly Command[] = [
  scanCommand,
  anonymizeCommand,
  mergeReportsCommand,
  projectCommand,
  lookupCommand,
  echoCommand,
  findCommand,
  pullCommand,
  pushCommand,
  gatewayCommand,
];

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 3;
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
  return `Usage: dicom-deid <command> [options]

De-identifies DICOM files following DICOM PS3.15 Annex E.

Commands:
${list}

Options:
  -h, --help      show this help
  -V, --version   show the version

Run \`dicom-deid <command> --help\` for a command's options.
`;
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('no command given');
  if (first === '-h' || first === '--help' || first === 'help') {
    await writeOut(usage());
    return 0;
  }
  if (first === '-V' || first === '--version') {
    await writeOut(`${packageJson.version}\n`);
    return 0;
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option ${first}`);
  const command = COMMANDS.find((c) => c.name === first);
  if (!command)
    throw new UsageError(
      `unknown command "${first}"${didYouMean(
        first,
        COMMANDS.map((c) => c.name),
      )}`,
    );
  return command.run(rest);
}

function runCli() {
  // A reader that stops early (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    process.exit(e.code === 'EPIPE' ? 0 : 1);
  });
  main(process.argv.slice(2)).then(
    (status) => {
      process.exitCode = status;
    },
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`dicom-deid: ${e.message}\nRun \`dicom-deid --help\` for usage.\n`);
        process.exitCode = 2;
        return;
      }
      // Only the kind of failure: a message could quote a file's content, and a stack helps no user.
      process.stderr.write(`dicom-deid: unexpected ${e instanceof Error ? e.name : 'failure'}; stopped\n`);
      process.exitCode = 1;
    },
  );
}

runCli();
