import { BURNED_IN_ANNOTATION, RECOGNIZABLE_VISUAL_FEATURES, topLevelCode } from '../dicom/header.js';
import type { ParsedDicom } from '../dicom/model.js';
import { readNumbers } from '../dicom/values.js';
import { Remembered } from './remembered.js';

/**
 * Whether the pixels themselves may show patient details (names typed onto ultrasound screens, scanned
 * request forms, photographs of faces). Removing attributes does not touch these, so users are told which
 * files need a look or a pixel clean. "possible" is kept for facts that make text likely, so that it
 * means "a person should look": such files are held unless their pixels are cleaned or accepted.
 */
export type BurnedInRisk = 'yes' | 'possible' | 'unlikely';

export interface BurnedIn {
  readonly risk: BurnedInRisk;
  /** Plain English for the person deciding what to do with the file. */
  readonly reason: string;
}

export interface BurnedInFacts {
  /** Burned In Annotation (0028,0301), upper-cased. */
  readonly burnedInAnnotation?: string | undefined;
  /** Recognizable Visual Features (0028,0302), upper-cased. */
  readonly recognizableVisualFeatures?: string | undefined;
  readonly modality?: string | undefined;
  readonly sopClassUID?: string | undefined;
  /** Photometric Interpretation (0028,0004), upper-cased. */
  readonly photometricInterpretation?: string | undefined;
  /** Image Type (0008,0008) values, upper-cased. */
  readonly imageType?: readonly string[] | undefined;
  readonly rows?: number | undefined;
  readonly columns?: number | undefined;
  /** Conversion Type (0008,0064) of a secondary capture, upper-cased. */
  readonly conversionType?: string | undefined;
}

/** Conversion Types (0008,0064) that capture screens, video or paper rather than copy an image. */
const CAPTURED: Readonly<Record<string, string>> = {
  DV: 'a video capture',
  SD: 'a scanned document',
  SI: 'a scanned image',
  DRW: 'a drawing',
};

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const VISIBLE_LIGHT = '1.2.840.10008.5.1.4.1.1.77';
const ENCAPSULATED_DOCUMENTS: Readonly<Record<string, string>> = {
  '1.2.840.10008.5.1.4.1.1.104.1': 'an encapsulated PDF',
  '1.2.840.10008.5.1.4.1.1.104.2': 'an encapsulated CDA document',
};

// "…1.1.7" is a prefix of unrelated classes such as VL images ("…1.1.77.1"), so the match is by arc.
const inClass = (uid: string | undefined, root: string) =>
  uid === root || (uid?.startsWith(`${root}.`) ?? false);

/** Photographs, endoscopy, microscopy slides (with their labels) and scanned documents. */
const PHOTOGRAPHIC: Readonly<Record<string, string>> = {
  XC: 'external camera photography',
  ES: 'endoscopy',
  OP: 'ophthalmic photography',
  GM: 'general microscopy',
  SM: 'slide microscopy',
  DOC: 'scanned document',
};

/** Modalities that acquire grey images: a colour one is a rendering or a screen capture. */
const GREY_MODALITIES = new Set(['CT', 'MR', 'PT', 'NM', 'CR', 'DX', 'MG', 'XA', 'RF', 'IO', 'PX', 'OT']);
const COLOUR = new Set([
  'RGB',
  'PALETTE COLOR',
  'YBR_FULL',
  'YBR_FULL_422',
  'YBR_PARTIAL_420',
  'YBR_ICT',
  'YBR_RCT',
]);

/** Sizes of computer and video screens (columns × rows): what screen grabs come out as. */
const SCREEN_SIZES = new Set([
  '640x480',
  '720x480',
  '720x576',
  '800x600',
  '1024x768',
  '1152x864',
  '1280x720',
  '1280x960',
  '1280x1024',
  '1366x768',
  '1440x900',
  '1600x900',
  '1600x1200',
  '1680x1050',
  '1920x1080',
  '1920x1200',
]);

const possible = (reason: string): BurnedIn => ({ risk: 'possible', reason });

