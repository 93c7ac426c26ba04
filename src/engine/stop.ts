/**
 * Why a run was stopped before it finished, carried as the AbortSignal's reason so the
 * graph, the model call and the executor all see the same cause.
 *
 * - interrupt: stop now, keep what it wrote (status `interrupted`)
 * - rollback:  stop now and erase the run and every checkpoint it wrote
 * - timeout:   past its time limit (status `timeout`)
 * - shutdown:  the process is stopping; the run stays active and resumes at the next start
 * - lost:      this process lost its lease (several processes): another one has the run
 *              now, so this one lets go without writing anything
 */
export type StopReason = 'interrupt' | 'rollback' | 'timeout' | 'shutdown' | 'lost';

export class RunStop extends Error {
  readonly reason: StopReason;
  constructor(reason: StopReason) {
    super(`run stopped: ${reason}`);
    this.name = 'RunStop';
    this.reason = reason;
  }
}

export function stopReasonOf(signal: AbortSignal): StopReason | undefined {
  return signal.aborted && signal.reason instanceof RunStop ? signal.reason.reason : undefined;
}
