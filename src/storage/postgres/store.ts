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
import {
  expiryOf,
  NO_STORE_TTL,
  getOperation,
  putOperation,
  putTtlMinutes,
  readRefreshes,
  searchOperation,
  type StoreTtl,
  type TtlPutOperation,
  type TtlSearchOptions,
  type TtlStoreMethods,
} from '../store-ttl.ts';
import type { Db } from './db.ts';

interface Row {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  vectors?: Record<string, number[]> | null;
  ttl_minutes?: number | null;
}

/** An item's identity, to find it among the rows read. */
const itemKey = (item: { namespace: string[]; key: string }) => JSON.stringify([item.namespace, item.key]);
/** The rows of items that expire. */
const expiringKeys = (rows: Row[]) => new Set(rows.filter((row) => row.ttl_minutes !== null && row.ttl_minutes !== undefined).map(itemKey));

/** The in-memory store's embeddings, by namespace, key and field (its documented layout). */
type Vectors = Map<string, Map<string, Map<string, number[]>>>;
const vectorsOf = (store: InMemoryStore): Vectors => (store as unknown as { vectors: Vectors }).vectors;

/** An item not expired at the batch's time, the query parameter `param`. */
const live = (param: string) => `(expires_at IS NULL OR expires_at > ${param})`;

const toItem = (row: Row): Item => ({ namespace: row.namespace, key: row.key, value: row.value, createdAt: row.created_at, updatedAt: row.updated_at });

/**
 * LangGraph's long-term memory store on PostgreSQL, shared by every process. Searches and
 * namespace listings select in SQL by prefix, then apply LangGraph's own filter and match
 * rules (the in-memory store's, so both backends answer alike).
 */
export class PgStore extends BaseStore implements TtlStoreMethods {
  readonly #db: Db;
  readonly #index: IndexConfig | undefined;
  readonly #ttl: StoreTtl;
  readonly #now: () => Date;

  /**
   * `index`: the semantic index (store.index): items are embedded when put, and searches may rank by a query.
   * `ttl`: items' time to live (store.ttl); `now`: the clock it is measured by (this process's, as every query is given it).
   */
  constructor(db: Db, index?: IndexConfig, ttl: StoreTtl = NO_STORE_TTL, now: () => Date = () => new Date()) {
    super();
    this.#db = db;
    this.#index = index;
    this.#ttl = ttl;
    this.#now = now;
  }

  override async put(namespace: string[], key: string, value: Record<string, unknown>, index?: false | string[], options?: { ttl?: number | null }): Promise<void> {
    await this.batch([putOperation(namespace, key, value, index, options)]);
  }

  override async get(namespace: string[], key: string, options?: { refreshTtl?: boolean | null }): Promise<Item | null> {
    return (await this.batch([getOperation(namespace, key, options)]))[0] as Item | null;
  }

  override async search(namespacePrefix: string[], options?: TtlSearchOptions): Promise<Item[]> {
    return (await this.batch([searchOperation(namespacePrefix, options)]))[0] as Item[];
  }

  async sweepExpired(): Promise<number> {
    // The partial index on expires_at holds only items that expire: this reads the expired ones.
    const { rowCount } = await this.#db.query('DELETE FROM sb_store WHERE expires_at <= $1', [this.#now()]);
    return rowCount ?? 0;
  }

  get indexConfig(): IndexConfig | undefined {
    return this.#index;
  }

