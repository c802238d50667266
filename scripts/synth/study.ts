import { encodeHeader } from '../../shared/dicom/encode.js';
import { PIXEL_DATA } from '../../shared/dicom/tag.js';
import { EXPLICIT_BE, EXPLICIT_LE, IMPLICIT_LE, type Syntax } from '../../shared/dicom/transfer-syntax.js';
import { concatChunks, encodeFileMeta, encodeNewDataset, type NewElement } from '../../shared/dicom/write.js';
import { ElementBuilder, latin1Bytes } from './elements.js';
import { type FakePatient, fakePatient } from './people.js';
import { greyFrame, type TextBox, textBoxRegion, ultrasoundFrame } from './pixels.js';
import { deriveSeed, fakeUid, Rng } from './random.js';

export const SYNTAXES = {
  'explicit-le': { uid: '1.2.840.10008.1.2.1', syntax: EXPLICIT_LE },
  'implicit-le': { uid: '1.2.840.10008.1.2', syntax: IMPLICIT_LE },
  'explicit-be': { uid: '1.2.840.10008.1.2.2', syntax: EXPLICIT_BE },
} as const satisfies Record<string, { uid: string; syntax: Syntax }>;
export type SyntaxName = keyof typeof SYNTAXES;

/**
 * CT and MR are 16-bit greyscale; US is an 8-bit RGB secondary capture with the patient's name burned in,
 * or with several frames a US multi-frame cine.
 */
export type Modality = 'CT' | 'MR' | 'US';

export interface StudyOptions {
  readonly patients: number;
  /** Index of the first patient, to make a study for a patient of another corpus with the same seed. */
  readonly firstPatient?: number;
  readonly seriesPerPatient: number;
  readonly instancesPerSeries: number;
  readonly rows: number;
  readonly cols: number;
  /** More than one makes enhanced multi-frame objects with one per-frame functional group item per frame. */
  readonly frames: number;
  readonly syntax: SyntaxName;
  readonly seed: number;
  /**
   * US only. False: Burned In Annotation says NO although the frames carry the name, as some scanners
   * write it; the text detector then leaves the file alone, so a pixel rule's cleaning is timed by itself.
   */
  readonly declaresBurnedIn?: boolean;
}

export interface BurnedIn {
  readonly lines: readonly string[];
  readonly region: { x: number; y: number; width: number; height: number };
}

/** One file in two parts, so a 1 GB multi-frame file is written frame by frame and never held whole. */
export interface SynthFile {
  readonly relativePath: string;
  /** Preamble, file meta and every element up to and including the Pixel Data header. */
  readonly head: Uint8Array;
  readonly pixelLength: number;
  readonly pixels: () => Iterable<Uint8Array>;
  /** As text; in the file they are Latin-1 bytes. */
  readonly phi: PlantedPhi;
  readonly burnedIn?: BurnedIn;
}

export interface SynthBytes {
  readonly relativePath: string;
  readonly bytes: Uint8Array;
  readonly phi: PlantedPhi;
}

const SOP_CLASS = {
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
  US: '1.2.840.10008.5.1.4.1.1.7',
};
const MULTI_FRAME_SOP_CLASS = {
  CT: '1.2.840.10008.5.1.4.1.1.2.1',
  MR: '1.2.840.10008.5.1.4.1.1.4.1',
  US: '1.2.840.10008.5.1.4.1.1.3.1',
};
const DETACHED_STUDY_SOP_CLASS = '1.2.840.10008.3.1.2.3.1';
const IMPLEMENTATION_UID = '2.25.271828182845904523536028747135266249';
const PRIVATE_CREATOR = 'ACME 1.0';
const AXIAL = [1, 0, 0, 0, 1, 0];

const sopClassOf = (modality: Modality, multiFrame: boolean) =>
  (multiFrame ? MULTI_FRAME_SOP_CLASS : SOP_CLASS)[modality];