export function burnedInRisk(facts: BurnedInFacts): BurnedIn {
  if (facts.burnedInAnnotation === 'YES') {
    return {
      risk: 'yes',
      reason: 'The file says its pixels contain burned-in text (Burned In Annotation is YES).',
    };
  }
  if (facts.recognizableVisualFeatures === 'YES') {
    return possible(
      'The file says the image shows recognisable features such as a face (Recognizable Visual Features is YES).',
    );
  }
  const document = facts.sopClassUID ? ENCAPSULATED_DOCUMENTS[facts.sopClassUID] : undefined;
  if (document) return possible(`The file is ${document}, which may name the patient in its pages.`);
  if (facts.burnedInAnnotation === 'NO') {
    return {
      risk: 'unlikely',
      reason: 'The file says its pixels hold no burned-in text (Burned In Annotation is NO).',
    };
  }
  const imageType = facts.imageType ?? [];
  if (imageType.includes('SCREEN SAVE'))
    return possible('The image is a saved screen, which may show patient details.');
  if (imageType.includes('LOCALIZER'))
    return possible("Scout (localizer) images often have the patient's name and birth date drawn into them.");
  if (facts.modality === 'US')
    return possible(
      "Images of this kind (ultrasound, US) are screens that usually show the patient's name or ID.",
    );
  const photo = facts.modality ? PHOTOGRAPHIC[facts.modality] : undefined;
  if (photo || inClass(facts.sopClassUID, VISIBLE_LIGHT))
    return possible(`Photographs and scans (${photo ?? 'visible light'}) may show faces, labels or forms.`);
  const pi = facts.photometricInterpretation;
  const secondary = inClass(facts.sopClassUID, SECONDARY_CAPTURE);
  if (pi && COLOUR.has(pi) && secondary)
    return possible('A colour secondary capture is usually a screenshot or a photograph.');
  if (pi && COLOUR.has(pi) && facts.modality && GREY_MODALITIES.has(facts.modality)) {
    return possible(
      `A colour image from a greyscale modality (${facts.modality}) is usually a rendering or screen capture with text.`,
    );
  }
  if (facts.columns && facts.rows && SCREEN_SIZES.has(`${facts.columns}x${facts.rows}`))
    return possible('The image has the size of a computer screen, as screen captures do.');
  const conversion = facts.conversionType ? CAPTURED[facts.conversionType] : undefined;
  if (secondary && conversion)
    return possible(`The secondary capture is ${conversion}, which may show patient details.`);
  if (secondary && imageType.includes('DERIVED'))
    return possible('The secondary capture was derived from other images, as annotated screenshots are.');
  return {
    risk: 'unlikely',
    reason: 'Nothing in the file suggests text in the pixels, though no file can rule it out without a look.',
  };
}

const UPPER_CODE = /^[A-Z0-9 _]+$/;

const IMAGE_TYPE = 0x00080008;
const PHOTOMETRIC_INTERPRETATION = 0x00280004;
const ROWS = 0x00280010;
const COLUMNS = 0x00280011;
const CONVERSION_TYPE = 0x00080064;

/** The facts burnedInRisk weighs, read from a file's top-level header. */
export function burnedInFactsOf(
  parsed: ParsedDicom,
  modality: string | undefined,
  sopClassUID: string | undefined,
): BurnedInFacts {
  const number = (tag: number) => {
    const el = parsed.dataset.elements.find((e) => e.tag === tag);
    return el && el.length >= 2
      ? readNumbers(parsed.source, el, 'US', parsed.dataset.syntax, 1)[0]
      : undefined;
  };
  const imageType = (topLevelCode(parsed, IMAGE_TYPE) ?? '').split('\\').map((v) => v.trim());
  const pi = topLevelCode(parsed, PHOTOMETRIC_INTERPRETATION);
  return {
    burnedInAnnotation: topLevelCode(parsed, BURNED_IN_ANNOTATION),
    recognizableVisualFeatures: topLevelCode(parsed, RECOGNIZABLE_VISUAL_FEATURES),
    modality,
    sopClassUID,
    photometricInterpretation: pi && UPPER_CODE.test(pi) ? pi : undefined,
    imageType,
    rows: number(ROWS),
    columns: number(COLUMNS),
    conversionType: topLevelCode(parsed, CONVERSION_TYPE),
  };
}

/** `burnedInRisk(burnedInFactsOf(…))` by the elements it reads, the byte order of numbers, and the rest. */
const BURNED_IN = new Remembered<BurnedIn>([
  IMAGE_TYPE,
  PHOTOMETRIC_INTERPRETATION,
  BURNED_IN_ANNOTATION,
  RECOGNIZABLE_VISUAL_FEATURES,
  ROWS,
  COLUMNS,
  CONVERSION_TYPE,
]);

/** `burnedInRisk(burnedInFactsOf(…))`, remembered from file to file (see Remembered). */
export const burnedInOf = (
  parsed: ParsedDicom,
  modality: string | undefined,
  sopClassUID: string | undefined,
): BurnedIn =>
  BURNED_IN.of(parsed, [parsed.dataset.syntax.littleEndian, modality, sopClassUID], () =>
    burnedInRisk(burnedInFactsOf(parsed, modality, sopClassUID)),
  );
