/**
 * Remembers the answers for up to `size` keys and forgets them all at once when full: a batch of a million
 * different values then costs their computation, never a cache of them too, while the values a study's
 * files repeat (its UIDs, names, pseudonyms) are computed once. Asked as `known(key) ?? remember(key,
 * make(key))`: a lookup makes no closure, which the many lookups per file would each have allocated.
 */
export class BoundedMemo<V> {
  private readonly kept = new Map<string, V>();

  constructor(private readonly size = 4096) {}

  known(key: string): V | undefined {
    return this.kept.get(key);
  }

  /** Keeps the answer for `key`, and returns it. */
  remember(key: string, value: V): V {
    if (this.kept.size >= this.size) this.kept.clear();
    this.kept.set(key, value);
    return value;
  }
}
