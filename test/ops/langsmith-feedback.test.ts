import { describe, expect, it } from 'vitest';
import { feedbackIdOf } from '../../src/ops/tracing/langsmith-feedback.ts';
import { feedbackClick } from '../fakes/slack-assistant.ts';
import { messageEvent, postSigned } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { useFakeLangSmith } from '../helpers/langsmith.ts';
import { tsCounter, useSlackHarness } from '../helpers/slack.ts';

const nextTs = tsCounter(1_770_000_000);

describe('chat feedback reaches LangSmith when LangSmith tracing is on', () => {
  const langsmith = useFakeLangSmith();
  const h = useSlackHarness('http');

  it("a 👍 becomes feedback on the run's trace (the trace's root is the run id); a changed vote updates it; LangSmith failing is retried", async () => {
    await h.start({ platforms: { slack: { streaming: 'edit' } } });
    const events = `${h.t.url}/slack/events`;
    const root = nextTs();
    await postSigned(events, JSON.stringify(messageEvent({ text: '<@UBOT> trace and rate', ts: root, mention: true })));
    await eventually(() => expect(h.slack.thread('C1', root).at(-1)?.text ?? '').toMatch(/^You said/), 10_000);
    await h.t.sb.chat.idle();
    const conversation = await h.t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel: 'C1', thread: root });
    const [run] = await h.t.sb.engine.runs.list(conversation!.thread_id);
    expect(langsmith.runs.get(run!.run_id)?.parent_run_id ?? null).toBeNull();
    const answer = h.slack.thread('C1', root).at(-1)!;
    const actionId = JSON.stringify(answer.blocks).match(/sb_feedback:[0-9a-f-]+:[0-9a-f-]+/)![0];
    const vote = (value: string) =>
      postSigned(events, feedbackClick({ actionId, value, messageTs: answer.ts, threadTs: root }), { contentType: 'application/x-www-form-urlencoded' });

    // LangSmith answers the first try with a 503: the feedback is sent again.
    langsmith.feedbackFailures.push(503);
    await vote('positive');
    const id = feedbackIdOf(run!.run_id, 'slack:T1:U1', 'user_score');
    await eventually(() => expect(langsmith.feedback.get(id)).toBeDefined(), 10_000);
    expect(langsmith.feedback.get(id)).toMatchObject({
      run_id: run!.run_id,
      trace_id: run!.run_id,
      key: 'user_score',
      score: 1,
      feedback_source: { type: 'app', metadata: { user: 'slack:T1:U1' } },
    });
    expect(langsmith.requests.filter((request) => request === 'POST /feedback')).toHaveLength(2);
    expect(langsmith.apiKeys).toEqual(new Set(['lsv2-local-test']));

    await vote('negative');
    await eventually(() => expect(langsmith.feedback.get(id)?.score).toBe(0), 10_000);
    expect(langsmith.requests).toContain(`PATCH /feedback/${id}`);
    expect(langsmith.feedback.size).toBe(1);
    // What LangSmith got is what Switchboard keeps.
    await h.t.sb.engine.feedback.flush();
    expect(await h.t.sb.engine.feedback.list(conversation!.thread_id, run!.run_id)).toEqual([{ key: 'user_score', score: 0, user: 'slack:T1:U1', at: expect.any(String) }]);
  });
});
