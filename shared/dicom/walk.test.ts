import { describe, expect, it } from 'vitest';
import { part10, str } from '../../test/part10.js';
import { parseDicom } from './parse.js';
import { type ByteSource, MemorySource } from './source.js';
import { formatTag } from './tag.js';
import { type DatasetScope, walkElements, walkScoped } from './walk.js';

const PATIENT_NAME = 0x00100010;
const OTHER_PATIENT_IDS = 0x00101002;
const CHARSET = 0x00080005;
const REQUEST_ATTRIBUTES = 0x00400275;

// A private block at the top and another in an item, a nested item redeclaring the character set.
const file = part10([
  str(CHARSET, 'CS', 'ISO_IR 100'),
  str(0x00090010, 'LO', 'ACME 1.0 '),
  str(0x00091001, 'LO', 'top private'),
  str(PATIENT_NAME, 'PN', 'DOE^JANE'),
  {
    tag: OTHER_PATIENT_IDS,
    vr: 'SQ',
    items: [
      [str(0x00100020, 'LO', 'A1')],
      [
        str(0x00110010, 'LO', 'OTHER CO'),
        str(0x00111005, 'LO', 'item private'),
        {
          tag: REQUEST_ATTRIBUTES,
          vr: 'SQ',
          items: [[str(CHARSET, 'CS', 'ISO_IR 192'), str(0x00321060, 'LO', 'deep')]],
        },
      ],
    ],
  },
]);

/** Counts reads, to show which questions read the file. */
class CountingSource implements ByteSource {
  reads = 0;
  constructor(private readonly inner: ByteSource) {}
  get size() {
    return this.inner.size;
  }
  window(offset: number, minLength: number) {
    return this.inner.window(offset, minLength);
  }
  read(offset: number, length: number) {
    this.reads++;
    return this.inner.read(offset, length);
  }
}

describe('walkScoped', () => {
  const parsed = parseDicom(new MemorySource(file));

  it('gives each element the scope of its dataset: path, inherited or redeclared charset, creators', () => {
    const seen: string[] = [];
    walkScoped(parsed.source, parsed.dataset, (el, scope): undefined => {
      const creator = scope.creatorOf(el.tag) ?? '-';
      seen.push(`${scope.pathPrefix}${formatTag(el.tag)} ${scope.charset} ${creator}`);
    });
    expect(seen).toEqual([
      '(0008,0005) ISO_IR 100 -',
      '(0009,0010) ISO_IR 100 -',
      '(0009,1001) ISO_IR 100 ACME 1.0',
      '(0010,0010) ISO_IR 100 -',
      '(0010,1002) ISO_IR 100 -',
      '(0010,1002)[0].(0010,0020) ISO_IR 100 -',
      '(0010,1002)[1].(0011,0010) ISO_IR 100 -',
      '(0010,1002)[1].(0011,1005) ISO_IR 100 OTHER CO',
      '(0010,1002)[1].(0040,0275) ISO_IR 100 -',
      '(0010,1002)[1].(0040,0275)[0].(0008,0005) ISO_IR 192 -',
      '(0010,1002)[1].(0040,0275)[0].(0032,1060) ISO_IR 192 -',
    ]);
  });

  it('makes the same contexts as walkElements, and skips the items of an element visited with false', () => {
    const scoped: unknown[] = [];
    walkScoped(parsed.source, parsed.dataset, (el, scope: DatasetScope) => {
      // Taken out of the scope, as the engine does.
      const { contextOf } = scope;
      scoped.push(contextOf(el));
      return el.tag !== OTHER_PATIENT_IDS;
    });
    const contexts: unknown[] = [];
    walkElements(parsed.source, parsed.dataset, (el, ctx) => {
      contexts.push(ctx);
      return el.tag !== OTHER_PATIENT_IDS;
    });
    expect(scoped).toEqual(contexts);
    expect(scoped).toHaveLength(5);
    expect(contexts.at(2)).toMatchObject({ privateCreator: 'ACME 1.0', vr: 'LO', path: [] });
  });

  it('reads private creators only when asked about a private element', () => {
    const counting = new CountingSource(parsed.source);
    const scopes: DatasetScope[] = [];
    walkScoped(counting, parsed.dataset, (_el, scope): undefined => {
      scopes.push(scope);
    });
    const afterWalk = counting.reads;
    scopes[0]!.creatorOf(PATIENT_NAME);
    expect(counting.reads).toBe(afterWalk);
    expect(scopes[0]!.creatorOf(0x00091001)).toBe('ACME 1.0');
    expect(counting.reads).toBeGreaterThan(afterWalk);
  });
});
