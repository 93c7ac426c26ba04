import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

/** A local HTTP endpoint that keeps each webhook call it gets: headers and body. */
async function receiver(): Promise<{ url: string; calls: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }>; server: Server }> {
  const calls: Array<{ headers: IncomingHttpHeaders; body: Record<string, unknown> }> = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      calls.push({ headers: request.headers, body: JSON.parse(body) as Record<string, unknown> });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, calls, server };
}

const input = { messages: [{ role: 'user', content: 'hi' }] };

/** langgraph.json's `webhooks` through the whole server: refusals at creation, headers and fields on the calls. */
describe('webhooks policy over HTTP', () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  let t: TestSwitchboard;
  let client: Client;
  beforeAll(async () => {
    hook = await receiver();
    t = await startTestSwitchboard({
      env: { LG_WEBHOOK_TOKEN: 's3cret' },
      config: {
        webhooks: {
          url: { require_https: false, disable_private_ips: true, max_url_length: 120 },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the Platform's header template, resolved by Switchboard at start
          headers: { authorization: 'Bearer ${{ env.LG_WEBHOOK_TOKEN }}', 'x-deployment': 'switchboard-test' },
          allowed_fields: ['run_id', 'status', 'values'],
        },
      },
    });
    client = new Client({ apiUrl: t.url, apiKey: null, callerOptions: { maxRetries: 0 } });
  });
  afterAll(async () => {
    await t?.dispose();
    await new Promise((resolve) => hook?.server.close(resolve));
  });

  it('calls an allowed webhook with the configured headers, env templates resolved, and only the allowed fields', async () => {
    const thread = await client.threads.create();
    const run = await client.runs.create(thread.thread_id, 'chat', { input, webhook: hook.url });
    await expect.poll(() => hook.calls.length, { timeout: 10_000 }).toBe(1);
    const [call] = hook.calls;
    expect(call!.headers).toMatchObject({ authorization: 'Bearer s3cret', 'x-deployment': 'switchboard-test', 'content-type': 'application/json' });
    expect(Object.keys(call!.body).sort()).toEqual(['run_id', 'status', 'values']);
    expect(call!.body).toMatchObject({ run_id: run.run_id, status: 'success' });
  });

  it('answers 422 at creation for a webhook the policy refuses, names the rule, and creates no run', async () => {
    const thread = await client.threads.create();
    await expect(client.runs.create(thread.thread_id, 'chat', { input, webhook: 'http://10.20.30.40/hook' })).rejects.toThrow(
      'HTTP 422: Webhook host blocked: 10.20.30.40 resolves to the private address 10.20.30.40 (webhooks.url.disable_private_ips)',
    );
    await expect(client.runs.wait(thread.thread_id, 'chat', { input, webhook: 'http://169.254.169.254/latest/meta-data' })).rejects.toThrow(/HTTP 422: Webhook host blocked/);
    await expect(client.runs.create(thread.thread_id, 'chat', { input, webhook: `${hook.url}?${'x'.repeat(120)}` })).rejects.toThrow(/HTTP 422: Webhook URL too long/);
    expect(await client.runs.list(thread.thread_id)).toEqual([]);
    expect((await client.threads.get(thread.thread_id)).status).toBe('idle');

    // A client that asks for JSON gets the code and the field.
    const answer = await fetch(`${t.url}/runs/wait`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ assistant_id: 'chat', input, webhook: 'http://192.168.0.1/hook' }),
    });
    expect(answer.status).toBe(422);
    expect(await answer.json()).toMatchObject({ code: 'invalid_input', errors: [{ field: 'webhook', message: expect.stringContaining('private address 192.168.0.1') }] });
  });

  it('refuses a cron whose webhook the policy refuses, and keeps no cron', async () => {
    await expect(client.crons.create('chat', { schedule: '0 0 * * *', input, webhook: 'http://10.0.0.1/hook' })).rejects.toThrow(/HTTP 422: Webhook host blocked/);
    expect(await client.crons.search({ assistantId: 'chat' })).toEqual([]);
  });
});
