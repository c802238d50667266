/**
 * Gives items back in the order of their sequence numbers (0, 1, 2, …), whatever order they arrive in:
 * the batch's workers finish files out of order, and the commit takes them in input order.
 */
export class InOrder<T> {
  private readonly arrived = new Map<number, T>();
  private next = 0;

  put(seq: number, item: T): void {
    this.arrived.set(seq, item);
  }

  /** The items that follow the last one taken, up to the first gap. */
  takeReady(): T[] {
    const ready: T[] = [];
    for (let item = this.arrived.get(this.next); item !== undefined; item = this.arrived.get(this.next)) {
      this.arrived.delete(this.next++);
      ready.push(item);
    }
    return ready;
  }

  /** How many items were taken: the sequence number of the next one. */
  get taken(): number {
    return this.next;
  }
}
