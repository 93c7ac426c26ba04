import { readFileSync } from 'node:fs';
import { Client } from '@langchain/langgraph-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { sample } from '../helpers/metrics.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

describe('GET /metrics', () => {
  let t: TestSwitchboard | undefined;
  afterEach(async () => t?.dispose());
  const say = (content: string) => ({ messages: [{ role: 'user', content }] });

  it('counts runs by status and graph, their duration, double texts by strategy, requests by route, pending runs and outbox, and the process', async () => {
    const apiKey = 'metrics-key-long-enough-1';
    t = await startTestSwitchboard({ config: { server: { port: 0, api_key: apiKey } } });
    const scrape = async () => {
      const answer = await fetch(`${t!.url}/metrics`, { headers: { 'x-api-key': apiKey } });
      expect(answer.headers.get('content-type')).toContain('text/plain');
      return answer.text();
    };
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const before = await scrape();
    const client = new Client({ apiUrl: t.url, apiKey, callerOptions: { maxRetries: 0 } });
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, 'chat', { input: say('one') });
    // A second message while the first is still in flight (it waits a second to start): a double text, enqueued.
    const busy = await client.runs.create(thread.thread_id, 'chat', { input: say('in a second'), afterSeconds: 1 });
    await client.runs.create(thread.thread_id, 'chat', { input: say('and another'), multitaskStrategy: 'enqueue' });
    await client.runs.join(thread.thread_id, busy.run_id);
    const queued = (await client.runs.list(thread.thread_id)).find((run) => run.run_id !== busy.run_id && run.status !== 'success');
    if (queued) await client.runs.join(thread.thread_id, queued.run_id);
    let after = await scrape();
    for (
      let tries = 0;
      tries < 50 &&
      sample(after, 'switchboard_runs_total', { status: 'success', graph: 'chat' }) - sample(before, 'switchboard_runs_total', { status: 'success', graph: 'chat' }) < 3;
      tries += 1
    ) {
      await new Promise((done) => setTimeout(done, 100));
      after = await scrape();
    }
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('switchboard_runs_total', { status: 'success', graph: 'chat' })).toBe(3);
    expect(delta('switchboard_run_duration_seconds_count', { graph: 'chat' })).toBe(3);
    expect(delta('switchboard_double_texts_total', { strategy: 'enqueue' })).toBe(1);
    expect(sample(after, 'switchboard_runs_in_flight')).toBe(0);
    expect(sample(after, 'switchboard_runs_pending')).toBe(0);
    expect(after).toContain('# TYPE switchboard_outbox_pending gauge');
    expect(delta('switchboard_http_request_duration_seconds_count', { route: '/threads/:thread_id/runs/wait', method: 'POST', status: '200' })).toBe(1);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('GET /info', () => {
  let t: TestSwitchboard | undefined;
  afterEach(async () => t?.dispose());

  it("reports Switchboard's version and the LangGraph version actually installed, the storage and the graphs", async () => {
    t = await startTestSwitchboard();
    const info = (await (await fetch(`${t.url}/info`)).json()) as Record<string, unknown>;
    const installed = (name: string) => (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
    expect(info).toMatchObject({
      version: (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version,
      langgraph_js_version: installed('@langchain/langgraph'),
      storage: 'lowdb',
      flags: { assistants: true, crons: true, langsmith: false },
    });
    expect(info.langgraph_js_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.graphs).toEqual(expect.arrayContaining(['chat', 'writer', 'approval']));
  });
});
