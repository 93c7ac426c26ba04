import type { MovableStorage } from '../../storage/types.ts';
import { type Counts, countRecord, type MoveRecord } from './format.ts';
import { Restorer } from './restore.ts';

/** The records that belong to one thread, stored together by one lane. */
export const THREAD_PARTS = new Set<MoveRecord['kind']>(['checkpoint', 'run', 'thread']);
/** Threads stored at once: each waits on its own round trips, so a database takes several in parallel. */
const LANES = 4;

/**
 * A thread's records (its checkpoints and runs, then its record) are stored in order by
 * one lane; up to LANES threads are stored at once. At most LANES + 1 threads' records
 * are held in memory. The first failure stops further threads and is thrown by `finish`.
 */
export class ThreadLanes {
  readonly #target: MovableStorage;
  readonly #stored: Counts;
  readonly #running = new Set<Promise<void>>();
  #records: MoveRecord[] = [];
  #failure: { error: unknown } | undefined;

  constructor(target: MovableStorage, stored: Counts) {
    this.#target = target;
    this.#stored = stored;
  }

  async add(record: MoveRecord): Promise<void> {
    if (this.#failure) throw this.#failure.error;
    this.#records.push(record);
    if (record.kind === 'thread') await this.#start();
  }

  async finish(): Promise<void> {
    // A thread whose record never came (a file cut short) still has its parts stored.
    if (this.#records.length > 0 && !this.#failure) await this.#start();
    await Promise.all(this.#running);
    if (this.#failure) throw this.#failure.error;
  }

  async #start() {
    while (this.#running.size >= LANES) await Promise.race(this.#running);
    const records = this.#records;
    this.#records = [];
    const lane = this.#store(records).then(
      () => undefined,
      (error: unknown) => {
        this.#failure ??= { error };
      },
    );
    const running = lane.finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async #store(records: MoveRecord[]) {
    const restorer = new Restorer(this.#target);
    for (const record of records) {
      if (this.#failure) return;
      if (await restorer.restore(record)) countRecord(this.#stored, record);
    }
  }
}
