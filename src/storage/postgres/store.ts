import {
  BaseStore,
  InMemoryStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchOperation,
} from '@langchain/langgraph';
import type { IndexConfig } from '@langchain/langgraph-checkpoint';
import { checkStoreOperations } from '../namespace.ts';
import type { Db } from './db.ts';

interface Row {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  vectors?: Record<string, number[]> | null;
}

/** The in-memory store's embeddings, by namespace, key and field (its documented layout). */
type Vectors = Map<string, Map<string, Map<string, number[]>>>;
const vectorsOf = (store: InMemoryStore): Vectors => (store as unknown as { vectors: Vectors }).vectors;

const toItem = (row: Row): Item => ({ namespace: row.namespace, key: row.key, value: row.value, createdAt: row.created_at, updatedAt: row.updated_at });

/**
 * LangGraph's long-term memory store on PostgreSQL, shared by every process. Searches and
 * namespace listings select in SQL by prefix, then apply LangGraph's own filter and match
 * rules (the in-memory store's, so both backends answer alike).
 */
export class PgStore extends BaseStore {
  readonly #db: Db;
  readonly #index: IndexConfig | undefined;

  /** `index`: the semantic index (store.index): items are embedded when put, and searches may rank by a query. */
  constructor(db: Db, index?: IndexConfig) {
    super();
    this.#db = db;
    this.#index = index;
  }

  get indexConfig(): IndexConfig | undefined {
    return this.#index;
  }

  override async batch<Op extends readonly Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    checkStoreOperations(operations);
    const results: unknown[] = [];
    // Puts are applied after reads, as LangGraph's stores do; the last put of a key wins.
    const puts = new Map<string, PutOperation>();
    for (const op of operations) {
      if ('value' in op) {
        puts.set(JSON.stringify([op.namespace, op.key]), op);
        results.push(undefined);
      } else if ('namespacePrefix' in op) results.push(await this.#search(op));
      else if ('matchConditions' in op) results.push(await this.#listNamespaces(op));
      else results.push(await this.#get(op as GetOperation));
    }
    for (const op of puts.values()) await this.#put(op);
    return results as OperationResults<Op>;
  }

  async #get(op: GetOperation): Promise<Item | null> {
    const { rows } = await this.#db.query<Row>('SELECT namespace, key, value, created_at, updated_at FROM sb_store WHERE namespace = $1 AND key = $2', [op.namespace, op.key]);
    return rows[0] ? toItem(rows[0]) : null;
  }

  async #put(op: PutOperation): Promise<void> {
    if (op.value === null) {
      await this.#db.query('DELETE FROM sb_store WHERE namespace = $1 AND key = $2', [op.namespace, op.key]);
      return;
    }
    const vectors = await this.#embed(op);
    await this.#db.query(
      `INSERT INTO sb_store (namespace, key, value, created_at, updated_at, vectors) VALUES ($1, $2, $3, now(), now(), $4)
       ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), vectors = EXCLUDED.vectors`,
      [op.namespace, op.key, JSON.stringify(op.value), vectors ? JSON.stringify(vectors) : null],
    );
  }

  /** The item's embeddings by field, made by LangGraph's own in-memory store with our index (its field rules, its calls). */
  async #embed(op: PutOperation): Promise<Record<string, number[]> | null> {
    if (!this.#index || op.index === false) return null;
    const memory = new InMemoryStore({ index: this.#index });
    await memory.batch([op]);
    const fields = vectorsOf(memory).get(op.namespace.join(':'))?.get(op.key);
    return fields ? Object.fromEntries(fields) : null;
  }

  async #search(op: SearchOperation): Promise<Item[]> {
    const prefix = op.namespacePrefix;
    const ranked = Boolean(op.query && this.#index);
    const { rows } = await this.#db.query<Row>(
      `SELECT namespace, key, value, created_at, updated_at${ranked ? ', vectors' : ''} FROM sb_store WHERE namespace[1:$2] = $1 ORDER BY namespace, created_at, key`,
      [prefix, prefix.length],
    );
    return this.#inMemory(rows, ranked).search(prefix, {
      ...(op.filter ? { filter: op.filter } : {}),
      ...(ranked ? { query: op.query! } : {}),
      limit: op.limit ?? 10,
      offset: op.offset ?? 0,
    });
  }

  async #listNamespaces(op: ListNamespacesOperation): Promise<string[][]> {
    const { rows } = await this.#db.query<{ namespace: string[] }>('SELECT DISTINCT namespace FROM sb_store');
    const memory = await this.#inMemory(rows.map((row) => ({ namespace: row.namespace, key: '_', value: {}, created_at: new Date(0), updated_at: new Date(0) })));
    return memory.listNamespaces({
      ...(op.matchConditions?.find((c) => c.matchType === 'prefix') ? { prefix: op.matchConditions.find((c) => c.matchType === 'prefix')!.path } : {}),
      ...(op.matchConditions?.find((c) => c.matchType === 'suffix') ? { suffix: op.matchConditions.find((c) => c.matchType === 'suffix')!.path } : {}),
      ...(op.maxDepth !== undefined ? { maxDepth: op.maxDepth } : {}),
      limit: op.limit ?? 100,
      offset: op.offset ?? 0,
    });
  }

  /** The rows as an in-memory store, to answer with LangGraph's own search rules (and its ranking by a query, with the stored vectors). */
  #inMemory(rows: Row[], ranked = false): InMemoryStore {
    const memory = new InMemoryStore(ranked && this.#index ? { index: this.#index } : undefined);
    const data = (memory as unknown as { data: Map<string, Map<string, Item>> }).data;
    const vectors = vectorsOf(memory);
    for (const row of rows) {
      const key = row.namespace.join(':');
      if (!data.has(key)) data.set(key, new Map());
      data.get(key)!.set(row.key, toItem(row));
      if (ranked && row.vectors) {
        if (!vectors.has(key)) vectors.set(key, new Map());
        vectors.get(key)!.set(row.key, new Map(Object.entries(row.vectors)));
      }
    }
    return memory;
  }
}
