import { PgNotifier } from '../../src/cluster/notifier.ts';
import { ProcessLease } from '../../src/cluster/process-lease.ts';
import { PgRateLedger } from '../../src/cluster/rate-ledger.ts';
import { silentLogger } from '../../src/log.ts';
import type { Db } from '../../src/storage/postgres/db.ts';

/**
 * One test "process" on the rate ledger: its lease's row in sb_processes, as a Switchboard
 * process registers it (the ledger counts only calls of processes alive), and its ledger.
 * No heartbeat timers: a test that wants the process dead ages its row and sweeps.
 */
export async function leasedLedger(db: Db): Promise<{ lease: ProcessLease; ledger: PgRateLedger }> {
  const lease = new ProcessLease({ db, notifier: new PgNotifier(db), leaseMs: 2000, log: silentLogger() });
  await db.query('INSERT INTO sb_processes (id) VALUES ($1)', [lease.processId]);
  return { lease, ledger: new PgRateLedger(db, lease.processId) };
}
