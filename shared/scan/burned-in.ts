import { BURNED_IN_ANNOTATION, RECOGNIZABLE_VISUAL_FEATURES, topLevelCode } from '../dicom/header.js';
import { type DicomElement, type ParsedDicom, UNDEFINED_LENGTH } from '../dicom/model.js';
import type { ByteSource } from '../dicom/source.js';
import { readNumbers } from '../dicom/values.js';

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
  const imageType = (topLevelCode(parsed, 0x00080008) ?? '').split('\\').map((v) => v.trim());
  const pi = topLevelCode(parsed, 0x00280004);
  return {
    burnedInAnnotation: topLevelCode(parsed, BURNED_IN_ANNOTATION),
    recognizableVisualFeatures: topLevelCode(parsed, RECOGNIZABLE_VISUAL_FEATURES),
    modality,
    sopClassUID,
    photometricInterpretation: pi && UPPER_CODE.test(pi) ? pi : undefined,
    imageType,
    rows: number(0x00280010),
    columns: number(0x00280011),
    conversionType: topLevelCode(parsed, 0x00080064),
  };
}

/** The top-level elements burnedInFactsOf reads. */
const FACT_TAGS = [
  0x00080008,
  0x00280004,
  BURNED_IN_ANNOTATION,
  RECOGNIZABLE_VISUAL_FEATURES,
  0x00280010,
  0x00280011,
  0x00080064,
];
/** Values longer than this are not remembered (the facts are short codes and numbers). */
const MAX_REMEMBERED = 256;

/** One fact element as it was in the file: what reading it depends on. */
interface FactElement {
  readonly vr: string;
  readonly length: number;
  readonly items: boolean;
  readonly value: Uint8Array;
}

function firstWith(elements: readonly DicomElement[], tag: number): DicomElement | undefined {
  for (const el of elements) if (el.tag === tag) return el;
  return undefined;
}

function factElement(source: ByteSource, el: DicomElement | undefined): FactElement | undefined | null {
  if (!el) return undefined;
  if (el.length === UNDEFINED_LENGTH || el.length > MAX_REMEMBERED) return null;
  return {
    vr: el.vr,
    length: el.length,
    items: el.items !== undefined,
    value: source.read(el.valueStart, el.length).slice(),
  };
}

function sameElement(
  source: ByteSource,
  el: DicomElement | undefined,
  was: FactElement | undefined,
): boolean {
  if (!el || !was) return el === was;
  if (el.vr !== was.vr || el.length !== was.length || (el.items !== undefined) !== was.items) return false;
  const { bytes, base } = source.window(el.valueStart, was.value.length);
  const from = el.valueStart - base;
  for (let i = 0; i < was.value.length; i++) if (bytes[from + i] !== was.value[i]) return false;
  return true;
}

/** The last file's fact elements and what they gave, unless one could not be remembered (null above). */
let last:
  | {
      readonly littleEndian: boolean;
      readonly modality: string | undefined;
      readonly sopClassUID: string | undefined;
      readonly elements: ReadonlyArray<FactElement | undefined>;
      readonly burnedIn: BurnedIn;
    }
  | undefined;

/**
 * `burnedInRisk(burnedInFactsOf(…))`, remembered for the next file: the files of a series carry the same
 * bytes in the few elements it reads, and comparing them costs a fraction of decoding them again.
 */
export function burnedInOf(
  parsed: ParsedDicom,
  modality: string | undefined,
  sopClassUID: string | undefined,
): BurnedIn {
  const { elements, syntax } = parsed.dataset;
  const found = FACT_TAGS.map((tag) => firstWith(elements, tag));
  if (
    last &&
    last.littleEndian === syntax.littleEndian &&
    last.modality === modality &&
    last.sopClassUID === sopClassUID &&
    found.every((el, i) => sameElement(parsed.source, el, last!.elements[i]))
  )
    return last.burnedIn;
  const burnedIn = burnedInRisk(burnedInFactsOf(parsed, modality, sopClassUID));
  const remembered = found.map((el) => factElement(parsed.source, el));
  last = remembered.includes(null)
    ? undefined
    : {
        littleEndian: syntax.littleEndian,
        modality,
        sopClassUID,
        elements: remembered as Array<FactElement | undefined>,
        burnedIn,
      };
  return burnedIn;
}
