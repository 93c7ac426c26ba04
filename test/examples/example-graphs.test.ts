import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configAssistantId } from '../../src/engine/assistants.ts';
import { configureChatModel, resolveProvider } from '../../src/graphs/models/chat-model.ts';
import { loadConfig } from '../../src/config/load.ts';
import { collect, startTestEngine, userMessage, type TestEngine } from '../helpers/engine.ts';
import { startFakeAnthropic } from '../fakes/anthropic.ts';
import { startFakeOpenAI } from '../fakes/openai.ts';

const defaults = loadConfig({ env: {} });

describe('example graphs on the default config', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    configureChatModel({ provider: 'offline' });
    engine = await startTestEngine({ assistants: defaults.assistants });
  });
  afterAll(async () => engine.dispose());

  const lastMessage = (values: Record<string, unknown> | null) => (values!.messages as Array<{ content: string }>).at(-1)!.content;

  it('the blog and tweet assistants run the same writer graph and write differently', async () => {
    const blog = await engine.runs.wait(null, { assistant_id: configAssistantId('blog'), input: userMessage('remote onboarding for new engineers') });
    const tweet = await engine.runs.wait(null, { assistant_id: configAssistantId('tweet'), input: userMessage('remote onboarding for new engineers') });
    expect((await engine.assistants.get(configAssistantId('blog'))).graph_id).toBe('writer');
    expect((await engine.assistants.get(configAssistantId('tweet'))).graph_id).toBe('writer');
    const post = lastMessage(blog.outcome.values);
    const short = lastMessage(tweet.outcome.values);
    expect(post).toMatch(/^# Remote onboarding/);
    expect(post.length).toBeGreaterThan(280);
    expect(short.length).toBeLessThanOrEqual(280);
    expect(short).toContain('#');
    expect(short).not.toBe(post);
  });

  it('switching assistant on the same thread keeps the conversation', async () => {
    const thread = await engine.threads.create();
    await engine.runs.wait(thread.thread_id, { assistant_id: configAssistantId('assistant'), input: userMessage('first thought') });
    const { outcome } = await engine.runs.wait(thread.thread_id, { assistant_id: configAssistantId('tweet'), input: userMessage('second thought') });
    const messages = outcome.values!.messages as Array<{ content: string }>;
    expect(messages.map((message) => message.content)).toContain('first thought');
    expect((await engine.threads.get(thread.thread_id)).metadata.assistant_id).toBe(configAssistantId('tweet'));
  });

  it('the approval graph asks with options and acts on approve, reject and a free-text edit', async () => {
    for (const [answer, expected] of [
      ['approve', 'Approved. Sent this to the team: "post the release notes"'],
      ['reject', 'Rejected: nothing was sent.'],
      ['please post the changelog', 'Edited and approved. Sent this to the team: "please post the changelog"'],
    ] as const) {
      const thread = await engine.threads.create();
      const asked = await engine.runs.wait(thread.thread_id, { assistant_id: configAssistantId('approver'), input: userMessage('post the release notes') });
      expect(asked.outcome.status).toBe('interrupted');
      const done = await engine.runs.wait(thread.thread_id, { assistant_id: configAssistantId('approver'), command: { resume: answer } });
      expect(lastMessage(done.outcome.values)).toBe(expected);
    }
  });

  it('the chat agent streams its offline answer token by token', async () => {
    const run = await engine.runs.create(null, { assistant_id: 'chat', input: userMessage('are you there?'), stream_mode: 'messages-tuple' });
    const tokens = (await collect(engine.runs.stream(run.thread_id, run.run_id)))
      .filter((event) => event.event === 'messages')
      .map((event) => (event.data as [{ content: string }])[0].content);
    expect(tokens.length).toBeGreaterThan(10);
    expect(tokens.join('')).toContain('You said: "are you there?"');
  });
});

