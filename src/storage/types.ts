import type { BaseCheckpointSaver, BaseStore } from '@langchain/langgraph';

/**
 * The records Switchboard keeps, named and shaped as in the LangGraph Platform API so
 * that what the engine stores is what the API returns. Timestamps are ISO strings.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Metadata = Record<string, unknown>;

export type ThreadStatus = 'idle' | 'busy' | 'interrupted' | 'error';
export type RunStatus = 'pending' | 'running' | 'success' | 'error' | 'interrupted' | 'timeout';
export type MultitaskStrategy = 'reject' | 'enqueue' | 'interrupt' | 'rollback';

export interface RunnableConfigRecord {
  configurable?: Record<string, unknown>;
  tags?: string[];
  recursion_limit?: number;
  metadata?: Metadata;
}

export interface AssistantVersion {
  assistant_id: string;
  version: number;
  graph_id: string;
  name: string;
  description: string | null;
  config: RunnableConfigRecord;
  context: Record<string, unknown>;
  metadata: Metadata;
  created_at: string;
}

export interface Assistant extends AssistantVersion {
  updated_at: string;
}

export interface InterruptRecord {
  id: string;
  value: unknown;
  /** The Platform's older interrupt fields, still read by clients (the SDK keeps them, deprecated). */
  when?: 'during';
  resumable?: boolean;
  ns?: string[];
}

export interface Thread {
  thread_id: string;
  created_at: string;
  updated_at: string;
  metadata: Metadata;
  status: ThreadStatus;
  values: Record<string, unknown> | null;
  /** Pending interrupts keyed by the id of the task that raised them. */
  interrupts: Record<string, InterruptRecord[]>;
  /** Last error of the thread's last run, kept so `status: error` can be explained. */
  error?: string | null;
  /** When the thread's state (values) last changed. */
  state_updated_at?: string;
  /** Its own time to live: once idle this many minutes, deleted or pruned to its latest checkpoint (`strategy`). */
  ttl?: { strategy: TtlStrategy; minutes: number } | null;
  /**
   * The `updated_at` at which a `keep_latest` sweep last pruned it: until it is updated
   * again it has nothing more to prune, so it is not expired (see thread-expiry.ts).
   */
  pruned_at?: string | null;
}

/** What a sweep does to a thread whose time to live ran out: delete it, or keep only its latest checkpoint. */
export type TtlStrategy = 'delete' | 'keep_latest';

export interface RunCommandRecord {
  resume?: unknown;
  update?: unknown;
  goto?: unknown;
}

/** What the run was asked to do: everything needed to (re)start it after a restart. */
export interface RunKwargs {
  input?: unknown;
  command?: RunCommandRecord | null;
  config?: RunnableConfigRecord;
  context?: Record<string, unknown>;
  stream_mode?: string[];
  stream_subgraphs?: boolean;
  interrupt_before?: '*' | string[];
  interrupt_after?: '*' | string[];
  checkpoint_id?: string;
  checkpoint_ns?: string;
  /** The run has no thread of its own: its temporary thread is deleted when it ends. */
  stateless?: boolean;
  on_completion?: 'delete' | 'keep';
  timeout_seconds?: number;
  on_disconnect?: 'cancel' | 'continue';
  durability?: 'exit' | 'async' | 'sync';
  webhook?: string;
  /**
   * The callers' `configurable` keys the thread carries from this run into its next one
   * (the Platform's thread config): what earlier runs carried, overridden by this run's.
   */
  carried_configurable?: Record<string, unknown>;
}

export interface Run {
  run_id: string;
  thread_id: string;
  assistant_id: string;
  created_at: string;
  updated_at: string;
  status: RunStatus;
  metadata: Metadata;
  kwargs: RunKwargs;
  multitask_strategy: MultitaskStrategy;
  /** Why the run ended `error`, `timeout` or `interrupted` by a cancel. */
  error?: string | null;
  /** How many times execution started (more than one after a restart mid-run). */
  attempt?: number;
  /**
   * The W3C trace context (`traceparent`, `tracestate`) the run was created in, when tracing
   * is on: stored so the run's span joins the request's or chat message's trace even when it
   * executes later, after a restart or in another process.
   */
  trace_context?: Record<string, string>;
}

