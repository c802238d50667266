import { readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppJobs } from '../../node/app-jobs.js';
import { createKeyStore, type KeyStore } from '../../node/app-key.js';
import { Library } from '../../node/app-library.js';
import { outputFolderProblem } from '../../node/app-output.js';
import { createAppPacs } from '../../node/app-pacs.js';
import { checkDigest, PixelCheckCache } from '../../node/app-pixels.js';
import {
  atPixelRisk,
  countOutcomes,
  describeProfile,
  outputContents,
  planPixels,
} from '../../node/app-plan.js';
import {
  appliedTo,
  checkInside,
  deviceName,
  drawnFor,
  matchFor,
  type RegionFacts,
  replaceRule,
  scopeOf,
  withDrawnRules,
} from '../../node/app-regions.js';
import { createRunner, filesToRun, resumeStateDir } from '../../node/app-run.js';
import { createSettingsStore } from '../../node/app-settings.js';
import { outputsMadeBy } from '../../node/batch/resume.js';
import { profileDigestOf } from '../../node/batch/site.js';
import { createProjectService } from '../../node/project/app-projects.js';
import { ReportableError } from '../../shared/errors.js';
import type {
  Channel,
  Emit,
  PixelCheck,
  ProfileDraft,
  ProfileState,
  Request,
  Response,
} from '../../shared/ipc/contract.js';
import {
  exportProfile,
  getPreset,
  type Profile,
  ProfileError,
  parseProfileFile,
} from '../../shared/profile/index.js';

/** The native dialogs main shows; the e2e harness answers them from the test instead. */
export interface Dialogs {
  /** `near`: the folder the dialog starts in, when the app remembers a relevant one. */
  openFiles(title: string, near?: string): Promise<string[]>;
  openFolder(title: string, near?: string): Promise<string | null>;
  openFile(title: string, extensions: readonly string[]): Promise<string | null>;
  saveFile(title: string, defaultName: string): Promise<string | null>;
  /** Opens a folder, or a file with its default application. */
  openPath(path: string): Promise<void>;
}

export interface HandlerDeps {
  /** The app's own folder for settings, the key and run records (Electron's userData). */
  readonly userData: string;
  readonly samplesDir: string;
  /** Where the project key lives unless settings name another file (main: the command line's default). */
  readonly defaultKeyPath: string;
  readonly dialogs: Dialogs;
  readonly toolVersion: string;
  /** The bundled batch worker (dist/electron/…); without it batches run in the calling thread. */
  readonly workerScript?: string;
  /** The home folder whose ~/.dicom-deid/projects the app opens projects from (default: the user's). */
  readonly home?: string;
  /** The bundled reading worker (scan, inspect, frames); without it they run in the calling thread. */
  readonly appWorkerScript?: string;
}

export type Handlers = { [C in Channel]: (args: Request<C>, emit: Emit) => Promise<Response<C>> };

const PROFILE_FILE_TYPES = ['json', 'yaml', 'yml'];

/** A file that could not be read for its facts matches no rule: it is counted as held. */
const NO_FACTS: RegionFacts = {
  sopInstanceUID: '',
  seriesInstanceUID: '',
  manufacturer: '',
  modelName: '',
  sopClassUID: '',
  modality: '',
  photometricInterpretation: '',
  rows: 0,
  columns: 0,
};

/** A profile as the editor holds it: every option in force listed, whatever the base preset brings. */
function draftOf(profile: Profile): ProfileDraft {
  const file = JSON.parse(exportProfile(profile, 'json')) as ProfileDraft;
  return { ...file, options: [...profile.options] };
}

const issuesOf = (error: ProfileError): string[] =>
  error.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));

/**
 * Every IPC channel as a plain async function of its validated argument and an event emitter. Nothing here
 * knows about Electron, so main binds these to ipcMain and the e2e harness to HTTP.
 */
