import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BatchProgress, BatchSetupError, runBatch } from '../node/batch/run-batch.js';
import { parseShard, type ShardBy, ShardError } from '../node/batch/shard.js';
import { checkOutput } from '../node/batch/site.js';
import { CrosswalkError, readCrosswalk } from '../node/crosswalk.js';
import { defaultKeyPath, KeyFileError, loadOrCreateKey, type StoredKey } from '../node/key-store.js';
import { shareableReason } from '../node/reports/writer.js';
import packageJson from '../package.json' with { type: 'json' };
import {
  ALL_OPTIONS,
  findOptionConflict,
  isOptionKey,
  type OptionKey,
  sortOptions,
} from '../shared/profile/options.js';
import { getPreset, isPresetName, PRESET_NAMES } from '../shared/profile/presets.js';
import type { Profile } from '../shared/profile/profile.js';
import { type Command, parseCommandArgs, UsageError, writeOut } from './command.js';
import { inputLabel } from './input-label.js';
import type { ProjectRun } from './project.js';
import { RunBreakdown } from './run-breakdown.js';
import { didYouMean } from './suggest.js';

export const ANONYMIZE_USAGE = `Usage: dicom-deid anonymize <file or folder>... --out <folder> [options]

Writes de-identified copies of DICOM files following DICOM PS3.15 Annex E. Originals are never changed.
Each output is read back and searched for the identifying values that were removed; a file that still
holds one is not written (it fails, with the attribute named).

Options:
  --out <folder>          where the copies go (must not be inside an input folder)
  --project <name|folder> use a project: it supplies the inputs, --out, --profile, --option and key left
                          out here (and remembers those given), keeps the audit, and adds every
                          pseudonym to its crosswalk database (see \`dicom-deid lookup\`); created
                          on first use, in ~/.dicom-deid/projects/<name>
  --profile <name|file>   basic (default), research, relinkable, or a profile file (JSON or YAML)
  --option <name>         add a PS3.15 option; repeatable. One of:
                          ${ALL_OPTIONS.join(', ')}
  --key-file <file>       the site's secret key (created on first use); default ~/.dicom-deid/project.key
  --crosswalk <csv>       site pseudonyms: CSV lines "original patient ID,pseudonym"
  --report <folder>       shareable report, no PHI (default: <out>.report beside the output folder)
  --audit <folder>        private audit and crosswalks, PHI, owner-only
                          (default: ~/.dicom-deid/audit/<start time>); never inside --out
  --dicomdir              name outputs as a DICOM file-set (DEID/P0001/S0001/SE0001/I0001) and write a
                          fresh DICOMDIR for them (an input DICOMDIR is never copied)
  --workers <n>           worker threads, 1 to 64 (default: one per core)
  --overwrite             replace the outputs an earlier run wrote into --out with another profile or key
                          (without it such a folder is refused; a rerun with the same ones resumes)
  --profile-stages        print where the time went, stage by stage, on stderr
  --shard <K/N>           process only shard K of N: a stable subset chosen by a keyed hash of each
                          input's path below its input folder, so N runs (on one or many machines, with
                          the same key, profile and inputs) together write what one run would; combine
                          their reports with \`dicom-deid merge-reports\`
  --shard-by <file|study> file (default), or study: every file of a study in the same shard (files that
                          cannot be read are sharded by path)
  --no-verify             skip the residual-PHI check of each output (not recommended)
  --json                  print one JSON document: every input with its status, and a summary
  -h, --help              show this help

Files whose images may show identity (Burned In Annotation YES, an encapsulated document) are held for
review: not written, kept on site with the audit, and listed with the reason.

Exit status: 0 when every DICOM input was written (files that are not DICOM are skipped and listed),
1 when some failed or were held for review, 2 on a usage or profile error, 130 when interrupted.
`;

/**
 * The preset or profile file, with options added from the command line. A file's parser (YAML and the
 * schema, a megabyte of code) is loaded only for a file: a run with a preset starts without it.
 */
export async function resolveProfile(
  profileArg: string | undefined,
  extra: readonly string[],
): Promise<Profile> {
  let profile: Profile;
  if (profileArg === undefined || isPresetName(profileArg)) {
    profile = getPreset((profileArg ?? 'basic') as Parameters<typeof getPreset>[0]);
  } else {
    let text: string;
    try {
      text = readFileSync(profileArg, 'utf8');
    } catch {
      throw new UsageError(
        `"${profileArg}" is neither a preset (basic, research, relinkable) nor a readable profile file${didYouMean(profileArg, PRESET_NAMES)}`,
      );
    }
    const { ProfileError, parseProfileFile } = await import('../shared/profile/profile-file.js');
    try {
      profile = parseProfileFile(text, profileArg);
    } catch (e) {
      if (e instanceof ProfileError) throw new UsageError(e.message);
      throw e;
    }
  }
  for (const name of extra)
    if (!isOptionKey(name)) throw new UsageError(`unknown option "${name}"${didYouMean(name, ALL_OPTIONS)}`);
  const options = sortOptions(new Set<OptionKey>([...profile.options, ...(extra as OptionKey[])]));
  const conflict = findOptionConflict(new Set(options));
  if (conflict) throw new UsageError(`options ${conflict[0]} and ${conflict[1]} cannot be combined`);
  return { ...profile, options };
}

