import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type BatchHooks, type BatchRequest, type BatchSummary, runBatch } from '../batch/run-batch.js';
import type { FindQuery } from './dimse.js';
import type { PeerNode } from './nodes.js';
import { StagingFolder } from './part10.js';
import { type Local, retrieveStudies, search, type Via } from './peer.js';

export interface PullRequest {
  readonly node: PeerNode;
  readonly via: Via;
  readonly local: Local;
  /** Studies to pull: given by UID, or every study a search finds. */
  readonly studies: readonly string[] | FindQuery;
  /** Where the private staging folder is made (owner-only); it is removed when the pull ends. */
  readonly stagingRoot: string;
  /** The batch that de-identifies the staged files; its inputs are the staging folder. */
  readonly batch: Omit<BatchRequest, 'inputs'>;
  readonly onStaged?: (count: number) => void;
}

export interface PullSummary {
  readonly studies: number;
  readonly retrieved: number;
  readonly batch: BatchSummary;
}

/**
 * Pull → de-identify: retrieves studies into a private staging folder, runs the batch over it, and
 * removes the staging folder whatever happens, so identified copies do not outlive the pull.
 */
export async function pullAndDeidentify(req: PullRequest, hooks: BatchHooks = {}): Promise<PullSummary> {
  const studyUids = Array.isArray(req.studies)
    ? (req.studies as readonly string[])
    : (await search(req.node, req.via, req.local, { ...(req.studies as FindQuery), level: 'study' }))
        .map((m) => m.StudyInstanceUID ?? '')
        .filter((uid) => uid !== '');
  const staging = new StagingFolder(join(req.stagingRoot, `pull-${randomBytes(6).toString('hex')}`));
  try {
    let staged = 0;
    const retrieved = await retrieveStudies(req.node, req.via, req.local, studyUids, staging, () =>
      req.onStaged?.(++staged),
    );
    const batch = await runBatch({ ...req.batch, inputs: [staging.dir] }, hooks);
    return { studies: studyUids.length, retrieved, batch };
  } finally {
    rmSync(staging.dir, { recursive: true, force: true });
  }
}
