/**
 * How a batch ends early: cancelled by the caller, or stopped because it cannot go on (a full disk, inputs
 * that cannot be listed); the first reason to stop is the one reported. Either way no further file starts.
 */
export class RunHalt {
  private readonly controller = new AbortController();
  private reason: string | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get halted(): boolean {
    return this.controller.signal.aborted;
  }

  /** Why the run stopped on its own; undefined when it did not (cancelled, or ran to the end). */
  get stopped(): string | undefined {
    return this.reason;
  }

  cancel(): void {
    this.controller.abort();
  }

  stop(reason: string): void {
    this.reason ??= reason;
    this.controller.abort();
  }
}