/** A schedule that creates runs (the Platform's Cron). */
export interface Cron {
  cron_id: string;
  assistant_id: string;
  /** The thread each run goes to; null: every run gets a new thread. */
  thread_id: string | null;
  schedule: string;
  /** The run to create each time (a RunCreate without assistant_id). */
  payload: Record<string, unknown>;
  metadata: Metadata;
  enabled: boolean;
  end_time: string | null;
  on_run_completed: 'delete' | 'keep';
  user_id: string | null;
  next_run_date: string | null;
  created_at: string;
  updated_at: string;
}

export interface CronRepo {
  get(cronId: string): Promise<Cron | null>;
  put(cron: Cron): Promise<void>;
  delete(cronId: string): Promise<boolean>;
  list(): Promise<Cron[]>;
  /** Stores `next` only if the cron's next run date is still `from` (compare and set); says whether it did. */
  advance(cronId: string, from: string | null, next: Cron): Promise<boolean>;
}

/**
 * An app installed in a chat workspace (a Slack team, or a whole Enterprise Grid org):
 * what answering that workspace needs. The bot token is sealed (AES-256-GCM) before it
 * reaches storage, so no backend ever holds it in clear.
 */
export interface Installation {
  /** `<platform>:team:<id>` or `<platform>:enterprise:<id>` (an org-wide install). */
  installation_id: string;
  platform: string;
  team_id: string | null;
  team_name: string | null;
  enterprise_id: string | null;
  is_enterprise_install: boolean;
  app_id: string | null;
  bot_user_id: string;
  bot_id: string;
  scopes: string[];
  /** The bot token, sealed with the server's secret key (see src/util/sealed-secret.ts). */
  bot_token_sealed: string;
  installer_user_id: string | null;
  installed_at: string;
  updated_at: string;
}

/** The workspaces an app is installed in (Slack's OAuth install). */
export interface InstallationRepo {
  get(installationId: string): Promise<Installation | null>;
  /** Stores a new installation, or replaces one (a reinstall with new scopes or a new token). */
  put(installation: Installation): Promise<void>;
  delete(installationId: string): Promise<boolean>;
  /** Every installation, oldest first. */
  list(): Promise<Installation[]>;
}

/** A durable map of JSON records: one of the chat layer's small collections. */
export interface Collection<T> {
  get(key: string): Promise<T | null>;
  put(key: string, value: T): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every record, in the order they were first stored. */
  list(): Promise<Array<{ key: string; value: T }>>;
}

/**
 * First deliveries of incoming messages. `accept` records a delivery key (a platform
 * event id, a channel+timestamp) and says whether it is new; keys are forgotten after
 * `ttlMs`, and of concurrent accepts of one key exactly one wins. What is held with the
 * key (the message itself) is stored in the same write and kept until `finish`, so a
 * crash between accepting a message and acting on it loses nothing.
 */
export interface Inbox<T> {
  accept(key: string, ttlMs: number, held?: T): Promise<boolean>;
  /** Messages accepted and not finished (acted on) when the process stopped. */
  unfinished(): Promise<Array<{ key: string; held: T }>>;
  finish(key: string): Promise<void>;
}

/** Where, inside records, the process that works on them is named (several processes). */
export interface OwnerFields {
  /** Per collection, the path of the owner field inside a record (`['owner']`, `['collecting', 'owner']`). */
  collections: Array<{ name: string; path: string[] }>;
  /** The path of the owner inside what the inbox holds. */
  inbox: string[];
}

/**
 * The chat layer's durable state. Storage keeps records without knowing what they are:
 * the chat layer names its collections and their record types (src/chat/state.ts).
 */
export interface ChatStore {
  /** A named collection (lowercase letters, digits, - and _), created on first use. */
  collection<T>(name: string): Collection<T>;
  inbox<T>(): Inbox<T>;
  /**
   * Several processes: gives `owner` the records whose owner is one of `deadOwners` (work of
   * processes that died), at the places `fields` names. Returns how many records changed.
   */
  adopt?(deadOwners: string[], owner: string, fields: OwnerFields): Promise<number>;
}

