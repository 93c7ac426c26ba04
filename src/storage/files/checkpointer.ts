import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  getCheckpointId,
  type ChannelVersions,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { invalidInput } from '../../errors.ts';
import { mergeRunMetadata } from '../checkpoint-metadata.ts';
import { addLegacySends, copyForStorage, inWriteOrder, writeIndex } from '../checkpoint-parts.ts';
import type { RollbackMark, ThreadCheckpoints } from '../types.ts';
import type { JournalPool, Sequence } from './journal-pool.ts';
import { LruMap } from '../../util/lru.ts';
import type { CheckpointRecord, Stored, ThreadJournal, WriteValue } from './thread-journal.ts';

/** Where each channel's current blob lives, for the newest checkpoints: saves a read per put. */
type Holders = Record<string, string>;

/**
 * LangGraph checkpointer on the thread journals (the same files as the thread's record
 * and runs). A checkpoint is one appended line; like the PostgreSQL saver, a channel's
 * value is stored once per version — only channels in `newVersions` are written, the
 * others point at the checkpoint that holds them — so a step that changes one channel
 * does not copy the whole state again.
 */
export class JournalCheckpointSaver extends BaseCheckpointSaver implements ThreadCheckpoints {
  readonly #pool: JournalPool;
  readonly #seq: Sequence;
  readonly #holders = new LruMap<string, Holders>(4096);

  constructor(pool: JournalPool, seq: Sequence, serde?: SerializerProtocol) {
    super(serde);
    this.#pool = pool;
    this.#seq = seq;
  }

