/**
 * Remembers the answers for up to `size` keys and forgets them all at once when full: a batch of a million
 * different values then costs their computation, never a cache of them too, while the values a study's
 * files repeat (its UIDs, names, pseudonyms) are computed once.
 */
export class BoundedMemo<V> {
  private readonly kept = new Map<string, V>();

  constructor(private readonly size = 4096) {}

  get(key: string, make: () => V): V {
    let value = this.kept.get(key);
    if (value === undefined) {
      value = make();
      if (this.kept.size >= this.size) this.kept.clear();
      this.kept.set(key, value);
    }
    return value;
  }
}
