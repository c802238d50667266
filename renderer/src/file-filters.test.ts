import { describe, expect, it } from 'vitest';
import type { FileRow } from '../../shared/ipc/contract.js';
import { fileRow } from '../../test/file-row.js';
import { chipsFor, filterRows } from './file-filters.js';

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
