import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadConfig, type LoadedConfig, type LoadOptions } from './config/load.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { GraphRegistry } from './engine/graphs.ts';
import { SwitchboardError } from './errors.ts';
import { configureChatModel, resolveProvider } from './graphs/models/chat-model.ts';
import { createHttpApp } from './http/app.ts';
import { listen, type RunningServer } from './http/server.ts';
import { createLogger } from './log.ts';
import { openLowdbStorage } from './storage/lowdb/index.ts';
import type { Storage } from './storage/types.ts';

export interface Switchboard {
  config: LoadedConfig;
  engine: Engine;
  server: RunningServer;
  stop(): Promise<void>;
}

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The composition root: config -> storage -> graphs -> engine -> HTTP. Everything that
 * starts is started here, and `stop()` undoes it in reverse order.
 */
export async function startSwitchboard(options: LoadOptions & { log?: Logger } = {}): Promise<Switchboard> {
  const config = loadConfig(options);
  const log = options.log ?? createLogger();
  configureChatModel(config.model, options.env ?? process.env);
  const loaded = await GraphRegistry.load(config.graphs, { configFile: config.file });
  const storage = await openStorage(config);
  try {
    const graphs = loaded.attach(storage);
    const engine = createEngine({
      storage,
      graphs,
      log,
      workers: config.runs.workers,
      defaultStrategy: config.runs.default_multitask_strategy,
      timeoutSeconds: config.runs.timeout_seconds,
      streamRetentionSeconds: config.runs.stream_retention_seconds,
      assistants: config.assistants,
    });
    await engine.start();
    const app = createHttpApp({ engine, version: VERSION, log, apiKey: config.server.api_key, maxBodyBytes: config.server.max_body_bytes });
    const server = await listen(app, config.server.host, config.server.port);
    log.info({ url: server.url, storage: storage.kind, graphs: graphs.ids(), model: resolveProvider() }, 'Switchboard is listening');
    return {
      config,
      engine,
      server,
      async stop() {
        await server.close();
        await engine.stop();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

async function openStorage(config: LoadedConfig): Promise<Storage> {
  if (config.storage.kind === 'lowdb') return openLowdbStorage(config.storage.dir);
  throw new SwitchboardError('unsupported', 'storage kind "postgres" is not available in this version yet; use kind: lowdb');
}
