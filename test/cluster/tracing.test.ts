import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOtlpReceiver } from '../fakes/otlp.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { HAS_POSTGRES } from '../helpers/postgres.ts';

/** Two processes on one PostgreSQL schema, exporting spans to one local OTLP receiver. */
describe.skipIf(!HAS_POSTGRES)('tracing across processes sharing one PostgreSQL database', () => {
  const receiver = new FakeOtlpReceiver();
  let cluster: TestCluster | undefined;
  beforeAll(async () => {
    await receiver.start();
    cluster = await startTestCluster(2, { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
  }, 90_000);
  afterAll(async () => {
    await cluster?.dispose();
    await receiver.stop();
  }, 60_000);

  it('a run accepted by one process and executed by another joins the trace of the request that created it', async () => {
    const front = cluster!.processes[0]!;
    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
      (await (await fetch(`${front.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })).json()) as Record<
        string,
        string
      >;
    // Ten slow runs at once through one process: more than its four workers, so the other process takes some.
    const threads = await Promise.all(Array.from({ length: 10 }, () => post('/threads', {})));
    const created = await Promise.all(
      threads.map(async (thread, index) => {
        const traceId = index.toString(16).padStart(32, 'a');
        const run = await post(
          `/threads/${thread.thread_id}/runs`,
          { assistant_id: 'slow', input: { messages: [{ role: 'user', content: `m${index}` }] }, config: { configurable: { delay_ms: 1500 } } },
          { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
        );
        return { threadId: thread.thread_id!, runId: run.run_id!, traceId };
      }),
    );
    for (const run of created) await front.client.runs.join(run.threadId, run.runId);
    const owners = await cluster!.sql<{ run_id: string; owner: string }>('SELECT run_id, owner FROM sb_runs WHERE run_id = ANY($1::text[])', [created.map((run) => run.runId)]);
    const elsewhere = created.filter((run) => owners.find((row) => row.run_id === run.runId)?.owner !== front.processId);
    expect(elsewhere.length).toBeGreaterThan(0);
    // Stopping the processes sends their last spans.
    await cluster!.dispose();
    cluster = undefined;

    for (const run of created) {
      const spans = receiver.spans.filter((span) => span.name === 'run' && span.attributes['switchboard.run_id'] === run.runId);
      expect(spans, `the span of run ${run.runId}`).toHaveLength(1);
      expect(spans[0]!.traceId).toBe(run.traceId);
      // Its graph's nodes are in the same trace, under it.
      expect(receiver.childrenOf(spans[0]!).map((span) => span.name)).toContain('graph.node first');
    }
  }, 90_000);
});
