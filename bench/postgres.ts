import { Client } from '@langchain/langgraph-sdk';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import pg from 'pg';
import { createEngine, type Engine } from '../src/engine/engine.ts';
import { GraphRegistry } from '../src/engine/graphs.ts';
import { silentLogger } from '../src/log.ts';
import { openFilesStorage } from '../src/storage/files/index.ts';
import { createCluster } from '../src/cluster/index.ts';
import { openPostgresStorage } from '../src/storage/postgres/index.ts';
import { runTs, type Child } from '../test/helpers/child.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';
import { twoNodeBuilder, twoNodeGraph } from './graphs.ts';
import { fmt, median, printTable, sampleSequential } from './stats.ts';

const URL_ = process.env.TEST_DATABASE_URL;
const ANCHOR_POSTGRES_SAVER_MS = 7;

/**
 * PostgreSQL (when TEST_DATABASE_URL is set): the cost of one run on a new thread against
 * LangGraph's own PostgresSaver and against the lowdb backend, measured here; then runs
 * per second with 1, 2 and 4 processes sharing one database on the same workload.
 */
export async function benchPostgres(): Promise<void> {
  if (!URL_) {
    process.stdout.write('\nPostgreSQL: skipped (set TEST_DATABASE_URL to measure it)\n');
    return;
  }
  const perRun = await perRunCosts(URL_);
  printTable('PostgreSQL: one run on a new thread, trivial two-node graph (in-process, 200 runs, median)', [
    ['bare graph.invoke + LangGraph PostgresSaver', `${fmt(perRun.bare)} ms (the issue measured about ${ANCHOR_POSTGRES_SAVER_MS} ms)`],
    ['engine on lowdb: threads.create + runs.wait', `${fmt(perRun.lowdb)} ms`],
    [
      'engine on PostgreSQL (shared runs): threads.create + runs.wait',
      `${fmt(perRun.postgres)} ms (${(perRun.postgres / perRun.bare).toFixed(2)}x bare PostgresSaver, ${(perRun.postgres / perRun.lowdb).toFixed(2)}x lowdb)`,
    ],
  ]);

  const cores = (await import('node:os')).cpus().length;
  for (const workload of WORKLOADS) {
    const rows: Array<[string, string]> = [];
    let single = 0;
    for (const count of [1, 2, 4]) {
      const rate = await throughput(URL_, count, workload);
      if (count === 1) single = rate;
      rows.push([`${count} process${count > 1 ? 'es' : ''}`, `${rate.toFixed(0)} runs/s (${(rate / single).toFixed(2)}x one process)`]);
    }
    printTable(`PostgreSQL, processes sharing one database: ${workload.title} (${cores} CPU cores here, PostgreSQL on the same machine)`, rows);
  }
}

interface Workload {
  title: string;
  graph: 'counter' | 'waiting';
  threads: number;
  turns: number;
  clients: number;
  workers: number;
}

const WORKLOADS: Workload[] = [
  { title: 'CPU-bound runs (two-node graph), 8 workers per process, 64 threads x 5 turns, 16 SDK clients', graph: 'counter', threads: 64, turns: 5, clients: 16, workers: 8 },
  // Agents mostly wait on model calls: there the processes' workers are the limit, and each process adds its own.
  { title: 'runs that wait 500 ms (a model call), 4 workers per process, 48 threads x 2 turns, 48 SDK clients', graph: 'waiting', threads: 48, turns: 2, clients: 48, workers: 4 },
];

async function perRunCosts(url: string) {
  const schema = `sb_bench_${Date.now().toString(36)}`;
  const saver = PostgresSaver.fromConnString(url, { schema: `${schema}_lg` });
  await saver.setup();
  const bare = twoNodeBuilder().compile({ checkpointer: saver });
  const bareTimes = await sampleSequential(220, () => bare.invoke({ count: 0 }, { configurable: { thread_id: crypto.randomUUID() } }));
  await saver.end();

  const wait = async (engine: Engine) => {
    const thread = await engine.threads.create();
    await engine.runs.wait(thread.thread_id, { assistant_id: 'counter', input: { count: 0 } });
  };
  const temp = makeTempDir('switchboard-bench-pg-');
  const lowdbStorage = await openFilesStorage(temp.dir);
  const lowdb = createEngine({
    storage: lowdbStorage,
    graphs: GraphRegistry.fromGraphs({ counter: twoNodeGraph() }, { checkpointer: lowdbStorage.checkpointer, store: lowdbStorage.store }),
    log: silentLogger(),
    cronIntervalMs: 0,
  });
  await lowdb.start();
  const lowdbTimes = await sampleSequential(220, () => wait(lowdb));
  await lowdb.stop();
  temp.cleanup();

  const pgStorage = await openPostgresStorage({ url, schema, poolSize: 10 });
  const cluster = createCluster({ db: pgStorage.db, leaseMs: 10_000, workers: 8, log: silentLogger(), eventRetentionMs: 60_000 });
  const postgres = createEngine({
    storage: pgStorage,
    graphs: GraphRegistry.fromGraphs({ counter: twoNodeGraph() }, { checkpointer: pgStorage.checkpointer, store: pgStorage.store }),
    log: silentLogger(),
    cronIntervalMs: 0,
    scheduler: (parts) => cluster.scheduler(parts),
  });
  await postgres.start();
  const pgTimes = await sampleSequential(220, () => wait(postgres));
  await postgres.stop();
  await dropSchemas(url, [schema, `${schema}_lg`]);
  // The first 20 of each warm up connections and code paths.
  return { bare: median(bareTimes.slice(20)), lowdb: median(lowdbTimes.slice(20)), postgres: median(pgTimes.slice(20)) };
}

export async function throughput(url: string, count: number, workload: Workload): Promise<number> {
  const schema = `sb_bench_${count}_${Date.now().toString(36)}`;
  const children: Child[] = [];
  try {
    // The first process applies the migrations; the others join it.
    for (let i = 0; i < count; i += 1) {
      const child = runTs(new URL('./postgres-process.ts', import.meta.url).pathname, [url, schema, String(workload.workers)]);
      children.push(child);
      if (i === 0) await child.waitFor(/^listening /, 30_000);
    }
    const urls = await Promise.all(children.map(async (child) => (await child.waitFor(/^listening /, 30_000)).split(' ')[1]!));
    const clients = urls.map((apiUrl) => new Client({ apiUrl, apiKey: null, callerOptions: { maxConcurrency: workload.clients, maxRetries: 0 } }));
    let next = 0;
    const client = () => clients[next++ % clients.length]!;
    const rates: number[] = [];
    for (let rep = 0; rep < 2; rep += 1) {
      const queue = (await Promise.all(Array.from({ length: workload.threads }, () => client().threads.create()))).map((thread) => thread.thread_id);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: workload.clients }, async () => {
          for (let threadId = queue.shift(); threadId; threadId = queue.shift()) {
            for (let turn = 0; turn < workload.turns; turn += 1) await client().runs.wait(threadId, workload.graph, { input: { count: 0 } });
          }
        }),
      );
      rates.push((workload.threads * workload.turns) / ((performance.now() - started) / 1000));
    }
    return median(rates);
  } finally {
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.all(children.map((child) => child.exited));
    await dropSchemas(url, [schema]);
  }
}

async function dropSchemas(url: string, schemas: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
