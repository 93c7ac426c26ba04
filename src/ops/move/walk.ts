import type { CheckpointTuple, SerializerProtocol } from '@langchain/langgraph-checkpoint';
import type { TtlStore } from '../../storage/store-ttl.ts';
import type { MovableStorage, Run, Thread } from '../../storage/types.ts';
import type { CheckpointWriteRecord, MoveRecord, Serialized } from './format.ts';

const PAGE = 100;

/**
 * Every record of a backend, one at a time: assistants, then each thread (its
 * checkpoints oldest first, its runs oldest first, then its record), store items, crons
 * and the chat layer's records. At most one thread's records are held at once.
 */
export async function* walkRecords(storage: MovableStorage): AsyncGenerator<MoveRecord> {
  for await (const assistant of pages((offset) => storage.assistants.search({ limit: PAGE, offset, sort_by: 'assistant_id', sort_order: 'asc' }))) {
    yield { kind: 'assistant', assistant, versions: (await storage.assistants.versions(assistant.assistant_id)).sort((a, b) => a.version - b.version) };
  }
  for await (const thread of pages((offset) => storage.threads.search({ limit: PAGE, offset, sort_by: 'thread_id', sort_order: 'asc' }))) {
    yield* threadRecords(storage, thread);
  }
  for (const namespace of await allNamespaces(storage)) {
    // Read without refreshing TTLs: moving items is not using them (expired ones are not listed, so not moved).
    const search = (offset: number) => (storage.store as TtlStore).search(namespace, { limit: PAGE, offset, refreshTtl: false });
    for await (const item of pages(async (offset) => ({ items: await search(offset) }))) {
      // A search lists the namespaces under this one too; each item is yielded under its own.
      if (item.namespace.length !== namespace.length) continue;
      const { key, value, createdAt, updatedAt } = item;
      const vectors = await storage.transfer.storeVectors(namespace, key);
      // An item that expires keeps its clock: moving it neither extends nor ends its life.
      const expiry = await storage.transfer.storeExpiry(namespace, key);
      const times = { created_at: new Date(createdAt).toISOString(), updated_at: new Date(updatedAt).toISOString() };
      yield { kind: 'store_item', item: { namespace, key, value, ...times, ...(vectors ? { vectors } : {}), ...expiry } };
    }
  }
  for (const cron of await storage.crons.list()) yield { kind: 'cron', cron };
  for (const installation of await storage.installations.list()) yield { kind: 'installation', installation };
  for (const collection of await storage.transfer.chatCollections()) {
    for (const { key, value } of await storage.chat.collection(collection).list()) yield { kind: 'chat_record', collection, key, value };
  }
  for (const entry of await storage.transfer.inboxEntries()) yield { kind: 'inbox_entry', entry };
}

async function* threadRecords(storage: MovableStorage, thread: Thread): AsyncGenerator<MoveRecord> {
  const serde = storage.checkpointer.serde;
  const tuples: CheckpointTuple[] = [];
  for await (const tuple of storage.checkpointer.list({ configurable: { thread_id: thread.thread_id } })) tuples.push(tuple);
  // Checkpoint ids grow with time: oldest first puts every parent before its children, as they were written.
  tuples.sort((a, b) => compare(idOf(a), idOf(b)) || compare(nsOf(a), nsOf(b)));
  for (const tuple of tuples) {
    const writes: CheckpointWriteRecord[] = [];
    for (const [task_id, channel, value] of tuple.pendingWrites ?? []) writes.push({ task_id, channel, value: await serialize(serde, value) });
    yield {
      kind: 'checkpoint',
      thread_id: thread.thread_id,
      checkpoint_ns: nsOf(tuple),
      checkpoint_id: idOf(tuple),
      parent_checkpoint_id: (tuple.parentConfig?.configurable?.checkpoint_id as string | undefined) ?? null,
      checkpoint: await serialize(serde, tuple.checkpoint),
      metadata: await serialize(serde, tuple.metadata),
      writes,
    };
  }
  const runs: Run[] = [];
  for await (const run of pages(async (offset) => ({ items: await storage.runs.listByThread(thread.thread_id, { limit: PAGE, offset }) }))) runs.push(run);
  // Listed newest first; stored oldest first so pending runs queue in their original order.
  for (const run of runs.reverse()) {
    const feedback = await storage.feedback.list(thread.thread_id, run.run_id);
    yield { kind: 'run', run, ...(feedback.length > 0 ? { feedback } : {}) };
  }
  yield { kind: 'thread', thread };
}

async function allNamespaces(storage: MovableStorage): Promise<string[][]> {
  const namespaces: string[][] = [];
  for await (const namespace of pages(async (offset) => ({ items: await storage.store.listNamespaces({ limit: PAGE, offset }) }))) namespaces.push(namespace);
  return namespaces;
}

/** Every item of a paged listing, fetching page after page until one comes back short. */
async function* pages<T>(fetch: (offset: number) => Promise<{ items: T[] }>): AsyncGenerator<T> {
  for (let offset = 0; ; offset += PAGE) {
    const { items } = await fetch(offset);
    yield* items;
    if (items.length < PAGE) return;
  }
}

async function serialize(serde: SerializerProtocol, value: unknown): Promise<Serialized> {
  const [type, data] = await serde.dumpsTyped(value);
  return [type, Buffer.from(data).toString('base64')];
}

const idOf = (tuple: CheckpointTuple) => tuple.config.configurable?.checkpoint_id as string;
const nsOf = (tuple: CheckpointTuple) => (tuple.config.configurable?.checkpoint_ns as string | undefined) ?? '';
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