const FRAME_INCREMENT_POINTER = 0x00280009;
const FRAME_TIME = 0x00181063;

/** An AT value: group then element, each in the dataset's byte order. */
function attributeTag(tag: number, syntax: Syntax): Uint8Array {
  const out = new Uint8Array(4);
  const view = new DataView(out.buffer);
  view.setUint16(0, tag >>> 16, syntax.littleEndian);
  view.setUint16(2, tag & 0xffff, syntax.littleEndian);
  return out;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

interface Study {
  readonly patient: FakePatient;
  readonly modality: Modality;
  readonly uid: string;
  readonly priorUid: string;
  readonly date: string;
  readonly time: string;
  readonly accession: string;
  readonly studyId: string;
  readonly requestedProcedureId: string;
  readonly stepId: string;
}

function makeStudyFacts(seed: number, patient: FakePatient, modality: Modality): Study {
  const rng = new Rng(deriveSeed(seed, 'study', patient.index, modality));
  return {
    patient,
    modality,
    uid: fakeUid(rng),
    priorUid: fakeUid(rng),
    date: `${rng.int(2016, 2023)}${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}`,
    time: `${pad(rng.int(7, 18), 2)}${pad(rng.int(0, 59), 2)}${pad(rng.int(0, 59), 2)}`,
    accession: `ACC${rng.digits(8)}`,
    studyId: `S${rng.digits(6)}`,
    requestedProcedureId: `RP${rng.digits(6)}`,
    stepId: `SPS${rng.digits(6)}`,
  };
}

/** Planted values by what they are; a de-identified output must contain none of them. */
export type PlantedPhi = Readonly<Record<string, string>>;

function plantedPhi(study: Study): PlantedPhi {
  const p = study.patient;
  return {
    patientName: p.name,
    nameInText: p.spokenName,
    patientId: p.id,
    nationalId: p.nationalId,
    birthDate: p.birthDate,
    address: p.address,
    phone: p.phone,
    institution: p.institution,
    institutionAddress: p.institutionAddress,
    referringPhysician: p.referringPhysician,
    performingPhysician: p.performingPhysician,
    operator: p.operator,
    accessionNumber: study.accession,
    studyId: study.studyId,
    requestedProcedureId: study.requestedProcedureId,
    scheduledStepId: study.stepId,
  };
}

/** Patient, study and private attributes shared by every file of a study: where the PHI is planted. */
function identifying(b: ElementBuilder, study: Study): NewElement[] {
  const p = study.patient;
  const age = Number(study.date.slice(0, 4)) - Number(p.birthDate.slice(0, 4));
  return [
    ...(p.latin1 ? [b.str('SpecificCharacterSet', 'ISO_IR 100')] : []),
    b.str('StudyDate', study.date),
    b.str('StudyTime', study.time),
    b.str('AccessionNumber', study.accession),
    b.str('Modality', study.modality),
    b.str('Manufacturer', 'ACME Imaging'),
    b.str('InstitutionName', p.institution),
    b.str('InstitutionAddress', p.institutionAddress),
    b.str('ReferringPhysicianName', p.referringPhysician),
    b.str('StationName', `ACME-${study.modality}01`),
    b.str('StudyDescription', `${study.modality} follow-up`),
    b.str('InstitutionalDepartmentName', 'Radiology'),
    b.str('PerformingPhysicianName', p.performingPhysician),
    b.str('OperatorsName', p.operator),
    b.seq('ReferencedStudySequence', [
      b.str('ReferencedSOPClassUID', DETACHED_STUDY_SOP_CLASS),
      b.str('ReferencedSOPInstanceUID', study.priorUid),
    ]),
    b.str('PatientName', p.name),
    b.str('PatientID', p.id),
    b.str('IssuerOfPatientID', 'FAKEVILLE GH'),
    b.str('PatientBirthDate', p.birthDate),
    b.str('PatientSex', p.sex),
    b.str('PatientAge', `${pad(age, 3)}Y`),
    b.seq('OtherPatientIDsSequence', [
      b.str('PatientID', p.nationalId),
      b.str('IssuerOfPatientID', 'NATIONAL'),
      b.str('TypeOfPatientID', 'TEXT'),
    ]),
    b.str('PatientAddress', p.address),
    b.str('PatientTelephoneNumbers', p.phone),
    b.priv(0x00090010, 'LO', PRIVATE_CREATOR),
    b.priv(0x00091001, 'PN', p.name),
    b.priv(0x00091002, 'LO', `Patient ${p.name} ${p.id}`),
    {
      tag: 0x00091003,
      vr: 'SQ',
      items: [[b.priv(0x00090010, 'LO', PRIVATE_CREATOR), b.priv(0x00091004, 'LO', p.nationalId)]],
    },
    b.str('StudyInstanceUID', study.uid),
    b.str('StudyID', study.studyId),
    b.str('ImageComments', `Follow-up for ${p.spokenName}`),
    b.seq('RequestAttributesSequence', [
      b.str('AccessionNumber', study.accession),
      b.str('RequestedProcedureID', study.requestedProcedureId),
      b.str('RequestedProcedureDescription', `${study.modality} examination`),
      b.str('ScheduledProcedureStepID', study.stepId),
    ]),
  ];
}

function acquisition(b: ElementBuilder, modality: Modality): NewElement[] {
  switch (modality) {
    case 'CT':
      return [b.str('BodyPartExamined', 'CHEST'), b.str('KVP', 120), b.str('PatientPosition', 'HFS')];
    case 'MR':
      return [
        b.str('BodyPartExamined', 'BRAIN'),
        b.str('ScanningSequence', 'SE'),
        b.str('SequenceVariant', 'NONE'),
        b.str('ScanOptions', ''),
        b.str('MRAcquisitionType', '2D'),
        b.str('RepetitionTime', 500),
        b.str('EchoTime', 15),
        b.str('MagneticFieldStrength', 1.5),
        b.str('EchoTrainLength', 1),
        b.str('PatientPosition', 'HFS'),
      ];
    case 'US':
      return [
        b.str('ConversionType', 'WSD'),
        b.str('BodyPartExamined', 'ABDOMEN'),
        b.str('PatientOrientation', ''),
      ];
  }
}

/** The burned-in annotation, scaled to fit the top-left corner. */
function annotation(study: Study, cols: number, rows: number): TextBox {
  const lines = [study.patient.name, `ID ${study.patient.id}`, `DOB ${study.patient.birthDate}`];
  const scale = Math.min(2, Math.floor((cols - 8) / (Math.max(...lines.map((l) => l.length)) * 4)));
  const box = { lines, x: 4, y: 4, scale };
  const region = textBoxRegion(box);
  if (scale < 1 || region.y + region.height > rows)
    throw new RangeError('the image is too small for its annotation');
  return box;
}

interface Placement {
  readonly series: number;
  readonly seriesUid: string;
  readonly frameOfReference: string;
  readonly instance: number;
  readonly sopUid: string;
}

function imageElements(
  b: ElementBuilder,
  study: Study,
  at: Placement,
  options: StudyOptions,
  burnedIn: boolean,
): NewElement[] {
  const { modality } = study;
  const multiFrame = options.frames > 1;
  const colour = modality === 'US';
  const time = `${study.time.slice(0, 2)}${pad((at.series * 5) % 60, 2)}${pad(at.instance % 60, 2)}`;
  const sliceZ = (n: number) => -n * 2.5;
  const grey = [b.str('PixelSpacing', 0.7, 0.7), b.str('WindowCenter', 1024), b.str('WindowWidth', 2048)];
  // A cine as ultrasound scanners write it: frames in time, 30 per second.
  const cine = [
    b.str('NumberOfFrames', options.frames),
    b.str('FrameTime', 33.3),
    { tag: FRAME_INCREMENT_POINTER, vr: 'AT', value: attributeTag(FRAME_TIME, b.syntax) },
    b.str('CineRate', 30),
  ];
  const geometry = multiFrame
    ? colour
      ? cine
      : [
          b.str('NumberOfFrames', options.frames),
          b.str('ContentQualification', 'PRODUCT'),
          b.str('AcquisitionDateTime', `${study.date}${time}`),
          b.seq('SharedFunctionalGroupsSequence', [
            b.seq('PixelMeasuresSequence', [b.str('PixelSpacing', 0.7, 0.7), b.str('SliceThickness', 2.5)]),
            b.seq('PlaneOrientationSequence', [b.str('ImageOrientationPatient', ...AXIAL)]),
            ...(modality === 'CT'
              ? [
                  b.seq('PixelValueTransformationSequence', [
                    b.str('RescaleIntercept', -1024),
                    b.str('RescaleSlope', 1),
                    b.str('RescaleType', 'HU'),
                  ]),
                ]
              : []),
          ]),
          b.seq(
            'PerFrameFunctionalGroupsSequence',
            ...Array.from({ length: options.frames }, (_, f) => [
              b.seq('FrameContentSequence', [
                b.str('FrameAcquisitionDateTime', `${study.date}${time}.${pad(f % 1000, 3)}`),
                b.str('StackID', '1'),
                b.num('InStackPositionNumber', f + 1),
              ]),
              b.seq('PlanePositionSequence', [b.str('ImagePositionPatient', 0, 0, sliceZ(f))]),
            ]),
          ),
        ]
    : colour
      ? []
      : [
          b.str('SliceThickness', 2.5),
          b.str('ImagePositionPatient', 0, 0, sliceZ(at.instance)),
          b.str('ImageOrientationPatient', ...AXIAL),
          b.str('SliceLocation', sliceZ(at.instance)),
          ...(modality === 'CT' ? [b.str('RescaleIntercept', -1024), b.str('RescaleSlope', 1)] : []),
        ];
  const imageType = colour
    ? ['DERIVED', 'SECONDARY']
    : ['ORIGINAL', 'PRIMARY', ...(multiFrame ? ['VOLUME', 'NONE'] : [modality === 'CT' ? 'AXIAL' : 'OTHER'])];
  return [
    b.str('ImageType', ...imageType),
    b.str('SOPClassUID', sopClassOf(modality, multiFrame)),
    b.str('SOPInstanceUID', at.sopUid),
    b.str('SeriesDate', study.date),
    b.str('AcquisitionDate', study.date),
    b.str('ContentDate', study.date),
    b.str('SeriesTime', time),
    b.str('AcquisitionTime', time),
    b.str('ContentTime', time),
    b.str('SeriesDescription', `${modality} series ${at.series + 1}`),
    ...acquisition(b, modality),
    b.str('SeriesInstanceUID', at.seriesUid),
    b.str('SeriesNumber', at.series + 1),
    b.str('AcquisitionNumber', 1),
    b.str('InstanceNumber', at.instance + 1),
    ...(colour
      ? []
      : [b.str('FrameOfReferenceUID', at.frameOfReference), b.str('PositionReferenceIndicator', '')]),
    ...geometry,
    b.num('SamplesPerPixel', colour ? 3 : 1),
    b.str('PhotometricInterpretation', colour ? 'RGB' : 'MONOCHROME2'),
    ...(colour ? [b.num('PlanarConfiguration', 0)] : []),
    b.num('Rows', options.rows),
    b.num('Columns', options.cols),
    b.num('BitsAllocated', colour ? 8 : 16),
    b.num('BitsStored', colour ? 8 : 12),
    b.num('HighBit', colour ? 7 : 11),
    b.num('PixelRepresentation', 0),
    ...(colour ? [] : grey),
    b.str('BurnedInAnnotation', burnedIn && options.declaresBurnedIn !== false ? 'YES' : 'NO'),
  ];
}

function fileMeta(sopClass: string, sopUid: string, syntax: SyntaxName): NewElement[] {
  const b = new ElementBuilder(EXPLICIT_LE);
  return [
    { tag: 0x00020001, vr: 'OB', value: Uint8Array.of(0, 1) },
    b.str('MediaStorageSOPClassUID', sopClass),
    b.str('MediaStorageSOPInstanceUID', sopUid),
    b.str('TransferSyntaxUID', SYNTAXES[syntax].uid),
    b.str('ImplementationClassUID', IMPLEMENTATION_UID),
    b.str('ImplementationVersionName', 'DICOMDEID_SYNTH'),
  ];
}

/** Every file of one study per patient, in order, as head + frames. */
export function* studyFiles(modality: Modality, options: StudyOptions): Generator<SynthFile> {
  const { syntax } = SYNTAXES[options.syntax];
  const b = new ElementBuilder(syntax);
  const first = options.firstPatient ?? 0;
  for (let p = first; p < first + options.patients; p++) {
    const study = makeStudyFacts(options.seed, fakePatient(options.seed, p), modality);
    const phi = plantedPhi(study);
    const common = identifying(b, study);
    const text = modality === 'US' ? annotation(study, options.cols, options.rows) : undefined;
    const rng = new Rng(deriveSeed(options.seed, 'series', p, modality));
    for (let s = 0; s < options.seriesPerPatient; s++) {
      const seriesUid = fakeUid(rng);
      const frameOfReference = fakeUid(rng);
      for (let i = 0; i < options.instancesPerSeries; i++) {
        const at = { series: s, seriesUid, frameOfReference, instance: i, sopUid: fakeUid(rng) };
        const elements = [...common, ...imageElements(b, study, at, options, text !== undefined)];
        const dataset = encodeNewDataset(elements, syntax);
        const meta = encodeFileMeta(
          fileMeta(sopClassOf(modality, options.frames > 1), at.sopUid, options.syntax),
        );
        const frameBytes = options.rows * options.cols * (text ? 3 : 2);
        const payload = frameBytes * options.frames;
        // Values are padded to even length; only odd-sized RGB images need the extra byte.
        const pixelLength = payload + (payload % 2);
        const pixelHeader = encodeHeader(PIXEL_DATA, text ? 'OB' : 'OW', pixelLength, syntax);
        const preamble = new Uint8Array(132);
        preamble.set(latin1Bytes('DICM'), 128);
        yield {
          relativePath: `patient-${pad(p + 1, 3)}/${modality.toLowerCase()}/series-${pad(s + 1, 2)}/${pad(i + 1, 4)}.dcm`,
          head: concatChunks([preamble, meta, dataset, pixelHeader]),
          pixelLength,
          pixels: function* () {
            for (let f = 0; f < options.frames; f++) {
              const index = i * options.frames + f;
              yield text
                ? ultrasoundFrame(options.rows, options.cols, index, text)
                : greyFrame(options.rows, options.cols, index, syntax.littleEndian);
            }
            if (pixelLength > payload) yield new Uint8Array(1);
          },
          phi,
          ...(text ? { burnedIn: { lines: text.lines, region: textBoxRegion(text) } } : {}),
        };
      }
    }
  }
}

export function fileBytes(file: SynthFile): Uint8Array {
  return concatChunks([file.head, ...file.pixels()]);
}

export function* makeStudy(modality: Modality, options: StudyOptions): Generator<SynthBytes> {
  for (const file of studyFiles(modality, options)) {
    yield { relativePath: file.relativePath, bytes: fileBytes(file), phi: file.phi };
  }
}

export const makeCtStudy = (options: StudyOptions): Generator<SynthBytes> => makeStudy('CT', options);
