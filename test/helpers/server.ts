import { Client } from '@langchain/langgraph-sdk';
import { Client as ClientV1 } from 'langgraph-sdk-1';
import type { Hono } from 'hono';
import { configureChatModel } from '../../src/graphs/models/chat-model.ts';
import { createHttpApp } from '../../src/http/app.ts';
import { listen, type RunningServer } from '../../src/http/server.ts';
import { silentLogger } from '../../src/log.ts';
import { startTestEngine, type TestEngine } from './engine.ts';

export interface TestServer {
  engine: TestEngine;
  /** The Hono app being served (its `routes` list every route). */
  app: Hono;
  server: RunningServer;
  url: string;
  /** The official SDK client, pointed at this server, without retries (tests want errors at once). */
  client: Client;
  dispose(): Promise<void>;
}

/** The engine (example and test graphs) behind the real HTTP server on a free port. */
export async function startTestServer(options: { apiKey?: string; maxBodyBytes?: number; engine?: Parameters<typeof startTestEngine>[0] } = {}): Promise<TestServer> {
  configureChatModel({ provider: 'offline' });
  const engine = await startTestEngine(options.engine);
  const app = createHttpApp({ engine, version: 'test', log: silentLogger(), apiKey: options.apiKey, ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}) });
  const server = await listen(app, '127.0.0.1', 0);
  // SWITCHBOARD_TEST_SDK=1 drives the same tests through the SDK's 1.x line (the default is 2.x).
  const SdkClient = process.env.SWITCHBOARD_TEST_SDK === '1' ? (ClientV1 as unknown as typeof Client) : Client;
  const client = new SdkClient({ apiUrl: server.url, apiKey: options.apiKey ?? null, callerOptions: { maxRetries: 0 } });
  return {
    engine,
    app,
    server,
    url: server.url,
    client,
    async dispose() {
      await server.close();
      await engine.dispose();
    },
  };
}