const JSON_PIECE = 64 * 1024;

const clock = (seconds: number) => {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** One line, redrawn in place on a terminal. */
function progressLine(p: BatchProgress): string {
  const width = 24;
  const filled = p.total ? Math.round((p.done / p.total) * width) : 0;
  const eta = p.etaSeconds === null ? '' : `  ETA ${clock(p.etaSeconds)}`;
  // While the walk still finds inputs, the total is what it found so far.
  const total = p.counting ? `${p.total} found so far` : `${p.total} files`;
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${total}  ${p.filesPerSecond.toFixed(1)} files/s${eta}  (${p.failed} failed)`;
}

/** Stage times for `--profile-stages`: worker stages are summed over threads, so they can exceed the wall time. */
function stageLine(stages: Readonly<Record<string, number>>, seconds: number): string {
  const parts = Object.entries(stages).map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(2)} s`);
  return `stage times (summed over files and threads; wall ${seconds.toFixed(2)} s): ${parts.join(', ')}\n`;
}

export const anonymizeCommand: Command = {
  name: 'anonymize',
  summary: 'write de-identified copies of DICOM files (PS3.15 Basic Profile and options)',
  async run(args) {
    const { values, positionals } = parseCommandArgs(args, {
      out: { type: 'string' },
      project: { type: 'string' },
      profile: { type: 'string' },
      option: { type: 'string', multiple: true },
      'key-file': { type: 'string' },
      crosswalk: { type: 'string' },
      report: { type: 'string' },
      audit: { type: 'string' },
      dicomdir: { type: 'boolean' },
      workers: { type: 'string' },
      overwrite: { type: 'boolean' },
      'profile-stages': { type: 'boolean' },
      shard: { type: 'string' },
      'shard-by': { type: 'string' },
      'no-verify': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      await writeOut(ANONYMIZE_USAGE);
      return 0;
    }
    let project: ProjectRun | undefined;
    if (values.project) {
      // Loaded for a project run only: the project store and its schema are not needed otherwise.
      const { startProjectRun } = await import('./project.js');
      project = startProjectRun(values.project, {
        inputs: positionals,
        ...(values.out ? { out: values.out } : {}),
        ...(values.profile ? { profile: values.profile } : {}),
        options: values.option ?? [],
        ...(values['key-file'] ? { keyFile: values['key-file'] } : {}),
        ...(values.audit ? { audit: values.audit } : {}),
      });
      positionals.splice(0, positionals.length, ...project.inputs);
      Object.assign(values, { out: project.out, profile: project.profile, option: [...project.options] });
      Object.assign(values, { 'key-file': project.keyFile, audit: project.audit });
      if (!values.json) process.stderr.write(`${project.note}\n`);
    }
    if (positionals.length === 0) throw new UsageError('anonymize needs at least one file or folder');
    if (!values.out) throw new UsageError('anonymize needs --out <folder>');
    for (const p of positionals) {
      try {
        await stat(p);
      } catch {
        throw new UsageError(`no such file or folder: ${p}`);
      }
    }
    const workers = values.workers === undefined ? undefined : Number(values.workers);
    // In-thread processing (the engine's `workers: 0`) is for tests: a file that exhausts memory would
    // take the whole run down with it.
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > 64)) {
      throw new UsageError('--workers takes a whole number from 1 to 64');
    }
    const shardBy = values['shard-by'] ?? 'file';
    if (shardBy !== 'file' && shardBy !== 'study')
      throw new UsageError(`--shard-by takes file or study${didYouMean(shardBy, ['file', 'study'])}`);
    if (values['shard-by'] && !values.shard) throw new UsageError('--shard-by needs --shard K/N');
    // DICOMDIR file IDs are numbered across the whole set: one run must see every file.
    if (values.shard && values.dicomdir) throw new UsageError('--dicomdir cannot be combined with --shard');
    let shard: ReturnType<typeof parseShard> | undefined;
    try {
      shard = values.shard ? parseShard(values.shard, shardBy as ShardBy) : undefined;
    } catch (e) {
      if (e instanceof ShardError) throw new UsageError(e.message);
      throw e;
    }
    const profile = await resolveProfile(values.profile, values.option ?? []);
    const reports = {
      ...(values.report ? { reportDir: values.report } : {}),
      ...(values.audit ? { auditDir: values.audit } : {}),
    };
    // Refusals first: a refused command creates nothing, not even the key.
    try {
      checkOutput(positionals, resolve(values.out), reports, new Date().toISOString());
    } catch (e) {
      if (e instanceof BatchSetupError) throw new UsageError(e.message);
      throw e;
    }
    let key: StoredKey;
    let crosswalk: Map<string, string> | undefined;
    try {
      key = loadOrCreateKey(values['key-file'] ?? defaultKeyPath());
      crosswalk = values.crosswalk ? readCrosswalk(values.crosswalk) : undefined;
    } catch (e) {
      if (e instanceof KeyFileError || e instanceof CrosswalkError) throw new UsageError(e.message);
      throw e;
    }
    if (key.created && !values.json)
      process.stderr.write(`created a new project key at ${key.path} (fingerprint ${key.fingerprint})\n`);
    const json = values.json ?? false;
    const tty = !json && process.stderr.isTTY;

    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGINT', onSignal);
    let printed = 0;
    const breakdown = new RunBreakdown();
    // The JSON document is streamed, so 100,000 inputs are never held in memory at once: in pieces of
    // JSON_PIECE characters, since a write per file cost the main thread a system call per small file.
    let unwritten = '';
    const takeUnwritten = () => {
      const text = unwritten;
      unwritten = '';
      return text;
    };
    const jsonFile = (entry: object) => {
      unwritten += `${printed === 1 ? '{"files":[' : ','}${JSON.stringify(entry)}`;
      if (unwritten.length >= JSON_PIECE) process.stdout.write(takeUnwritten());
    };
    try {
      project?.begin();
      const summary = await runBatch(
        {
          inputs: positionals,
          outDir: values.out,
          profile,
          key: key.key,
          toolVersion: packageJson.version,
          reports,
          ...(crosswalk ? { crosswalk } : {}),
          verify: !values['no-verify'],
          overwrite: values.overwrite ?? false,
          profileStages: values['profile-stages'] ?? false,
          dicomdir: values.dicomdir ?? false,
          ...(shard ? { shard } : {}),
          ...(workers !== undefined ? { workers } : {}),
          workerScript: join(dirname(fileURLToPath(import.meta.url)), 'batch-worker.js'),
        },
        {
          signal: controller.signal,
          onFile: (r) => {
            printed++;
            project?.onFile(r);
            if (json)
              jsonFile({
                inputNo: r.inputNo,
                input: r.input,
                output: r.output,
                status: r.status,
                ...(r.reason ? { reason: r.reason } : {}),
              });
            else {
              breakdown.add(r);
              // Paths often name the patient: a log gets the input's number, the private audit its path.
              if (r.status === 'failed' || r.status === 'held')
                process.stderr.write(
                  `${tty ? '\r\x1b[K' : ''}${r.status}: ${inputLabel(r.input, r.inputNo, positionals, tty)}` +
                    `${tty ? '' : ' (see the audit)'}: ${shareableReason(r.reason ?? '', r.input)}\n`,
                );
            }
          },
          ...(tty ? { onProgress: (p: BatchProgress) => process.stderr.write(progressLine(p)) } : {}),
        },
      );
      if (tty) process.stderr.write('\n');
      project?.finish(summary);
      if (json) {
        await writeOut(
          `${takeUnwritten()}${printed === 0 ? '{"files":[' : ''}],"summary":${JSON.stringify(summary)}}\n`,
        );
      } else {
        const parts = [
          `${summary.written} written`,
          `${summary.skipped} skipped`,
          `${summary.failed} failed`,
        ];
        if (summary.held > 0) parts.push(`${summary.held} held for review`);
        if (summary.cancelled) parts.push(`${summary.notProcessed} not processed (cancelled)`);
        else if (summary.notProcessed > 0) parts.push(`${summary.notProcessed} not processed`);
        await writeOut(`${summary.total} inputs: ${parts.join(', ')} in ${summary.seconds.toFixed(1)} s\n`);
        for (const line of breakdown.lines()) await writeOut(`${line}\n`);
        // Never "clean" for a run that held or accepted files whose images may show identity.
        if (summary.held > 0)
          await writeOut(
            `held for review, not written (their images may show identity): ${summary.held}; ` +
              `the held copies are kept on site with the audit, under ${summary.auditDir}\n`,
          );
        if (summary.accepted > 0)
          await writeOut(
            `written with images at risk because a rule accepted them: ${summary.accepted} (the audit says which)\n`,
          );
        const report = summary.reportProblem
          ? `not published (${summary.reportProblem}): the next run into ${summary.reportDir} completes it`
          : summary.reportDir;
        await writeOut(
          `report (shareable): ${report}\naudit and crosswalks (private): ${summary.auditDir}\n`,
        );
      }
      if (summary.stages) process.stderr.write(stageLine(summary.stages, summary.seconds));
      if (summary.stopped) process.stderr.write(`the run stopped before the end: ${summary.stopped}\n`);
      if (summary.dicomdirProblem)
        process.stderr.write(`the DICOMDIR was not written: ${summary.dicomdirProblem}\n`);
      if (summary.cancelled) return 130;
      return summary.failed > 0 || summary.held > 0 || summary.stopped ? 1 : 0;
    } catch (e) {
      if (e instanceof BatchSetupError) throw new UsageError(e.message);
      throw e;
    } finally {
      // A run that throws leaves what it listed so far, as when every file was written out at once.
      if (unwritten) process.stdout.write(takeUnwritten());
      process.off('SIGINT', onSignal);
      project?.finish();
    }
  },
};
