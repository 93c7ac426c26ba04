import { createHash } from 'node:crypto';
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  TASKS,
  maxChannelVersion,
  type ChannelVersions,
  WRITES_IDX_MAP,
  compareWritesSortKeys,
  copyCheckpoint,
  getCheckpointId,
  uuid6,
  writesSortKey,
  type Checkpoint,
  type CheckpointListOptions,
  type CheckpointMetadata,
  type CheckpointPendingWrite,
  type CheckpointTuple,
  type PendingWrite,
  type SerializerProtocol,
} from '@langchain/langgraph-checkpoint';
import { invalidInput } from '../../errors.ts';
import type { RollbackMark, ThreadCheckpoints } from '../types.ts';
import type { JsonFiles } from './json-files.ts';
import type { LowdbThreadRepo } from './threads.ts';
import { mergeRunMetadata } from '../checkpoint-metadata.ts';

/** A serialized value: the serde's type tag and its text (base64 for bytes). */
type Stored = [type: string, data: string];

interface CheckpointRecord {
  checkpoint_ns: string;
  checkpoint_id: string;
  parent_checkpoint_id: string | null;
  /** The checkpoint without its channel values, which are stored as blobs. */
  checkpoint: Stored;
  metadata: Stored;
  /** Channel values whose version is new in this checkpoint (`null`: the channel is empty). */
  blobs: Record<string, { version: string | number; value: Stored | null }>;
  /** For the other channels: the id of the checkpoint whose record holds their blob. */
  refs: Record<string, string>;
  /** Order of storage, for rollback: everything after a mark's seq was written after it. */
  seq: number;
}

interface WriteRecord {
  task_id: string;
  idx: number;
  channel: string;
  value: Stored;
  task_path: string;
  seq: number;
}

/** How many touched write files each thread remembers for a fast rollback. */
const TOUCHED_PER_THREAD = 64;

/**
 * LangGraph checkpointer on lowdb files, one file per checkpoint:
 * `threads/<thread>/checkpoints/<ns>/<checkpoint_id>.json` holds the checkpoint, and
 * `<checkpoint_id>.writes.json` beside it holds its pending writes. A write never
 * rewrites a thread's history, so its cost does not grow with the thread's length nor
 * with the number of threads. Checkpoint ids are time-ordered (uuid6), so the newest
 * checkpoint of a namespace is the greatest file name.
 */
export class LowdbCheckpointSaver extends BaseCheckpointSaver implements ThreadCheckpoints {
  readonly #files: JsonFiles;
  readonly #threads: LowdbThreadRepo;
  /** thread -> namespace folder -> sorted checkpoint ids, read from disk on first use. */
  readonly #index = new Map<string, Map<string, string[]>>();
  readonly #indexLoading = new Map<string, Promise<Map<string, string[]>>>();
  /** Write files changed recently, per thread, with the seq of their last change. */
  readonly #touched = new Map<string, { paths: Map<string, number>; forgottenUpTo: number }>();
  readonly #writeLocks = new Map<string, Promise<unknown>>();
  readonly #startSeq: number;
  #seq: number;

  constructor(files: JsonFiles, threads: LowdbThreadRepo, serde?: SerializerProtocol) {
    super(serde);
    this.#files = files;
    this.#threads = threads;
    this.#seq = this.#startSeq = Date.now() * 1000;
  }

