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
import { PgThreadRepo } from './threads.ts';
import { pgTransfer } from './transfer.ts';

export interface PostgresStorage extends MovableStorage {
  readonly db: Db;
  /** Whether the database answers (for GET /ok). */
  ping(): Promise<boolean>;
}

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
export async function openPostgresStorage(options: DbOptions & { storeIndex?: IndexConfig | undefined }): Promise<PostgresStorage> {
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
    store: new PgStore(db, options.storeIndex),
    transfer: pgTransfer(db),
    async ping() {
      try {
        await db.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await db.close();
    },
  };
}
