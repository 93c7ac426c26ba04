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
import type { Db } from './db.ts';

interface CheckpointRow {
  thread_id: string;
  ns: string;
  checkpoint_id: string;
  parent_id: string | null;
  type: string;
  checkpoint: Buffer;
  metadata_type: string;
  metadata: Buffer;
  /** The checkpoint's channel values, as (channel, type, value) of the blobs at its versions. */
  blobs: Array<{ channel: string; type: string; value: string | null }> | null;
  /** Its pending writes. */
  writes: Array<{ task_id: string; idx: number; channel: string; type: string; value: string; task_path: string }> | null;
  /** Pending sends kept as writes on the parent (checkpoints before format v4). */
  parent_sends: Array<{ task_id: string; idx: number; type: string; value: string; task_path: string }> | null;
}

/**
 * Everything a tuple needs, in one round trip: the checkpoint row, the blobs of its channel
 * versions, its pending writes, and (for old checkpoints) the sends on its parent.
 * bytea travels as base64 inside the JSON aggregates.
 */
const TUPLE_COLUMNS = `
  c.thread_id, c.ns, c.checkpoint_id, c.parent_id, c.type, c.checkpoint, c.metadata_type, c.metadata,
  (SELECT json_agg(json_build_object('channel', b.channel, 'type', b.type, 'value', encode(b.value, 'base64')))
     FROM sb_checkpoint_blobs b
     JOIN unnest(c.blob_channels, c.blob_versions) AS v(channel, version) ON b.channel = v.channel AND b.version = v.version
    WHERE b.thread_id = c.thread_id AND b.ns = c.ns) AS blobs,
  (SELECT json_agg(json_build_object('task_id', w.task_id, 'idx', w.idx, 'channel', w.channel, 'type', w.type, 'value', encode(w.value, 'base64'), 'task_path', w.task_path))
     FROM sb_checkpoint_writes w
    WHERE w.thread_id = c.thread_id AND w.ns = c.ns AND w.checkpoint_id = c.checkpoint_id) AS writes,
  (SELECT json_agg(json_build_object('task_id', w.task_id, 'idx', w.idx, 'type', w.type, 'value', encode(w.value, 'base64'), 'task_path', w.task_path))
     FROM sb_checkpoint_writes w
    WHERE c.parent_id IS NOT NULL AND c.checkpoint_v < 4 AND w.thread_id = c.thread_id AND w.ns = c.ns AND w.checkpoint_id = c.parent_id AND w.channel = '${TASKS}') AS parent_sends`;

/**
 * LangGraph checkpointer on PostgreSQL. As in LangGraph's own PostgreSQL saver, a channel's
 * value is stored once per version (a blob) and checkpoints name the versions they hold;
 * in addition every row takes a number from one sequence, so a run's rollback deletes
 * exactly what was written after its mark.
 */
export class PgCheckpointSaver extends BaseCheckpointSaver implements ThreadCheckpoints {
  readonly #db: Db;

  constructor(db: Db, serde?: SerializerProtocol) {
    super(serde);
    this.#db = db;
  }