  #nextSeq(): number {
    this.#seq = Math.max(this.#seq + 1, Date.now() * 1000);
    return this.#seq;
  }

  #checkpointsDir(threadId: string) {
    return join(this.#threads.threadDir(threadId), 'checkpoints');
  }

  #nsDir(threadId: string, ns: string) {
    return join(this.#checkpointsDir(threadId), nsFolder(ns));
  }

  async #threadIndex(threadId: string): Promise<Map<string, string[]>> {
    const known = this.#index.get(threadId);
    if (known) return known;
    let loading = this.#indexLoading.get(threadId);
    if (!loading) {
      loading = (async () => {
        const index = new Map<string, string[]>();
        const root = this.#checkpointsDir(threadId);
        for (const folder of await this.#files.list(root)) {
          const ids = (await this.#files.list(join(root, folder)))
            .filter((name) => name.endsWith('.json') && !name.endsWith('.writes.json'))
            .map((name) => name.slice(0, -'.json'.length))
            .sort();
          index.set(folder, ids);
        }
        this.#index.set(threadId, index);
        this.#indexLoading.delete(threadId);
        return index;
      })();
      this.#indexLoading.set(threadId, loading);
    }
    return loading;
  }

  async #record(threadId: string, folder: string, id: string): Promise<CheckpointRecord | null> {
    return this.#files.read<CheckpointRecord>(join(this.#checkpointsDir(threadId), folder, `${id}.json`));
  }

  async #writes(threadId: string, folder: string, id: string): Promise<WriteRecord[]> {
    return (await this.#files.read<WriteRecord[]>(join(this.#checkpointsDir(threadId), folder, `${id}.writes.json`))) ?? [];
  }

  async #toTuple(threadId: string, record: CheckpointRecord, folder: string): Promise<CheckpointTuple> {
    const writes = await this.#writes(threadId, folder, record.checkpoint_id);
    const ordered = writes
      .map((write) => ({ key: writesSortKey(write.task_path, write.task_id, write.idx), write }))
      .sort((a, b) => compareWritesSortKeys(a.key, b.key));
    const pendingWrites: CheckpointPendingWrite[] = await Promise.all(
      ordered.map(async ({ write }) => [write.task_id, write.channel, await this.#load(write.value)] as CheckpointPendingWrite),
    );
    const checkpoint = (await this.#load(record.checkpoint)) as Checkpoint;
    checkpoint.channel_values = await this.#channelValues(threadId, folder, record, checkpoint);
    if (checkpoint.v < 4 && record.parent_checkpoint_id) await this.#migratePendingSends(threadId, folder, record, checkpoint);
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: threadId, checkpoint_ns: record.checkpoint_ns, checkpoint_id: record.checkpoint_id } },
      checkpoint,
      metadata: (await this.#load(record.metadata)) as CheckpointMetadata,
      pendingWrites,
    };
    if (record.parent_checkpoint_id) {
      tuple.parentConfig = {
        configurable: { thread_id: threadId, checkpoint_ns: record.checkpoint_ns, checkpoint_id: record.parent_checkpoint_id },
      };
    }
    return tuple;
  }

  /** Values of the channels at their versions in this checkpoint, from its blobs and its refs. */
  async #channelValues(threadId: string, folder: string, record: CheckpointRecord, checkpoint: Checkpoint) {
    const values: Record<string, unknown> = {};
    const holders = new Map<string, CheckpointRecord | null>([[record.checkpoint_id, record]]);
    for (const [channel, version] of Object.entries(checkpoint.channel_versions)) {
      const holderId = record.blobs[channel] ? record.checkpoint_id : record.refs[channel];
      if (holderId === undefined) continue;
      if (!holders.has(holderId)) holders.set(holderId, await this.#record(threadId, folder, holderId));
      const blob = holders.get(holderId)?.blobs[channel];
      if (blob && String(blob.version) === String(version) && blob.value !== null) values[channel] = await this.#load(blob.value);
    }
    return values;
  }

  /** Checkpoints before format v4 kept pending sends as writes on their parent. */
  async #migratePendingSends(threadId: string, folder: string, record: CheckpointRecord, checkpoint: Checkpoint) {
    const parentWrites = await this.#writes(threadId, folder, record.parent_checkpoint_id!);
    const sends = parentWrites
      .filter((write) => write.channel === TASKS)
      .sort((a, b) => compareWritesSortKeys(writesSortKey(a.task_path, a.task_id, a.idx), writesSortKey(b.task_path, b.task_id, b.idx)));
    checkpoint.channel_values[TASKS] = await Promise.all(sends.map((write) => this.#load(write.value)));
    const versions = Object.values(checkpoint.channel_versions);
    checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : this.getNextVersion(undefined);
  }

  async #dump(value: unknown): Promise<Stored> {
    const [type, data] = await this.serde.dumpsTyped(value);
    return type === 'json' ? [type, new TextDecoder().decode(data)] : [type, Buffer.from(data).toString('base64')];
  }

  async #load([type, data]: Stored): Promise<unknown> {
    return this.serde.loadsTyped(type, type === 'json' ? data : new Uint8Array(Buffer.from(data, 'base64')));
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) return undefined;
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const folder = nsFolder(ns);
    const wanted = getCheckpointId(config);
    const ids = (await this.#threadIndex(threadId)).get(folder);
    if (!ids || ids.length === 0) return undefined;
    const id = wanted || ids[ids.length - 1]!;
    if (wanted && !ids.includes(wanted)) return undefined;
    const record = await this.#record(threadId, folder, id);
    return record ? this.#toTuple(threadId, record, folder) : undefined;
  }

  override async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const { before, filter } = options;
    let limit = options.limit;
    const threadId = config.configurable?.thread_id as string | undefined;
    const ns = config.configurable?.checkpoint_ns as string | undefined;
    const onlyId = config.configurable?.checkpoint_id as string | undefined;
    const beforeId = before?.configurable?.checkpoint_id as string | undefined;
    const threadIds = threadId !== undefined ? [threadId] : await this.#files.list(this.#threads.rootDir);
    for (const thread of threadIds) {
      const index = await this.#threadIndex(thread);
      const folders = ns === undefined ? [...index.keys()] : [nsFolder(ns)];
      for (const folder of folders) {
        const ids = index.get(folder) ?? [];
        for (let i = ids.length - 1; i >= 0; i -= 1) {
          const id = ids[i]!;
          if (onlyId && id !== onlyId) continue;
          if (beforeId && id >= beforeId) continue;
          const record = await this.#record(thread, folder, id);
          if (!record) continue;
          if (filter) {
            const metadata = (await this.#load(record.metadata)) as Record<string, unknown>;
            if (!Object.entries(filter).every(([key, value]) => metadata[key] === value)) continue;
          }
          if (limit !== undefined) {
            if (limit <= 0) return;
            limit -= 1;
          }
          yield await this.#toTuple(thread, record, folder);
        }
      }
    }
  }

  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: ChannelVersions = {},
  ): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) throw invalidInput('cannot store a checkpoint without configurable.thread_id');
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const folder = nsFolder(ns);
    const parentId = (config.configurable?.checkpoint_id as string | undefined) ?? null;
    const { channel_values: values, ...withoutValues } = copyCheckpoint(checkpoint);
    // Like the PostgreSQL saver, a channel's value is stored once per version: only the
    // channels in `newVersions` are written here; the others point at the record that
    // holds their current version.
    const blobs: CheckpointRecord['blobs'] = {};
    for (const [channel, version] of Object.entries(newVersions)) {
      blobs[channel] = { version, value: channel in values ? await this.#dump(values[channel]) : null };
    }
    const refs: Record<string, string> = {};
    const parent = parentId && parentId !== checkpoint.id ? await this.#record(threadId, folder, parentId) : null;
    if (parent) {
      for (const channel of Object.keys(checkpoint.channel_versions)) {
        if (channel in blobs) continue;
        const holder = parent.blobs[channel] ? parent.checkpoint_id : parent.refs[channel];
        if (holder !== undefined) refs[channel] = holder;
      }
    }
    const record: CheckpointRecord = {
      checkpoint_ns: ns,
      checkpoint_id: checkpoint.id,
      parent_checkpoint_id: parentId,
      checkpoint: await this.#dump(withoutValues),
      metadata: await this.#dump(mergeRunMetadata(config, metadata)),
      blobs,
      refs,
      seq: this.#nextSeq(),
    };
    await this.#files.write(join(this.#nsDir(threadId, ns), `${checkpoint.id}.json`), record);
    const index = await this.#threadIndex(threadId);
    const ids = index.get(folder) ?? [];
    if (!index.has(folder)) index.set(folder, ids);
    insertSorted(ids, checkpoint.id);
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const threadId = config.configurable?.thread_id as string | undefined;
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (threadId === undefined) throw invalidInput('cannot store writes without configurable.thread_id');
    if (checkpointId === undefined) throw invalidInput('cannot store writes without configurable.checkpoint_id');
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const path = join(this.#nsDir(threadId, ns), `${checkpointId}.writes.json`);
    const prepared = await Promise.all(
      writes.map(async ([channel, value], idx) => ({ channel, idx: WRITES_IDX_MAP[channel] ?? idx, value: await this.#dump(value) })),
    );
    await this.#withLock(path, async () => {
      const stored = (await this.#files.read<WriteRecord[]>(path)) ?? [];
      const seq = this.#nextSeq();
      for (const write of prepared) {
        const existing = stored.findIndex((candidate) => candidate.task_id === taskId && candidate.idx === write.idx);
        // Regular writes are kept as first stored (a retried task must not change them);
        // special channels (error, interrupt, resume) have negative indexes and are replaced.
        if (existing >= 0 && write.idx >= 0) continue;
        const record: WriteRecord = { task_id: taskId, idx: write.idx, channel: write.channel, value: write.value, task_path: taskPath, seq };
        if (existing >= 0) stored[existing] = record;
        else stored.push(record);
      }
      await this.#files.write(path, stored);
      this.#touch(threadId, path, seq);
    });
  }

  override async deleteThread(threadId: string): Promise<void> {
    this.#index.delete(threadId);
    this.#touched.delete(threadId);
    await this.#files.removeDir(this.#checkpointsDir(threadId));
  }

  async copyThread(fromThreadId: string, toThreadId: string): Promise<void> {
    const from = this.#checkpointsDir(fromThreadId);
    if ((await this.#files.list(from)).length === 0) return;
    await cp(from, this.#checkpointsDir(toThreadId), { recursive: true, filter: (source) => !source.endsWith('.tmp') });
    this.#index.delete(toThreadId);
  }

  async mark(threadId: string): Promise<RollbackMark> {
    return { threadId, afterCheckpointId: uuid6(-1), afterSeq: this.#nextSeq() };
  }

  async rollback(mark: RollbackMark): Promise<void> {
    const { threadId } = mark;
    const index = await this.#threadIndex(threadId);
    const root = this.#checkpointsDir(threadId);
    for (const [folder, ids] of index) {
      // Ids are time-ordered: only the tail can be newer than the mark.
      while (ids.length > 0 && ids[ids.length - 1]! > mark.afterCheckpointId) {
        const id = ids.pop()!;
        await this.#files.remove(join(root, folder, `${id}.json`));
        await this.#files.remove(join(root, folder, `${id}.writes.json`));
      }
    }
    // Writes added after the mark to checkpoints older than it: the remembered files
    // tell which, unless the mark predates what this process remembers.
    const touched = this.#touched.get(threadId);
    const remembered = mark.afterSeq >= this.#startSeq && (touched?.forgottenUpTo ?? 0) <= mark.afterSeq;
    const paths = remembered
      ? [...(touched?.paths ?? [])].filter(([, seq]) => seq > mark.afterSeq).map(([path]) => path)
      : await this.#allWriteFiles(threadId, index);
    for (const path of paths) {
      await this.#withLock(path, async () => {
        const stored = await this.#files.read<WriteRecord[]>(path);
        if (!stored) return;
        const kept = stored.filter((write) => write.seq <= mark.afterSeq);
        if (kept.length === stored.length) return;
        if (kept.length === 0) await this.#files.remove(path);
        else await this.#files.write(path, kept);
      });
    }
  }

  async #allWriteFiles(threadId: string, index: Map<string, string[]>): Promise<string[]> {
    const root = this.#checkpointsDir(threadId);
    const out: string[] = [];
    for (const folder of index.keys()) {
      for (const name of await this.#files.list(join(root, folder))) if (name.endsWith('.writes.json')) out.push(join(root, folder, name));
    }
    return out;
  }

  #touch(threadId: string, path: string, seq: number) {
    let touched = this.#touched.get(threadId);
    if (!touched) this.#touched.set(threadId, (touched = { paths: new Map(), forgottenUpTo: 0 }));
    touched.paths.delete(path);
    touched.paths.set(path, seq);
    if (touched.paths.size > TOUCHED_PER_THREAD) {
      // Forget the oldest; a rollback to a mark older than what is remembered scans instead.
      const [oldest, oldestSeq] = touched.paths.entries().next().value!;
      touched.paths.delete(oldest);
      touched.forgottenUpTo = Math.max(touched.forgottenUpTo, oldestSeq);
    }
  }

  async #withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#writeLocks.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.#writeLocks.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.#writeLocks.get(key) === settled) this.#writeLocks.delete(key);
    }
  }
}

/** Folder name of a checkpoint namespace: subgraph namespaces can be long and hold `|` and `:`. */
function nsFolder(ns: string): string {
  return ns === '' ? 'root' : `ns-${createHash('sha1').update(ns).digest('hex').slice(0, 24)}`;
}

function insertSorted(ids: string[], id: string) {
  if (ids.length === 0 || ids[ids.length - 1]! < id) {
    ids.push(id);
    return;
  }
  if (ids.includes(id)) return;
  ids.push(id);
  ids.sort();
}
