import type { Logger } from 'pino';
import type { RunScheduler } from '../engine/scheduler.ts';
import type { StreamBroker } from '../engine/stream.ts';
import type { Run } from '../storage/types.ts';
import type { Db } from '../storage/postgres/db.ts';
import { PgEventLog } from './event-log.ts';
import { PgNotifier } from './notifier.ts';
import { ProcessLease } from './process-lease.ts';
import { PgScheduler } from './scheduler.ts';
import { pgSweepTurns } from './sweep-turns.ts';
import type { SweepTurn } from '../engine/periodic-sweep.ts';

export interface Cluster {
  readonly lease: ProcessLease;
  readonly notifier: PgNotifier;
  /** Which process sweeps expired threads and store items each interval. */
  readonly sweepTurn: SweepTurn;
  /** The engine's scheduler for runs shared through PostgreSQL. */
  scheduler(parts: { execute: (run: Run, signal: AbortSignal) => Promise<void>; broker: StreamBroker }): RunScheduler;
}

/**
 * What several processes on one database need besides storage: notifications, the shared
 * run events, each process's lease, and the scheduler that claims runs. They start with
 * the scheduler (with the engine) and stop after it.
 */
export function createCluster(options: { db: Db; leaseMs: number; workers: number; log: Logger; eventRetentionMs: number }): Cluster {
  const { db, log } = options;
  const notifier = new PgNotifier(db);
  const events = new PgEventLog(db, notifier, { log });
  const lease = new ProcessLease({ db, notifier, leaseMs: options.leaseMs, log });
  let sweepTimer: NodeJS.Timeout | undefined;
  return {
    lease,
    notifier,
    sweepTurn: pgSweepTurns(db),
    scheduler({ execute, broker }) {
      broker.mirrorTo(events);
      return new PgScheduler({
        db,
        notifier,
        events,
        lease,
        execute,
        broker,
        workers: options.workers,
        log,
        async beforeStart() {
          await notifier.start(['wake', 'cancel', 'done', 'events']);
          await lease.start();
          sweepTimer = setInterval(() => void events.sweep(options.eventRetentionMs).catch(() => undefined), 60_000);
          sweepTimer.unref();
        },
        async afterShutdown() {
          if (sweepTimer) clearInterval(sweepTimer);
          await events.close();
          await lease.stop();
          await notifier.close();
        },
      });
    },
  };
}