/** Collection names become file names and keys: a short safe word. */
export const COLLECTION_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export interface Page {
  limit: number;
  offset: number;
}

export type SortOrder = 'asc' | 'desc';

/** Searches: a field left undefined does not filter. */
export interface AssistantQuery extends Page {
  graph_id?: string | undefined;
  name?: string | undefined;
  metadata?: Metadata | undefined;
  sort_by?: 'assistant_id' | 'graph_id' | 'name' | 'created_at' | 'updated_at' | undefined;
  sort_order?: SortOrder | undefined;
}

export interface ThreadQuery extends Page {
  ids?: string[] | undefined;
  metadata?: Metadata | undefined;
  values?: Record<string, unknown> | undefined;
  status?: ThreadStatus | undefined;
  sort_by?: 'thread_id' | 'status' | 'created_at' | 'updated_at' | 'state_updated_at' | undefined;
  sort_order?: SortOrder | undefined;
}

export interface RunQuery extends Page {
  status?: RunStatus | undefined;
  metadata?: Metadata | undefined;
}

/**
 * Records only: no business rules. Versioning, strategies and status transitions are
 * the engine's; a backend stores and finds.
 */
export interface AssistantRepo {
  get(assistantId: string): Promise<Assistant | null>;
  /** Stores a new assistant with its first version; fails with `conflict` if the id exists. */
  create(assistant: Assistant): Promise<void>;
  /** Appends a version and, when `makeLatest`, makes the assistant point at it. */
  addVersion(version: AssistantVersion, makeLatest: boolean): Promise<Assistant>;
  setLatest(assistantId: string, version: number): Promise<Assistant>;
  versions(assistantId: string): Promise<AssistantVersion[]>;
  delete(assistantId: string): Promise<boolean>;
  search(query: AssistantQuery): Promise<{ items: Assistant[]; total: number }>;
}

export interface ThreadRepo {
  get(threadId: string): Promise<Thread | null>;
  /** Fails with `conflict` if the id exists. */
  create(thread: Thread): Promise<void>;
  /** Writes the whole record; the caller read it first. */
  put(thread: Thread): Promise<void>;
  delete(threadId: string): Promise<boolean>;
  search(query: ThreadQuery): Promise<{ items: Thread[]; total: number }>;
  /**
   * Ids of threads expired at `now`, soonest expiry first, at most `limit`: those whose own
   * TTL ran out, and, with `defaultMinutes`, those without one idle that long. Indexed
   * (see thread-expiry.ts): only expired threads are read, never every thread.
   */
  expired(query: { now: Date; defaultMinutes?: number | undefined; limit: number }): Promise<string[]>;
}

export interface RunRepo {
  get(threadId: string, runId: string): Promise<Run | null>;
  /** Persists a new or changed run. An active run (pending/running) is listed by `active()`. */
  put(run: Run): Promise<void>;
  delete(threadId: string, runId: string): Promise<boolean>;
  listByThread(threadId: string, query: RunQuery): Promise<Run[]>;
  /** Every pending or running run, oldest first: the queue after a restart. */
  active(): Promise<Run[]>;
  deleteByThread(threadId: string): Promise<void>;
}

/**
 * One person's vote on a run's answer (a 👍/👎 in chat), as `GET /threads/{id}/runs/{id}/feedback`
 * lists it: `user` is the chat identity (`slack:<team>:<user>`), `at` when it was last set.
 */
export interface RunFeedback {
  key: string;
  score: number;
  user: string;
  at: string;
}

/**
 * Feedback kept with its run: one per user and key (a later vote replaces the earlier one),
 * gone when the run or its thread is deleted.
 */
export interface FeedbackRepo {
  /** Stores the vote; returns the one it replaced, if any. The run must exist (`not_found` otherwise). */
  put(threadId: string, runId: string, feedback: RunFeedback): Promise<RunFeedback | null>;
  /** The run's feedback, oldest vote first. */
  list(threadId: string, runId: string): Promise<RunFeedback[]>;
}

