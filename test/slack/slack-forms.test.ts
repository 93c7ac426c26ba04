import { describe, expect, it } from 'vitest';
import { blockAction, messageEvent, postSigned } from '../fakes/slack.ts';
import { eventually } from '../helpers/chat.ts';
import { formsConfig } from '../helpers/forms.ts';
import { tsCounter, useSlackHarness } from '../helpers/slack.ts';

const nextTs = tsCounter(1_760_000_000);
const FORM = 'application/x-www-form-urlencoded';

type Button = { action_id: string; text: { text: string } };

describe('Slack forms: interrupts answered in modals (HTTP mode, real Bolt, strict fake views.open)', () => {
  const h = useSlackHarness('http');
  const events = () => `${h.t.url}/slack/events`;
  const lastText = (thread: string) => h.slack.thread('C1', thread).at(-1)?.text ?? '';

  async function ask(assistant: string, chat: Record<string, unknown> = {}, user = 'U1') {
    await h.start(formsConfig({ assistant, ...chat }));
    const root = nextTs();
    await postSigned(events(), JSON.stringify(messageEvent({ text: '<@UBOT> ship the release', ts: root, mention: true, user })));
    await eventually(() => expect(h.slack.thread('C1', root).some((message) => message.blocks)).toBe(true), 10_000);
    const prompt = h.slack.thread('C1', root).find((message) => message.blocks)!;
    const buttons = ((prompt.blocks as Array<{ type: string; elements?: Button[] }>).find((block) => block.type === 'actions')?.elements ?? []) as Button[];
    return { root, prompt, buttons };
  }
  const button = (buttons: Button[], label: string) => buttons.find((candidate) => candidate.text.text === label)!;
  /** A click with a trigger_id the fake issued now; resolves with the view it opened, if any, once views.open has answered. */
  async function clickForm(o: { root: string; messageTs: string; actionId: string; user: string; triggerAgeMs?: number }) {
    const before = h.slack.views.opened.length;
    const calls = h.slack.callsOf('views.open').length;
    const triggerId = h.slack.views.issueTrigger(o.user, o.triggerAgeMs);
    const response = await postSigned(events(), blockAction({ actionId: o.actionId, user: o.user, messageTs: o.messageTs, threadTs: o.root, triggerId }), { contentType: FORM });
    expect(response.status).toBe(200);
    return { before, calls };
  }
  const openedView = async (before: number) => {
    await eventually(() => expect(h.slack.views.opened.length).toBe(before + 1));
    return h.slack.views.opened.at(-1)!;
  };
  const submit = (viewId: string, fill: Record<string, string>, user?: string) => postSigned(events(), h.slack.views.submission(viewId, fill, user), { contentType: FORM });
  const runsOf = async (root: string) => {
    const conversation = await h.t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel: 'C1', thread: root });
    return h.t.sb.engine.runs.list(conversation!.thread_id);
  };
  const threadValues = async (root: string) => {
    const conversation = await h.t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel: 'C1', thread: root });
    return (await h.t.sb.engine.threads.getState(conversation!.thread_id)).values as Record<string, unknown>;
  };

  it("the approval's Edit opens a modal prefilled with the text (views.open with the click's trigger_id); the submission resumes with { action: 'edit', text }", async () => {
    const { root, prompt, buttons } = await ask('approver');
    expect(buttons.map((candidate) => candidate.text.text)).toEqual(['Approve', 'Reject', 'Edit']);
    expect(button(buttons, 'Edit').action_id).toMatch(/^sb_form:/);
    const { before } = await clickForm({ root, messageTs: prompt.ts, actionId: button(buttons, 'Edit').action_id, user: 'U2' });
    const opened = await openedView(before);
    expect(h.slack.callsOf('views.open').at(-1)!.args.trigger_id).toBe(opened.triggerId);
    expect(opened.view).toMatchObject({ type: 'modal', callback_id: 'sb_form', title: { text: 'Edit' }, submit: { text: 'Save' } });
    expect(h.slack.views.inputs(opened.id)).toEqual([
      { blockId: 'f0', label: 'What to send', element: expect.objectContaining({ type: 'plain_text_input', multiline: true, initial_value: 'ship the release' }) },
    ]);
    const answered = await submit(opened.id, { 'What to send': 'ship it on Friday' });
    expect(answered.status).toBe(200);
    expect(await answered.text()).toBe('');
    await eventually(() => expect(lastText(root)).toBe('Edited and approved. Sent this to the team: "ship it on Friday"'), 10_000);
    const edited = h.slack.thread('C1', root).find((message) => message.ts === prompt.ts)!;
    expect(JSON.stringify(edited.blocks)).toContain('*bo* chose *Edit (text: ship it on Friday)*');
    expect(JSON.stringify(edited.blocks)).not.toContain('"actions"');
  });

  it('a form interrupt (text, textarea, select): a missing required field comes back as response_action errors and resumes nothing; the fixed form resumes with { name: value }', async () => {
    const { root, prompt, buttons } = await ask('trip');
    expect(buttons.map((candidate) => candidate.text.text)).toEqual(['Answer']);
    const { before } = await clickForm({ root, messageTs: prompt.ts, actionId: buttons[0]!.action_id, user: 'U1' });
    const opened = await openedView(before);
    expect((opened.view.blocks as Array<{ type: string; text?: { text: string } }>)[0]).toEqual({
      type: 'section',
      block_id: 'intro',
      text: { type: 'mrkdwn', text: 'Book the trip?' },
    });
    const inputs = h.slack.views.inputs(opened.id);
    expect(inputs.map((input) => [input.label, input.element.type, input.element.multiline ?? null])).toEqual([
      ['City', 'plain_text_input', false],
      ['Notes', 'plain_text_input', true],
      ['Class', 'static_select', null],
    ]);
    expect((inputs[2]!.element.options as Array<{ text: { text: string }; value: string }>).map((option) => [option.text.text, option.value])).toEqual([
      ['economy', 'economy'],
      ['Business class', 'business'],
    ]);
    const refused = await submit(opened.id, { City: '  ', Class: 'business' });
    expect(refused.status).toBe(200);
    expect(await refused.json()).toEqual({ response_action: 'errors', errors: { f0: 'City is needed' } });
    await h.t.sb.chat.idle();
    expect(await runsOf(root)).toHaveLength(1);
    const fixed = await submit(opened.id, { City: 'Oslo', Class: 'Business class' });
    expect(await fixed.text()).toBe('');
    await eventually(() => expect(lastText(root)).toBe('Got: {"city":"Oslo","notes":"","class":"business"}'), 10_000);
    expect(await runsOf(root)).toHaveLength(2);
  });

  it('an Agent Inbox HumanInterrupt: Accept / Edit / Respond / Ignore; Edit is prefilled with the arguments and resumes [{ type: edit, args: { action, args } }]', async () => {
    const { root, prompt, buttons } = await ask('inbox');
    expect(buttons.map((candidate) => candidate.text.text)).toEqual(['Accept', 'Edit', 'Respond', 'Ignore']);
    expect(buttons.map((candidate) => candidate.action_id.split(':')[0])).toEqual(['sb_prompt', 'sb_form', 'sb_form', 'sb_prompt']);
    const { before } = await clickForm({ root, messageTs: prompt.ts, actionId: button(buttons, 'Edit').action_id, user: 'U1' });
    const opened = await openedView(before);
    expect(opened.view.title).toMatchObject({ text: 'Edit send_email' });
    expect(h.slack.views.inputs(opened.id).map((input) => [input.label, input.element.initial_value])).toEqual([
      ['to', 'team@example.com'],
      ['subject', 'Launch'],
    ]);
    await submit(opened.id, { subject: 'Launch day' });
    await eventually(() => expect(lastText(root)).toBe('review ended: edit'), 10_000);
    expect((await threadValues(root)).outcome).toBe('edit:{"action":"send_email","args":{"to":"team@example.com","subject":"Launch day"}}');
  });

  it("an Agent Inbox Respond opens a text form and resumes [{ type: 'response', args: text }]", async () => {
    const { root, prompt, buttons } = await ask('inbox');
    const { before } = await clickForm({ root, messageTs: prompt.ts, actionId: button(buttons, 'Respond').action_id, user: 'U1' });
    const opened = await openedView(before);
    expect(h.slack.views.inputs(opened.id).map((input) => [input.label, input.element.multiline])).toEqual([['Your response', true]]);
    await submit(opened.id, { 'Your response': 'not before Monday' });
    await eventually(() => expect(lastText(root)).toBe('review ended: response'), 10_000);
    expect((await threadValues(root)).outcome).toBe('response:"not before Monday"');
  });

  it('the same safety as buttons: someone not allowed gets no modal and is told privately; a second submit is told who answered, in the modal, and resumes nothing', async () => {
    const { root, prompt, buttons } = await ask('approver', { prompt_answerers: 'starter' });
    const edit = button(buttons, 'Edit').action_id;
    const stranger = await clickForm({ root, messageTs: prompt.ts, actionId: edit, user: 'U2' });
    await eventually(() => expect(h.slack.callsOf('chat.postEphemeral').at(-1)?.args).toMatchObject({ user: 'U2', text: 'Only the person who asked can answer this.' }));
    expect(h.slack.views.opened).toHaveLength(stranger.before);
    // The starter opens the form twice (two tabs): the first submission answers, the second is refused in place.
    const first = await openedView((await clickForm({ root, messageTs: prompt.ts, actionId: edit, user: 'U1' })).before);
    const second = await openedView((await clickForm({ root, messageTs: prompt.ts, actionId: edit, user: 'U1' })).before);
    await submit(first.id, { 'What to send': 'version one' });
    await eventually(() => expect(lastText(root)).toContain('version one'), 10_000);
    const again = await submit(second.id, { 'What to send': 'version two' });
    const body = (await again.json()) as { response_action: string; view: { blocks: Array<{ text: { text: string } }> } };
    expect(body.response_action).toBe('update');
    expect(body.view.blocks[0]!.text.text).toBe('Already answered by ana (Edit (text: version one)).');
    await h.t.sb.chat.idle();
    expect(await runsOf(root)).toHaveLength(2);
    expect(lastText(root)).toContain('version one');
  });

  it('a trigger_id older than 3 s is refused by Slack (the fake): no modal, and the person is told to click again', async () => {
    const { root, prompt, buttons } = await ask('trip');
    const { before } = await clickForm({ root, messageTs: prompt.ts, actionId: buttons[0]!.action_id, user: 'U1', triggerAgeMs: 3_500 });
    await eventually(() =>
      expect(h.slack.callsOf('chat.postEphemeral').at(-1)?.args).toMatchObject({ user: 'U1', text: 'The form took too long to open; click the button again.' }),
    );
    expect(h.slack.views.opened).toHaveLength(before);
    expect(h.slack.callsOf('views.open').at(-1)).toBeDefined();
  });

  it('measures the time from a click to views.open reaching Slack', async () => {
    const { root, prompt, buttons } = await ask('trip');
    const times: number[] = [];
    for (let i = 0; i < 20; i += 1) {
      const triggerId = h.slack.views.issueTrigger('U1');
      const started = performance.now();
      const opened = h.slack.nextCall((call) => call.method === 'views.open' && call.args.trigger_id === triggerId);
      await postSigned(events(), blockAction({ actionId: buttons[0]!.action_id, user: 'U1', messageTs: prompt.ts, threadTs: root, triggerId }), { contentType: FORM });
      times.push((await opened).hr - started);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    console.info(`click -> views.open (Slack, HTTP mode, 20 clicks): median ${median.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms`);
    // Slack's trigger lasts 3 s: every form opened well inside it, even on a loaded machine.
    expect(times.at(-1)!).toBeLessThan(3000);
    expect(h.slack.views.opened.length).toBeGreaterThanOrEqual(20);
  });
});

