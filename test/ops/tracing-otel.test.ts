import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeOtlpReceiver, type ReceivedSpan } from '../fakes/otlp.ts';
import { startFakeOpenAI } from '../fakes/openai.ts';
import { FakeSlack, messageEvent, postSigned, SIGNING_SECRET } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

const REPLY = 'Traced answer from the model.';
const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;

describe('OpenTelemetry tracing with OTEL_EXPORTER_OTLP_ENDPOINT set', () => {
  const receiver = new FakeOtlpReceiver();
  const slack = new FakeSlack();
  let openai: Awaited<ReturnType<typeof startFakeOpenAI>>;
  let t: TestSwitchboard | undefined;

  beforeAll(async () => {
    await receiver.start();
    await slack.start();
    openai = await startFakeOpenAI(REPLY);
  });
  afterAll(async () => {
    await Promise.all([receiver.stop(), slack.stop(), openai.close()]);
  });
  afterEach(async () => {
    await t?.dispose();
    t = undefined;
    receiver.spans.length = 0;
  });

  const start = (env: Record<string, string> = {}, model: 'endpoint' | 'offline' = 'endpoint') =>
    startTestSwitchboard({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, ...env },
      // A real OpenAI-compatible endpoint, so the model call is a real HTTP call through LangChain.
      config: model === 'endpoint' ? { model: { provider: 'auto', base_url: openai.url, api_key: 'sk-local', name: 'traced-model' } } : {},
    });

  /** The one span matching, failing with what was received when there is not exactly one. */
  const only = (spans: ReceivedSpan[], what: string): ReceivedSpan => {
    expect(spans, `${what} among ${receiver.spans.map((span) => span.name).join(', ')}`).toHaveLength(1);
    return spans[0]!;
  };
  const childNamed = (parent: ReceivedSpan, name: string) =>
    only(
      receiver.childrenOf(parent).filter((span) => span.name === name),
      `${name} under ${parent.name}`,
    );

  it('a Slack message traces chat message -> run -> graph node -> model call, and its deliveries, in one trace', async () => {
    t = await start({ SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl, SLACK_SIGNING_SECRET: SIGNING_SECRET });
    const root = '1760000000.000100';
    const response = await postSigned(`${t.url}/slack/events`, JSON.stringify(messageEvent({ text: '<@UBOT> trace me', ts: root, mention: true })));
    expect(response.status).toBe(200);
    await eventually(() => expect(slack.thread('C1', root).at(-1)?.text).toBe(REPLY), 10_000);
    await t.sb.chat.idle();
    // Stopping flushes the spans still batched.
    await t.sb.stop();

    const message = only(receiver.named('chat.message slack'), 'the chat message span');
    expect(message.attributes).toMatchObject({ 'switchboard.chat.platform': 'slack', 'switchboard.chat.channel': 'C1', 'switchboard.chat.message_id': root });
    const run = childNamed(message, 'run');
    const conversation = await slackConversation(t, root);
    const [stored] = await t.sb.engine.runs.list(conversation);
    expect(run.attributes).toMatchObject({
      'switchboard.run_id': stored!.run_id,
      'switchboard.thread_id': conversation,
      'switchboard.graph_id': 'chat',
      'switchboard.run.status': 'success',
    });
    const node = childNamed(run, 'graph.node respond');
    const model = childNamed(node, 'chat traced-model');
    expect(model.kind).toBe(SPAN_KIND_CLIENT);
    expect(model.attributes).toMatchObject({ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'traced-model' });
    expect(openai.requests.length).toBeGreaterThan(0);
    // What the bot said reached Slack through the outbox, each delivery a span of the message's trace.
    const deliveries = receiver.childrenOf(message).filter((span) => span.name.startsWith('chat.deliver'));
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries.every((span) => span.kind === SPAN_KIND_CLIENT && span.attributes['switchboard.chat.platform'] === 'slack')).toBe(true);
    // Every span of the chain is in the one trace, and came from this service.
    expect(new Set([message, run, node, model, ...deliveries].map((span) => span.traceId)).size).toBe(1);
    expect(message.service).toBe('switchboard');
    expect(receiver.refused).toEqual([]);
  });

  it('an HTTP run joins the trace named by the incoming traceparent: request -> run -> node -> model', async () => {
    t = await start();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const thread = (await (await fetch(`${t.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { thread_id: string };
    const answer = await fetch(`${t.url}/threads/${thread.thread_id}/runs/wait`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ assistant_id: 'chat', input: { messages: [{ role: 'user', content: 'hello over http' }] } }),
    });
    expect(answer.status).toBe(200);
    await t.sb.stop();

    const request = only(
      receiver.spans.filter((span) => span.name === 'POST /threads/:thread_id/runs/wait'),
      'the request span',
    );
    expect(request).toMatchObject({ traceId, parentSpanId: callerSpan, kind: SPAN_KIND_SERVER });
    expect(request.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/threads/:thread_id/runs/wait', 'http.response.status_code': 200 });
    const run = childNamed(request, 'run');
    const node = childNamed(run, 'graph.node respond');
    childNamed(node, 'chat traced-model');
    // A request without traceparent starts its own trace.
    const create = only(
      receiver.spans.filter((span) => span.name === 'POST /threads'),
      'the thread creation span',
    );
    expect(create.traceId).not.toBe(traceId);
    expect(create.parentSpanId).toBeUndefined();
  });

  it('a run queued behind another keeps its own request trace, stored with the run, when it executes later', async () => {
    // The offline model, slowed down: the first run is still streaming when the second is asked for.
    t = await start({}, 'offline');
    const thread = (await (await fetch(`${t.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { thread_id: string };
    const { items } = await t.sb.engine.assistants.search({ limit: 10, offset: 0 });
    const slow = items.find((assistant) => assistant.name === 'slowtalker')!;
    const traces = ['11111111111111111111111111111111', '22222222222222222222222222222222'];
    const runs: Array<{ run_id: string }> = [];
    for (const traceId of traces) {
      const response = await fetch(`${t.url}/threads/${thread.thread_id}/runs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
        // Tokens streamed (messages mode) at the slow assistant's pace.
        body: JSON.stringify({
          assistant_id: slow.assistant_id,
          input: { messages: [{ role: 'user', content: 'queued' }] },
          stream_mode: ['messages-tuple'],
          multitask_strategy: 'enqueue',
        }),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      runs.push((await response.json()) as { run_id: string });
    }
    // The second run waits in the queue for the first.
    const stored = await t.sb.engine.runs.get(thread.thread_id, runs[1]!.run_id);
    expect(stored.status).toBe('pending');
    expect((await t.sb.engine.runs.get(thread.thread_id, runs[0]!.run_id)).status).toBe('running');
    expect(stored.trace_context?.traceparent).toMatch(new RegExp(`^00-${traces[1]}-[0-9a-f]{16}-01$`));
    for (const run of runs) await t.sb.engine.runs.join(thread.thread_id, run.run_id);
    await t.sb.stop();

    for (const [index, run] of runs.entries()) {
      const span = only(
        receiver.spans.filter((candidate) => candidate.name === 'run' && candidate.attributes['switchboard.run_id'] === run.run_id),
        `the span of run ${index + 1}`,
      );
      expect(span.traceId).toBe(traces[index]);
      const request = receiver.spans.find((candidate) => candidate.spanId === span.parentSpanId);
      expect(request?.name).toBe('POST /threads/:thread_id/runs');
    }
  });

  it('a run stopped by a restart resumes in the trace it was created in', async () => {
    t = await start({}, 'offline');
    const slow = (await t.sb.engine.assistants.search({ limit: 10, offset: 0 })).items.find((assistant) => assistant.name === 'slowtalker')!;
    const thread = (await (await fetch(`${t.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { thread_id: string };
    const traceId = '33333333333333333333333333333333';
    const created = await fetch(`${t.url}/threads/${thread.thread_id}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ assistant_id: slow.assistant_id, input: { messages: [{ role: 'user', content: 'a long answer please' }] }, stream_mode: ['messages-tuple'] }),
    });
    const { run_id: runId } = (await created.json()) as { run_id: string };
    await eventually(async () => expect((await t!.sb.engine.runs.get(thread.thread_id, runId)).status).toBe('running'));
    // Stopped mid-run: the run goes back to the queue, and the next start executes it again.
    await t.restart();
    const outcome = await t.sb.engine.runs.join(thread.thread_id, runId);
    expect(outcome.status).toBe('success');
    await t.sb.stop();

    const attempts = receiver.spans.filter((span) => span.name === 'run' && span.attributes['switchboard.run_id'] === runId);
    expect(attempts.map((span) => span.attributes['switchboard.run.attempt']).sort()).toEqual([1, 2]);
    expect(attempts.every((span) => span.traceId === traceId)).toBe(true);
    const resumed = attempts.find((span) => span.attributes['switchboard.run.attempt'] === 2)!;
    expect(resumed.attributes['switchboard.run.status']).toBe('success');
  });
});

async function slackConversation(t: TestSwitchboard, root: string): Promise<string> {
  const conversation = await t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel: 'C1', thread: root });
  return conversation!.thread_id;
}
