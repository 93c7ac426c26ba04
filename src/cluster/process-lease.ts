import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Db } from '../storage/postgres/db.ts';
import type { PgNotifier } from './notifier.ts';

/**
 * Each process's lease on its work: a row it heartbeats. A process whose row is older
 * than the lease is dead to the others; the first to notice deletes the row, puts its
 * running runs back in the queue, and adopts its chat records (replies and deliveries
 * in flight). A process that finds its own row gone was too slow to heartbeat: its runs
 * are already elsewhere, so it abandons them and joins again.
 */
export class ProcessLease {
  readonly processId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #db: Db;
  readonly #notifier: PgNotifier;
  readonly #leaseMs: number;
  readonly #log: Logger;
  readonly #lost = new Set<() => void>();
  readonly #requeued = new Set<() => void>();
  readonly #adopters = new Set<(deadProcessIds: string[]) => Promise<void>>();
  #timers: NodeJS.Timeout[] = [];
  #stopped = false;

  constructor(options: { db: Db; notifier: PgNotifier; leaseMs: number; log: Logger }) {
    this.#db = options.db;
    this.#notifier = options.notifier;
    this.#leaseMs = options.leaseMs;
    this.#log = options.log;
  }

  onLost(listener: () => void): void {
    this.#lost.add(listener);
  }

  onRequeued(listener: () => void): void {
    this.#requeued.add(listener);
  }

  /** Records of dead processes that this one took over (chat replies and deliveries in flight). */
  onAdopt(adopter: (deadProcessIds: string[]) => Promise<void>): void {
    this.#adopters.add(adopter);
  }

  async start(): Promise<void> {
    await this.#register();
    const every = (ms: number, work: () => Promise<void>) => {
      const timer = setInterval(() => void work().catch((error: unknown) => this.#log.warn({ err: error }, 'process lease upkeep failed')), ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(Math.max(200, Math.floor(this.#leaseMs / 3)), () => this.#heartbeat());
    every(Math.max(250, Math.floor(this.#leaseMs / 2)), () => this.sweep());
    await this.sweep();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    await this.#db.query('DELETE FROM sb_processes WHERE id = $1', [this.processId]).catch(() => undefined);
  }

  /** Takes over the work of processes whose lease expired. */
  async sweep(): Promise<void> {
    if (this.#stopped) return;
    const { dead, requeued } = await this.#db.transaction(async (client) => {
      const gone = await client.query<{ id: string }>(`DELETE FROM sb_processes WHERE heartbeat_at < now() - ($1::int * interval '1 millisecond') RETURNING id`, [this.#leaseMs]);
      const dead = gone.rows.map((row) => row.id);
      // Running runs whose process is gone (dead now, or stopped without handing them back).
      const runs = await client.query<{ run_id: string }>(
        `UPDATE sb_runs r SET status = 'pending', owner = NULL, doc = jsonb_set(r.doc, '{status}', '"pending"')
          WHERE r.status = 'running' AND (r.owner IS NULL OR NOT EXISTS (SELECT 1 FROM sb_processes p WHERE p.id = r.owner))
          RETURNING r.run_id`,
      );
      return { dead, requeued: runs.rows.length };
    });
    if (dead.length > 0) this.#log.warn({ dead }, 'processes stopped heartbeating; their work is taken over');
    if (requeued > 0) {
      this.#log.warn({ requeued }, 'runs of dead processes are queued again');
      await this.#notifier.notify('wake', '').catch(() => undefined);
      for (const listener of this.#requeued) listener();
    }
    if (dead.length > 0) for (const adopt of this.#adopters) await adopt(dead);
  }

  async #register(): Promise<void> {
    await this.#db.query(`INSERT INTO sb_processes (id, info) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()`, [
      this.processId,
      JSON.stringify({ pid: process.pid, host: hostname() }),
    ]);
  }

  async #heartbeat(): Promise<void> {
    if (this.#stopped) return;
    const { rowCount } = await this.#db.query('UPDATE sb_processes SET heartbeat_at = now() WHERE id = $1', [this.processId]);
    if ((rowCount ?? 0) > 0) return;
    this.#log.error({ processId: this.processId }, 'this process missed its lease: its runs were taken over; abandoning them and joining again');
    for (const listener of this.#lost) listener();
    await this.#register();
  }
}
