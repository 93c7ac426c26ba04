import type { RateLedger } from './chat/rate-limiter.ts';
import { PgRateLedger } from './cluster/rate-ledger.ts';
import type { Logger } from 'pino';
import { createCluster, type Cluster } from './cluster/index.ts';
import { Leadership } from './cluster/leadership.ts';
import type { StorageSpec } from './config/schema.ts';
import type { StoreTtl } from './storage/store-ttl.ts';
import type { IndexConfig } from '@langchain/langgraph-checkpoint';
import { openFilesStorage } from './storage/files/index.ts';
import { openPostgresStorage } from './storage/postgres/index.ts';
import type { Storage } from './storage/types.ts';

/** One process among several on a database: the shared runs, and leaderships for work that must run once. */
export interface SharedWork {
  readonly cluster: Cluster;
  /** A leadership for `name`: held by one process at a time, and taken over when it dies. */
  leadership(name: string): Leadership;
  /** The platforms' rate budgets, shared by every process on the database. */
  readonly rateLedger: RateLedger;
}

/** Storage, and, on PostgreSQL, what processes sharing it need. */
export interface Backend {
  readonly storage: Storage;
  readonly shared?: SharedWork | undefined;
}

export interface BackendOptions {
  log: Logger;
  workers: number;
  /** How long finished runs' events are kept for late subscribers in other processes. */
  eventRetentionMs: number;
  /** The store's semantic index (store.index), when the project configures one. */
  storeIndex?: IndexConfig | undefined;
  /** Store items' time to live (store.ttl). */
  storeTtl?: StoreTtl | undefined;
}

/** Opens the configured storage: files owned by this process, or PostgreSQL shared with others. */
export async function openBackend(spec: StorageSpec, options: BackendOptions): Promise<Backend> {
  if (spec.kind === 'lowdb')
    return { storage: await openFilesStorage(spec.dir, { storeIndex: options.storeIndex, storeTtl: options.storeTtl, journals: { maxBytes: spec.journal_memory_bytes } }) };
  const storage = await openPostgresStorage({ url: spec.url, schema: spec.schema, poolSize: spec.pool_size, storeIndex: options.storeIndex, storeTtl: options.storeTtl });
  const { db } = storage;
  const cluster = createCluster({ db, leaseMs: spec.lease_seconds * 1000, workers: options.workers, log: options.log, eventRetentionMs: options.eventRetentionMs });
  return {
    storage,
    shared: {
      cluster,
      leadership: (name) => new Leadership({ db, name, retryMs: Math.max(500, spec.lease_seconds * 250), log: options.log }),
      rateLedger: new PgRateLedger(db, cluster.lease.processId),
    },
  };
}
