import { RunStop } from './stop.ts';

export interface RunSignal {
  /** Aborted when the queue stops the run (its reason kept) or when the time limit passes (`timeout`). */
  signal: AbortSignal;
  /** The run is over: lets go of the queue's signal and the timer. */
  dispose(): void;
}

/**
 * The signal one run executes under: the queue's stop, or its time limit.
 *
 * Why not `AbortSignal.any([queue, timeout])`: Node keeps a signal made by `any()` alive for
 * as long as it has an abort listener, even after it aborted, and LangGraph's `stream()` adds
 * one to the run's signal that it never removes (combineAbortSignals without dispose). Every
 * run's signal, with the graph's stream and state its listeners reach, then stayed in memory
 * for good: 29 MiB after 10,000 runs, never handed back when idle. A plain controller fed by
 * listeners that `dispose` removes is collected with the run.
 */
export function runSignal(queueSignal: AbortSignal, limitSeconds: number | undefined): RunSignal {
  const controller = new AbortController();
  const forward = () => controller.abort(queueSignal.reason);
  if (queueSignal.aborted) forward();
  else queueSignal.addEventListener('abort', forward, { once: true });
  const timer = limitSeconds === undefined ? undefined : setTimeout(() => controller.abort(new RunStop('timeout')), limitSeconds * 1000);
  return {
    signal: controller.signal,
    dispose() {
      queueSignal.removeEventListener('abort', forward);
      if (timer) clearTimeout(timer);
    },
  };
}
