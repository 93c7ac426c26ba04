import { SwitchboardError } from '../../errors.ts';
import type { MovableStorage } from '../types.ts';
import { PgAssistantRepo } from './assistants.ts';
import { pgChat } from './chat.ts';
import { PgCheckpointSaver } from './checkpointer.ts';
import { PgCronRepo } from './crons.ts';
import { Db, type DbOptions } from './db.ts';
import { PgInstallationRepo } from './installations.ts';
import { migrate } from './migrations.ts';
import { PgFeedbackRepo } from './feedback.ts';
import { PgRunRepo } from './runs.ts';
import type { IndexConfig } from '@langchain/langgraph-checkpoint';
import { PgStore } from './store.ts';
import type { StoreTtl } from '../store-ttl.ts';
import { PgThreadRepo } from './threads.ts';
import { pgTransfer } from './transfer.ts';

export interface PostgresStorage extends MovableStorage {
  readonly db: Db;
  /** Whether the database answers (for GET /ok). */
  ping(): Promise<boolean>;
}

/** How long GET /ok waits for the database's answer before calling it unreachable (generous: a busy pool is not a dead database). */
const PING_TIMEOUT_MS = 5000;

/** A database URL without its password, for messages. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = parsed.password ? '***' : '';
    return parsed.toString();
  } catch {
    return 'the configured URL';
  }
}

/**
 * The PostgreSQL backend: every record in one schema, shared by every process started
 * with the same database. Pending migrations are applied first.
 */
export async function openPostgresStorage(
  options: DbOptions & { storeIndex?: IndexConfig | undefined; storeTtl?: StoreTtl | undefined; now?: (() => Date) | undefined },
): Promise<PostgresStorage> {
  const db = new Db(options);
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    const where = describeUrl(options.url);
    throw new SwitchboardError('unavailable', `cannot open PostgreSQL storage at ${where} (schema "${options.schema}"): ${(error as Error).message}`, { cause: error });
  }
  return {
    kind: 'postgres',
    db,
    assistants: new PgAssistantRepo(db),
    threads: new PgThreadRepo(db),
    runs: new PgRunRepo(db),
    feedback: new PgFeedbackRepo(db),
    crons: new PgCronRepo(db),
    installations: new PgInstallationRepo(db),
    chat: pgChat(db),
    checkpointer: new PgCheckpointSaver(db),
    store: new PgStore(db, options.storeIndex, options.storeTtl, options.now),
    transfer: pgTransfer(db),
    async ping() {
      // A database that stops answering (a network that swallows packets) would hold the
      // query, and GET /ok with it, for minutes: past PING_TIMEOUT_MS it counts as unreachable.
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
      });
      const answered = db.query('SELECT 1').then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([answered, timedOut]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await db.close();
    },
  };
}
