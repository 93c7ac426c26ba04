/**
 * The server side of the HTTP benchmark, run in its own process (as in production, the
 * client and the server do not share a CPU thread): the engine on a fresh lowdb folder,
 * with the two-node graph and the chat graph, behind the HTTP API. Prints its URL.
 */
import { createEngine } from '../src/engine/engine.ts';
import { GraphRegistry } from '../src/engine/graphs.ts';
import { graph as chat } from '../src/graphs/chat.ts';
import { configureChatModel } from '../src/graphs/models/chat-model.ts';
import { createHttpApp } from '../src/http/app.ts';
import { listen } from '../src/http/server.ts';
import { silentLogger } from '../src/log.ts';
import { openFilesStorage } from '../src/storage/files/index.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';
import { twoNodeGraph } from './graphs.ts';

const temp = makeTempDir('switchboard-bench-http-');
const storage = await openFilesStorage(temp.dir);
configureChatModel({ provider: 'offline', token_delay_ms: 0 });
const graphs = GraphRegistry.fromGraphs({ counter: twoNodeGraph(), chat }, { checkpointer: storage.checkpointer, store: storage.store });
// Workers as the first argument (the PostgreSQL benchmark compares like with like); 16 by default.
const engine = createEngine({ storage, graphs, log: silentLogger(), workers: Number(process.argv[2] ?? 16), cronIntervalMs: 0 });
await engine.start();
const server = await listen(createHttpApp({ engine, version: 'bench', log: silentLogger() }), '127.0.0.1', 0);
process.stdout.write(`listening ${server.url}\n`);
const stop = async () => {
  await server.close();
  await engine.stop();
  temp.cleanup();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
