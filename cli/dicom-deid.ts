import packageJson from '../package.json' with { type: 'json' };
import { errorText } from '../shared/errors.js';
import { type Command, UsageError, writeOut } from './command.js';
import { didYouMean } from './suggest.js';

/**
 * Subcommands in the order `--help` lists them, each loaded only when it runs: an `anonymize` of local
 * files never evaluates the PACS, database or gateway code (a tenth of a second of start-up per run).
 * A new command is one entry here.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  scan: async () => (await import('./scan.js')).scanCommand,
  anonymize: async () => (await import('./anonymize.js')).anonymizeCommand,
  'merge-reports': async () => (await import('./merge-reports.js')).mergeReportsCommand,
  project: async () => (await import('./project-command.js')).projectCommand,
  lookup: async () => (await import('./lookup.js')).lookupCommand,
  echo: async () => (await import('./echo.js')).echoCommand,
  find: async () => (await import('./find.js')).findCommand,
  pull: async () => (await import('./pull.js')).pullCommand,
  push: async () => (await import('./push.js')).pushCommand,
  gateway: async () => (await import('./gateway.js')).gatewayCommand,
};

async function usage(): Promise<string> {
  const commands = await Promise.all(Object.values(COMMANDS).map((load) => load()));
  const width = Math.max(...commands.map((c) => c.name.length)) + 3;
  const list = commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n');
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
    await writeOut(await usage());
    return 0;
  }
  if (first === '-V' || first === '--version') {
    await writeOut(`${packageJson.version}\n`);
    return 0;
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option ${first}`);
  const load = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (!load) throw new UsageError(`unknown command "${first}"${didYouMean(first, Object.keys(COMMANDS))}`);
  return (await load()).run(rest);
}

function runCli() {
  // A reader that stops early (`| head`) is not an error worth a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE')
      process.stderr.write(`dicom-deid: the output could not be written: ${errorText(e)}; stopped\n`);
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
      // What errorText words (a full disk, a missing file, a refusal in our own words), else only the kind
      // of failure: a message could quote a file's content, and a stack helps no user.
      process.stderr.write(`dicom-deid: ${errorText(e)}; stopped\n`);
      process.exitCode = 1;
    },
  );
}

runCli();