describe('the chat agent with a real model configured', () => {
  let engine: TestEngine;
  let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
  beforeAll(async () => {
    fake = await startFakeOpenAI('Hello from a real model endpoint.');
  });
  afterAll(async () => fake.close());
  afterEach(async () => {
    await engine.dispose();
    configureChatModel({ provider: 'offline' });
  });

  it('uses an OpenAI-compatible endpoint and key when configured, streaming its tokens', async () => {
    configureChatModel({ provider: 'auto', base_url: fake.url, api_key: 'sk-local-test', name: 'test-model' }, {});
    engine = await startTestEngine();
    const run = await engine.runs.create(null, { assistant_id: 'chat', input: userMessage('hi model'), stream_mode: ['messages-tuple', 'values'] });
    const events = await collect(engine.runs.stream(run.thread_id, run.run_id));
    const tokens = events.filter((event) => event.event === 'messages').map((event) => (event.data as [{ content: string }])[0].content);
    expect(tokens.join('')).toBe('Hello from a real model endpoint.');
    expect(tokens.length).toBeGreaterThan(3);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.authorization).toBe('Bearer sk-local-test');
    expect(fake.requests[0]!.body.model).toBe('test-model');
    expect(fake.requests[0]!.body.messages.at(-1)).toMatchObject({ role: 'user', content: 'hi model' });
  });

  it('picks the real model from OPENAI_API_KEY in the environment with provider auto', async () => {
    configureChatModel({ provider: 'auto' }, { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: fake.url });
    engine = await startTestEngine();
    const { outcome } = await engine.runs.wait(null, { assistant_id: 'chat', input: userMessage('env key') });
    expect((outcome.values!.messages as Array<{ content: string }>).at(-1)!.content).toBe('Hello from a real model endpoint.');
    expect(fake.requests.at(-1)!.authorization).toBe('Bearer sk-env');
  });
});

describe('the chat agent with an Anthropic model', () => {
  let engine: TestEngine | undefined;
  let fake: Awaited<ReturnType<typeof startFakeAnthropic>>;
  beforeAll(async () => {
    fake = await startFakeAnthropic('Hello from Claude.');
  });
  afterAll(async () => fake.close());
  afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
    configureChatModel({ provider: 'offline' });
  });

  it('provider auto picks Anthropic from ANTHROPIC_API_KEY (OpenAI first when both are set), with ANTHROPIC_MODEL', () => {
    expect(resolveProvider({ provider: 'auto' }, { ANTHROPIC_API_KEY: 'sk-ant' })).toBe('anthropic');
    expect(resolveProvider({ provider: 'auto' }, { ANTHROPIC_API_KEY: 'sk-ant', OPENAI_API_KEY: 'sk' })).toBe('openai');
    expect(resolveProvider({ provider: 'auto' }, {})).toBe('offline');
    expect(resolveProvider({ provider: 'anthropic' }, {})).toBe('anthropic');
  });

  it('answers through the Anthropic Messages API with the key and model from the environment', async () => {
    configureChatModel({ provider: 'auto' }, { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_MODEL: 'claude-test-1', ANTHROPIC_BASE_URL: fake.url });
    engine = await startTestEngine();
    const { outcome } = await engine.runs.wait(null, { assistant_id: 'chat', input: userMessage('hi claude') });
    expect((outcome.values!.messages as Array<{ content: string }>).at(-1)!.content).toBe('Hello from Claude.');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.apiKey).toBe('sk-ant-test');
    expect(fake.requests[0]!.body.model).toBe('claude-test-1');
    expect(fake.requests[0]!.body.messages.at(-1)).toMatchObject({ role: 'user' });
    expect(JSON.stringify(fake.requests[0]!.body.messages.at(-1)!.content)).toContain('hi claude');
  });

  it("an assistant's `model: anthropic:<name>` picks Anthropic and that model, whatever the default", async () => {
    configureChatModel({ provider: 'offline' }, { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: fake.url });
    engine = await startTestEngine();
    const assistant = await engine.assistants.create({ graph_id: 'chat', config: { configurable: { model: 'anthropic:claude-other' } } });
    const { outcome } = await engine.runs.wait(null, { assistant_id: assistant.assistant_id, input: userMessage('which model?') });
    expect((outcome.values!.messages as Array<{ content: string }>).at(-1)!.content).toBe('Hello from Claude.');
    expect(fake.requests.at(-1)!.body.model).toBe('claude-other');
  });
});
