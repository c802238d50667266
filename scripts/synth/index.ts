// The synthetic corpus generator's entry point, bundled by scripts/synth/load.mjs for the bench and samples.
export { writeSynthFile } from './files.js';
export { type FakePatient, fakePatient } from './people.js';
export {
  type BurnedIn,
  fileBytes,
  type Modality,
  makeCtStudy,
  makeStudy,
  type PlantedPhi,
  type StudyOptions,
  SYNTAXES,
  type SyntaxName,
  type SynthBytes,
  type SynthFile,
  studyFiles,
} from './study.js';
