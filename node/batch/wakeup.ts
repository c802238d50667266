/** A wake-up call for one waiting loop; a call made while nobody waits is kept for the next wait. */
export class Wakeup {
  private waiter: (() => void) | undefined;
  private called = false;

  wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter();
    else this.called = true;
  }

  wait(): Promise<void> {
    if (this.called) {
      this.called = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => (this.waiter = resolve));
  }
}
