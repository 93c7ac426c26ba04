import { describe, expect, it } from 'vitest';
import { parseFeedbackActionId } from '../../src/chat/feedback.ts';
import { assistantMessageEvent, assistantThreadEvent, feedbackClick } from '../fakes/slack-assistant.ts';
import { blockProblems } from '../fakes/slack-blocks.ts';
import { messageEvent, postSigned } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { tsCounter, useSlackHarness } from '../helpers/slack.ts';

const nextTs = tsCounter(1_760_000_000);

const FIVE_PROMPTS = [1, 2, 3, 4, 5].map((n) => ({ title: `Idea ${n}`, message: `Tell me about idea ${n}` }));

/** Assistants with descriptions: the default one offers its own prompts (five, one more than Slack allows). */
const ASSISTANTS = [
  { name: 'talker', graph: 'chat', description: 'Talks with you.', config: { configurable: { suggested_prompts: FIVE_PROMPTS } } },
  { name: 'plain', graph: 'chat', description: 'A chat assistant with no prompts of its own.' },
  { name: 'slowtalker', graph: 'chat', description: 'Talks slowly (streams).', config: { configurable: { token_delay_ms: 30 } } },
  { name: 'approver', graph: 'approval' },
  { name: 'tweet', graph: 'writer', description: 'Writes a tweet about your topic.', config: { configurable: { style: 'tweet', max_chars: 280 } } },
];

interface FeedbackElement {
  type: string;
  action_id: string;
  positive_button: { value: string };
  negative_button: { value: string };
}