  async #dump(value: unknown): Promise<Stored> {
    const [type, data] = await this.serde.dumpsTyped(value);
    return type === 'json' ? [type, new TextDecoder().decode(data)] : [type, Buffer.from(data).toString('base64')];
  }

  async #load([type, data]: Stored): Promise<unknown> {
    return this.serde.loadsTyped(type, type === 'json' ? data : new Uint8Array(Buffer.from(data, 'base64')));
  }

  /** Reads everything a tuple needs from the journal at once, then deserializes. */
  async #toTuple(journal: ThreadJournal, record: CheckpointRecord): Promise<CheckpointTuple> {
    const threadId = journal.threadId;
    const { ns } = record;
    const checkpoint = (await this.#load(record.cp)) as Checkpoint;
    const blobs = this.#blobsFor(journal, record, checkpoint);
    const order = (meta: { path: string; task: string; idx: number }) => meta;
    const writes = inWriteOrder(journal.writes(ns, record.id), order).map((meta) => ({ meta, value: journal.writeValue(meta) }));
    const sends =
      checkpoint.v < 4 && record.parent
        ? inWriteOrder(
            journal.writes(ns, record.parent).filter((meta) => meta.ch === TASKS),
            order,
          ).map((meta) => journal.writeValue(meta))
        : undefined;

    checkpoint.channel_values = {};
    for (const [channel, value] of blobs) checkpoint.channel_values[channel] = await this.#load(value);
    // Only a checkpoint whose parent sent something is migrated, as on PostgreSQL: the added
    // channel would otherwise be news to a graph on LangGraph 0.2 (which wrote the checkpoint
    // and knows no such channel), and it would stop again at a breakpoint it is resuming past.
    if (sends && sends.length > 0) addLegacySends(checkpoint, await Promise.all(sends.map((value) => this.#load(value))), () => this.getNextVersion(undefined));
    const pendingWrites: CheckpointPendingWrite[] = [];
    for (const { meta, value } of writes) pendingWrites.push([meta.task, meta.ch, await this.#load(value)]);
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: record.id } },
      checkpoint,
      metadata: (await this.#load(record.md)) as CheckpointMetadata,
      pendingWrites,
    };
    if (record.parent) tuple.parentConfig = { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: record.parent } };
    return tuple;
  }

  /** The stored value of each channel at its version in this checkpoint. */
  #blobsFor(journal: ThreadJournal, record: CheckpointRecord, checkpoint: Checkpoint): Array<[string, Stored]> {
    const out: Array<[string, Stored]> = [];
    const holders = new Map<string, CheckpointRecord | null>([[record.id, record]]);
    for (const [channel, version] of Object.entries(checkpoint.channel_versions)) {
      const holderId = record.blobs[channel] ? record.id : record.refs[channel];
      if (holderId === undefined) continue;
      if (!holders.has(holderId)) holders.set(holderId, journal.checkpoint(record.ns, holderId));
      const blob = holders.get(holderId)?.blobs[channel];
      if (blob && String(blob.version) === String(version) && blob.value !== null) out.push([channel, blob.value]);
    }
    return out;
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) return undefined;
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const journal = this.#pool.get(threadId);
    if (!journal) return undefined;
    const wanted = getCheckpointId(config);
    const ids = journal.checkpointIds(ns);
    const id = wanted || ids[ids.length - 1];
    if (id === undefined) return undefined;
    const record = journal.checkpoint(ns, id);
    return record ? this.#toTuple(journal, record) : undefined;
  }

  override async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let limit = options.limit;
    const threadId = config.configurable?.thread_id as string | undefined;
    const ns = config.configurable?.checkpoint_ns as string | undefined;
    const onlyId = config.configurable?.checkpoint_id as string | undefined;
    const beforeId = before?.configurable?.checkpoint_id as string | undefined;
    for (const thread of threadId !== undefined ? [threadId] : this.#pool.ids()) {
      const journal = this.#pool.get(thread);
      if (!journal) continue;
      for (const namespace of ns === undefined ? journal.namespaces() : [ns]) {
        const ids = [...journal.checkpointIds(namespace)];
        for (let i = ids.length - 1; i >= 0; i -= 1) {
          const id = ids[i]!;
          if (onlyId && id !== onlyId) continue;
          if (beforeId && id >= beforeId) continue;
          const record = this.#pool.get(thread)?.checkpoint(namespace, id);
          if (!record) continue;
          if (filter) {
            const metadata = (await this.#load(record.md)) as Record<string, unknown>;
            if (!Object.entries(filter).every(([key, value]) => metadata[key] === value)) continue;
          }
          if (limit !== undefined) {
            if (limit <= 0) return;
            limit -= 1;
          }
          yield await this.#toTuple(this.#pool.get(thread) ?? journal, record);
        }
      }
    }
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions = {}): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) throw invalidInput('cannot store a checkpoint without configurable.thread_id');
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const parentId = (config.configurable?.checkpoint_id as string | undefined) ?? null;
    const { channel_values: values, ...withoutValues } = copyForStorage(checkpoint);
    const blobs: CheckpointRecord['blobs'] = {};
    for (const [channel, version] of Object.entries(newVersions)) {
      blobs[channel] = { version, value: channel in values ? await this.#dump(values[channel]) : null };
    }
    const record: CheckpointRecord = {
      ns,
      id: checkpoint.id,
      parent: parentId,
      cp: await this.#dump(withoutValues),
      md: await this.#dump(mergeRunMetadata(config, metadata)),
      blobs,
      refs: {},
    };
    // No await from here on: the journal is used while it is surely open.
    const journal = this.#pool.getOrCreate(threadId);
    const parentHolders = parentId && parentId !== checkpoint.id ? this.#holdersOf(journal, ns, parentId) : undefined;
    const holders: Holders = {};
    for (const channel of Object.keys(checkpoint.channel_versions)) {
      if (channel in blobs) holders[channel] = checkpoint.id;
      else if (parentHolders?.[channel] !== undefined) record.refs[channel] = holders[channel] = parentHolders[channel];
    }
    journal.putCheckpoint(record, this.#seq.next());
    this.#holders.set(holdersKey(threadId, ns, checkpoint.id), holders);
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  #holdersOf(journal: ThreadJournal, ns: string, id: string): Holders | undefined {
    const key = holdersKey(journal.threadId, ns, id);
    const cached = this.#holders.get(key);
    if (cached) return cached;
    const record = journal.checkpoint(ns, id);
    if (!record) return undefined;
    const holders: Holders = { ...record.refs };
    for (const channel of Object.keys(record.blobs)) holders[channel] = record.id;
    this.#holders.set(key, holders);
    return holders;
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const threadId = config.configurable?.thread_id as string | undefined;
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (threadId === undefined) throw invalidInput('cannot store writes without configurable.thread_id');
    if (checkpointId === undefined) throw invalidInput('cannot store writes without configurable.checkpoint_id');
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const values: WriteValue[] = await Promise.all(writes.map(async ([channel, value], idx) => ({ idx: writeIndex(channel, idx), ch: channel, v: await this.#dump(value) })));
    const journal = this.#pool.getOrCreate(threadId);
    const existing = journal.writes(ns, checkpointId);
    // Regular writes are kept as first stored (a retried task must not change them);
    // special channels (error, interrupt, resume) have negative indexes and are replaced.
    const fresh = values.filter((write) => write.idx < 0 || !existing.some((meta) => meta.task === taskId && meta.idx === write.idx));
    journal.putWrites(ns, checkpointId, taskId, taskPath, fresh, this.#seq.next());
  }

  override async deleteThread(threadId: string): Promise<void> {
    this.#pool.get(threadId)?.clearCheckpoints(this.#seq.next());
  }

  async pruneThread(threadId: string): Promise<void> {
    const journal = this.#pool.get(threadId);
    if (!journal) return;
    const kept: Array<{ record: CheckpointRecord; writes: ReturnType<ThreadJournal['writes']> }> = [];
    for (const ns of journal.namespaces()) {
      const latest = journal.checkpointIds(ns).at(-1);
      const record = latest === undefined ? null : journal.checkpoint(ns, latest);
      if (!record) continue;
      // The kept checkpoint takes in the values it pointed at in older ones, which go; and it has no parent left.
      const blobs = { ...record.blobs };
      for (const [channel, holderId] of Object.entries(record.refs)) {
        const blob = journal.checkpoint(ns, holderId)?.blobs[channel];
        if (blob) blobs[channel] = blob;
      }
      kept.push({ record: { ...stripSeq(record), parent: null, blobs, refs: {} }, writes: journal.writes(ns, record.id) });
    }
    const values = kept.map(({ record, writes }) => writes.map((meta) => ({ meta, ns: record.ns, cp: record.id, value: journal.writeValue(meta) })));
    journal.clearCheckpoints(this.#seq.next());
    for (const [at, { record }] of kept.entries()) {
      journal.putCheckpoint(record, this.#seq.next());
      this.#holders.set(holdersKey(threadId, record.ns, record.id), Object.fromEntries(Object.keys(record.blobs).map((channel) => [channel, record.id])));
      for (const { meta, ns, cp, value } of values[at]!) journal.putWrites(ns, cp, meta.task, meta.path, [{ idx: meta.idx, ch: meta.ch, v: value }], this.#seq.next());
    }
  }

  async copyThread(fromThreadId: string, toThreadId: string): Promise<void> {
    const source = this.#pool.get(fromThreadId);
    if (!source) return;
    const { checkpoints, writes } = source.exportCheckpoints();
    const target = this.#pool.getOrCreate(toThreadId);
    // Copied in their original order, so rollback marks keep their meaning on the copy.
    const items = [
      ...checkpoints.map((record) => ({ s: record.s, apply: (seq: number) => target.putCheckpoint(stripSeq(record), seq) })),
      ...writes.map(({ meta, ns, cp, value }) => ({
        s: meta.s,
        apply: (seq: number) => target.putWrites(ns, cp, meta.task, meta.path, [{ idx: meta.idx, ch: meta.ch, v: value }], seq),
      })),
    ].sort((a, b) => a.s - b.s);
    for (const item of items) item.apply(this.#seq.next());
  }

  async patchMetadata(threadId: string, ns: string, checkpointId: string, metadata: Record<string, unknown>): Promise<boolean> {
    const record = this.#pool.get(threadId)?.checkpoint(ns, checkpointId);
    if (!record) return false;
    const merged = { ...((await this.#load(record.md)) as Record<string, unknown>), ...metadata };
    const md = await this.#dump(merged);
    // The same id appended again replaces the checkpoint's line in the journal's index; it
    // keeps its original sequence number, so a rollback treats it as the old checkpoint it is.
    this.#pool.get(threadId)?.putCheckpoint({ ...stripSeq(record), md }, record.s);
    return true;
  }

  async mark(threadId: string): Promise<RollbackMark> {
    return { threadId, afterSeq: this.#seq.next() };
  }

  async rollback(mark: RollbackMark): Promise<void> {
    this.#pool.get(mark.threadId)?.rollback(mark.afterSeq, this.#seq.next());
  }
}

function holdersKey(threadId: string, ns: string, id: string) {
  return `${threadId}\u0000${ns}\u0000${id}`;
}

function stripSeq(record: CheckpointRecord & { s: number; t?: string }): CheckpointRecord {
  const { s: _s, t: _t, ...rest } = record;
  return rest;
}
