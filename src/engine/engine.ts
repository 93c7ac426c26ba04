import type { Logger } from 'pino';
import { type AssistantSpec, DEFAULTS } from '../config/schema.ts';
import type { MultitaskStrategy, Run, Storage, TtlStrategy } from '../storage/types.ts';
import { PeriodicSweep, type SweepTurn } from './periodic-sweep.ts';
import { AssistantService } from './assistants.ts';
import { CronService } from './crons.ts';
import { FeedbackService, type FeedbackSink } from './feedback.ts';
import { langsmithFeedbackSink } from '../ops/tracing/langsmith-feedback.ts';
import { ThreadSweeper } from './thread-ttl.ts';
import type { TtlStoreMethods } from '../storage/store-ttl.ts';
import { RunExecutor } from './executor.ts';
import type { GraphRegistry } from './graphs.ts';
import { LocalScheduler } from './local-scheduler.ts';
import { RunQueue } from './queue.ts';
import { RunService } from './runs.ts';
import type { RunScheduler } from './scheduler.ts';
import { StreamBroker } from './stream.ts';
import type { WebhookPolicy } from './webhook-policy.ts';
import { ThreadService } from './threads.ts';

export interface EngineOptions {
  storage: Storage;
  graphs: GraphRegistry;
  log: Logger;
  workers?: number;
  defaultStrategy?: MultitaskStrategy;
  timeoutSeconds?: number | undefined;
  streamRetentionSeconds?: number;
  /** The byte budget of finished runs' streams held in memory (`runs.stream_memory_bytes`). */
  streamMemoryBytes?: number;
  assistants?: readonly AssistantSpec[];
  /** Runs shared with other processes (PostgreSQL); by default they are queued in this process. */
  scheduler?: (parts: { execute: (run: Run, signal: AbortSignal) => Promise<void>; broker: StreamBroker }) => RunScheduler;
  /** How often due crons are checked; 0 leaves the scheduler off (tests call `crons.tick`). */
  cronIntervalMs?: number;
  /** Threads' time to live (langgraph.json `checkpointer.ttl`): the default for threads without their own, what expiry does, and how often to sweep. */
  threadTtl?: { defaultMinutes?: number | undefined; strategy?: TtlStrategy | undefined; sweepIntervalMs: number };
  /** How often expired store items are deleted (langgraph.json `store.ttl.sweep_interval_minutes`); expired ones are never returned either way. */
  storeSweepIntervalMs?: number | undefined;
  /** Several processes on one database: which of them sweeps each interval (src/cluster/sweep-turns.ts). */
  sweepTurn?: SweepTurn | undefined;
  /** The clock sweeps measure expiry by, when it is not `now` (tests move it ahead while runs keep the real time). */
  sweepNow?: (() => Date) | undefined;
  /** Where votes on runs are passed on besides storage; by default LangSmith, when LangSmith tracing is on. */
  feedbackSinks?: FeedbackSink[];
  /** False turns every run's (and cron's) webhook call off (langgraph.json `http.disable_webhooks`). */
  webhooks?: boolean;
  /** langgraph.json's `webhooks` (URL rules, headers, fields); without it any http(s) URL or path is called. */
  webhookPolicy?: WebhookPolicy;
  now?: () => Date;
}

export interface Engine {
  readonly storage: Storage;
  readonly graphs: GraphRegistry;
  readonly assistants: AssistantService;
  readonly threads: ThreadService;
  readonly runs: RunService;
  readonly crons: CronService;
  /** Votes on runs (chat's 👍/👎), kept with the run. */
  readonly feedback: FeedbackService;
  /** Deletes (or prunes) threads whose TTL ran out (see thread-ttl.ts). */
  readonly sweeper: ThreadSweeper;
  /** Deletes store items whose TTL ran out (store.ttl). */
  readonly storeSweeper: PeriodicSweep<number>;
  readonly scheduler: RunScheduler;
  readonly broker: StreamBroker;
  /** Syncs config assistants and resumes the runs a previous process left unfinished. */
  start(): Promise<void>;
  /** Stops running runs (they resume at the next start) and closes storage. */
  stop(): Promise<void>;
  /** Lets go of what is cached for speed (finished runs' streams and outcomes, open journals): the server has gone quiet. */
  releaseMemory(): void;
}

