import { describe, expect, it } from 'vitest';
import { type ActionName, byAttribute, countAttribute, sameCounts } from './attribute-counts.js';

const count = (events: [number, ActionName, number][]): number[] => {
  const counts: number[] = [];
  for (const [tag, action, by] of events) countAttribute(counts, tag, action, by);
  return counts;
};

describe('attribute counts', () => {
  it('add up per tag in the order first counted, actions in the order first counted', () => {
    const totals = byAttribute(
      count([
        [0x00100010, 'pseudonymized', 1],
        [0x00081030, 'kept', 1],
        [0x00081030, 'removed', 1],
        [0x00081030, 'kept', 1],
      ]),
    );
    expect([...totals]).toEqual([
      [0x00100010, { pseudonymized: 1 }],
      [0x00081030, { kept: 2, removed: 1 }],
    ]);
    expect(Object.keys(totals.get(0x00081030)!)).toEqual(['kept', 'removed']);
  });

  it('leave out an action counted back to zero, and count it last when it comes again', () => {
    // As the engine recounts a SOP Class UID it replaced: kept, replaced, then kept taken back.
    const totals = byAttribute(
      count([
        [0x00080016, 'kept', 1],
        [0x00080016, 'replaced', 1],
        [0x00080016, 'kept', -1],
      ]),
    );
    expect(totals.get(0x00080016)).toEqual({ replaced: 1 });
    const again = byAttribute(
      count([
        [0x00080016, 'kept', 1],
        [0x00080016, 'replaced', 1],
        [0x00080016, 'kept', -1],
        [0x00080016, 'kept', 1],
      ]),
    );
    expect(Object.keys(again.get(0x00080016)!)).toEqual(['replaced', 'kept']);
  });

  it('are the same only when counted alike', () => {
    const a = count([[0x00081030, 'kept', 1]]);
    expect(sameCounts(a, count([[0x00081030, 'kept', 1]]))).toBe(true);
    expect(sameCounts(a, count([[0x00081030, 'removed', 1]]))).toBe(false);
    expect(sameCounts(a, count([[0x00081031, 'kept', 1]]))).toBe(false);
    expect(sameCounts(a, [])).toBe(false);
  });
});
