import type { Db } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The schema, one numbered step at a time. A step is never edited once released: a change
 * is a new step. Records are kept as JSON documents next to the columns that queries
 * filter, sort or lock on.
 */
export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'records, checkpoints and the store',
    sql: `
      CREATE TABLE sb_assistants (
        assistant_id text PRIMARY KEY,
        graph_id text NOT NULL,
        name text NOT NULL,
        metadata jsonb NOT NULL,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE TABLE sb_assistant_versions (
        assistant_id text NOT NULL REFERENCES sb_assistants ON DELETE CASCADE,
        version integer NOT NULL,
        doc jsonb NOT NULL,
        PRIMARY KEY (assistant_id, version)
      );

      CREATE TABLE sb_threads (
        thread_id text PRIMARY KEY,
        status text NOT NULL,
        metadata jsonb NOT NULL,
        "values" jsonb,
        created_at text NOT NULL,
        updated_at text NOT NULL,
        state_updated_at text,
        doc jsonb NOT NULL
      );
      CREATE INDEX sb_threads_metadata ON sb_threads USING gin (metadata jsonb_path_ops);

      CREATE TABLE sb_runs (
        run_id text PRIMARY KEY,
        thread_id text NOT NULL,
        status text NOT NULL,
        metadata jsonb NOT NULL,
        created_at text NOT NULL,
        seq bigserial NOT NULL,
        doc jsonb NOT NULL
      );
      CREATE INDEX sb_runs_thread ON sb_runs (thread_id, created_at DESC, run_id DESC);
      CREATE INDEX sb_runs_active ON sb_runs (seq) WHERE status IN ('pending', 'running');

      CREATE TABLE sb_crons (
        cron_id text PRIMARY KEY,
        doc jsonb NOT NULL
      );

      CREATE TABLE sb_chat (
        collection text NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        seq bigserial NOT NULL,
        PRIMARY KEY (collection, key)
      );
      CREATE TABLE sb_dedupe (
        key text PRIMARY KEY,
        expires_at bigint NOT NULL,
        note jsonb
      );
      CREATE INDEX sb_dedupe_notes ON sb_dedupe (key) WHERE note IS NOT NULL;

      CREATE TABLE sb_store (
        namespace text[] NOT NULL,
        key text NOT NULL,
        value jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (namespace, key)
      );

      -- Checkpoints: every row takes its number from one sequence, so "everything written
      -- after this point" (a rollback) is one comparison.
      CREATE SEQUENCE sb_checkpoint_seq;
      CREATE TABLE sb_checkpoints (
        thread_id text NOT NULL,
        ns text NOT NULL,
        checkpoint_id text NOT NULL,
        parent_id text,
        type text NOT NULL,
        checkpoint bytea NOT NULL,
        metadata_type text NOT NULL,
        metadata bytea NOT NULL,
        metadata_json jsonb,
        -- The checkpoint format version, and the channel versions it holds (to find its blobs).
        checkpoint_v integer NOT NULL,
        blob_channels text[] NOT NULL,
        blob_versions text[] NOT NULL,
        seq bigint NOT NULL DEFAULT nextval('sb_checkpoint_seq'),
        PRIMARY KEY (thread_id, ns, checkpoint_id)
      );
      CREATE TABLE sb_checkpoint_blobs (
        thread_id text NOT NULL,
        ns text NOT NULL,
        channel text NOT NULL,
        version text NOT NULL,
        type text NOT NULL,
        value bytea,
        seq bigint NOT NULL DEFAULT nextval('sb_checkpoint_seq'),
        PRIMARY KEY (thread_id, ns, channel, version)
      );
      CREATE TABLE sb_checkpoint_writes (
        thread_id text NOT NULL,
        ns text NOT NULL,
        checkpoint_id text NOT NULL,
        task_id text NOT NULL,
        idx integer NOT NULL,
        channel text NOT NULL,
        type text NOT NULL,
        value bytea NOT NULL,
        task_path text NOT NULL,
        seq bigint NOT NULL DEFAULT nextval('sb_checkpoint_seq'),
        PRIMARY KEY (thread_id, ns, checkpoint_id, task_id, idx)
      );
    `,
  },
  {
    version: 2,
    name: 'several processes: run ownership, process leases, shared run events',
    sql: `
      -- The process executing a running run; others take the run over when that process's lease expires.
      ALTER TABLE sb_runs ADD COLUMN owner text;
      CREATE INDEX sb_runs_owner ON sb_runs (owner) WHERE status = 'running';
      -- One run at a time per thread, whichever process claims it.
      CREATE UNIQUE INDEX sb_runs_one_running ON sb_runs (thread_id) WHERE status = 'running';

      CREATE TABLE sb_processes (
        id text PRIMARY KEY,
        started_at timestamptz NOT NULL DEFAULT now(),
        heartbeat_at timestamptz NOT NULL DEFAULT now(),
        info jsonb NOT NULL DEFAULT '{}'
      );

      -- Each run's stream, for clients connected to another process than the one executing it.
      -- Unlogged: a stream is worth replaying while it is fresh, not worth a disk flush per event.
      CREATE UNLOGGED TABLE sb_run_events (
        run_id text NOT NULL,
        seq integer NOT NULL,
        event text NOT NULL,
        data text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, seq)
      );
      CREATE INDEX sb_run_events_ended ON sb_run_events (created_at) WHERE event = '__end__';
    `,
  },
  {
    version: 3,
    name: 'the store\u2019s semantic index: each item\u2019s embeddings',
    sql: `
      -- Per embedded field of the item's value, its vector (store.index); null when not indexed.
      ALTER TABLE sb_store ADD COLUMN vectors jsonb;
    `,
  },
  {
    version: 4,
    name: 'installations: the workspaces the Slack app is installed in (OAuth)',
    sql: `
      -- One row per workspace (or Enterprise Grid org); the bot token inside doc is sealed (AES-256-GCM).
      CREATE TABLE sb_installations (
        installation_id text PRIMARY KEY,
        platform text NOT NULL,
        team_id text,
        enterprise_id text,
        installed_at text NOT NULL,
        doc jsonb NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'chat platforms\u2019 rate budgets shared by every process',
    sql: `
      -- Each call of a platform rate bucket (a Slack method in a workspace, say): in flight while
      -- answered_at is null, then counted for the bucket's window (src/cluster/rate-ledger.ts).
      -- Unlogged: after a crash the budget simply starts afresh.
      CREATE UNLOGGED TABLE sb_rate_calls (
        id bigserial PRIMARY KEY,
        bucket text NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        answered_at timestamptz
      );
      CREATE INDEX sb_rate_calls_bucket ON sb_rate_calls (bucket);
      -- A 429's Retry-After: nothing calls the bucket, in any process, until then.
      CREATE UNLOGGED TABLE sb_rate_holds (
        bucket text PRIMARY KEY,
        until timestamptz NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'feedback on runs: one vote per user and key',
    sql: `
      -- Kept with its run: deleting the run (or its thread's runs) deletes its feedback.
      CREATE TABLE sb_run_feedback (
        run_id text NOT NULL REFERENCES sb_runs ON DELETE CASCADE,
        thread_id text NOT NULL,
        user_id text NOT NULL,
        key text NOT NULL,
        score double precision NOT NULL,
        at text NOT NULL,
        PRIMARY KEY (run_id, user_id, key)
      );
    `,
  },
  {
    version: 7,
    name: 'time to live: threads\u2019 and store items\u2019 expiry, indexed; one sweeper per interval',
    sql: `
      -- When a thread's own TTL runs out, or (without one) since when it is idle, for the
      -- default TTL; a sweep reads these indexes up to now, never the whole table (src/storage/thread-expiry.ts).
      ALTER TABLE sb_threads ADD COLUMN expires_at timestamptz, ADD COLUMN idle_since timestamptz;
      UPDATE sb_threads SET
        expires_at = CASE WHEN jsonb_typeof(doc->'ttl') = 'object'
          THEN updated_at::timestamptz + (doc->'ttl'->>'minutes')::double precision * interval '1 minute' END,
        idle_since = CASE WHEN jsonb_typeof(doc->'ttl') = 'object' THEN NULL ELSE updated_at::timestamptz END;
      CREATE INDEX sb_threads_expires ON sb_threads (expires_at) WHERE expires_at IS NOT NULL;
      CREATE INDEX sb_threads_idle ON sb_threads (idle_since) WHERE idle_since IS NOT NULL;

      -- A store item's TTL (minutes, to refresh it on reads) and when it runs out.
      ALTER TABLE sb_store ADD COLUMN ttl_minutes double precision, ADD COLUMN expires_at timestamptz;
      CREATE INDEX sb_store_expires ON sb_store (expires_at) WHERE expires_at IS NOT NULL;

      -- Each sweep's last turn: a process sweeps only when it claims the interval (src/cluster/sweep-turns.ts).
      CREATE TABLE sb_sweeps (
        name text PRIMARY KEY,
        swept_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'rate budgets: the process making each call',
    sql: `
      -- A call in flight whose process's lease is gone (it died mid-call) stops holding its bucket.
      ALTER TABLE sb_rate_calls ADD COLUMN owner text;
    `,
  },
];

const LOCK_KEY = 718_281_828; // any constant: one migrator at a time per database

/**
 * Applies the steps this database has not seen, each in its own transaction, under an
 * advisory lock so that processes starting together do not race. Returns the versions applied.
 */
export async function migrate(db: Db): Promise<number[]> {
  const client = db.dedicatedClient();
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${db.schema}`);
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS sb_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: number }>('SELECT version FROM sb_migrations')).rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO sb_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(migration.version);
    }
    const newest = Math.max(0, ...MIGRATIONS.map((migration) => migration.version));
    const known = Math.max(0, ...done);
    if (known > newest) throw new Error(`the database is at schema version ${known}, newer than this Switchboard knows (${newest}): upgrade Switchboard`);
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await client.end();
  }
}
