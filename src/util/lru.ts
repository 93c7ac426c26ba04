export interface LruWeight<V> {
  /** The most the entries may weigh together; past it the least recently used go (the newest always stays). */
  max: number;
  /** An entry's weight, asked again each time it is set. */
  of: (value: V) => number;
}

/**
 * A bounded map that forgets the least recently used entry first, telling `onEvict`:
 * bounded by count, and also by weight (bytes, say) when `weight` is given.
 */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();
  readonly #onEvict: ((key: K, value: V) => void) | undefined;
  readonly #weight: LruWeight<V> | undefined;
  readonly #weights = new Map<K, number>();
  #totalWeight = 0;

  constructor(max: number, onEvict?: (key: K, value: V) => void, weight?: LruWeight<V>) {
    this.#max = max;
    this.#onEvict = onEvict;
    this.#weight = weight;
  }

  get size(): number {
    return this.#map.size;
  }

  /** What the entries weigh together, as last set (0 without `weight`). */
  get totalWeight(): number {
    return this.#totalWeight;
  }

  get(key: K): V | undefined {
    const value = this.#map.get(key);
    if (value !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.#forget(key);
    this.#map.set(key, value);
    if (this.#weight) {
      const weight = this.#weight.of(value);
      this.#weights.set(key, weight);
      this.#totalWeight += weight;
    }
    while (this.#map.size > this.#max || (this.#weight && this.#totalWeight > this.#weight.max && this.#map.size > 1)) {
      const [oldKey, oldValue] = this.#map.entries().next().value!;
      this.#forget(oldKey);
      this.#onEvict?.(oldKey, oldValue);
    }
  }

  /** Removes without calling `onEvict`. */
  delete(key: K): void {
    this.#forget(key);
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }

  /** Evicts everything, calling `onEvict` for each. */
  clear(): void {
    for (const [key, value] of this.#map) this.#onEvict?.(key, value);
    this.#map.clear();
    this.#weights.clear();
    this.#totalWeight = 0;
  }

  #forget(key: K): void {
    this.#map.delete(key);
    this.#totalWeight -= this.#weights.get(key) ?? 0;
    this.#weights.delete(key);
  }
}
