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
import { cpuMs } from './server-process.ts';
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
  let postgresCpuPerRun = Number.NaN;
  for (const workload of WORKLOADS) {
    const rows: Array<[string, string]> = [];
    let single = 0;
    for (const count of [1, 2, 4]) {
      const measured = await throughput(URL_, count, workload);
      if (count === 1) {
        single = measured.rate;
        if (workload.graph === 'counter') postgresCpuPerRun = measured.cpuMsPerRun;
      }
      const expected = workload.expectedRatios?.[count];
      rows.push([
        `${count} process${count > 1 ? 'es' : ''}`,
        `${measured.rate.toFixed(1)} runs/s (${(measured.rate / single).toFixed(2)}x one process${expected ? `; expected about ${expected}x` : ''})`,
      ]);
    }
    printTable(`PostgreSQL, processes sharing one database: ${workload.title} (${cores} CPU cores here, PostgreSQL on the same machine)`, rows);
  }
  const filesCpuPerRun = await filesCpuMsPerRun(WORKLOADS[0]!);
  printTable(`CPU time of the Switchboard process per run: ${WORKLOADS[0]!.title}, one process (PostgreSQL's own CPU not included)`, [
    ['files backend', `${fmt(filesCpuPerRun)} ms`],
    ['PostgreSQL backend (shared runs)', `${fmt(postgresCpuPerRun)} ms (${(postgresCpuPerRun / filesCpuPerRun).toFixed(2)}x files)`],
  ]);
}

interface Workload {
  title: string;
  graph: 'counter' | 'waiting';
  threads: number;
  turns: number;
  clients: number;
  workers: number;
  /** What more processes should give when their workers are the limit, by process count. */
  expectedRatios?: Record<number, number>;
}

const WORKLOADS: Workload[] = [
  { title: 'CPU-bound runs (two-node graph), 8 workers per process, 64 threads x 5 turns, 16 SDK clients', graph: 'counter', threads: 64, turns: 5, clients: 16, workers: 8 },
  // Agents mostly wait on model calls: there the processes' workers are the limit, and each process adds its own
  // (a little under linear: claiming a run and storing its end cost a few milliseconds of the 400).
  {
    title: 'runs that wait 400 ms (a model call), 4 workers per process, 64 threads x 3 turns, 64 SDK clients',
    graph: 'waiting',
    threads: 64,
    turns: 3,
    clients: 64,
    workers: 4,
    expectedRatios: { 2: 1.9, 4: 3.6 },
  },
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

/** Runs per second (median of 2 repetitions), and the CPU time the processes spent per run over them. */
export async function throughput(url: string, count: number, workload: Workload): Promise<{ rate: number; cpuMsPerRun: number }> {
  const schema = `sb_bench_${count}_${Date.now().toString(36)}`;
  const children: Child[] = [];
  try {
    // The first process applies the migrations; the others join it.
    for (let i = 0; i < count; i += 1) {
      const child = runTs(new URL('./postgres-process.ts', import.meta.url).pathname, [url, schema, String(workload.workers)]);
      children.push(child);
      if (i === 0) await child.waitFor(/^listening /, 120_000);
    }
    const urls = await Promise.all(children.map(async (child) => (await child.waitFor(/^listening /, 120_000)).split(' ')[1]!));
    return await measureRuns(
      urls,
      children.map((child) => child.process.pid!),
      workload,
    );
  } finally {
    for (const child of children) child.process.kill('SIGTERM');
    await Promise.all(children.map((child) => child.exited));
    await dropSchemas(url, [schema]);
  }
}

/** The workload against servers already listening: runs per second, and their processes' CPU time per run. */
async function measureRuns(urls: string[], pids: number[], workload: Workload): Promise<{ rate: number; cpuMsPerRun: number }> {
  const clients = urls.map((apiUrl) => new Client({ apiUrl, apiKey: null, callerOptions: { maxConcurrency: workload.clients, maxRetries: 0 } }));
  let next = 0;
  const client = () => clients[next++ % clients.length]!;
  const cpu = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const rates: number[] = [];
  let cpuSpent = 0;
  for (let rep = 0; rep < 2; rep += 1) {
    const queue = (await Promise.all(Array.from({ length: workload.threads }, () => client().threads.create()))).map((thread) => thread.thread_id);
    const started = performance.now();
    const cpuBefore = cpu();
    await Promise.all(
      Array.from({ length: workload.clients }, async () => {
        for (let threadId = queue.shift(); threadId; threadId = queue.shift()) {
          for (let turn = 0; turn < workload.turns; turn += 1) await client().runs.wait(threadId, workload.graph, { input: { count: 0 } });
        }
      }),
    );
    cpuSpent += cpu() - cpuBefore;
    rates.push((workload.threads * workload.turns) / ((performance.now() - started) / 1000));
  }
  return { rate: median(rates), cpuMsPerRun: cpuSpent / (2 * workload.threads * workload.turns) };
}

/** The same workload on the files backend (one process, the HTTP benchmark's server): its CPU time per run. */
async function filesCpuMsPerRun(workload: Workload): Promise<number> {
  const child = runTs(new URL('./http-server.ts', import.meta.url).pathname, [String(workload.workers)]);
  try {
    const url = (await child.waitFor(/^listening /, 120_000)).split(' ')[1]!;
    return (await measureRuns([url], [child.process.pid!], workload)).cpuMsPerRun;
  } finally {
    child.process.kill('SIGTERM');
    await child.exited;
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