describe("Slack's AI-app surface through the real Bolt app (HTTP mode)", () => {
  const h = useSlackHarness('http');
  const events = () => `${h.t.url}/slack/events`;
  const send = (body: unknown) => postSigned(events(), JSON.stringify(body));
  const click = (body: string) => postSigned(events(), body, { contentType: 'application/x-www-form-urlencoded' });
  const feedbackOf = async (threadId: string, runId: string) => {
    const response = await fetch(`${h.t.url}/threads/${threadId}/runs/${runId}/feedback`, { headers: { accept: 'application/json' } });
    return { status: response.status, body: (await response.json()) as unknown };
  };
  const conversationOf = (channel: string, thread: string) => h.t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel, thread });

  it("an opened assistant thread is greeted once, offered its assistant's first 4 prompts, named by its first message; the viewed channel reaches the run", async () => {
    await h.start({ assistants: ASSISTANTS });
    h.slack.assistantChannels.add('D1');
    const thread = nextTs();
    const started = assistantThreadEvent({ channel: 'D1', threadTs: thread, viewing: 'C7' });
    expect((await send(started)).status).toBe(200);
    await eventually(() => expect(h.slack.thread('D1', thread)).toHaveLength(1));
    const greeting = h.slack.thread('D1', thread)[0]!;
    expect(greeting.text).toBe("Hi ana! You're talking to *talker*: Talks with you. Ask me anything, or pick a suggestion.");
    await eventually(() => expect(h.slack.assistantThreads.prompts.get(`D1:${thread}`)).toEqual({ prompts: FIVE_PROMPTS.slice(0, 4) }));
    // Slack retries the event (another delivery of it, or the same thread again): still one greeting.
    await send({ ...started, event_id: 'EvRetry1' });
    await send(assistantThreadEvent({ channel: 'D1', threadTs: thread, viewing: 'C7' }));
    // The person looks at another channel while the pane is open.
    await send(assistantThreadEvent({ channel: 'D1', threadTs: thread, viewing: 'C9', kind: 'context_changed' }));

    const question = 'How do we deploy on Fridays when half of the team is away and the release train has already left the station?';
    await send(assistantMessageEvent({ channel: 'D1', threadTs: thread, ts: nextTs(), text: question }));
    // Slack titles show a line: the first message, cut at 80 characters.
    await eventually(() => expect(h.slack.assistantThreads.titles.get(`D1:${thread}`)).toBe(`${question.slice(0, 79)}…`), 10_000);
    await eventually(() => expect(h.slack.thread('D1', thread).at(-1)?.text ?? '').toMatch(/^You said/), 10_000);
    await send(assistantMessageEvent({ channel: 'D1', threadTs: thread, ts: nextTs(), text: 'and on Mondays?' }));
    await eventually(() => expect(h.slack.thread('D1', thread).at(-1)?.text ?? '').toContain('and on Mondays?'), 10_000);
    await h.t.sb.chat.idle();
    expect(h.slack.callsOf('assistant.threads.setTitle')).toHaveLength(1);
    // Everything said in the thread has been delivered (a second greeting would have come before the answers): one greeting, one set of prompts.
    await eventually(() => expect(h.t.sb.chat.outbox.pendingCount()).toBe(0));
    expect(h.slack.thread('D1', thread).filter((message) => message.text.startsWith('Hi ana!'))).toHaveLength(1);
    expect(h.slack.callsOf('assistant.threads.setSuggestedPrompts').filter((call) => call.args.channel_id === 'D1')).toHaveLength(1);
    // While it works: "is thinking…" in the assistant thread, cleared after.
    const statuses = h.slack.callsOf('assistant.threads.setStatus').map((call) => call.args.status);
    expect([statuses[0], statuses.at(-1)]).toEqual(['is thinking…', '']);
    const conversation = await conversationOf('D1', thread);
    const runs = await h.t.sb.engine.runs.list(conversation!.thread_id);
    expect(runs.map((run) => run.kwargs.config?.configurable?.assistant_context)).toEqual([
      { channel_id: 'C9', team_id: 'T1', enterprise_id: null },
      { channel_id: 'C9', team_id: 'T1', enterprise_id: null },
    ]);
  });

  it('without prompts of its own, an assistant thread offers the other assistants by their descriptions; a click switches to one', async () => {
    await h.start({ assistants: ASSISTANTS, chat: { assistant: 'plain' } });
    h.slack.assistantChannels.add('D2');
    const thread = nextTs();
    await send(assistantThreadEvent({ channel: 'D2', threadTs: thread }));
    await eventually(() =>
      expect(h.slack.assistantThreads.prompts.get(`D2:${thread}`)?.prompts).toEqual([
        { title: 'slowtalker: Talks slowly (streams).', message: 'use slowtalker' },
        { title: 'talker: Talks with you.', message: 'use talker' },
        { title: 'tweet: Writes a tweet about your topic.', message: 'use tweet' },
      ]),
    );
    expect(h.slack.thread('D2', thread)[0]!.text).toBe("Hi ana! You're talking to *plain*: A chat assistant with no prompts of its own. Ask me anything, or pick a suggestion.");
    // Clicking a suggested prompt sends its message, as the person's own.
    await send(assistantMessageEvent({ channel: 'D2', threadTs: thread, ts: nextTs(), text: 'use tweet' }));
    await eventually(() => expect(h.slack.thread('D2', thread).at(-1)?.text ?? '').toContain('Now using *tweet*'));
  });

  it("outside Slack's assistant threads the greeting still goes out; the suggested prompts Slack refuses there are only logged", async () => {
    await h.start({ assistants: ASSISTANTS });
    const thread = nextTs();
    const refused = h.slack.nextCall((call) => call.method === 'assistant.threads.setSuggestedPrompts');
    await send(assistantThreadEvent({ channel: 'D-not-assistant', threadTs: thread }));
    // The prompts are refused (invalid_channel_type) and only logged.
    await eventually(() => expect(h.slack.thread('D-not-assistant', thread)).toHaveLength(1));
    expect((await refused).args).toMatchObject({ channel_id: 'D-not-assistant', thread_ts: thread });
    expect(h.slack.assistantThreads.prompts.get(`D-not-assistant:${thread}`)).toBeUndefined();
  });

  it('a final answer carries valid feedback buttons; clicks are stored with the run as slack:<team>:<user>, one vote per person, readable over the API', async () => {
    await h.start({ assistants: ASSISTANTS, platforms: { slack: { streaming: 'edit' } } });
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> rate me', ts: root, mention: true }));
    await eventually(() => expect(h.slack.thread('C1', root).at(-1)?.text ?? '').toMatch(/^You said: "rate me"/), 10_000);
    await h.t.sb.chat.idle();
    const answer = h.slack.thread('C1', root).at(-1)!;
    expect(blockProblems(answer.blocks)).toEqual([]);
    const blocks = answer.blocks as Array<{ type: string; text?: { text: string }; elements?: FeedbackElement[] }>;
    expect(blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(blocks[0]!.text!.text).toBe(answer.text);
    const feedbackBlock = blocks.at(-1)!;
    expect(feedbackBlock.type).toBe('context_actions');
    const element = feedbackBlock.elements![0]!;
    expect(element).toMatchObject({ type: 'feedback_buttons', positive_button: { value: 'positive' }, negative_button: { value: 'negative' } });
    const conversation = await conversationOf('C1', root);
    const [run] = await h.t.sb.engine.runs.list(conversation!.thread_id);
    expect(parseFeedbackActionId(element.action_id)).toEqual({ threadId: conversation!.thread_id, runId: run!.run_id });

    const vote = (value: string, user = 'U1') => click(feedbackClick({ actionId: element.action_id, value, messageTs: answer.ts, threadTs: root, user }));
    const ephemeralTo = (user: string) => h.slack.callsOf('chat.postEphemeral').filter((call) => call.args.user === user);
    expect((await vote('positive')).status).toBe(200);
    await eventually(() => expect(ephemeralTo('U1').at(-1)?.args.text).toBe('Thanks for the feedback (👍).'));
    const first = await feedbackOf(conversation!.thread_id, run!.run_id);
    expect(first).toEqual({ status: 200, body: [{ key: 'user_score', score: 1, user: 'slack:T1:U1', at: expect.any(String) }] });
    // A second click changes the vote; it does not add one.
    await vote('negative');
    await eventually(() => expect(ephemeralTo('U1').at(-1)?.args.text).toBe('Changed your vote to 👎.'));
    await vote('positive', 'U2');
    await eventually(() => expect(ephemeralTo('U2').at(-1)?.args.text).toBe('Thanks for the feedback (👍).'));
    const votes = (await feedbackOf(conversation!.thread_id, run!.run_id)).body as Array<{ user: string; score: number }>;
    expect(votes.map((each) => [each.user, each.score])).toEqual([
      ['slack:T1:U1', 0],
      ['slack:T1:U2', 1],
    ]);
    // A click naming a run that is not there records nothing, and says so.
    const stale = `sb_feedback:${conversation!.thread_id}:${crypto.randomUUID()}`;
    await click(feedbackClick({ actionId: stale, value: 'positive', messageTs: answer.ts, threadTs: root, user: 'U3' }));
    await eventually(() => expect(ephemeralTo('U3').at(-1)?.args.text).toBe('That answer is no longer on record here, so your vote was not kept.'));
    expect(await feedbackOf(conversation!.thread_id, stale.split(':')[2]!)).toMatchObject({ status: 404 });
    expect(((await feedbackOf(conversation!.thread_id, run!.run_id)).body as unknown[]).length).toBe(2);
  });

  it('a natively streamed answer gets its feedback buttons at chat.stopStream; a question from the graph gets none', async () => {
    await h.start({ assistants: ASSISTANTS, chat: { assistant: 'slowtalker' } });
    h.slack.assistantChannels.add('C-AI');
    const root = nextTs();
    await send(messageEvent({ channel: 'C-AI', text: '<@UBOT> stream and rate', ts: root, mention: true }));
    await eventually(() => expect(h.slack.callsOf('chat.stopStream').length).toBeGreaterThan(0), 10_000);
    await h.t.sb.chat.idle();
    const stop = h.slack.callsOf('chat.stopStream').at(-1)!;
    expect(blockProblems(stop.args.blocks)).toEqual([]);
    expect(stop.args.blocks).toEqual([expect.objectContaining({ type: 'context_actions', elements: [expect.objectContaining({ type: 'feedback_buttons' })] })]);
    expect(h.slack.thread('C-AI', root).at(-1)!.text).toMatch(/^You said: "stream and rate"/);

    // A question from the graph is not a final answer: its message has buttons to answer, no feedback.
    const asking = nextTs();
    await send(messageEvent({ text: '<@UBOT> use approver', ts: asking, mention: true }));
    await eventually(() => expect(h.slack.thread('C1', asking).at(-1)?.text ?? '').toContain('approver'));
    await send(messageEvent({ text: 'ship it', ts: nextTs(), thread_ts: asking }));
    await eventually(() => expect(JSON.stringify(h.slack.thread('C1', asking).at(-1)?.blocks ?? [])).toContain('sb_prompt'), 10_000);
    await h.t.sb.chat.idle();
    expect(JSON.stringify(h.slack.thread('C1', asking).map((message) => message.blocks ?? []))).not.toContain('feedback_buttons');
  });
});
