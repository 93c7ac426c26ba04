import { Client } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The HTTP face of the upstream JS server's run-auth unit tests (applyRequestHeadersToRunConfig):
 * by default a run sees the request's `x-*` headers and its user agent in `configurable`,
 * and never the API key it was sent with.
 */
describe("a run's configurable carries the request's headers, as on the Platform", () => {
  const apiKey = 'run-headers-key-0123456789';
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ apiKey });
  });
  afterAll(async () => {
    await t.dispose();
  });

  it('copies x- headers and user-agent into configurable, and leaves x-api-key (and, without custom auth, any auth user) out', async () => {
    const client = new Client({
      apiUrl: t.url,
      apiKey,
      callerOptions: { maxRetries: 0 },
      defaultHeaders: { 'x-configurable-header': 'hello', 'user-agent': 'vitest' },
    });
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'chat', { input: { messages: [{ role: 'user', content: 'hi' }] } });
    await client.runs.join(thread.thread_id, run.run_id);
    const stored = (await client.runs.get(thread.thread_id, run.run_id)) as unknown as { kwargs: { config: { configurable: Record<string, unknown> } } };
    expect(stored.kwargs.config.configurable).toMatchObject({ 'x-configurable-header': 'hello', 'user-agent': 'vitest' });
    expect(stored.kwargs.config.configurable).not.toHaveProperty('x-api-key');
    // Without custom auth there is no authenticated user to pass on.
    expect(stored.kwargs.config.configurable).not.toHaveProperty('langgraph_auth_user');
    expect(JSON.stringify(stored)).not.toContain(apiKey);
  });
});
