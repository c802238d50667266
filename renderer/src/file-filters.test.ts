import { describe, expect, it } from 'vitest';
import type { FileRow } from '../../shared/ipc/contract.js';
import { fileRow } from '../../test/file-row.js';
import { chipsFor, duplicateRows, filterRows } from './file-filters.js';

const row = (id: number, over: Partial<FileRow> = {}) => fileRow(id, { burnedIn: 'likely', ...over });

describe('the pixel check chips', () => {
  const rows = [
    row(1),
    row(2, { pixels: { status: 'held', textFound: true, reviewed: false } }),
    row(3, { pixels: { status: 'cleaned', textFound: true, reviewed: true } }),
    row(4, { pixels: { status: 'not-at-risk', textFound: false, reviewed: false } }),
    row(5, { status: 'held' }),
  ];

  it('count text found, held (by a run or by the check) and reviewed', () => {
    const counts = Object.fromEntries(chipsFor(rows).map((chip) => [chip.key, chip.count]));
    expect(counts['text-found']).toBe(2);
    expect(counts.held).toBe(2);
    expect(counts.reviewed).toBe(1);
  });

  it('show only the rows they match', () => {
    expect(filterRows(rows, new Set(['held'])).map((r) => r.id)).toEqual([2, 5]);
    expect(filterRows(rows, new Set(['reviewed'])).map((r) => r.id)).toEqual([3]);
    expect(filterRows(rows, new Set(['text-found'])).map((r) => r.id)).toEqual([2, 3]);
  });
});

describe('the duplicates chip', () => {
  // Rows 2 and 4 repeat the instance of row 1 (whatever order they were read in); row 3 is alone.
  const rows = [
    row(4, { instanceKey: 'a' }),
    row(1, { instanceKey: 'a' }),
    row(3, { instanceKey: 'b' }),
    row(2, { instanceKey: 'a' }),
    row(5, { status: 'unreadable' }),
  ];

  it('counts the extra copies, not the first of each instance', () => {
    expect([...duplicateRows(rows)].sort()).toEqual([2, 4]);
    expect(chipsFor(rows).find((chip) => chip.key === 'duplicates')?.count).toBe(2);
    expect(filterRows(rows, new Set(['duplicates'])).map((r) => r.id)).toEqual([4, 2]);
  });

  it('is not offered when every instance is in the list once', () => {
    expect(chipsFor(rows.slice(2)).some((chip) => chip.key === 'duplicates')).toBe(false);
  });
});
