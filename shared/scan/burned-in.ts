/**
 * Whether the pixels themselves may show patient details (names typed onto ultrasound screens, scanned
 * request forms, photographs of faces). Removing attributes does not touch these, so users are told which
 * files need a look or a pixel clean.
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
}

/** Modalities whose images are often screens, photographs or scans with text drawn into them. */
const MODALITIES: Readonly<Record<string, string>> = {
  US: 'ultrasound',
  SC: 'secondary capture',
  XA: 'X-ray angiography',
  RF: 'fluoroscopy',
  DX: 'digital X-ray',
  CR: 'computed radiography',
  ES: 'endoscopy',
  XC: 'external camera photography',
  OT: '"other" modality',
  PX: 'panoramic X-ray',
  GM: 'general microscopy',
  SM: 'slide microscopy',
  OP: 'ophthalmic photography',
  IO: 'intra-oral X-ray',
  DOC: 'scanned document',
};

const SECONDARY_CAPTURE = '1.2.840.10008.5.1.4.1.1.7';
const ENCAPSULATED_DOCUMENTS: Readonly<Record<string, string>> = {
  '1.2.840.10008.5.1.4.1.1.104.1': 'an encapsulated PDF',
  '1.2.840.10008.5.1.4.1.1.104.2': 'an encapsulated CDA document',
};

// "…1.1.7" is a prefix of unrelated classes such as VL images ("…1.1.77.1"), so the match is by arc.
const isSecondaryCapture = (uid: string | undefined) =>
  uid === SECONDARY_CAPTURE || (uid?.startsWith(`${SECONDARY_CAPTURE}.`) ?? false);

export function burnedInRisk(facts: BurnedInFacts): BurnedIn {
  if (facts.burnedInAnnotation === 'YES') {
    return {
      risk: 'yes',
      reason: 'The file says its pixels contain burned-in text (Burned In Annotation is YES).',
    };
  }
  if (facts.recognizableVisualFeatures === 'YES') {
    return {
      risk: 'possible',
      reason:
        'The file says the image shows recognisable features such as a face (Recognizable Visual Features is YES).',
    };
  }
  const document = facts.sopClassUID ? ENCAPSULATED_DOCUMENTS[facts.sopClassUID] : undefined;
  if (document)
    return { risk: 'possible', reason: `The file is ${document}, which may name the patient in its pages.` };
  if (isSecondaryCapture(facts.sopClassUID)) {
    return {
      risk: 'possible',
      reason: 'Secondary capture images are often screenshots that may show patient details.',
    };
  }
  const kind = facts.modality ? MODALITIES[facts.modality] : undefined;
  if (kind) {
    return {
      risk: 'possible',
      reason: `Images of this kind (${kind}, ${facts.modality}) often have patient details drawn into the pixels.`,
    };
  }
  return {
    risk: 'unlikely',
    reason: 'Nothing in the file suggests text in the pixels, though no file can rule it out without a look.',
  };
}
