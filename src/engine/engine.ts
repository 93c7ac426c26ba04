import type { Logger } from 'pino';
import type { AssistantSpec } from '../config/schema.ts';
import type { MultitaskStrategy, Storage } from '../storage/types.ts';
import { AssistantService } from './assistants.ts';
import { CronService } from './crons.ts';
import { RunExecutor } from './executor.ts';
import type { GraphRegistry } from './graphs.ts';
import { RunQueue } from './queue.ts';
import { RunService } from './runs.ts';
import { StreamBroker } from './stream.ts';
import { ThreadService } from './threads.ts';

export interface EngineOptions {
  storage: Storage;
  graphs: GraphRegistry;
  log: Logger;
  workers?: number;
  defaultStrategy?: MultitaskStrategy;
  timeoutSeconds?: number | undefined;
  streamRetentionSeconds?: number;
  assistants?: readonly AssistantSpec[];
  /** How often due crons are checked; 0 leaves the scheduler off (tests call `crons.tick`). */
  cronIntervalMs?: number;
  now?: () => Date;
}

export interface Engine {
  readonly storage: Storage;
  readonly graphs: GraphRegistry;
  readonly assistants: AssistantService;
  readonly threads: ThreadService;
  readonly runs: RunService;
  readonly crons: CronService;
  readonly queue: RunQueue;
  readonly broker: StreamBroker;
  /** Syncs config assistants and resumes the runs a previous process left unfinished. */
  start(): Promise<void>;
  /** Stops running runs (they resume at the next start) and closes storage. */
  stop(): Promise<void>;
}

/** Wires the engine's parts; nothing here knows about chat platforms or HTTP. */
export function createEngine(options: EngineOptions): Engine {
  const { storage, graphs, log } = options;
  const retentionMs = (options.streamRetentionSeconds ?? 300) * 1000;
  const broker = new StreamBroker({ retentionMs });
  let executor: RunExecutor | undefined;
  const queue = new RunQueue({ workers: options.workers ?? 8, execute: (run, signal) => executor!.execute(run, signal) });
  let runs: RunService | undefined;
  const threads = new ThreadService({
    storage,
    graphs,
    hasActiveRuns: (threadId, exceptRunId) => queue.active(threadId).some((run) => run.run_id !== exceptRunId),
    stopRuns: async (threadId) => {
      await runs!.cancelAll(threadId, { action: 'interrupt', wait: true });
    },
    ...(options.now ? { now: options.now } : {}),
  });
  const assistants = new AssistantService(storage, graphs, options.now);
  executor = new RunExecutor({
    storage,
    graphs,
    threads,
    broker,
    log,
    timeoutSeconds: options.timeoutSeconds,
    onFinish: (run, outcome) => runs!.finished(run, outcome),
    ...(options.now ? { now: options.now } : {}),
  });
  runs = new RunService({
    storage,
    assistants,
    threads,
    queue,
    broker,
    log,
    defaultStrategy: options.defaultStrategy ?? 'enqueue',
    retentionMs,
    ...(options.now ? { now: options.now } : {}),
  });
  const crons = new CronService({ storage, assistants, threads, runs, log, ...(options.now ? { now: options.now } : {}) });
  return {
    storage,
    graphs,
    assistants,
    threads,
    runs,
    crons,
    queue,
    broker,
    async start() {
      await assistants.syncFromConfig(options.assistants ?? []);
      const resumed = await runs!.recover();
      if (resumed > 0) log.info({ resumed }, 'resumed runs left unfinished by the previous process');
      if ((options.cronIntervalMs ?? 1_000) > 0) crons.start(options.cronIntervalMs ?? 1_000);
    },
    async stop() {
      crons.stop();
      await queue.shutdown();
      await storage.close();
    },
  };
}
