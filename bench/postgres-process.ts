/**
 * One process of the PostgreSQL benchmark: the engine on the schema given, sharing runs
 * with every other process on it, behind the HTTP API. Prints `listening <url>`.
 */
import { createEngine } from '../src/engine/engine.ts';
import { GraphRegistry } from '../src/engine/graphs.ts';
import { createHttpApp } from '../src/http/app.ts';
import { listen } from '../src/http/server.ts';
import { silentLogger } from '../src/log.ts';
import { createCluster } from '../src/cluster/index.ts';
import { openPostgresStorage } from '../src/storage/postgres/index.ts';
import { twoNodeGraph, waitingGraph } from './graphs.ts';

const [url, schema, workers] = process.argv.slice(2) as [string, string, string];
const storage = await openPostgresStorage({ url, schema, poolSize: 12 });
const cluster = createCluster({ db: storage.db, leaseMs: 10_000, workers: Number(workers), log: silentLogger(), eventRetentionMs: 60_000 });
const graphs = GraphRegistry.fromGraphs({ counter: twoNodeGraph(), waiting: waitingGraph(400) }, { checkpointer: storage.checkpointer, store: storage.store });
const engine = createEngine({ storage, graphs, log: silentLogger(), workers: Number(workers), cronIntervalMs: 0, scheduler: (parts) => cluster.scheduler(parts) });
await engine.start();
const server = await listen(createHttpApp({ engine, version: 'bench', log: silentLogger() }), '127.0.0.1', 0);
process.stdout.write(`listening ${server.url}\n`);
process.on(
  'SIGTERM',
  () =>
    void server
      .close()
      .then(() => engine.stop())
      .then(() => process.exit(0)),
);