describe('Slack forms over Socket Mode', () => {
  const h = useSlackHarness('socket');

  it('a click in an interactive envelope opens the modal; the submission is acked with its field errors in the envelope, then resumes the run', async () => {
    await h.start(formsConfig({ assistant: 'trip' }));
    const root = nextTs();
    await h.slack.sendEnvelope('events_api', messageEvent({ text: '<@UBOT> book it', ts: root, mention: true }));
    await eventually(() => expect(h.slack.thread('C1', root).some((message) => message.blocks)).toBe(true), 10_000);
    const prompt = h.slack.thread('C1', root).find((message) => message.blocks)!;
    const actionId = ((prompt.blocks as Array<{ type: string; elements?: Button[] }>).find((block) => block.type === 'actions')!.elements as Button[])[0]!.action_id;
    const before = h.slack.views.opened.length;
    const click = JSON.parse(new URLSearchParams(blockAction({ actionId, messageTs: prompt.ts, threadTs: root, triggerId: h.slack.views.issueTrigger('U1') })).get('payload')!);
    await h.slack.sendEnvelope('interactive', click);
    await eventually(() => expect(h.slack.views.opened.length).toBe(before + 1));
    const opened = h.slack.views.opened.at(-1)!;
    expect(await h.slack.sendEnvelope('interactive', h.slack.views.submissionPayload(opened.id, { Class: 'economy' }))).toEqual({
      response_action: 'errors',
      errors: { f0: 'City is needed' },
    });
    await h.slack.sendEnvelope('interactive', h.slack.views.submissionPayload(opened.id, { City: 'Bergen', Class: 'economy' }));
    await eventually(() => expect(h.slack.thread('C1', root).at(-1)?.text).toBe('Got: {"city":"Bergen","notes":"","class":"economy"}'), 10_000);
  });
});