  override async batch<Op extends readonly Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    checkStoreOperations(operations);
    const results: unknown[] = [];
    // One clock for the whole batch: what it reads as live, and the expiry it gives.
    const now = this.#now();
    // Puts are applied after reads, as LangGraph's stores do; the last put of a key wins.
    const puts = new Map<string, PutOperation>();
    for (const op of operations) {
      if ('value' in op) {
        puts.set(JSON.stringify([op.namespace, op.key]), op);
        results.push(undefined);
      } else if ('namespacePrefix' in op) {
        const { items, expiring } = await this.#search(op, now);
        results.push(await this.#refreshed(op, items, expiring, now));
      } else if ('matchConditions' in op) results.push(await this.#listNamespaces(op, now));
      else results.push(await this.#get(op as GetOperation, now));
    }
    for (const op of puts.values()) await this.#put(op, now);
    return results as OperationResults<Op>;
  }

  async #get(op: GetOperation, now: Date): Promise<Item | null> {
    const { rows } = await this.#db.query<Row>(
      `SELECT namespace, key, value, created_at, updated_at, ttl_minutes FROM sb_store WHERE namespace = $1 AND key = $2 AND ${live('$3')}`,
      [op.namespace, op.key, now],
    );
    const item = rows[0] ? toItem(rows[0]) : null;
    return item ? (await this.#refreshed(op, [item], expiringKeys(rows), now))[0]! : null;
  }

  /** Restarts the clock of the items a read returns, when the read refreshes (store.ttl refresh_on_read, or its refresh_ttl). */
  async #refreshed<T extends Item>(op: Operation, items: T[], expiring: Set<string>, now: Date): Promise<T[]> {
    if (!readRefreshes(op, this.#ttl)) return items;
    // Only items that expire have a clock to restart: reads of the others cost nothing more.
    for (const item of items.filter((found) => expiring.has(itemKey(found)))) {
      await this.#db.query(`UPDATE sb_store SET expires_at = $3::timestamptz + ttl_minutes * interval '1 minute' WHERE namespace = $1 AND key = $2 AND ttl_minutes IS NOT NULL`, [
        item.namespace,
        item.key,
        now,
      ]);
    }
    return items;
  }

  async #put(op: TtlPutOperation, now: Date): Promise<void> {
    if (op.value === null) {
      await this.#db.query('DELETE FROM sb_store WHERE namespace = $1 AND key = $2', [op.namespace, op.key]);
      return;
    }
    const vectors = await this.#embed(op);
    const minutes = putTtlMinutes(op, this.#ttl);
    await this.#db.query(
      `INSERT INTO sb_store (namespace, key, value, created_at, updated_at, vectors, ttl_minutes, expires_at) VALUES ($1, $2, $3, now(), now(), $4, $5, $6)
       ON CONFLICT (namespace, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now(), vectors = EXCLUDED.vectors,
         ttl_minutes = EXCLUDED.ttl_minutes, expires_at = EXCLUDED.expires_at,
         -- An expired item not yet swept is a new item when put again.
         created_at = CASE WHEN sb_store.expires_at <= $7 THEN now() ELSE sb_store.created_at END`,
      [op.namespace, op.key, JSON.stringify(op.value), vectors ? JSON.stringify(vectors) : null, minutes, expiryOf(minutes, now), now],
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

  async #search(op: SearchOperation, now: Date): Promise<{ items: Item[]; expiring: Set<string> }> {
    const prefix = op.namespacePrefix;
    const ranked = Boolean(op.query && this.#index);
    const { rows } = await this.#db.query<Row>(
      `SELECT namespace, key, value, created_at, updated_at, ttl_minutes${ranked ? ', vectors' : ''} FROM sb_store WHERE namespace[1:$2] = $1 AND ${live('$3')} ORDER BY namespace, created_at, key`,
      [prefix, prefix.length, now],
    );
    const items = await this.#inMemory(rows, ranked).search(prefix, {
      ...(op.filter ? { filter: op.filter } : {}),
      ...(ranked ? { query: op.query! } : {}),
      limit: op.limit ?? 10,
      offset: op.offset ?? 0,
    });
    return { items, expiring: expiringKeys(rows) };
  }

  async #listNamespaces(op: ListNamespacesOperation, now: Date): Promise<string[][]> {
    const { rows } = await this.#db.query<{ namespace: string[] }>(`SELECT DISTINCT namespace FROM sb_store WHERE ${live('$1')}`, [now]);
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
