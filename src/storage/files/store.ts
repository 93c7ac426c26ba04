import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InMemoryStore, type Item, type Operation, type OperationResults } from '@langchain/langgraph';
import type { IndexConfig } from '@langchain/langgraph-checkpoint';
import { checkStoreOperations } from '../namespace.ts';
import type { StoreItemRecord } from '../types.ts';
import type { JsonFiles } from './json-files.ts';

interface NamespaceFile {
  namespace: string[];
  items: Array<{ key: string; value: Record<string, unknown>; created_at: string; updated_at: string; vectors?: Record<string, number[]> }>;
}

/** The in-memory store's embeddings, by namespace, key and field (its documented layout). */
type Vectors = Map<string, Map<string, Map<string, number[]>>>;

/**
 * LangGraph's long-term memory store on lowdb files: the in-memory store answers
 * queries, and every namespace a batch changed is written to its own file
 * (`store/<hash>.json`) before the batch returns. Files are read on first use.
 */
export class LowdbStore extends InMemoryStore {
  readonly #files: JsonFiles;
  readonly #dir: string;
  #loaded: Promise<void> | undefined;

  /** `index`: the semantic index (store.index): items are embedded when put, and searches may rank by a query. */
  constructor(files: JsonFiles, dataDir: string, index?: IndexConfig) {
    super(index ? { index } : undefined);
    this.#files = files;
    this.#dir = join(dataDir, 'store');
  }

  override async batch<Op extends readonly Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    checkStoreOperations(operations);
    await (this.#loaded ??= this.#load());
    const changed = new Map<string, string[]>();
    for (const op of operations) if ('value' in op && 'namespace' in op) changed.set(op.namespace.join(':'), op.namespace);
    // What the changed namespaces held, to put back if their files cannot be written.
    const before = new Map([...changed.keys()].map((key) => [key, this.#data.has(key) ? new Map(this.#data.get(key)) : undefined]));
    const results = await super.batch(operations);
    try {
      for (const [key, namespace] of changed) await this.#persist(key, namespace);
    } catch (error) {
      for (const [key, items] of before) {
        if (items) this.#data.set(key, items);
        else this.#data.delete(key);
      }
      // A namespace file written before the failure is written again as memory now is.
      for (const [key, namespace] of changed) await this.#persist(key, namespace).catch(() => undefined);
      throw error;
    }
    return results;
  }

  /** Stores an item with its original times, unless its key is taken; says whether it did. */
  async restore(item: StoreItemRecord): Promise<boolean> {
    await (this.#loaded ??= this.#load());
    const key = item.namespace.join(':');
    const items = this.#data.get(key) ?? new Map<string, Item>();
    if (items.has(item.key)) return false;
    const { namespace, value, created_at, updated_at } = item;
    items.set(item.key, { namespace, key: item.key, value, createdAt: new Date(created_at), updatedAt: new Date(updated_at) });
    this.#data.set(key, items);
    if (item.vectors) {
      if (!this.#vectors.has(key)) this.#vectors.set(key, new Map());
      this.#vectors.get(key)!.set(item.key, new Map(Object.entries(item.vectors)));
    }
    await this.#persist(key, namespace);
    return true;
  }

  /** An item's embeddings by field, as kept beside it. */
  async vectorsOf(namespace: string[], key: string): Promise<Record<string, number[]> | undefined> {
    await (this.#loaded ??= this.#load());
    const fields = this.#vectors.get(namespace.join(':'))?.get(key);
    return fields ? Object.fromEntries(fields) : undefined;
  }

  /**
   * The in-memory store's items by namespace. It is private in the type declarations but
   * is the store's documented layout; the pinned version is covered by the store tests.
   */
  get #data(): Map<string, Map<string, Item>> {
    return (this as unknown as { data: Map<string, Map<string, Item>> }).data;
  }

  get #vectors(): Vectors {
    return (this as unknown as { vectors: Vectors }).vectors;
  }

  async #persist(key: string, namespace: string[]) {
    const items = this.#data.get(key);
    const vectors = this.#vectors.get(key);
    const path = join(this.#dir, `${createHash('sha1').update(key).digest('hex')}.json`);
    if (!items || items.size === 0) {
      await this.#files.remove(path);
      // The in-memory store keeps a namespace's empty map, which it would still list: a namespace with no items is gone, as on PostgreSQL.
      if (items) this.#data.delete(key);
      return;
    }
    const file: NamespaceFile = {
      namespace,
      items: [...items.values()].map((item) => ({
        key: item.key,
        value: item.value,
        created_at: item.createdAt.toISOString(),
        updated_at: item.updatedAt.toISOString(),
        // The item's embeddings are kept with it: a restart does not pay to embed everything again.
        ...(vectors?.get(item.key) ? { vectors: Object.fromEntries(vectors.get(item.key)!) } : {}),
      })),
    };
    await this.#files.write(path, file);
  }

  async #load() {
    for (const name of await this.#files.list(this.#dir)) {
      const file = await this.#files.read<NamespaceFile>(join(this.#dir, name));
      if (!file) continue;
      const items = new Map<string, Item>();
      for (const item of file.items) {
        items.set(item.key, {
          key: item.key,
          value: item.value,
          namespace: file.namespace,
          createdAt: new Date(item.created_at),
          updatedAt: new Date(item.updated_at),
        });
      }
      this.#data.set(file.namespace.join(':'), items);
      const vectors = new Map<string, Map<string, number[]>>();
      for (const item of file.items) if (item.vectors) vectors.set(item.key, new Map(Object.entries(item.vectors)));
      if (vectors.size > 0) this.#vectors.set(file.namespace.join(':'), vectors);
    }
  }
}
