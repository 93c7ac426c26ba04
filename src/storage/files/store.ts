import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { InMemoryStore, type Item, type Operation, type OperationResults } from '@langchain/langgraph';
import type { IndexConfig } from '@langchain/langgraph-checkpoint';
import { checkStoreOperations } from '../namespace.ts';
import {
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
import type { StoreItemRecord } from '../types.ts';
import type { JsonFiles } from './json-files.ts';

interface NamespaceFile {
  namespace: string[];
  items: Array<{
    key: string;
    value: Record<string, unknown>;
    created_at: string;
    updated_at: string;
    vectors?: Record<string, number[]>;
    /** Its TTL in minutes and when it runs out (store.ttl); absent: it does not expire. */
    ttl_minutes?: number;
    expires_at?: string;
  }>;
}

/** An item's TTL: its minutes (to restart the clock on a refreshing read) and when it runs out (epoch ms). */
interface Expiry {
  minutes: number;
  at: number;
}

const isItem = (value: unknown): value is Item => typeof value === 'object' && value !== null && 'key' in value && 'namespace' in value;
const copyItem = <T>(item: T): T => (isItem(item) ? { ...item, value: structuredClone(item.value) } : item);

/** What a namespace held before a batch, to put back if its file cannot be written. */
interface Held {
  items: Map<string, Item> | undefined;
  expiry: Map<string, Expiry> | undefined;
}

/** The in-memory store's embeddings, by namespace, key and field (its documented layout). */
type Vectors = Map<string, Map<string, Map<string, number[]>>>;

/**
 * LangGraph's long-term memory store on lowdb files: the in-memory store answers
 * queries, and every namespace a batch changed is written to its own file
 * (`store/<hash>.json`) before the batch returns. Files are read on first use.
 */
export class LowdbStore extends InMemoryStore implements TtlStoreMethods {
  readonly #files: JsonFiles;
  readonly #dir: string;
  readonly #ttl: StoreTtl;
  readonly #now: () => Date;
  /** The items that expire, by namespace and key (store.ttl); the rest live until deleted. */
  readonly #expiry = new Map<string, Map<string, Expiry>>();
  /** No item expires before this (epoch ms): until then a batch need not look for expired ones. */
  #nextDue = Number.POSITIVE_INFINITY;
  #loaded: Promise<void> | undefined;

  /**
   * `index`: the semantic index (store.index): items are embedded when put, and searches may rank by a query.
   * `ttl`: items' time to live (store.ttl); `now`: the clock it is measured by.
   */
  constructor(files: JsonFiles, dataDir: string, index?: IndexConfig, ttl: StoreTtl = NO_STORE_TTL, now: () => Date = () => new Date()) {
    super(index ? { index } : undefined);
    this.#files = files;
    this.#dir = join(dataDir, 'store');
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
    // A store nobody has used since the start is not read just to sweep it: its first use
    // loads it, and that first batch drops what has expired meanwhile.
    if (!this.#loaded) return 0;
    await this.#loaded;
    const now = this.#now().getTime();
    const expired = this.#dueBy(now);
    if (expired.size === 0) return 0;
    const before = this.#hold(expired.keys());
    const count = this.#drop(expired, now);
    await this.#persistOrRestore(expired, before);
    return count;
  }

  override async batch<Op extends readonly Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    checkStoreOperations(operations);
    await (this.#loaded ??= this.#load());
    const now = this.#now().getTime();
    // Expired items go before anything reads: no answer ever holds one, swept or not.
    const changed = this.#dueBy(now);
    for (const op of operations) if ('value' in op && 'namespace' in op) changed.set(op.namespace.join(':'), op.namespace);
    const before = this.#hold(changed.keys());
    this.#drop(changed, now);
    const results = await super.batch(operations);
    for (const op of operations) if ('value' in op && 'namespace' in op) this.#setExpiry(op as TtlPutOperation, now);
    // Reads that refresh restart the clock of the items they return (held first: that is a change too).
    operations.forEach((op, at) => {
      if (!('key' in op || 'namespacePrefix' in op) || 'value' in op || !readRefreshes(op, this.#ttl)) return;
      const found = (results as unknown[])[at] as Item | Item[] | null;
      for (const item of Array.isArray(found) ? found : found ? [found] : []) {
        const nsKey = item.namespace.join(':');
        const expiry = this.#expiry.get(nsKey)?.get(item.key);
        if (!expiry) continue;
        if (!changed.has(nsKey)) {
          before.set(nsKey, this.#hold([nsKey]).get(nsKey)!);
          changed.set(nsKey, item.namespace);
        }
        this.#expiry.get(nsKey)!.set(item.key, { minutes: expiry.minutes, at: now + expiry.minutes * 60_000 });
      }
    });
    await this.#persistOrRestore(changed, before);
    // The in-memory store answers with the items it holds, which its next put changes in
    // place: a caller gets copies, so what it read stays what it read.
    return (results as unknown[]).map((result) => (Array.isArray(result) ? result.map(copyItem) : isItem(result) ? copyItem(result) : result)) as OperationResults<Op>;
  }

  /** Namespaces (by key) holding items expired at `now`. */
  #dueBy(now: number): Map<string, string[]> {
    const due = new Map<string, string[]>();
    if (now < this.#nextDue) return due;
    let next = Number.POSITIVE_INFINITY;
    for (const [nsKey, items] of this.#expiry) {
      for (const [key, expiry] of items) {
        if (expiry.at > now) next = Math.min(next, expiry.at);
        else if (!due.has(nsKey)) due.set(nsKey, this.#data.get(nsKey)?.get(key)?.namespace ?? nsKey.split(':'));
      }
    }
    // Left as is when something is due: the drop that follows takes those items away.
    if (due.size === 0) this.#nextDue = next;
    return due;
  }

  /** Takes the expired items of these namespaces out of memory; returns how many. */
  #drop(namespaces: Map<string, string[]>, now: number): number {
    let count = 0;
    for (const nsKey of namespaces.keys()) {
      const expiry = this.#expiry.get(nsKey);
      for (const [key, { at }] of expiry ?? []) {
        if (at > now) continue;
        this.#data.get(nsKey)?.delete(key);
        this.#vectors.get(nsKey)?.delete(key);
        expiry!.delete(key);
        count += 1;
      }
      if (expiry?.size === 0) this.#expiry.delete(nsKey);
    }
    // The next batch finds the next expiry again.
    if (count > 0) this.#nextDue = Number.NEGATIVE_INFINITY;
    return count;
  }

  /** A put gives its item a TTL (its own, or the default) or none; a delete takes it away. */
  #setExpiry(op: TtlPutOperation, now: number): void {
    const nsKey = op.namespace.join(':');
    const minutes = op.value === null ? null : putTtlMinutes(op, this.#ttl);
    if (minutes === null) {
      this.#expiry.get(nsKey)?.delete(op.key);
      if (this.#expiry.get(nsKey)?.size === 0) this.#expiry.delete(nsKey);
      return;
    }
    if (!this.#expiry.has(nsKey)) this.#expiry.set(nsKey, new Map());
    const at = now + minutes * 60_000;
    this.#expiry.get(nsKey)!.set(op.key, { minutes, at });
    this.#nextDue = Math.min(this.#nextDue, at);
  }

  #hold(keys: Iterable<string>): Map<string, Held> {
    const held = new Map<string, Held>();
    for (const key of keys) {
      const items = this.#data.get(key);
      const expiry = this.#expiry.get(key);
      // Items are copied too: a put changes the held item object in place.
      held.set(key, { items: items ? new Map([...items].map(([itemKey, item]) => [itemKey, { ...item }])) : undefined, expiry: expiry ? new Map(expiry) : undefined });
    }
    return held;
  }

  async #persistOrRestore(changed: Map<string, string[]>, before: Map<string, Held>): Promise<void> {
    try {
      for (const [key, namespace] of changed) await this.#persist(key, namespace);
    } catch (error) {
      for (const [key, { items, expiry }] of before) {
        if (items) this.#data.set(key, items);
        else this.#data.delete(key);
        if (expiry) this.#expiry.set(key, expiry);
        else this.#expiry.delete(key);
      }
      this.#nextDue = Number.NEGATIVE_INFINITY;
      // A namespace file written before the failure is written again as memory now is.
      for (const [key, namespace] of changed) await this.#persist(key, namespace).catch(() => undefined);
      throw error;
    }
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
    if (item.ttl_minutes !== undefined && item.expires_at !== undefined) {
      if (!this.#expiry.has(key)) this.#expiry.set(key, new Map());
      this.#expiry.get(key)!.set(item.key, { minutes: item.ttl_minutes, at: Date.parse(item.expires_at) });
      this.#nextDue = Math.min(this.#nextDue, Date.parse(item.expires_at));
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

  /** An item's time to live and when it runs out, if it expires. */
  async expiryOf(namespace: string[], key: string): Promise<{ ttl_minutes: number; expires_at: string } | undefined> {
    await (this.#loaded ??= this.#load());
    const expiry = this.#expiry.get(namespace.join(':'))?.get(key);
    return expiry ? { ttl_minutes: expiry.minutes, expires_at: new Date(expiry.at).toISOString() } : undefined;
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
    const expiry = this.#expiry.get(key);
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
        ...(expiry?.get(item.key) ? { ttl_minutes: expiry.get(item.key)!.minutes, expires_at: new Date(expiry.get(item.key)!.at).toISOString() } : {}),
      })),
    };
    await this.#files.write(path, file);
  }

  async #load() {
    // Whatever was loaded is looked at for expiry by the first batch.
    this.#nextDue = Number.NEGATIVE_INFINITY;
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
      const expiry = new Map<string, Expiry>();
      for (const item of file.items) {
        if (item.ttl_minutes !== undefined && item.expires_at !== undefined) expiry.set(item.key, { minutes: item.ttl_minutes, at: Date.parse(item.expires_at) });
      }
      if (expiry.size > 0) this.#expiry.set(file.namespace.join(':'), expiry);
    }
  }
}
