import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncomingAction, Place, PromptView } from '../../src/chat/types.ts';
import { eventually, startTestChat, type TestChat } from '../helpers/chat.ts';

describe('chat: interrupts as prompts', () => {
  let t: TestChat;
  beforeEach(async () => {
    t = await startTestChat({ assistant: 'approver' });
  });
  afterEach(async () => t.dispose());

  const promptIn = (place: Place): PromptView => {
    const found = t.adapter.in(place).find((entry) => entry.message.prompt);
    if (!found) throw new Error('no prompt yet');
    return found.message.prompt!;
  };
  const click = async (place: Place, user: string, label: string, name = user) => {
    const prompt = promptIn(place);
    const whispers: string[] = [];
    const action: IncomingAction = {
      place,
      user: { id: user, name },
      promptId: prompt.promptId,
      optionIndex: prompt.options.findIndex((option) => option.label === label),
      replyPrivately: async (text) => void whispers.push(text),
    };
    await t.chat.handleAction(action);
    return whispers;
  };

  async function ask(options: Parameters<TestChat['say']>[1] = {}) {
    const place = await t.say('publish the release notes', options);
    await t.chat.idle();
    await eventually(() => promptIn(place));
    return place;
  }

  it('renders an interrupt as a question with its options, and a click resumes the run and shows who chose what', async () => {
    const place = await ask();
    const prompt = promptIn(place);
    expect(prompt.question).toContain('Approve this action?');
    expect(prompt.options.map((option) => option.label)).toEqual(['Approve', 'Reject', 'Edit']);
    expect(prompt.options[0]!.style).toBe('primary');
    expect(await click(place, 'U2', 'Approve', 'bo')).toEqual([]);
    await t.chat.idle();
    await eventually(() => expect(promptIn(place).answered).toEqual({ by: 'bo', choice: 'Approve' }));
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toBe('Approved. Sent this to the team: "publish the release notes"'));
    expect(t.adapter.statuses.filter((status) => status.busy)).toHaveLength(2);
  });

  it('a second click, even after a restart, is told who answered and resumes nothing', async () => {
    const place = await ask();
    await click(place, 'U2', 'Reject', 'bo');
    await t.chat.idle();
    const conversation = await t.chat.conversations.find(place);
    const runsAfterFirst = (await t.engine.runs.list(conversation!.thread_id)).length;
    expect(await click(place, 'U3', 'Approve', 'cy')).toEqual(['Already answered by bo (Reject).']);
    await t.restart();
    expect(await click(place, 'U3', 'Approve', 'cy')).toEqual(['Already answered by bo (Reject).']);
    await t.chat.idle();
    expect(await t.engine.runs.list(conversation!.thread_id)).toHaveLength(runsAfterFirst);
  });

  it('two simultaneous clicks resume once', async () => {
    const place = await ask();
    const [a, b] = await Promise.all([click(place, 'U2', 'Approve', 'bo'), click(place, 'U3', 'Reject', 'cy')]);
    await t.chat.idle();
    expect([...a, ...b]).toHaveLength(1);
    const conversation = await t.chat.conversations.find(place);
    expect(await t.engine.runs.list(conversation!.thread_id)).toHaveLength(2);
  });

  it('a prompt limited to the person who asked refuses others privately', async () => {
    await t.dispose();
    t = await startTestChat({ assistant: 'approver', prompt_answerers: 'starter' });
    const place = await ask({ user: 'U1' });
    expect(await click(place, 'U2', 'Approve', 'bo')).toEqual(['Only the person who asked can answer this.']);
    expect(promptIn(place).answered).toBeUndefined();
    expect(await click(place, 'U1', 'Approve', 'ana')).toEqual([]);
    await t.chat.idle();
    await eventually(() => expect(promptIn(place).answered?.by).toBe('ana'));
  });

  it('a prompt limited to listed users or roles', async () => {
    await t.dispose();
    t = await startTestChat({ assistant: 'approver', prompt_answerers: ['U-LEAD', 'admins'] });
    const place = await ask();
    expect(await click(place, 'U1', 'Approve')).toEqual(['Only U-LEAD, admins can answer this.']);
    const prompt = promptIn(place);
    const whispers: string[] = [];
    await t.chat.handleAction({
      place,
      user: { id: 'U7', name: 'dee', roles: ['admins'] },
      promptId: prompt.promptId,
      optionIndex: 0,
      replyPrivately: async (x) => void whispers.push(x),
    });
    expect(whispers).toEqual([]);
    // Allowed by role: the run resumes with the choice, and the prompt shows who chose.
    await t.chat.idle();
    await eventually(() => expect(promptIn(place).answered).toEqual({ by: 'dee', choice: 'Approve' }));
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toBe('Approved. Sent this to the team: "publish the release notes"'));
    const conversation = await t.chat.conversations.find(place);
    const runs = await t.engine.runs.list(conversation!.thread_id);
    expect(runs.map((run) => run.status)).toEqual(['success', 'interrupted']);
  });

  it('a typed reply answers a prompt that allows free text', async () => {
    const place = await ask();
    await t.say('post the changelog instead', { thread: place.thread!, mention: false });
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toBe('Edited and approved. Sent this to the team: "post the changelog instead"'));
    expect(promptIn(place).answered).toEqual({ by: 'ana', choice: 'post the changelog instead' });
  });

  it('switching assistants with a question pending drops the question (its message says so and by whom); the next message goes to the new assistant', async () => {
    const place = await ask();
    await t.say('use talker', { thread: place.thread!, mention: true, name: 'bo', user: 'U2' });
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toContain('The pending question was dropped.'));
    await eventually(() => expect(promptIn(place).answered).toEqual({ by: '—', choice: 'dropped by bo: switched to talker' }));
    await t.say('one', { thread: place.thread!, mention: false });
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place).at(-1)).not.toBe('…'));
    const last = t.adapter.texts(place).at(-1)!;
    expect(last).not.toContain('approved');
    expect(last).not.toContain('Sent this to the team');
    const conversation = await t.chat.conversations.find(place);
    const runs = await t.engine.runs.list(conversation!.thread_id);
    const talker = (await t.engine.assistants.findByIdOrName('talker'))!;
    expect(runs[0]).toMatchObject({ assistant_id: talker.assistant_id, status: 'success' });
    // Clicking the dropped question resumes nothing.
    expect(await click(place, 'U3', 'Approve', 'cy')).toEqual(['This question is no longer pending.']);
  });

  it('prompts survive a restart: a click after it resumes the run', async () => {
    const place = await ask();
    await t.restart();
    expect(await click(place, 'U2', 'Approve', 'bo')).toEqual([]);
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toContain('Approved.'));
  });

  it('a click on a question the graph no longer asks is refused as stale', async () => {
    const place = await ask();
    const conversation = await t.chat.conversations.find(place);
    await t.engine.runs.wait(conversation!.thread_id, { assistant_id: 'approval', command: { resume: 'reject' } });
    expect(await click(place, 'U2', 'Approve')).toEqual(['This question is no longer pending.']);
    await eventually(() => expect(promptIn(place).answered?.choice).toBe('no longer pending'));
  });

  it("LangChain's human-in-the-loop request (action_requests, review_configs) becomes Approve / Edit (a form) / Reject buttons; a click resumes with decisions, a typed reason rejects", async () => {
    await t.dispose();
    t = await startTestChat({ assistant: 'inbox' }, { assistants: [{ name: 'inbox', graph: 'review' }] });
    const place = await ask();
    const prompt = promptIn(place);
    expect(prompt.question).toContain('Send the launch email?');
    expect(prompt.question).toContain('"subject": "Launch day"');
    expect(prompt.options.map((option) => [option.label, Boolean(option.form)])).toEqual([
      ['Approve', false],
      ['Edit', true],
      ['Reject', false],
    ]);
    expect(prompt.allowFreeText).toBe(true);
    await click(place, 'U2', 'Approve', 'bo');
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toBe('send_email: approve'));

    const second = await ask();
    await t.say('not on a Friday', { thread: second.thread!, mention: false });
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(second).at(-1)).toBe('send_email: reject'));
    const conversation = await t.chat.conversations.find(second);
    const [resumed] = await t.engine.runs.list(conversation!.thread_id);
    expect(resumed!.kwargs.command).toEqual({ resume: { decisions: [{ type: 'reject', message: 'not on a Friday' }] } });
  });

  it('a plain string interrupt is asked as its text, and a typed reply resumes the run with that text', async () => {
    await t.dispose();
    t = await startTestChat({ assistant: 'budget' }, { assistants: [{ name: 'budget', graph: 'asker', config: { configurable: { ask: 'What is the budget?' } } }] });
    const place = await ask();
    const prompt = promptIn(place);
    expect(prompt).toMatchObject({ question: 'What is the budget?', options: [], allowFreeText: true });
    await t.say('5k', { thread: place.thread!, mention: false });
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toBe('Got: "5k"'));
    expect(promptIn(place).answered).toEqual({ by: 'ana', choice: '5k' });
  });

  it("a prompt's own `answerers` overrides chat.prompt_answerers: others are refused, a listed user's click resumes the run", async () => {
    await t.dispose();
    const deployQuestion = { question: 'Deploy now?', options: ['Yes', 'No'], answerers: ['U-OPS'] };
    t = await startTestChat(
      { assistant: 'deployer', prompt_answerers: 'anyone' },
      { assistants: [{ name: 'deployer', graph: 'asker', config: { configurable: { ask: deployQuestion } } }] },
    );
    const place = await t.say('ship it', { user: 'U1' });
    await t.chat.idle();
    await eventually(() => promptIn(place));
    expect(await click(place, 'U1', 'Yes', 'ana')).toEqual(['Only U-OPS can answer this.']);
    expect(promptIn(place).answered).toBeUndefined();
    expect(await click(place, 'U-OPS', 'No', 'ops')).toEqual([]);
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toBe('Got: "No"'));
    expect(promptIn(place).answered).toEqual({ by: 'ops', choice: 'No' });
  });

  it("LangGraph's HumanInterrupt becomes Accept / Edit / Respond / Ignore buttons (Edit and Respond open forms) and a typed response", async () => {
    const place = await t.say('use reviewer');
    await t.say('go', { thread: place.thread! });
    await t.chat.idle();
    await eventually(() => promptIn(place));
    const prompt = promptIn(place);
    expect(prompt.question).toContain('Send the launch email?');
    expect(prompt.question).toContain('team@example.com');
    expect(prompt.options.map((option) => [option.label, Boolean(option.form)])).toEqual([
      ['Accept', false],
      ['Edit', true],
      ['Respond', true],
      ['Ignore', false],
    ]);
    expect(prompt.allowFreeText).toBe(true);
    await click(place, 'U1', 'Accept');
    await t.chat.idle();
    await eventually(() => expect(t.adapter.texts(place).at(-1)).toBe('review ended: accept'));
    const conversation = await t.chat.conversations.find(place);
    expect((await t.engine.threads.getState(conversation!.thread_id)).values.outcome).toBe('accept:null');

    await t.say('go again', { thread: place.thread! });
    await t.chat.idle();
    await t.say('{"to": "ceo@example.com", "subject": "Launch"}', { thread: place.thread!, mention: false });
    await t.chat.idle();
    await eventually(async () =>
      expect((await t.engine.threads.getState(conversation!.thread_id)).values.outcome).toBe('edit:{"action":"send_email","args":{"to":"ceo@example.com","subject":"Launch"}}'),
    );
  });
});