/** Wires the engine's parts; nothing here knows about chat platforms or HTTP. */
export function createEngine(options: EngineOptions): Engine {
  const { storage, graphs, log } = options;
  const retentionMs = (options.streamRetentionSeconds ?? DEFAULTS.streamRetentionSeconds) * 1000;
  const broker = new StreamBroker({ retentionMs, memoryBytes: options.streamMemoryBytes ?? DEFAULTS.streamMemoryBytes });
  let executor: RunExecutor | undefined;
  const execute = (run: Run, signal: AbortSignal) => executor!.execute(run, signal);
  const scheduler: RunScheduler = options.scheduler
    ? options.scheduler({ execute, broker })
    : new LocalScheduler({ storage, queue: new RunQueue({ workers: options.workers ?? 8, execute }), broker, ...(options.now ? { now: options.now } : {}) });
  let runs: RunService | undefined;
  const threads = new ThreadService({
    storage,
    graphs,
    scheduler,
    stopRuns: async (threadId) => {
      await runs!.cancelAll(threadId, { action: 'interrupt', wait: true });
    },
    ttlStrategy: options.threadTtl?.strategy,
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
    claimedRunning: () => scheduler.claimsMarkRunning === true,
    ...(options.now ? { now: options.now } : {}),
  });
  runs = new RunService({
    storage,
    assistants,
    threads,
    scheduler,
    broker,
    log,
    defaultStrategy: options.defaultStrategy ?? 'enqueue',
    webhooks: options.webhooks ?? true,
    webhookPolicy: options.webhookPolicy,
    ...(options.now ? { now: options.now } : {}),
  });
  const crons = new CronService({ storage, assistants, threads, runs, log, ...(options.now ? { now: options.now } : {}) });
  const feedback = new FeedbackService({ storage, log, sinks: options.feedbackSinks ?? [langsmithFeedbackSink()], ...(options.now ? { now: options.now } : {}) });
  const sweeper = new ThreadSweeper({
    threads,
    storage,
    log,
    defaultMinutes: options.threadTtl?.defaultMinutes,
    defaultStrategy: options.threadTtl?.strategy,
    // Threads with their own TTL are swept even without a configured default (every 5 minutes unless told).
    intervalMs: options.threadTtl?.sweepIntervalMs ?? 5 * 60_000,
    turn: options.sweepTurn,
    ...((options.sweepNow ?? options.now) ? { now: options.sweepNow ?? options.now } : {}),
  });
  const storeSweeper = new PeriodicSweep({
    name: 'store-ttl',
    // An item may be put with its own TTL without a configured store.ttl: it is swept too (the sweep reads only expired items).
    intervalMs: options.storeSweepIntervalMs ?? 5 * 60_000,
    turn: options.sweepTurn,
    log,
    now: options.sweepNow ?? options.now,
    work: async () => {
      const deleted = (await (storage.store as Partial<TtlStoreMethods>).sweepExpired?.()) ?? 0;
      if (deleted > 0) log.info({ items: deleted }, 'deleted store items whose TTL ran out');
      return deleted;
    },
  });
  return {
    storage,
    graphs,
    assistants,
    threads,
    runs,
    crons,
    feedback,
    sweeper,
    storeSweeper,
    scheduler,
    broker,
    async start() {
      await assistants.syncFromConfig(options.assistants ?? []);
      const resumed = await runs!.recover();
      if (resumed > 0) log.info({ resumed }, 'resumed runs left unfinished by the previous process');
      if ((options.cronIntervalMs ?? 1_000) > 0) crons.start(options.cronIntervalMs ?? 1_000);
      sweeper.start();
      storeSweeper.start();
    },
    releaseMemory() {
      broker.releaseFinished();
      runs!.releaseMemory();
      storage.releaseMemory?.();
    },
    async stop() {
      crons.stop();
      sweeper.stop();
      storeSweeper.stop();
      await scheduler.shutdown();
      await storage.close();
    },
  };
}
