import { describe, expect, it } from 'vitest';
import type { Rect } from '../../shared/pixels/regions.js';
import type { ClassifiedText } from '../../shared/pixels/text-identity.js';
import type { FileText } from './file-text.js';
import { textVerdict } from './file-text.js';

const NAME: Rect = { x: 10, y: 10, width: 80, height: 12 };
const LABEL: Rect = { x: 10, y: 30, width: 60, height: 12 };

const found = (texts: ClassifiedText[]): FileText => ({
  found: {
    regions: new Map([[0, texts.filter((t) => t.cls !== 'technical').map((t) => t.box)]]),
    texts: new Map([[0, texts]]),
    counts: { identity: 0, technical: 0, undecided: 0 },
    unreadableFrames: 0,
    pixelsRead: 0,
  },
});

const text = [
  { cls: 'identity', reason: 'identifier', box: NAME, text: 'x' },
  { cls: 'undecided', reason: 'unreadable-after-label', box: LABEL, text: 'y' },
] as const satisfies ClassifiedText[];

describe('the detector verdict with the person decisions', () => {
  it('holds a file with undecided text, counting it and naming no value', () => {
    const verdict = textVerdict(found([...text]));
    expect(verdict).toMatchObject({ hold: '1 pieces of burned-in text beside a label could not be read' });
    expect(verdict.regions.get(0)).toEqual([NAME, LABEL]);
  });

  it('lets a reviewed file go with every region it found still to clean', () => {
    const verdict = textVerdict(found([...text]), { reviewed: true });
    expect('hold' in verdict).toBe(false);
    expect(verdict.regions.get(0)).toEqual([NAME, LABEL]);
  });

  it('needs no decision on undecided text the person kept or a rule cleans anyway', () => {
    expect('hold' in textVerdict(found([...text]), { kept: [LABEL] })).toBe(false);
    expect('hold' in textVerdict(found([...text]), { covered: [LABEL] })).toBe(false);
    expect('hold' in textVerdict(found([...text]), { kept: [NAME] })).toBe(true);
  });

  it('never lets a review pass frames that could not be read', () => {
    const unreadable: FileText = { unreadable: 'no codec' };
    expect('hold' in textVerdict(unreadable, { reviewed: true })).toBe(true);
  });
});
