/** A bounded map that forgets the least recently used entry first, telling `onEvict`. */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();
  readonly #onEvict: ((key: K, value: V) => void) | undefined;

  constructor(max: number, onEvict?: (key: K, value: V) => void) {
    this.#max = max;
    this.#onEvict = onEvict;
  }

  get size(): number {
    return this.#map.size;
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
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const [oldKey, oldValue] = this.#map.entries().next().value!;
      this.#map.delete(oldKey);
      this.#onEvict?.(oldKey, oldValue);
    }
  }

  /** Removes without calling `onEvict`. */
  delete(key: K): void {
    this.#map.delete(key);
  }

  values(): IterableIterator<V> {
    return this.#map.values();
  }

  /** Evicts everything, calling `onEvict` for each. */
  clear(): void {
    for (const [key, value] of this.#map) this.#onEvict?.(key, value);
    this.#map.clear();
  }
}
