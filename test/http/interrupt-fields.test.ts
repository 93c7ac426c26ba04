import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('a pending interrupt, as the Platform lists it through the SDK', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.dispose());

  it('carries when "during", resumable and the namespace of the task that asked, in the state and on the thread', async () => {
    const { client } = server;
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, 'review', { input: { messages: [{ role: 'user', content: 'ship it' }] } });

    const state = await client.threads.getState(thread.thread_id);
    expect(state.next).toEqual(['review']);
    const [task] = state.tasks;
    const expected = {
      id: expect.any(String),
      value: expect.objectContaining({ action_requests: expect.any(Array) }),
      when: 'during',
      resumable: true,
      ns: [`review:${task!.id}`],
    };
    expect(task!.interrupts).toEqual([expected]);

    const stored = await client.threads.get(thread.thread_id);
    expect(stored.status).toBe('interrupted');
    expect(stored.interrupts).toEqual({ [task!.id]: [expected] });

    const resumed = await client.runs.wait(thread.thread_id, 'review', { command: { resume: { decisions: [{ type: 'approve' }] } } });
    expect(resumed).toMatchObject({ messages: expect.arrayContaining([expect.objectContaining({ content: 'send_email: approve' })]) });
    expect((await client.threads.get(thread.thread_id)).interrupts).toEqual({});
  });
});