/** A marker of a thread's checkpoint state, taken before a run so the run can be rolled back. */
export interface RollbackMark {
  threadId: string;
  /** The backend's own order of writes: everything stored after this belongs to the run. */
  afterSeq: number;
}

/** What the engine needs of a checkpointer beyond LangGraph's BaseCheckpointSaver. */
export interface ThreadCheckpoints {
  /** Merges metadata into a stored checkpoint's metadata, in place. */
  patchMetadata(threadId: string, checkpointNs: string, checkpointId: string, metadata: Metadata): Promise<boolean>;
  mark(threadId: string): Promise<RollbackMark>;
  /** Deletes every checkpoint and pending write stored after `mark`. */
  rollback(mark: RollbackMark): Promise<void>;
  copyThread(fromThreadId: string, toThreadId: string): Promise<void>;
  deleteThread(threadId: string): Promise<void>;
  /**
   * Keeps only the latest checkpoint of each namespace of the thread, with its pending
   * writes and the channel values it needs; everything older goes (the `keep_latest` TTL).
   */
  pruneThread(threadId: string): Promise<void>;
}

export type Checkpointer = BaseCheckpointSaver & ThreadCheckpoints;

export interface Storage {
  readonly kind: string;
  readonly assistants: AssistantRepo;
  readonly threads: ThreadRepo;
  readonly runs: RunRepo;
  readonly feedback: FeedbackRepo;
  readonly crons: CronRepo;
  /** Where the app is installed (Slack's OAuth install, many workspaces). */
  readonly installations: InstallationRepo;
  readonly chat: ChatStore;
  readonly checkpointer: Checkpointer;
  /** LangGraph's long-term memory store, handed to graphs and served by the store API. */
  readonly store: BaseStore;
  /** Whether the backend answers (GET /ok), where it is a server that can be away. */
  ping?(): Promise<boolean>;
  /** Lets go of what it caches in memory (open journals), to be read again when needed. */
  releaseMemory?(): void;
  close(): Promise<void>;
}

/** One remembered delivery key of the chat inbox, with what it holds until acted on. */
export interface InboxEntry {
  key: string;
  /** Epoch milliseconds after which the key is forgotten. */
  expires: number;
  held?: unknown;
}

/** A long-term memory item with the times it was first and last written. */
export interface StoreItemRecord {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  /** Its embeddings by indexed field (store.index), so a moved item is found by meaning without embedding it again. */
  vectors?: Record<string, number[]> | undefined;
  /** Its time to live (store.ttl): minutes, to refresh it on reads, and when it runs out. Absent: it does not expire. */
  ttl_minutes?: number | undefined;
  expires_at?: string | undefined;
}

/**
 * What moving records between backends needs beyond the working interface: listings the
 * working interface has no use for, and writes that keep a record's original times and
 * versions. Each `restore*` stores the record only if its key is new, and says whether it did.
 */
export interface StorageTransfer {
  /** The chat collections that hold records. */
  chatCollections(): Promise<string[]>;
  inboxEntries(): Promise<InboxEntry[]>;
  restoreInboxEntry(entry: InboxEntry): Promise<boolean>;
  restoreStoreItem(item: StoreItemRecord): Promise<boolean>;
  /** An item's stored embeddings by field (store.index), if it has any. */
  storeVectors(namespace: string[], key: string): Promise<Record<string, number[]> | undefined>;
  /** An item's time to live and when it runs out (store.ttl), if it expires. */
  storeExpiry(namespace: string[], key: string): Promise<{ ttl_minutes: number; expires_at: string } | undefined>;
  /** The assistant as it is (latest version, updated_at) with every version it had. */
  restoreAssistant(assistant: Assistant, versions: AssistantVersion[]): Promise<boolean>;
}

/** A backend that records can be moved out of and into (`switchboard export`, `import`, `migrate`). */
export type MovableStorage = Storage & { readonly transfer: StorageTransfer };
