import { PROFILE_ROWS, type ProfileRow } from '../standard/profile-table.generated.js';

/**
 * PHI categories for people who read scans rather than the standard: every Table E.1-1 row falls in
 * exactly one, derived from what the table says about the row (its option columns, VR and keyword), so
 * a new edition of the table is categorised without anyone editing a tag list.
 */
export const CATEGORIES = [
  { id: 'patient-identity', label: 'Patient identity' },
  { id: 'patient-characteristics', label: 'Birth date and characteristics' },
  { id: 'institution', label: 'Institution and address' },
  { id: 'staff', label: 'Physicians and operators' },
  { id: 'dates', label: 'Dates and times' },
  { id: 'uids', label: 'UIDs' },
  { id: 'device', label: 'Device identity' },
  { id: 'free-text', label: 'Descriptions and free text' },
  { id: 'private', label: 'Private attributes' },
  { id: 'graphics', label: 'Overlays and curves' },
  { id: 'identifiers', label: 'Accession, study and visit identifiers' },
] as const;

export type CategoryId = (typeof CATEGORIES)[number]['id'];

export const CATEGORY_IDS: readonly CategoryId[] = CATEGORIES.map((c) => c.id);

const LABELS = new Map<CategoryId, string>(CATEGORIES.map((c) => [c.id, c.label]));
export const categoryLabel = (id: CategoryId): string => LABELS.get(id)!;

// Keyword stems, for rows the option columns leave open. Each names a kind of thing, never one tag.
// Names, contact details and circumstances of the patient, or of the person responsible for them.
const PATIENT_IDENTITY =
  /^(Current|Scheduled|Other|Referenced|IssuerOf)?Patient(?!Setup|Treatment|Comments)|^(Military|BranchOfService|Insurance|Religious|Responsible|Person|NameToUse|Pronoun|ThirdPersonPronouns|GenderIdentity|MedicalRecord|CountryOf|RegionOf|Occupation|CameraOwner)/;
// Birth date and time characterise the patient; birth *names* identify them (PATIENT_IDENTITY).
const BIRTH_DATE = /Birth(Date|Time)$/;
const STAFF =
  /Physician|Operator|Performer|Observer|Author|Reviewer|Technician|Interpreter|Recorder|Transcriber|Approver|Recipient|Participant|Creator|OrderEnteredBy|Signer/;
// Where things happen and how to reach the people involved, once patients and staff are ruled out.
const PLACE = /Institution|Organization|Sponsor|Address|Location|[Pp]hone|Telecom|^GPS/;
const DEVICE = /Device|Station|Machine/;
const FREE_TEXT = /Description|Comment|Text|Notes|Narrative|Document|Topic/;
const FREE_TEXT_VRS = new Set(['LT', 'ST', 'UT', 'UC']);
const DATE_VRS = new Set(['DA', 'DT', 'TM']);
// Small pictures that may show burned-in text, as overlays do.
const PICTURES = /Icon/;

/**
 * Options first, since they are the standard's own grouping (a date that is also device calibration is
 * a date), then the VR and keyword stems, most specific first: people before places before devices,
 * and anything still unclaimed is an identifier of the visit, order or study.
 */
export function categoryOfRow(row: ProfileRow): CategoryId {
  const { options } = row;
  const keyword = row.keyword ?? '';
  const vr = row.vr ?? '';
  if (row.match.kind === 'privateOddGroup') return 'private';
  if (options.retainUIDs || vr === 'UI') return 'uids';
  if (options.cleanGraphics || PICTURES.test(keyword)) return 'graphics';
  if (BIRTH_DATE.test(keyword) || options.retainPatientCharacteristics) return 'patient-characteristics';
  if (options.retainLongFullDates || DATE_VRS.has(vr)) return 'dates';
  if (options.retainInstitutionIdentity) return 'institution';
  if (options.retainDeviceIdentity) return 'device';
  if (PATIENT_IDENTITY.test(keyword)) return 'patient-identity';
  if (options.cleanDescriptors || options.cleanStructuredContent) return 'free-text';
  if (vr === 'PN' || STAFF.test(keyword)) return 'staff';
  if (PLACE.test(keyword)) return 'institution';
  if (DEVICE.test(keyword)) return 'device';
  if (FREE_TEXT_VRS.has(vr) || FREE_TEXT.test(keyword)) return 'free-text';
  return 'identifiers';
}

const BY_ROW = new Map<ProfileRow, CategoryId>(PROFILE_ROWS.map((row) => [row, categoryOfRow(row)]));

/** The category of a row of PROFILE_ROWS (as returned by the profile's row lookup). */
export const categoryOf = (row: ProfileRow): CategoryId => BY_ROW.get(row) ?? categoryOfRow(row);
