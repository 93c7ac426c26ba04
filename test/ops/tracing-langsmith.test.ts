import { afterEach, describe, expect, it } from 'vitest';
import type { TracedRun } from '../fakes/langsmith.ts';
import { useFakeLangSmith } from '../helpers/langsmith.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

describe('LangSmith tracing with LANGSMITH_TRACING=true', () => {
  const langsmith = useFakeLangSmith();
  let t: TestSwitchboard | undefined;
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
  });

  it('a run is traced with its run, thread, assistant and graph ids, its whole tree sent before the run is reported finished', async () => {
    t = await startTestSwitchboard();
    const thread = (await (await fetch(`${t.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { thread_id: string };
    const answer = await fetch(`${t.url}/threads/${thread.thread_id}/runs/wait`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: 'chat', input: { messages: [{ role: 'user', content: 'trace this to LangSmith' }] } }),
    });
    expect(answer.status).toBe(200);
    // The answer's body is sent once the run has finished (the headers come at once).
    expect(await answer.json()).toMatchObject({ messages: expect.any(Array) });
    const [run] = await t.sb.engine.runs.list(thread.thread_id);

    // Read at once: the wait answered only after the tracer's batches were sent.
    const root = langsmith.runs.get(run!.run_id);
    expect(root, `runs received: ${[...langsmith.runs.values()].map((each) => each.name).join(', ')}`).toBeDefined();
    expect(root!.parent_run_id ?? null).toBeNull();
    expect(root!.session_name).toBe('switchboard-tests');
    expect(root!.end_time).toBeTruthy();
    expect(root!.error ?? null).toBeNull();
    expect(root!.extra?.metadata).toMatchObject({ run_id: run!.run_id, thread_id: thread.thread_id, assistant_id: run!.assistant_id, graph_id: 'chat' });
    // The tree: the graph's node under the run, the model call under the node, every part finished.
    const node = only(langsmith.childrenOf(root!.id).filter((child) => child.name === 'respond'));
    const model = only(langsmith.childrenOf(node.id).filter((child) => child.run_type === 'llm'));
    expect(node.end_time).toBeTruthy();
    expect(model.end_time).toBeTruthy();
    expect(JSON.stringify(model.outputs)).toContain('trace this to LangSmith');
    expect(node.extra?.metadata).toMatchObject({ thread_id: thread.thread_id, langgraph_node: 'respond' });
    expect(langsmith.apiKeys).toEqual(new Set(['lsv2-local-test']));
    expect(langsmith.requests).toContain('POST /runs/multipart');
  });
});

function only(runs: TracedRun[]): TracedRun {
  expect(runs).toHaveLength(1);
  return runs[0]!;
}
