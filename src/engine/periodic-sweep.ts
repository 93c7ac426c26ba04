import type { Logger } from 'pino';

/**
 * Whether this process takes the sweep `name` now: with several processes on one database,
 * the first to ask in an interval of `intervalMs` gets it and the others are told no (see
 * src/cluster/sweep-turns.ts). One process alone always takes it.
 */
export type SweepTurn = (name: string, now: Date, intervalMs: number) => Promise<boolean>;

export const alwaysThisProcess: SweepTurn = async () => true;

export interface PeriodicSweepOptions<T> {
  /** Names the sweep among processes (the turn) and in logs. */
  name: string;
  intervalMs: number;
  /** The sweep itself, at the time given. */
  work: (now: Date) => Promise<T>;
  turn?: SweepTurn | undefined;
  log: Logger;
  now?: (() => Date) | undefined;
}

/**
 * A sweep run every interval, at most one at a time in this process and, through the turn,
 * one per interval among processes. `once()` runs it now (tests move the clock and call it).
 */
export class PeriodicSweep<T> {
  readonly #o: PeriodicSweepOptions<T>;
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: PeriodicSweepOptions<T>) {
    this.#o = options;
  }

  /** Sweeps, unless a sweep is running here or another process has this interval's turn: then undefined. */
  async once(): Promise<T | undefined> {
    if (this.#running) return undefined;
    this.#running = true;
    try {
      const now = this.#o.now?.() ?? new Date();
      if (!(await (this.#o.turn ?? alwaysThisProcess)(this.#o.name, now, this.#o.intervalMs))) return undefined;
      return await this.#o.work(now);
    } finally {
      this.#running = false;
    }
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.once().catch((error: unknown) => this.#o.log.error({ err: error, sweep: this.#o.name }, 'sweep failed'));
    }, this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
