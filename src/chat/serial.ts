/**
 * Runs tasks one after another per key, and tasks of different keys side by side. Platforms
 * deliver a burst of messages as concurrent requests; handling a conversation's messages
 * in arrival order is what keeps them from being reordered (or a reply in a thread from
 * being judged before the mention that opened the conversation).
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
