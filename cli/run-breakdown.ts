import type { BatchFileResult } from '../node/batch/run-batch.js';
import { shareableReason } from '../node/reports/writer.js';

/** The order people deal with them in: what failed first, then what waits for review, then the rest. */
const ORDER = ['failed', 'held', 'skipped'];
const SHOWN_KINDS = 8;

// Numbers (offsets, sizes, counts) vary from file to file within one kind of reason; tags do not.
const TAG_OR_NUMBER = /\([0-9A-Fa-f]{4},[0-9A-Fa-f]{4}\)|\d+/g;
const reasonKind = (reason: string) => reason.replace(TAG_OR_NUMBER, (m) => (m.startsWith('(') ? m : 'N'));

/**
 * The end-of-run breakdown of `anonymize`: files not written, by status and by kind of reason, most
 * frequent first. Reasons name tags and sizes only; paths a system error may carry are replaced as in the
 * shareable report, so the breakdown is safe in a log.
 */
export class RunBreakdown {
  private readonly counts = new Map<string, Map<string, number>>();

  add(r: Pick<BatchFileResult, 'status' | 'reason' | 'input'>): void {
    if (r.status === 'written') return;
    const kind = reasonKind(shareableReason(r.reason ?? 'no reason given', r.input));
    const kinds = this.counts.get(r.status) ?? new Map<string, number>();
    this.counts.set(r.status, kinds);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }

  /** Lines to print, or none when every file was written. */
  lines(): string[] {
    const statuses = [...this.counts.keys()].sort(
      (a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99),
    );
    const lines: string[] = [];
    for (const status of statuses) {
      const kinds = [...this.counts.get(status)!].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      const total = kinds.reduce((n, [, c]) => n + c, 0);
      lines.push(`${status} (${total}), by reason:`);
      for (const [kind, count] of kinds.slice(0, SHOWN_KINDS))
        lines.push(`  ${String(count).padStart(6)}  ${kind}`);
      if (kinds.length > SHOWN_KINDS) {
        const rest = kinds.slice(SHOWN_KINDS).reduce((n, [, c]) => n + c, 0);
        lines.push(
          `  ${String(rest).padStart(6)}  other reasons (${kinds.length - SHOWN_KINDS} kinds; see the audit)`,
        );
      }
    }
    return lines;
  }
}
