import { createHash } from 'node:crypto';
import pg from 'pg';
import { invalidInput } from '../../errors.ts';

// int8 (bigserial sequence numbers) as numbers: they stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

/** Anything that runs a parameterized query: the pool, or one connection inside a transaction. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface DbOptions {
  url: string;
  /** The PostgreSQL schema Switchboard's tables live in (created when missing). */
  schema: string;
  poolSize: number;
  /** Names the connections in pg_stat_activity. */
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const names = new Map<string, string>();

/**
 * A named (prepared) statement: each connection parses and plans a statement once and
 * then only executes it, which is most of PostgreSQL's work for the small queries a run
 * makes dozens of.
 */
function prepared(text: string, values?: unknown[]): pg.QueryConfig {
  let name = names.get(text);
  if (!name) {
    name = `sb_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size < 5000) names.set(text, name);
  }
  return { name, text, ...(values ? { values } : {}) };
}

/**
 * Text PostgreSQL cannot hold (NUL in text or jsonb, an unpaired surrogate in jsonb) is a
 * value the caller gave, not a failure of the server: refused as invalid input. The HTTP
 * API refuses such text before it gets here; this covers every other way in (chat, crons).
 */
function refuseUnstorableText(error: unknown): never {
  const { code, detail } = (error ?? {}) as { code?: string; detail?: string };
  if (code === '22021' || code === '22P05' || (code === '22P02' && /unicode|surrogate/i.test(detail ?? ''))) {
    throw invalidInput(`PostgreSQL cannot store this text (${(error as Error).message})`);
  }
  throw error;
}

/**
 * A connection pool whose connections all use Switchboard's schema, and a helper for
 * transactions. Every query is parameterized; the schema name is checked once here.
 */
export class Db {
  readonly pool: pg.Pool;
  readonly schema: string;
  readonly #options: DbOptions;

  constructor(options: DbOptions) {
    if (!SCHEMA_NAME.test(options.schema)) throw new Error(`storage.schema must be a plain lowercase identifier, got "${options.schema}"`);
    this.#options = options;
    this.schema = options.schema;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      application_name: options.applicationName ?? 'switchboard',
      options: `-c search_path=${options.schema}`,
    });
    // An idle connection that breaks (a database restart) must not crash the process; the pool replaces it.
    this.pool.on('error', () => undefined);
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(prepared(text, values)).catch(refuseUnstorableText);
  }

  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  async transaction<T>(work: (client: Sql) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const sql: Sql = { query: (text, values) => client.query(prepared(text, values)).catch(refuseUnstorableText) };
    try {
      await client.query('BEGIN');
      const result = await work(sql);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** A connection of its own, outside the pool (LISTEN, session locks). */
  dedicatedClient(): pg.Client {
    const client = new pg.Client({
      connectionString: this.#options.url,
      application_name: this.#options.applicationName ?? 'switchboard',
      options: `-c search_path=${this.schema}`,
    });
    client.on('error', () => undefined);
    return client;
  }

  #closing: Promise<void> | undefined;

  async close(): Promise<void> {
    this.#closing ??= this.pool.end();
    await this.#closing;
  }
}
