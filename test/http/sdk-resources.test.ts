import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAssistantId } from '../../src/engine/assistants.ts';
import { userMessage } from '../helpers/engine.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/** Assistants, threads, store and crons through the official @langchain/langgraph-sdk client. */
describe('Platform API through the official SDK: resources', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.dispose());

  describe('assistants', () => {
    it('creates, reads, versions, restores and deletes an assistant', async () => {
      const { client } = server;
      const created = await client.assistants.create({ graphId: 'chat', name: 'helper', config: { configurable: { tone: 'dry' } }, metadata: { team: 'a' } });
      expect(created).toMatchObject({ graph_id: 'chat', name: 'helper', version: 1 });
      expect((await client.assistants.get(created.assistant_id)).config).toEqual({ configurable: { tone: 'dry' } });
      const updated = await client.assistants.update(created.assistant_id, { config: { configurable: { tone: 'warm' } } });
      expect(updated.version).toBe(2);
      const versions = await client.assistants.getVersions(created.assistant_id);
      expect(versions.map((version) => version.version)).toEqual([2, 1]);
      const restored = await client.assistants.setLatest(created.assistant_id, 1);
      expect(restored.config).toEqual({ configurable: { tone: 'dry' } });
      await client.assistants.delete(created.assistant_id);
      await expect(client.assistants.get(created.assistant_id)).rejects.toMatchObject({ status: 404 });
    });

    it('searches with pagination and counts; a graph id works as an assistant id', async () => {
      const { client } = server;
      await client.assistants.create({ graphId: 'writer', name: 'counted', metadata: { kind: 'count-me' } });
      const page = await client.assistants.search({ graphId: 'writer', limit: 1, includePagination: true });
      expect(page.assistants).toHaveLength(1);
      expect(page.next).toBe('1');
      expect(await client.assistants.count({ metadata: { kind: 'count-me' } })).toBe(1);
      expect((await client.assistants.get('approval')).assistant_id).toBe(defaultAssistantId('approval'));
    });

    it('describes the graph: nodes and edges, schemas and subgraphs', async () => {
      const { client } = server;
      const drawing = await client.assistants.getGraph('slow');
      expect(drawing.nodes.map((node) => node.id)).toEqual(expect.arrayContaining(['__start__', 'first', 'second', '__end__']));
      expect(drawing.edges.length).toBeGreaterThanOrEqual(3);
      const schemas = await client.assistants.getSchemas('slow');
      expect(schemas.graph_id).toBe('slow');
      expect(Object.keys((schemas.state_schema as { properties: object }).properties)).toEqual(expect.arrayContaining(['messages', 'steps']));
      const subgraphs = await client.assistants.getSubgraphs('nested');
      expect(Object.keys(subgraphs)).toEqual(['child']);
      // Under the Platform's names (state_schema...) and the JS server's (state...), the same schemas.
      const child = subgraphs.child as unknown as Record<string, unknown>;
      expect(child.state_schema).toMatchObject({ type: 'object' });
      expect(child.state).toEqual(child.state_schema);
      expect(child.input).toEqual(child.input_schema);
      expect(child.output).toEqual(child.output_schema);
      expect(child.config).toEqual(child.config_schema);
    });
  });

  describe('threads', () => {
    it('takes a ttl in minutes on create and update (the SDK sends it as {ttl, strategy}), and refuses one that is not', async () => {
      const { client } = server;
      const thread = await client.threads.create({ ttl: 30 });
      expect((thread as unknown as { ttl: unknown }).ttl).toEqual({ strategy: 'delete', minutes: 30 });
      const updated = await client.threads.update(thread.thread_id, { ttl: { ttl: 90, strategy: 'delete' } });
      expect((updated as unknown as { ttl: unknown }).ttl).toEqual({ strategy: 'delete', minutes: 90 });
      await expect(client.threads.create({ ttl: -5 })).rejects.toThrow(/HTTP 422.*ttl/);
    });

    it('creates with metadata and id, honours ifExists, gets, updates, copies and deletes', async () => {
      const { client } = server;
      const threadId = crypto.randomUUID();
      const thread = await client.threads.create({ threadId, metadata: { channel: 'C1' } });
      expect(thread).toMatchObject({ thread_id: threadId, status: 'idle', metadata: { channel: 'C1' } });
      await expect(client.threads.create({ threadId })).rejects.toMatchObject({ status: 409 });
      expect((await client.threads.create({ threadId, ifExists: 'do_nothing' })).thread_id).toBe(threadId);
      expect((await client.threads.update(threadId, { metadata: { topic: 'x' } })).metadata).toMatchObject({ channel: 'C1', topic: 'x' });
      await client.runs.wait(threadId, 'slow', { input: userMessage('copy me') });
      const copy = await client.threads.copy(threadId);
      expect((await client.threads.getState(copy.thread_id)).values).toMatchObject({ steps: ['first:copy me', 'second:copy me'] });
      await client.threads.delete(threadId);
      await expect(client.threads.get(threadId)).rejects.toMatchObject({ status: 404 });
    });

    it('searches and counts by metadata, status and values', async () => {
      const { client } = server;
      const marker = crypto.randomUUID();
      const a = await client.threads.create({ metadata: { marker, n: 1 } });
      await client.threads.create({ metadata: { marker, n: 2 } });
      await client.runs.wait(a.thread_id, 'slow', { input: userMessage(marker) });
      expect((await client.threads.search({ metadata: { marker } })).length).toBe(2);
      expect((await client.threads.search({ metadata: { marker }, status: 'idle', limit: 1 })).length).toBe(1);
      expect((await client.threads.search({ values: { steps: [`first:${marker}`] } })).map((thread) => thread.thread_id)).toEqual([a.thread_id]);
      expect(await client.threads.count({ metadata: { marker } })).toBe(2);
      const selected = await client.threads.search({ metadata: { marker }, select: ['thread_id', 'status'] });
      expect(Object.keys(selected[0]!).sort()).toEqual(['status', 'thread_id']);
    });

    it('reads state now and at a checkpoint, updates it as a node, patches checkpoint metadata, and lists history', async () => {
      const { client } = server;
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, 'slow', { input: userMessage('s1') });
      const state = await client.threads.getState(thread.thread_id);
      expect(state.next).toEqual([]);
      expect(state.checkpoint.checkpoint_id).toBeTruthy();
      const parentId = state.parent_checkpoint!.checkpoint_id!;
      const older = await client.threads.getState(thread.thread_id, parentId);
      expect(older.next).toEqual(['second']);
      const sameByObject = await client.threads.getState(thread.thread_id, { checkpoint_id: parentId, checkpoint_ns: '' } as never);
      expect(sameByObject.checkpoint.checkpoint_id).toBe(parentId);

      await client.threads.updateState(thread.thread_id, { values: { steps: ['by-hand'] }, asNode: 'second' });
      const updated = await client.threads.getState(thread.thread_id);
      expect(updated.values).toMatchObject({ steps: ['first:s1', 'second:s1', 'by-hand'] });
      await client.threads.patchState(thread.thread_id, { reviewed: true });
      expect((await client.threads.getState(thread.thread_id)).metadata).toMatchObject({ reviewed: true });

      const history = await client.threads.getHistory(thread.thread_id, { limit: 3 });
      expect(history).toHaveLength(3);
      expect(history[0]!.checkpoint.checkpoint_id).toBe(updated.checkpoint.checkpoint_id);
      const before = await client.threads.getHistory(thread.thread_id, { before: { configurable: { checkpoint_id: history[0]!.checkpoint.checkpoint_id } } });
      expect(before[0]!.checkpoint.checkpoint_id).toBe(history[1]!.checkpoint.checkpoint_id);
      expect(await client.threads.getHistory(thread.thread_id, { metadata: { source: 'update' } })).toHaveLength(1);
    });

    it('creates a thread with supersteps of state already applied', async () => {
      const { client } = server;
      const thread = await client.threads.create({
        graphId: 'slow',
        supersteps: [{ updates: [{ values: { steps: ['seeded'] }, asNode: 'first' }] }],
      });
      const state = await client.threads.getState(thread.thread_id);
      expect(state.values).toMatchObject({ steps: ['seeded'] });
      expect(state.next).toEqual(['second']);
    });

    it("gives each history entry the updates that made it (metadata.writes), so a history replays into another thread's supersteps", async () => {
      const { client } = server;
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, 'slow', { input: userMessage('replay me') });
      const history = await client.threads.getHistory(thread.thread_id);
      // Oldest first: the input, then the step that only passes it on, then each node's update.
      const writes = history.map((entry) => entry.metadata?.writes).reverse();
      expect(writes).toEqual([
        { __start__: { messages: [expect.objectContaining({ content: 'replay me' })] } },
        null,
        { first: expect.objectContaining({ steps: ['first:replay me'] }) },
        { second: expect.objectContaining({ steps: ['second:replay me'] }) },
      ]);
      // The replay the JS LangGraph server's API suite does with a history.
      const supersteps = history
        .slice()
        .reverse()
        .flatMap((entry) => {
          const written = (entry.metadata?.writes ?? {}) as Record<string, unknown>;
          if (entry.metadata?.source === 'input') {
            return [{ updates: [{ asNode: '__input__', values: written.__start__ }] }, { updates: [{ asNode: '__start__', values: written.__start__ }] }];
          }
          return [{ updates: Object.entries(written).map(([asNode, values]) => ({ asNode, values })) }];
        })
        .filter((step) => step.updates.length > 0);
      const copy = await client.threads.create({ graphId: 'slow', supersteps });
      const copied = await client.threads.getHistory(copy.thread_id);
      expect(copied.map((entry) => entry.next)).toEqual(history.map((entry) => entry.next));
      expect(copied.map((entry) => (entry.values as { steps?: string[] }).steps ?? [])).toEqual(history.map((entry) => (entry.values as { steps?: string[] }).steps ?? []));
    });
  });

  describe('store', () => {
    it('puts, gets, searches, lists namespaces and deletes items', async () => {
      const { client } = server;
      await client.store.putItem(['users', 'ana'], 'prefs', { theme: 'dark' });
      await client.store.putItem(['users', 'bo'], 'prefs', { theme: 'light' });
      const item = await client.store.getItem(['users', 'ana'], 'prefs');
      expect(item).toMatchObject({ namespace: ['users', 'ana'], key: 'prefs', value: { theme: 'dark' } });
      expect(item!.createdAt).toBeTruthy();
      const found = await client.store.searchItems(['users'], { filter: { theme: 'light' } });
      expect(found.items.map((entry) => entry.namespace)).toEqual([['users', 'bo']]);
      const namespaces = await client.store.listNamespaces({ prefix: ['users'] });
      expect(namespaces.namespaces).toHaveLength(2);
      await client.store.deleteItem(['users', 'ana'], 'prefs');
      expect(await client.store.getItem(['users', 'ana'], 'prefs')).toBeNull();
    });

    it('refuses a semantic query or fields to embed without store.index, saying what to configure', async () => {
      const { client } = server;
      await expect(client.store.searchItems(['users'], { query: 'dark theme' })).rejects.toThrow(/HTTP 422.*store\.index/);
      await expect(client.store.putItem(['users'], 'x', { text: 'a' }, { index: ['text'] })).rejects.toThrow(/HTTP 422.*store\.index/);
      // `index: false` asks for nothing an index would do: accepted.
      await client.store.putItem(['users'], 'y', { text: 'b' }, { index: false });
      expect((await client.store.getItem(['users'], 'y'))?.value).toEqual({ text: 'b' });
    });

    it('graphs and the API share the same store', async () => {
      await server.engine.storage.store.put(['shared'], 'k', { from: 'engine' });
      expect((await server.client.store.getItem(['shared'], 'k'))?.value).toEqual({ from: 'engine' });
    });
  });

  describe('crons', () => {
    it('schedules runs on a thread and on new threads, searches, updates and deletes them', async () => {
      const { client, engine } = server;
      const thread = await client.threads.create();
      const onThread = await client.crons.createForThread(thread.thread_id, 'slow', { schedule: '*/5 * * * *', input: userMessage('tick') });
      expect(onThread).toMatchObject({ thread_id: thread.thread_id, schedule: '*/5 * * * *' });
      expect(Date.parse(onThread.next_run_date)).toBeGreaterThan(Date.now());
      const stateless = await client.crons.create('slow', { schedule: '0 9 * * 1-5', input: userMessage('daily'), metadata: { team: 'ops' } });
      expect(stateless.thread_id).toBeNull();

      expect(await client.crons.count({ assistantId: 'slow' })).toBe(2);
      expect((await client.crons.search({ threadId: thread.thread_id })).map((cron) => cron.cron_id)).toEqual([onThread.cron_id]);

      // Fire the thread's cron as if its time had come.
      const created = await engine.crons.tick(new Date(Date.parse(onThread.next_run_date) + 1000));
      expect(created).toHaveLength(1);
      const outcome = await engine.runs.join(thread.thread_id, created[0]!);
      expect(outcome.values).toMatchObject({ steps: ['first:tick', 'second:tick'] });
      const after = (await client.crons.search({ threadId: thread.thread_id }))[0]!;
      expect(Date.parse(after.next_run_date!)).toBeGreaterThan(Date.parse(onThread.next_run_date));

      const disabled = await client.crons.update(stateless.cron_id, { enabled: false, schedule: '30 9 * * *' });
      expect(disabled).toMatchObject({ enabled: false, schedule: '30 9 * * *' });
      await client.crons.delete(onThread.cron_id);
      await client.crons.delete(stateless.cron_id);
      expect(await client.crons.count({})).toBe(0);
    });

    it('refuses a malformed schedule with 422', async () => {
      await expect(server.client.crons.create('slow', { schedule: '61 * * * *' })).rejects.toMatchObject({ status: 422 });
    });
  });
});
