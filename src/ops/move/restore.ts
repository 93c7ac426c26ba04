import type { ChannelVersions, Checkpoint, CheckpointMetadata, PendingWrite } from '@langchain/langgraph-checkpoint';
import type { MovableStorage } from '../../storage/types.ts';
import type { MoveRecord, Serialized } from './format.ts';

/**
 * Stores records in a target backend, each only if its key is new there (a taken key is
 * left as the target has it, and the record counts as skipped). A thread's checkpoints
 * and runs are written only while the target has no record of that thread: its record
 * comes last, so a thread whose record exists arrived whole, or belongs to the target.
 */
export class Restorer {
  readonly #target: MovableStorage;
  /** The thread whose records are arriving, whether the target already has it, and its checkpoints' channel versions. */
  #thread: { id: string; taken: boolean; versions: Map<string, ChannelVersions> } | undefined;

  constructor(target: MovableStorage) {
    this.#target = target;
  }

  /** Says whether the record was stored (false: its key was taken). */
  async restore(record: MoveRecord): Promise<boolean> {
    const target = this.#target;
    switch (record.kind) {
      case 'assistant':
        return target.transfer.restoreAssistant(record.assistant, record.versions);
      case 'checkpoint':
        if ((await this.#threadOf(record.thread_id)).taken) return false;
        await this.#putCheckpoint(record);
        return true;
      case 'run':
        if ((await this.#threadOf(record.run.thread_id)).taken) return false;
        await target.runs.put(record.run);
        for (const vote of record.feedback ?? []) await target.feedback.put(record.run.thread_id, record.run.run_id, vote);
        return true;
      case 'thread':
        if ((await this.#threadOf(record.thread.thread_id)).taken) return false;
        await target.threads.create(record.thread);
        this.#thread = undefined;
        return true;
      case 'store_item':
        return target.transfer.restoreStoreItem(record.item);
      case 'cron':
        if (await target.crons.get(record.cron.cron_id)) return false;
        await target.crons.put(record.cron);
        return true;
      case 'installation':
        if (await target.installations.get(record.installation.installation_id)) return false;
        await target.installations.put(record.installation);
        return true;
      case 'chat_record': {
        const collection = target.chat.collection(record.collection);
        if ((await collection.get(record.key)) !== null) return false;
        await collection.put(record.key, record.value);
        return true;
      }
      case 'inbox_entry':
        return target.transfer.restoreInboxEntry(record.entry);
    }
  }

  async #threadOf(threadId: string) {
    if (this.#thread?.id !== threadId) {
      this.#thread = { id: threadId, taken: (await this.#target.threads.get(threadId)) !== null, versions: new Map() };
    }
    return this.#thread;
  }

  async #putCheckpoint(record: Extract<MoveRecord, { kind: 'checkpoint' }>) {
    const { checkpointer } = this.#target;
    const checkpoint = (await deserialize(checkpointer.serde, record.checkpoint)) as Checkpoint;
    const metadata = (await deserialize(checkpointer.serde, record.metadata)) as CheckpointMetadata;
    const { thread_id, checkpoint_ns } = record;
    // Only the channels whose version changed since the parent get a stored value, as when
    // the graph wrote it: the others are found through the parent, and nothing is stored twice.
    const versions = this.#thread!.versions;
    const parent = record.parent_checkpoint_id === null ? undefined : versions.get(`${checkpoint_ns}\u0000${record.parent_checkpoint_id}`);
    const changed = Object.entries(checkpoint.channel_versions).filter(([channel, version]) => parent?.[channel] !== version);
    versions.set(`${checkpoint_ns}\u0000${record.checkpoint_id}`, checkpoint.channel_versions);
    const parentConfig = { configurable: { thread_id, checkpoint_ns, ...(record.parent_checkpoint_id ? { checkpoint_id: record.parent_checkpoint_id } : {}) } };
    const stored = await checkpointer.put(parentConfig, checkpoint, metadata, Object.fromEntries(changed));
    // One putWrites per task, in their stored order, as the graph's tasks wrote them.
    const byTask = new Map<string, PendingWrite[]>();
    for (const write of record.writes) {
      const writes = byTask.get(write.task_id) ?? [];
      writes.push([write.channel, await deserialize(checkpointer.serde, write.value)]);
      byTask.set(write.task_id, writes);
    }
    for (const [taskId, writes] of byTask) await checkpointer.putWrites(stored, writes, taskId);
  }
}

function deserialize(serde: MovableStorage['checkpointer']['serde'], [type, base64]: Serialized): Promise<unknown> {
  return serde.loadsTyped(type, new Uint8Array(Buffer.from(base64, 'base64')));
}
