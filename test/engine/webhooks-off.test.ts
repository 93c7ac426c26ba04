import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine, userMessage } from '../helpers/engine.ts';

/** A local HTTP endpoint that counts the webhook calls it gets. */
async function hookServer(): Promise<{ url: string; calls: unknown[]; server: Server }> {
  const calls: unknown[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls.push(JSON.parse(body));
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, server };
}

describe('webhooks (langgraph.json http.disable_webhooks)', () => {
  const open: Array<{ dispose(): Promise<void> }> = [];
  afterEach(async () => {
    for (const item of open.splice(0)) await item.dispose();
  });

  async function runWithHook(engine: TestEngine, url: string) {
    const thread = await engine.threads.create({});
    const { run, outcome } = await engine.runs.wait(thread.thread_id, { assistant_id: 'chat', input: userMessage('hi'), webhook: url });
    return { run, outcome };
  }

  it('calls a run’s webhook when it ends, and never when webhooks are turned off (the run still takes the field)', async () => {
    const hook = await hookServer();
    open.push({ dispose: () => new Promise((resolve) => hook.server.close(() => resolve())) });

    const on = await startTestEngine();
    open.push(on);
    const first = await runWithHook(on, hook.url);
    await expect.poll(() => hook.calls.length, { timeout: 10_000 }).toBe(1);
    expect(hook.calls[0]).toMatchObject({ run_id: first.run.run_id, status: 'success' });

    const off = await startTestEngine({ webhooks: false });
    open.push(off);
    const second = await runWithHook(off, hook.url);
    expect(second.run.kwargs.webhook).toBe(hook.url);
    expect(second.outcome.error ?? null).toBeNull();
    // Long enough for a call that was going to happen (the first came well within this).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(hook.calls).toHaveLength(1);
  }, 30_000);
});
