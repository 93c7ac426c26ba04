/**
 * Runs tasks one after another per key, and tasks of different keys side by side, in the
 * order they were asked for. Platforms deliver a burst of messages as concurrent requests,
 * and a client may create runs on one thread without waiting: handling them in arrival
 * order is what keeps them from being reordered.
 */
export class KeyedSerial {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
