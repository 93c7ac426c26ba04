import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Db } from '../../src/storage/postgres/db.ts';
import { MIGRATIONS, migrate } from '../../src/storage/postgres/migrations.ts';
import { PgThreadRepo } from '../../src/storage/postgres/threads.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions, TEST_DATABASE_URL } from '../helpers/postgres.ts';

const MINUTE = 60_000;

/** Migration 7 indexes the expiry of threads stored before it: an upgrade loses no thread's TTL. */
describe.skipIf(!HAS_POSTGRES)('PostgreSQL migration 7: expiry of threads stored before it', () => {
  let db: Db | undefined;
  let schema: string | undefined;
  afterEach(async () => {
    await db?.close();
    if (schema) await dropSchema(schema);
    db = undefined;
    schema = undefined;
  });

  it('gives threads written by an older Switchboard their expiry: their own TTL from their last update, the idle time for the default', async () => {
    schema = freshSchema();
    db = new Db(pgOptions(schema));
    // The database as Switchboard left it at schema version 6 (a plain client: the steps are several statements each).
    const setup = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await setup.connect();
    try {
      await setup.query(`CREATE SCHEMA ${schema}`);
      await setup.query('CREATE TABLE sb_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
      for (const step of MIGRATIONS.filter((migration) => migration.version <= 6)) {
        await setup.query(step.sql);
        await setup.query('INSERT INTO sb_migrations (version, name) VALUES ($1, $2)', [step.version, step.name]);
      }
    } finally {
      await setup.end();
    }
    const start = Date.UTC(2026, 0, 1);
    const old = (id: string, ttl: unknown) =>
      db!.query(`INSERT INTO sb_threads (thread_id, status, metadata, "values", created_at, updated_at, doc) VALUES ($1, 'idle', '{}', NULL, $2, $2, $3)`, [
        id,
        new Date(start).toISOString(),
        {
          thread_id: id,
          created_at: new Date(start).toISOString(),
          updated_at: new Date(start).toISOString(),
          status: 'idle',
          interrupts: {},
          ...(ttl === undefined ? {} : { ttl }),
        },
      ]);
    const own = crypto.randomUUID();
    const plain = crypto.randomUUID();
    const cleared = crypto.randomUUID();
    await old(own, { strategy: 'delete', minutes: 10 });
    await old(plain, undefined);
    await old(cleared, null);

    expect(await migrate(db)).toEqual(MIGRATIONS.filter((migration) => migration.version > 6).map((migration) => migration.version));
    const threads = new PgThreadRepo(db);
    expect(await threads.expired({ now: new Date(start + 9 * MINUTE), defaultMinutes: 60, limit: 10 })).toEqual([]);
    expect(await threads.expired({ now: new Date(start + 11 * MINUTE), limit: 10 })).toEqual([own]);
    expect((await threads.expired({ now: new Date(start + 61 * MINUTE), defaultMinutes: 60, limit: 10 })).slice(1).sort()).toEqual([plain, cleared].sort());
  });
});
