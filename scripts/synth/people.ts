import { deriveSeed, Rng } from './random.js';

/** A fake patient. Every value is invented; the ranges are chosen so none can be a real identifier. */
export interface FakePatient {
  readonly index: number;
  /** DICOM PN form, e.g. `DOE^JANE^M`. */
  readonly name: string;
  /** The name as a person would write it in free text, e.g. `Jane Doe`. */
  readonly spokenName: string;
  /** Whether the name needs Latin-1 (Specific Character Set ISO_IR 100). */
  readonly latin1: boolean;
  readonly sex: 'F' | 'M';
  readonly id: string;
  readonly nationalId: string;
  readonly birthDate: string;
  readonly address: string;
  readonly phone: string;
  readonly institution: string;
  readonly institutionAddress: string;
  readonly referringPhysician: string;
  readonly performingPhysician: string;
  readonly operator: string;
}

interface Persona {
  readonly family: string;
  readonly given: string;
  readonly middle: string;
  readonly sex: 'F' | 'M';
}

// The first two patients of every corpus are the examples the docs and tests name.
const PERSONAS: readonly Persona[] = [
  { family: 'DOE', given: 'JANE', middle: 'M', sex: 'F' },
  { family: 'MÜLLER', given: 'JÖRG', middle: 'K', sex: 'M' },
];
const FAMILY = [
  'ROE',
  'SMITH',
  'NGUYEN',
  'GARCIA',
  'KOWALSKI',
  'OKAFOR',
  'TANAKA',
  'JOHANSSON',
  'MARTIN',
  'PATEL',
];
const FAMILY_LATIN1 = ['GONZÁLEZ', 'SØRENSEN', 'FRANÇOIS', 'BJÖRK', 'NÚÑEZ', 'LEFÈVRE'];
const GIVEN = {
  F: ['MARY', 'ANNA', 'LUCIA', 'AIKO', 'CHIOMA', 'GRACE'],
  M: ['JOHN', 'RICHARD', 'PETER', 'KENJI', 'LUIS', 'TOMASZ'],
};
const GIVEN_LATIN1 = { F: ['BÉATRICE', 'INÊS', 'ÅSA', 'ZOË'], M: ['JOSÉ', 'SØREN', 'FRANÇOIS', 'ANDRÉ'] };
const PHYSICIANS = ['HOUSE^GREGORY', 'QUINN^MICHAELA', 'KILDARE^JAMES', 'BAILEY^MIRANDA', 'ZHIVAGO^YURI'];
const STREETS = ['Elm', 'Maple', 'Cedar', 'Birch', 'Willow'];
const INSTITUTIONS = ['Fakeville General Hospital', 'St. Nowhere Medical Center', 'Example Valley Clinic'];

const titleCase = (word: string) => word.charAt(0) + word.slice(1).toLowerCase();

function persona(index: number, rng: Rng): Persona {
  const fixed = PERSONAS[index];
  if (fixed) return fixed;
  const sex = rng.pick(['F', 'M'] as const);
  // Odd patients get Latin-1 names so every corpus mixes the default repertoire and ISO_IR 100.
  const latin1 = index % 2 === 1;
  return {
    family: rng.pick(latin1 ? FAMILY_LATIN1 : FAMILY),
    given: rng.pick(latin1 ? GIVEN_LATIN1[sex] : GIVEN[sex]),
    middle: String.fromCharCode(rng.int(65, 90)),
    sex,
  };
}

export function fakePatient(seed: number, index: number): FakePatient {
  const rng = new Rng(deriveSeed(seed, 'patient', index));
  const p = persona(index, rng);
  const name = `${p.family}^${p.given}^${p.middle}`;
  return {
    index,
    name,
    spokenName: `${titleCase(p.given)} ${titleCase(p.family)}`,
    latin1: /[^\x20-\x7e]/.test(name),
    sex: p.sex,
    id: `MRN${rng.digits(7)}`,
    // Area numbers 900-999 are never issued, so this national-ID shape cannot belong to anyone.
    nationalId: `9${rng.digits(2)}-${rng.digits(2)}-${rng.digits(4)}`,
    birthDate: `${rng.int(1935, 2005)}${String(rng.int(1, 12)).padStart(2, '0')}${String(rng.int(1, 28)).padStart(2, '0')}`,
    address: `${rng.int(10, 999)} ${rng.pick(STREETS)} Street, Fakeville, ZZ 0${rng.digits(4)}`,
    // 555-0100 to 555-0199 are reserved for fiction.
    phone: `+1-555-01${rng.digits(2)}`,
    institution: rng.pick(INSTITUTIONS),
    institutionAddress: `${rng.int(1, 99)} Hospital Road, Fakeville, ZZ 0${rng.digits(4)}`,
    referringPhysician: rng.pick(PHYSICIANS),
    performingPhysician: rng.pick(PHYSICIANS),
    operator: rng.pick(PHYSICIANS),
  };
}
