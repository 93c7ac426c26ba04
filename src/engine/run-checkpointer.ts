import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointTuple,
  type PendingWrite,
} from '@langchain/langgraph-checkpoint';

/**
 * The checkpointer one run writes through. When a run is stopped, LangGraph's stream
 * rejects at once but its loop may still be finishing a write; `seal()` waits for the
 * writes in flight and turns every later one into a no-op, so nothing of a stopped run
 * lands after the stop (where it would race the next run, or survive a rollback).
 */
export class RunCheckpointer extends BaseCheckpointSaver {
  readonly #inner: BaseCheckpointSaver;
  readonly #inFlight = new Set<Promise<unknown>>();
  #sealed = false;

  constructor(inner: BaseCheckpointSaver) {
    super(inner.serde);
    this.#inner = inner;
  }

  async seal(): Promise<void> {
    this.#sealed = true;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise);
    const forget = () => this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  override getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.#inner.getTuple(config);
  }

  override list(config: RunnableConfig, options?: CheckpointListOptions): AsyncGenerator<CheckpointTuple> {
    return this.#inner.list(config, options);
  }

  override put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions): Promise<RunnableConfig> {
    if (this.#sealed) {
      const configurable = config.configurable ?? {};
      return Promise.resolve({ configurable: { thread_id: configurable.thread_id, checkpoint_ns: configurable.checkpoint_ns ?? '', checkpoint_id: checkpoint.id } });
    }
    return this.#track(this.#inner.put(config, checkpoint, metadata, newVersions));
  }

  override putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath?: string): Promise<void> {
    if (this.#sealed) return Promise.resolve();
    return this.#track(this.#inner.putWrites(config, writes, taskId, taskPath));
  }

  override deleteThread(threadId: string): Promise<void> {
    return this.#inner.deleteThread(threadId);
  }

  override getNextVersion(current: number | undefined): number {
    return this.#inner.getNextVersion(current);
  }
}