export function createHandlers(deps: HandlerDeps): Handlers {
  const settings = createSettingsStore(deps.userData);
  const projects = createProjectService(deps.home);
  const keys: KeyStore = createKeyStore(
    () => projects.keyFile() ?? settings.get().keyPath ?? deps.defaultKeyPath,
  );
  const jobs = new AppJobs(deps.appWorkerScript);
  const library = new Library(jobs.row);
  const pacs = createAppPacs(join(deps.userData, 'pacs'));

  const savedProfile = (): Profile => {
    const draft = settings.get().profile;
    if (!draft) return getPreset('basic');
    try {
      return parseProfileFile(JSON.stringify(draft), 'profile.json');
    } catch {
      return getPreset('basic');
    }
  };
  let profile = savedProfile();
  // The profile as runs and inspections use it: with the boxes drawn and acceptances given at the screen.
  const profileInForce = (): Profile => withDrawnRules(profile, settings.get().pixelRules);

  const runsDir = join(deps.userData, 'runs');
  const runner = createRunner({
    library,
    runsDir,
    toolVersion: deps.toolVersion,
    profile: profileInForce,
    key: () => keys.ensure(),
    recordInProject: (run) => projects.startRun(run),
    ...(deps.workerScript ? { workerScript: deps.workerScript } : {}),
  });

  // A project's crosswalk holds one pseudonym per patient: another key would start a second one.
  const keepProjectKey = () => {
    if (projects.keyFile() && keys.current()) {
      throw new ReportableError(
        'This project already has its key; it is kept so each patient keeps one pseudonym. Create a new project for another key.',
      );
    }
  };

  const accept = (draft: ProfileDraft): ProfileState => {
    // Switching off an option that the base preset brings means the profile no longer extends that preset.
    // Clean Pixel Data is in every preset, so it alone is turned off as an exception to the base.
    const dropped = getPreset(draft.base).options.filter((option) => !draft.options.includes(option));
    const base = dropped.every((option) => option === 'cleanPixelData') ? draft.base : 'basic';
    const withoutOptions = getPreset(base).options.filter((option) => !draft.options.includes(option));
    const candidate = { ...draft, base, withoutOptions };
    try {
      profile = parseProfileFile(JSON.stringify(candidate), 'profile.json');
    } catch (error) {
      if (error instanceof ProfileError) return { draft: candidate, issues: issuesOf(error) };
      throw error;
    }
    settings.update({ profile: draftOf(profile) });
    return { draft: draftOf(profile), issues: [] };
  };

  // A file's header facts, read once: the run plan asks for those of every file at risk each time a row
  // changes, and "Check image text now" changes one row per file.
  const factsByPath = new Map<string, Promise<RegionFacts>>();
  const factsOf = (path: string): Promise<RegionFacts> => {
    let facts = factsByPath.get(path);
    if (!facts) {
      facts = jobs.facts(path);
      factsByPath.set(path, facts);
      facts.catch(() => factsByPath.delete(path));
    }
    return facts;
  };
  // Pixel checks by file and by what they depend on: a file checked once is not read again until the profile
  // or the rules drawn for it change.
  const pixelChecks = new PixelCheckCache();
  const checkDigestOf = (facts: RegionFacts) =>
    checkDigest(profile, drawnFor(settings.get().pixelRules, facts));
  const reviewedIn = (facts: RegionFacts) =>
    drawnFor(settings.get().pixelRules, facts).some((rule) => rule.reviewed === true);

  const pixelJob = (path: string) => ({
    kind: 'pixels' as const,
    path,
    profile: profileInForce(),
    key: keys.ensure(),
    toolVersion: deps.toolVersion,
  });
  const recordCheck = (
    id: number,
    facts: RegionFacts,
    check: { status: PixelCheck['status']; texts: PixelCheck['texts'] },
    emit: Emit,
  ) =>
    library.setPixels(
      id,
      {
        status: check.status,
        textFound: check.texts.some((t) => t.cls !== 'technical'),
        reviewed: reviewedIn(facts),
      },
      emit,
    );
  // "Check image text now" while it runs: cancelling stops the file being read and the ones after it.
  let checking: { cancelled: boolean } | undefined;

  const inspectable = (id: number) => {
    const file = library.get(id);
    if (!file) throw new ReportableError('this file is no longer in the list');
    return file;
  };

  return {
    'settings:get': async () => settings.get(),

    'inputs:add': async ({ paths }, emit) => ({ accepted: await library.add(paths, emit) }),

    async 'inputs:pick'({ kind }, emit) {
      const near = settings.get().lastInputFolder;
      const picked =
        kind === 'files'
          ? await deps.dialogs.openFiles('Open DICOM files', near)
          : await deps.dialogs.openFolder('Open a folder of DICOM files', near);
      const paths = Array.isArray(picked) ? picked : picked === null ? [] : [picked];
      if (paths.length === 0) return { accepted: 0 };
      settings.update({ lastInputFolder: kind === 'files' ? dirname(paths[0]!) : paths[0]! });
      return { accepted: await library.add(paths, emit) };
    },

    async 'inputs:samples'(_args, emit) {
      // The studies only: the folder's README and list of planted values are not inputs.
      const entries = await readdir(deps.samplesDir, { withFileTypes: true });
      const studies = entries
        .filter((entry) => entry.isDirectory())
        .map((entry) => join(deps.samplesDir, entry.name));
      return { accepted: await library.add(studies, emit) };
    },

    async 'inputs:clear'(_args, emit) {
      if (runner.running) throw new ReportableError('the list cannot be cleared while a run is going');
      jobs.stopScan();
      factsByPath.clear();
      library.clear(emit);
      return null;
    },

    async 'inputs:remove'({ ids }, emit) {
      if (runner.running) throw new ReportableError('files cannot be removed while a run is going');
      return { removed: library.remove(ids, emit) };
    },

    async 'file:inspect'({ id }) {
      const file = inspectable(id);
      // The planned new UIDs and pseudonyms come from the key: it is made here if this is its first use.
      const key = keys.ensure();
      const { facts, ...details } = await jobs.inspect(id, {
        kind: 'inspect',
        path: file.path,
        profile: profileInForce(),
        key,
        toolVersion: deps.toolVersion,
      });
      return {
        id,
        name: file.row.name,
        ...details,
        pixelRules: appliedTo(profileInForce().pixelRules, facts),
        device: deviceName(facts),
      };
    },

    async 'file:compare'({ id }) {
      const file = inspectable(id);
      const comparison = await jobs.compare(id, {
        kind: 'compare',
        path: file.path,
        profile: profileInForce(),
        key: keys.ensure(),
        toolVersion: deps.toolVersion,
      });
      return { id, ...comparison };
    },

    'file:image': async ({ id, frame, deidentified }) =>
      jobs.frame(id, {
        kind: 'frame',
        path: inspectable(id).path,
        frame,
        ...(deidentified
          ? { deidentified: { profile: profileInForce(), key: keys.ensure(), toolVersion: deps.toolVersion } }
          : {}),
      }),

    async 'file:regions'({ id, scope, regions, accept }) {
      if (runner.running) throw new ReportableError('boxes cannot be changed while a run is going');
      const facts = await factsOf(inspectable(id).path);
      checkInside(regions, facts);
      const match = matchFor(facts, scope);
      const pixelRules = replaceRule(settings.get().pixelRules, match, scope, facts, { regions, accept });
      settings.update({ pixelRules });
      return { pixelRules: appliedTo(profileInForce().pixelRules, facts) };
    },

    async 'file:pixels'({ id }, emit) {
      const file = inspectable(id);
      const facts = await factsOf(file.path);
      const check = await pixelChecks.check(file.path, checkDigestOf(facts), () =>
        jobs.pixels(id, pixelJob(file.path)),
      );
      recordCheck(id, facts, check, emit);
      return { id, ...check };
    },

    async 'file:review'({ id, keep, reviewed }) {
      if (runner.running) throw new ReportableError('decisions cannot be changed while a run is going');
      const facts = await factsOf(inspectable(id).path);
      checkInside(keep, facts);
      const pixelRules = replaceRule(settings.get().pixelRules, matchFor(facts, 'file'), 'file', facts, {
        keep,
        reviewed,
      });
      settings.update({ pixelRules });
      return { pixelRules: appliedTo(profileInForce().pixelRules, facts) };
    },

    'profile:get': async () => ({ draft: draftOf(profile), issues: [] }),

    'profile:set': async ({ draft }) => accept(draft),

    async 'profile:open'() {
      const path = await deps.dialogs.openFile('Load a profile file', PROFILE_FILE_TYPES);
      if (!path) return null;
      try {
        return accept(draftOf(parseProfileFile(await readFile(path, 'utf8'), basename(path))));
      } catch (error) {
        if (error instanceof ProfileError) {
          return {
            draft: draftOf(profile),
            issues: issuesOf(error).map((issue) => `${basename(path)}: ${issue}`),
          };
        }
        throw error;
      }
    },

    async 'profile:save'({ format }) {
      const name = profile.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'profile';
      const path = await deps.dialogs.saveFile('Save the profile', `${name.slice(0, 60)}.${format}`);
      if (!path) return null;
      // Device templates drawn here travel with the profile; boxes and acceptances that name a file's or
      // series' original UIDs stay on this machine.
      const templates = settings.get().pixelRules.filter((rule) => scopeOf(rule.match) === 'device');
      await writeFile(path, exportProfile(withDrawnRules(profile, templates), format));
      return { savedTo: path };
    },

    'key:get': async () => keys.state(),

    async 'key:create'() {
      keepProjectKey();
      keys.create();
      return keys.state();
    },

    async 'key:import'() {
      const path = await deps.dialogs.openFile('Import a project key', ['key', 'txt']);
      if (!path) return null;
      keepProjectKey();
      keys.importFrom(path);
      return keys.state();
    },

    async 'key:export'() {
      if (!keys.current()) throw new ReportableError('there is no key to export yet');
      const path = await deps.dialogs.saveFile('Export the project key', 'project.key');
      if (!path) return null;
      keys.exportTo(path);
      return { savedTo: path };
    },

    async 'output:choose'() {
      const path = await deps.dialogs.openFolder(
        'Choose the folder for de-identified copies',
        settings.get().outputFolder,
      );
      if (!path) return null;
      const refused = outputFolderProblem(path, library.folders());
      if (!refused) settings.update({ outputFolder: path });
      return refused ? { path, refused } : { path };
    },

    async 'run:plan'({ ids }) {
      const inForce = profileInForce();
      const rules = inForce.pixelRules;
      const files = filesToRun(library, ids);
      // Only files that declare burned-in text need their header facts, and only when a rule could cover them.
      const facts = new Map<number, RegionFacts>();
      if (rules.length > 0) {
        for (const file of files) {
          if (file.row.burnedIn !== 'likely') continue;
          facts.set(file.id, await factsOf(file.path).catch(() => NO_FACTS));
        }
      }
      // What the detector said of the files at risk it has checked with the profile and rules in force.
      const checks = new Map<number, Pick<PixelCheck, 'status' | 'reason'>>();
      for (const file of files) {
        if (!atPixelRisk(file.row)) continue;
        const fileFacts = facts.get(file.id) ?? (await factsOf(file.path).catch(() => undefined));
        const check = fileFacts && pixelChecks.get(file.path, checkDigestOf(fileFacts));
        if (check) checks.set(file.id, check);
      }
      const outDir = settings.get().outputFolder;
      return {
        ...describeProfile(inForce),
        pixels: planPixels(
          files.map((file) => file.row),
          (row) => checks.get(row.id),
        ),
        fingerprint: keys.state().fingerprint,
        files: countOutcomes(
          files.map((file) => file.row),
          (row) => facts.get(row.id),
          rules,
          (row) => checks.get(row.id),
        ),
        output: outDir
          ? outputContents(
              outDir,
              outputsMadeBy(
                resumeStateDir(runsDir, outDir),
                keys.current(),
                profileDigestOf(inForce, deps.toolVersion),
              ),
            )
          : null,
      };
    },

    async 'pixels:checkAll'({ ids }, emit) {
      if (checking) throw new ReportableError('the image text is being checked already');
      if (runner.running) throw new ReportableError('the image text cannot be checked while a run is going');
      const state = { cancelled: false };
      checking = state;
      // The files the run would take: checking the ones left out would spend minutes on nothing it writes.
      const files = filesToRun(library, ids).filter((file) => atPixelRisk(file.row));
      let done = 0;
      let checked = 0;
      const progress = (running: boolean) => emit('pixels:progress', { done, total: files.length, running });
      try {
        progress(true);
        for (const file of files) {
          if (state.cancelled) break;
          try {
            const facts = await factsOf(file.path);
            const check = await pixelChecks.check(file.path, checkDigestOf(facts), () =>
              jobs.checkPixels(pixelJob(file.path)),
            );
            recordCheck(file.id, facts, check, emit);
            checked++;
          } catch {
            // Unreadable, or the check was cancelled: the file stays "not yet checked"; the run will say why.
          }
          done++;
          progress(true);
        }
      } finally {
        checking = undefined;
        progress(false);
      }
      return { checked, cancelled: state.cancelled };
    },

    async 'pixels:cancel'() {
      if (checking) {
        checking.cancelled = true;
        jobs.stopChecks();
      }
      return null;
    },

    async 'batch:start'({ verify, ids }, emit) {
      if (checking) return { refused: 'The image text is being checked: wait for it or cancel it first.' };
      const outDir = settings.get().outputFolder;
      if (!outDir) return { refused: 'Choose an output folder first.' };
      const refused = outputFolderProblem(outDir, library.folders());
      if (refused) return { refused };
      settings.update({ verify });
      return runner.start({ outDir, verify, ids }, emit);
    },

    async 'batch:cancel'() {
      runner.cancel();
      return null;
    },

    async 'batch:showOutput'() {
      const folder = runner.last()?.outDir;
      if (!folder) throw new ReportableError('nothing has been written yet');
      await deps.dialogs.openPath(folder);
      return null;
    },

    async 'report:open'() {
      await deps.dialogs.openPath(runner.reportFile('csv'));
      return null;
    },

    async 'report:export'({ format }) {
      const report = runner.reportFile(format);
      const path = await deps.dialogs.saveFile(
        'Export the de-identification report',
        `deid-report.${format}`,
      );
      if (!path) return null;
      await writeFile(path, await readFile(report));
      return { savedTo: path };
    },

    'project:last': async () => projects.last(),

    'project:lookup': async ({ folder, query }) => projects.lookup(folder, query),

    // The project decides the key in force: never switched under a run.
    async 'project:create'({ name }) {
      if (runner.running) throw new ReportableError('Wait for the run to finish before creating a project.');
      const { name: profileName, options } = profileInForce();
      return projects.create(name.trim(), {
        profile: profileName,
        options: [...options],
        inputs: library.folders(),
        outDir: settings.get().outputFolder ?? '',
      });
    },

    async 'project:open'() {
      if (runner.running) throw new ReportableError('Wait for the run to finish before opening a project.');
      const folder = await deps.dialogs.openFolder('Open a project folder');
      return folder ? projects.open(folder) : null;
    },

    'pacs:nodes': async () => pacs.nodes(),

    'pacs:saveNode': async ({ name, node, signIn }) => pacs.save(name, node, signIn),

    'pacs:removeNode': async ({ name }) => pacs.remove(name),

    'pacs:verify': async ({ name }) => pacs.verify(name),

    'pacs:find': async ({ name, query }) => ({ studies: await pacs.find(name, query) }),

    async 'pacs:retrieve'({ name, studies }, emit) {
      if (runner.running) throw new ReportableError('studies cannot be retrieved while a run is going');
      const got = await pacs.retrieve(name, studies, (retrieved) => emit('pacs:progress', { retrieved }));
      // The staged files join the list as dropped files do.
      if (got.dir) await library.add([got.dir], emit);
      return { retrieved: got.retrieved, cancelled: got.cancelled };
    },

    async 'pacs:send'({ name }, emit) {
      if (runner.running) throw new ReportableError('outputs cannot be sent while a run is going');
      const outDir = runner.last()?.outDir;
      if (!outDir) throw new ReportableError('nothing has been written yet');
      return pacs.send(name, outDir, (done, total) => emit('pacs:sending', { done, total }));
    },

    async 'pacs:cancel'() {
      pacs.cancel();
      return null;
    },

    async 'audit:export'() {
      const folder = await deps.dialogs.openFolder('Choose a folder on site for the audit and crosswalk');
      if (!folder) return null;
      return { savedTo: runner.exportAudit(folder) };
    },
  };
}
