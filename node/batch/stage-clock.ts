/**
 * Where a batch's time goes, stage by stage (`--profile-stages`): milliseconds summed over files. Off by
 * default; when off, a lap is one comparison.
 */
export type StageTimes = Record<string, number>;

let current: { times: StageTimes; last: number } | undefined;

/** Starts timing one file's stages in this thread. */
export function startClock(): void {
  current = { times: {}, last: performance.now() };
}

/** Charges the time since the previous lap to `stage`. */
export function lap(stage: string): void {
  if (!current) return;
  const now = performance.now();
  current.times[stage] = (current.times[stage] ?? 0) + (now - current.last);
  current.last = now;
}

/** Stops timing and returns what each stage took. */
export function stopClock(): StageTimes | undefined {
  const times = current?.times;
  current = undefined;
  return times;
}

/** Adds one file's stage times into a batch's. */
export function addTimes(into: StageTimes, times: StageTimes): void {
  for (const [stage, ms] of Object.entries(times)) into[stage] = (into[stage] ?? 0) + ms;
}

/** Charges the time since `began` to a batch's `stage` (main-thread stages: walk, commit). */
export type StageTimer = (stage: string, began: number) => void;

/** A StageTimer into `times`; one that does nothing when the stages are not timed. */
export const stageTimer =
  (times: StageTimes | undefined): StageTimer =>
  (stage, began) => {
    if (times) times[stage] = (times[stage] ?? 0) + (performance.now() - began);
  };