  async #dump(value: unknown): Promise<[string, Buffer]> {
    const [type, data] = await this.serde.dumpsTyped(value);
    return [type, Buffer.from(data)];
  }

  #load(type: string, data: Uint8Array | string): Promise<unknown> {
    return this.serde.loadsTyped(type, typeof data === 'string' ? new Uint8Array(Buffer.from(data, 'base64')) : new Uint8Array(data));
  }

  async #toTuple(row: CheckpointRow): Promise<CheckpointTuple> {
    const checkpoint = (await this.#load(row.type, row.checkpoint)) as Checkpoint;
    checkpoint.channel_values = {};
    for (const blob of row.blobs ?? []) {
      if (blob.value !== null) checkpoint.channel_values[blob.channel] = await this.#load(blob.type, blob.value);
    }
    const order = (write: { task_path: string; task_id: string; idx: number }) => ({ path: write.task_path, task: write.task_id, idx: write.idx });
    if (row.parent_sends && row.parent_sends.length > 0) {
      const sends = await Promise.all(inWriteOrder(row.parent_sends, order).map((send) => this.#load(send.type, send.value)));
      addLegacySends(checkpoint, sends, () => this.getNextVersion(undefined));
    }
    const writes = inWriteOrder(row.writes ?? [], order);
    const pendingWrites: CheckpointPendingWrite[] = [];
    for (const write of writes) pendingWrites.push([write.task_id, write.channel, await this.#load(write.type, write.value)]);
    const tuple: CheckpointTuple = {
      config: { configurable: { thread_id: row.thread_id, checkpoint_ns: row.ns, checkpoint_id: row.checkpoint_id } },
      checkpoint,
      metadata: (await this.#load(row.metadata_type, row.metadata)) as CheckpointMetadata,
      pendingWrites,
    };
    if (row.parent_id) tuple.parentConfig = { configurable: { thread_id: row.thread_id, checkpoint_ns: row.ns, checkpoint_id: row.parent_id } };
    return tuple;
  }

  override async getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) return undefined;
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const wanted = getCheckpointId(config);
    const { rows } = wanted
      ? await this.#db.query<CheckpointRow>(`SELECT ${TUPLE_COLUMNS} FROM sb_checkpoints c WHERE c.thread_id = $1 AND c.ns = $2 AND c.checkpoint_id = $3`, [threadId, ns, wanted])
      : await this.#db.query<CheckpointRow>(`SELECT ${TUPLE_COLUMNS} FROM sb_checkpoints c WHERE c.thread_id = $1 AND c.ns = $2 ORDER BY c.checkpoint_id DESC LIMIT 1`, [
          threadId,
          ns,
        ]);
    return rows[0] ? this.#toTuple(rows[0]) : undefined;
  }

  override async *list(config: RunnableConfig, options: CheckpointListOptions = {}): AsyncGenerator<CheckpointTuple> {
    const where: string[] = [];
    const values: unknown[] = [];
    const threadId = config.configurable?.thread_id as string | undefined;
    const ns = config.configurable?.checkpoint_ns as string | undefined;
    const onlyId = config.configurable?.checkpoint_id as string | undefined;
    const beforeId = options.before?.configurable?.checkpoint_id as string | undefined;
    if (threadId !== undefined) where.push(`c.thread_id = $${values.push(threadId)}`);
    if (ns !== undefined) where.push(`c.ns = $${values.push(ns)}`);
    if (onlyId) where.push(`c.checkpoint_id = $${values.push(onlyId)}`);
    if (beforeId) where.push(`c.checkpoint_id < $${values.push(beforeId)}`);
    if (options.filter && Object.keys(options.filter).length > 0) where.push(`c.metadata_json @> $${values.push(JSON.stringify(options.filter))}::jsonb`);
    const limit = options.limit !== undefined ? ` LIMIT $${values.push(Math.max(0, options.limit))}` : '';
    const { rows } = await this.#db.query<CheckpointRow>(
      `SELECT ${TUPLE_COLUMNS} FROM sb_checkpoints c ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.thread_id, c.ns, c.checkpoint_id DESC${limit}`,
      values,
    );
    for (const row of rows) yield await this.#toTuple(row);
  }

  override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata, newVersions: ChannelVersions = {}): Promise<RunnableConfig> {
    const threadId = config.configurable?.thread_id as string | undefined;
    if (threadId === undefined) throw invalidInput('cannot store a checkpoint without configurable.thread_id');
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const parentId = (config.configurable?.checkpoint_id as string | undefined) ?? null;
    const { channel_values: channelValues, ...withoutValues } = copyForStorage(checkpoint);
    const blobChannels: string[] = [];
    const blobVersions: string[] = [];
    const blobTypes: string[] = [];
    const blobValues: Array<Buffer | null> = [];
    for (const [channel, version] of Object.entries(newVersions)) {
      const [type, value] = channel in channelValues ? await this.#dump(channelValues[channel]) : ['empty', null];
      blobChannels.push(channel);
      blobVersions.push(String(version));
      blobTypes.push(type);
      blobValues.push(value);
    }
    const versions = Object.entries(checkpoint.channel_versions);
    const [cpType, cpData] = await this.#dump(withoutValues);
    const merged = mergeRunMetadata(config, metadata);
    const [mdType, mdData] = await this.#dump(merged);
    // The blobs and the checkpoint in one statement (one round trip).
    await this.#db.query(
      `WITH blobs AS (
         INSERT INTO sb_checkpoint_blobs (thread_id, ns, channel, version, type, value)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::bytea[])
         ON CONFLICT DO NOTHING
       )
       INSERT INTO sb_checkpoints (thread_id, ns, checkpoint_id, parent_id, type, checkpoint, metadata_type, metadata, metadata_json, checkpoint_v, blob_channels, blob_versions)
       VALUES ($1, $2, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (thread_id, ns, checkpoint_id) DO UPDATE SET parent_id = EXCLUDED.parent_id, type = EXCLUDED.type, checkpoint = EXCLUDED.checkpoint,
         metadata_type = EXCLUDED.metadata_type, metadata = EXCLUDED.metadata, metadata_json = EXCLUDED.metadata_json,
         checkpoint_v = EXCLUDED.checkpoint_v, blob_channels = EXCLUDED.blob_channels, blob_versions = EXCLUDED.blob_versions`,
      [
        threadId,
        ns,
        blobChannels,
        blobVersions,
        blobTypes,
        blobValues,
        checkpoint.id,
        parentId,
        cpType,
        cpData,
        mdType,
        mdData,
        mdType === 'json' ? jsonOrNull(mdData) : null,
        checkpoint.v ?? 4,
        versions.map(([channel]) => channel),
        versions.map(([, version]) => String(version)),
      ],
    );
    return { configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpoint.id } };
  }

  override async putWrites(config: RunnableConfig, writes: PendingWrite[], taskId: string, taskPath = ''): Promise<void> {
    const threadId = config.configurable?.thread_id as string | undefined;
    const checkpointId = config.configurable?.checkpoint_id as string | undefined;
    if (threadId === undefined) throw invalidInput('cannot store writes without configurable.thread_id');
    if (checkpointId === undefined) throw invalidInput('cannot store writes without configurable.checkpoint_id');
    const ns = (config.configurable?.checkpoint_ns as string | undefined) ?? '';
    const dumped = await Promise.all(writes.map(async ([channel, value], idx) => ({ idx: writeIndex(channel, idx), channel, dumped: await this.#dump(value) })));
    if (dumped.length === 0) return;
    // Regular writes keep what was first stored (a retried task must not change them);
    // special channels (error, interrupt, resume) have negative indexes and are replaced.
    const special = dumped.every((write) => write.idx < 0);
    await this.#db.query(
      `INSERT INTO sb_checkpoint_writes (thread_id, ns, checkpoint_id, task_id, task_path, idx, channel, type, value)
       SELECT $1, $2, $3, $4, $5, * FROM unnest($6::int[], $7::text[], $8::text[], $9::bytea[])
       ON CONFLICT (thread_id, ns, checkpoint_id, task_id, idx) DO ${special ? 'UPDATE SET channel = EXCLUDED.channel, type = EXCLUDED.type, value = EXCLUDED.value' : 'NOTHING'}`,
      [
        threadId,
        ns,
        checkpointId,
        taskId,
        taskPath,
        dumped.map((write) => write.idx),
        dumped.map((write) => write.channel),
        dumped.map((write) => write.dumped[0]),
        dumped.map((write) => write.dumped[1]),
      ],
    );
  }

  override async deleteThread(threadId: string): Promise<void> {
    await this.#db.query(
      `WITH a AS (DELETE FROM sb_checkpoint_writes WHERE thread_id = $1), b AS (DELETE FROM sb_checkpoint_blobs WHERE thread_id = $1)
       DELETE FROM sb_checkpoints WHERE thread_id = $1`,
      [threadId],
    );
  }

  async pruneThread(threadId: string): Promise<void> {
    // One statement (one snapshot): the latest checkpoint of each namespace stays with its
    // writes and the blobs it names; every other checkpoint, write and blob of the thread goes.
    await this.#db.query(
      `WITH kept AS (
         SELECT DISTINCT ON (ns) ns, checkpoint_id, blob_channels, blob_versions FROM sb_checkpoints WHERE thread_id = $1 ORDER BY ns, checkpoint_id DESC
       ),
       needed AS (SELECT k.ns, v.channel, v.version FROM kept k, unnest(k.blob_channels, k.blob_versions) AS v(channel, version)),
       w AS (DELETE FROM sb_checkpoint_writes x WHERE x.thread_id = $1 AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.ns = x.ns AND k.checkpoint_id = x.checkpoint_id)),
       b AS (DELETE FROM sb_checkpoint_blobs x WHERE x.thread_id = $1
               AND NOT EXISTS (SELECT 1 FROM needed n WHERE n.ns = x.ns AND n.channel = x.channel AND n.version = x.version)),
       c AS (DELETE FROM sb_checkpoints x WHERE x.thread_id = $1 AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.ns = x.ns AND k.checkpoint_id = x.checkpoint_id))
       UPDATE sb_checkpoints x SET parent_id = NULL FROM kept k WHERE x.thread_id = $1 AND x.ns = k.ns AND x.checkpoint_id = k.checkpoint_id`,
      [threadId],
    );
  }

  async copyThread(fromThreadId: string, toThreadId: string): Promise<void> {
    // Copied in their original order, so rollback marks keep their meaning on the copy.
    await this.#db.transaction(async (client) => {
      await client.query(
        `INSERT INTO sb_checkpoint_blobs (thread_id, ns, channel, version, type, value)
         SELECT $2, ns, channel, version, type, value FROM sb_checkpoint_blobs WHERE thread_id = $1 ORDER BY seq`,
        [fromThreadId, toThreadId],
      );
      await client.query(
        `INSERT INTO sb_checkpoints (thread_id, ns, checkpoint_id, parent_id, type, checkpoint, metadata_type, metadata, metadata_json, checkpoint_v, blob_channels, blob_versions)
         SELECT $2, ns, checkpoint_id, parent_id, type, checkpoint, metadata_type, metadata, metadata_json, checkpoint_v, blob_channels, blob_versions
           FROM sb_checkpoints WHERE thread_id = $1 ORDER BY seq`,
        [fromThreadId, toThreadId],
      );
      await client.query(
        `INSERT INTO sb_checkpoint_writes (thread_id, ns, checkpoint_id, task_id, task_path, idx, channel, type, value)
         SELECT $2, ns, checkpoint_id, task_id, task_path, idx, channel, type, value FROM sb_checkpoint_writes WHERE thread_id = $1 ORDER BY seq`,
        [fromThreadId, toThreadId],
      );
    });
  }

  async patchMetadata(threadId: string, ns: string, checkpointId: string, metadata: Record<string, unknown>): Promise<boolean> {
    const tuple = await this.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: ns, checkpoint_id: checkpointId } });
    if (!tuple) return false;
    const [type, data] = await this.#dump({ ...tuple.metadata, ...metadata });
    // In place, keeping its sequence number: a rollback treats it as the old checkpoint it is.
    await this.#db.query('UPDATE sb_checkpoints SET metadata_type = $4, metadata = $5, metadata_json = $6 WHERE thread_id = $1 AND ns = $2 AND checkpoint_id = $3', [
      threadId,
      ns,
      checkpointId,
      type,
      data,
      type === 'json' ? jsonOrNull(data) : null,
    ]);
    return true;
  }

  async mark(threadId: string): Promise<RollbackMark> {
    const { rows } = await this.#db.query<{ seq: number }>(`SELECT nextval('sb_checkpoint_seq') AS seq`);
    return { threadId, afterSeq: rows[0]!.seq };
  }

  async rollback(mark: RollbackMark): Promise<void> {
    await this.#db.query(
      `WITH a AS (DELETE FROM sb_checkpoint_writes WHERE thread_id = $1 AND seq > $2), b AS (DELETE FROM sb_checkpoint_blobs WHERE thread_id = $1 AND seq > $2)
       DELETE FROM sb_checkpoints WHERE thread_id = $1 AND seq > $2`,
      [mark.threadId, mark.afterSeq],
    );
  }
}

/** Metadata as jsonb for `list(filter)`; JSON PostgreSQL cannot store (a \u0000) is left out of filtering. */
function jsonOrNull(data: Buffer): string | null {
  const text = data.toString('utf8');
  return text.includes('\\u0000') ? null : text;
}
