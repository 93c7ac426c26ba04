import { emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../src/errors.ts';
import type { Assistant, Installation, Run, Storage, Thread } from '../../src/storage/types.ts';
import { feedbackContract } from './feedback-contract.ts';

/**
 * The storage contract: written once, run against every backend. A backend gives only
 * a setup object; `reopen` must return a storage that sees what the first one stored
 * (a restart), after closing the first.
 */
export interface StorageSetup {
  open(): Promise<Storage>;
  reopen(storage: Storage): Promise<Storage>;
  destroy(storage: Storage): Promise<void>;
}

const iso = (offsetMs = 0) => new Date(Date.UTC(2026, 0, 1) + offsetMs).toISOString();

function assistant(id: string, fields: Partial<Assistant> = {}): Assistant {
  return {
    assistant_id: id,
    graph_id: 'chat',
    name: 'helper',
    description: null,
    config: {},
    context: {},
    metadata: {},
    version: 1,
    created_at: iso(),
    updated_at: iso(),
    ...fields,
  };
}

function thread(fields: Partial<Thread> = {}): Thread {
  return {
    thread_id: crypto.randomUUID(),
    created_at: iso(),
    updated_at: iso(),
    metadata: {},
    status: 'idle',
    values: null,
    interrupts: {},
    ...fields,
  };
}

function run(threadId: string, fields: Partial<Run> = {}): Run {
  return {
    run_id: crypto.randomUUID(),
    thread_id: threadId,
    assistant_id: crypto.randomUUID(),
    created_at: iso(),
    updated_at: iso(),
    status: 'pending',
    metadata: {},
    kwargs: { input: { n: 1 } },
    multitask_strategy: 'enqueue',
    ...fields,
  };
}

async function listCheckpoints(storage: Storage, threadId: string) {
  const out = [];
  for await (const tuple of storage.checkpointer.list({ configurable: { thread_id: threadId } })) out.push(tuple);
  return out;
}

async function putCheckpoint(storage: Storage, threadId: string, parentId?: string) {
  const checkpoint = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { step: parentId ? 2 : 1 }, channel_versions: { step: parentId ? 2 : 1 } };
  const config = { configurable: { thread_id: threadId, checkpoint_ns: '', ...(parentId ? { checkpoint_id: parentId } : {}) } };
  await storage.checkpointer.put(config, checkpoint, { source: 'loop', step: 0, parents: {} }, { step: checkpoint.channel_versions.step });
  return checkpoint.id;
}

export function storageContract(name: string, setup: StorageSetup): void {
  describe(`storage contract: ${name}`, () => {
    let storage: Storage;
    beforeEach(async () => {
      storage = await setup.open();
    });
    afterEach(async () => setup.destroy(storage));

    describe('assistants', () => {
      it('stores versions and moves latest', async () => {
        const id = crypto.randomUUID();
        await storage.assistants.create(assistant(id, { config: { configurable: { v: 1 } } }));
        await expect(storage.assistants.create(assistant(id))).rejects.toSatisfy((error) => isSwitchboardError(error, 'conflict'));
        const v2 = await storage.assistants.addVersion({ ...assistant(id, { version: 2, config: { configurable: { v: 2 } } }) }, true);
        expect(v2.version).toBe(2);
        expect((await storage.assistants.versions(id)).map((version) => version.version).sort()).toEqual([1, 2]);
        const back = await storage.assistants.setLatest(id, 1);
        expect(back.config).toEqual({ configurable: { v: 1 } });
        expect(await storage.assistants.delete(id)).toBe(true);
        expect(await storage.assistants.get(id)).toBeNull();
        expect(await storage.assistants.versions(id)).toEqual([]);
      });

      it('searches by graph, name and metadata containment, with sorting and pages', async () => {
        await storage.assistants.create(
          assistant(crypto.randomUUID(), { name: 'Alpha', graph_id: 'a', metadata: { team: { name: 'red' }, tags: ['x', 'y'] }, created_at: iso(1) }),
        );
        await storage.assistants.create(assistant(crypto.randomUUID(), { name: 'Beta', graph_id: 'b', metadata: { team: { name: 'blue' } }, created_at: iso(2) }));
        await storage.assistants.create(assistant(crypto.randomUUID(), { name: 'alphabet', graph_id: 'a', created_at: iso(3) }));
        expect((await storage.assistants.search({ graph_id: 'a', limit: 10, offset: 0 })).total).toBe(2);
        expect((await storage.assistants.search({ name: 'ALPHA', limit: 10, offset: 0 })).total).toBe(2);
        const red = await storage.assistants.search({ metadata: { team: { name: 'red' } }, limit: 10, offset: 0 });
        expect(red.items.map((item) => item.name)).toEqual(['Alpha']);
        expect((await storage.assistants.search({ metadata: { tags: ['y'] }, limit: 10, offset: 0 })).total).toBe(1);
        const sorted = await storage.assistants.search({ sort_by: 'name', sort_order: 'asc', limit: 2, offset: 1 });
        expect(sorted.total).toBe(3);
        expect(sorted.items.map((item) => item.name)).toEqual(['Beta', 'alphabet']);
        const newest = await storage.assistants.search({ limit: 1, offset: 0 });
        expect(newest.items[0]!.name).toBe('alphabet');
      });
    });

    describe('threads', () => {
      it('creates once, overwrites with put, deletes', async () => {
        const record = thread({ metadata: { k: 'v' } });
        await storage.threads.create(record);
        await expect(storage.threads.create(record)).rejects.toSatisfy((error) => isSwitchboardError(error, 'conflict'));
        await storage.threads.put({ ...record, status: 'busy', values: { n: 1 } });
        expect(await storage.threads.get(record.thread_id)).toMatchObject({ status: 'busy', values: { n: 1 }, metadata: { k: 'v' } });
        expect(await storage.threads.delete(record.thread_id)).toBe(true);
        expect(await storage.threads.get(record.thread_id)).toBeNull();
        expect(await storage.threads.delete(record.thread_id)).toBe(false);
      });

      it('returns copies: changing a returned record does not change storage', async () => {
        const record = thread({ metadata: { k: 'v' } });
        await storage.threads.create(record);
        const got = await storage.threads.get(record.thread_id);
        got!.metadata.k = 'changed';
        expect((await storage.threads.get(record.thread_id))!.metadata.k).toBe('v');
      });

      it('searches by ids, status, metadata and values, with sorting and pages', async () => {
        const a = thread({ status: 'busy', metadata: { team: 'red' }, values: { topic: 'tea', n: 1 }, created_at: iso(1) });
        const b = thread({ status: 'idle', metadata: { team: 'red' }, values: { topic: 'coffee' }, created_at: iso(2) });
        const c = thread({ status: 'idle', metadata: { team: 'blue' }, created_at: iso(3) });
        for (const record of [a, b, c]) await storage.threads.create(record);
        const q = (query: object) => storage.threads.search({ limit: 10, offset: 0, ...query });
        expect((await q({ metadata: { team: 'red' } })).items.map((t) => t.thread_id)).toEqual([b.thread_id, a.thread_id]);
        expect((await q({ status: 'busy' })).items.map((t) => t.thread_id)).toEqual([a.thread_id]);
        expect((await q({ values: { topic: 'tea' } })).items.map((t) => t.thread_id)).toEqual([a.thread_id]);
        expect((await q({ ids: [a.thread_id, c.thread_id] })).total).toBe(2);
        const asc = await q({ sort_by: 'created_at', sort_order: 'asc', limit: 2 });
        expect(asc.items.map((t) => t.thread_id)).toEqual([a.thread_id, b.thread_id]);
        expect(asc.total).toBe(3);
        expect((await q({ offset: 2 })).items.map((t) => t.thread_id)).toEqual([a.thread_id]);
      });
    });

    describe('runs', () => {
      it('stores runs per thread, lists newest first, and filters by status', async () => {
        const owner = thread();
        await storage.threads.create(owner);
        const first = run(owner.thread_id, { created_at: iso(1), status: 'success' });
        const second = run(owner.thread_id, { created_at: iso(2), status: 'error' });
        await storage.runs.put(first);
        await storage.runs.put(second);
        expect(await storage.runs.get(owner.thread_id, first.run_id)).toMatchObject({ status: 'success' });
        const listed = await storage.runs.listByThread(owner.thread_id, { limit: 10, offset: 0 });
        expect(listed.map((r) => r.run_id)).toEqual([second.run_id, first.run_id]);
        expect((await storage.runs.listByThread(owner.thread_id, { limit: 10, offset: 0, status: 'error' })).map((r) => r.run_id)).toEqual([second.run_id]);
        expect(await storage.runs.delete(owner.thread_id, first.run_id)).toBe(true);
        expect(await storage.runs.get(owner.thread_id, first.run_id)).toBeNull();
      });

      it('lists active runs in acceptance order, even when accepted in the same millisecond', async () => {
        const owner = thread();
        await storage.threads.create(owner);
        const accepted = Array.from({ length: 20 }, () => run(owner.thread_id, { created_at: iso(5) }));
        for (const record of accepted) await storage.runs.put(record);
        await storage.runs.put({ ...accepted[3]!, status: 'running' });
        await storage.runs.put({ ...accepted[5]!, status: 'success' });
        const active = await storage.runs.active();
        const expected = accepted.filter((_r, index) => index !== 5).map((r) => r.run_id);
        expect(active.map((r) => r.run_id)).toEqual(expected);
        expect(active[3]!.status).toBe('running');
      });

      it('deletes every run of a thread, active ones included', async () => {
        const owner = thread();
        await storage.threads.create(owner);
        await storage.runs.put(run(owner.thread_id));
        await storage.runs.put(run(owner.thread_id, { status: 'success' }));
        await storage.runs.deleteByThread(owner.thread_id);
        expect(await storage.runs.listByThread(owner.thread_id, { limit: 10, offset: 0 })).toEqual([]);
        expect((await storage.runs.active()).filter((r) => r.thread_id === owner.thread_id)).toEqual([]);
      });
    });

    describe('checkpoints beyond LangGraph', () => {
      it('rolls a thread back to a mark: newer checkpoints and writes disappear, older ones stay', async () => {
        const threadId = crypto.randomUUID();
        const kept = await putCheckpoint(storage, threadId);
        await storage.checkpointer.putWrites({ configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: kept } }, [['step', 'before']], 'task-a');
        const mark = await storage.checkpointer.mark(threadId);
        await storage.checkpointer.putWrites({ configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: kept } }, [['step', 'after']], 'task-b');
        await putCheckpoint(storage, threadId, kept);
        await storage.checkpointer.put(
          { configurable: { thread_id: threadId, checkpoint_ns: 'child:1', checkpoint_id: kept } },
          { ...emptyCheckpoint(), id: uuid6(-1) },
          { source: 'loop', step: 0, parents: {} },
          {},
        );
        expect(await listCheckpoints(storage, threadId)).toHaveLength(3);
        await storage.checkpointer.rollback(mark);
        const left = await listCheckpoints(storage, threadId);
        expect(left.map((tuple) => tuple.checkpoint.id)).toEqual([kept]);
        expect(left[0]!.pendingWrites).toEqual([['task-a', 'step', 'before']]);
      });

      it('copies a thread: the copy has the same checkpoints and goes on independently', async () => {
        const from = crypto.randomUUID();
        const to = crypto.randomUUID();
        const first = await putCheckpoint(storage, from);
        await storage.checkpointer.copyThread(from, to);
        const copied = await storage.checkpointer.getTuple({ configurable: { thread_id: to } });
        expect(copied?.checkpoint.id).toBe(first);
        expect(copied?.checkpoint.channel_values).toEqual({ step: 1 });
        await putCheckpoint(storage, to, first);
        expect(await listCheckpoints(storage, from)).toHaveLength(1);
        expect(await listCheckpoints(storage, to)).toHaveLength(2);
      });

      it('keeps the pending_sends of a LangGraph 0.2 checkpoint (format v1), which that library reads back', async () => {
        const threadId = crypto.randomUUID();
        const sends = [{ node: 'tool', args: { n: 1 } }];
        // What a graph built with @langchain/langgraph 0.2 hands its checkpointer.
        const legacy = { ...emptyCheckpoint(), v: 1, id: uuid6(-1), pending_sends: sends };
        await storage.checkpointer.put({ configurable: { thread_id: threadId, checkpoint_ns: '' } }, legacy, { source: 'loop', step: 0, parents: {} }, {});
        const back = await storage.checkpointer.getTuple({ configurable: { thread_id: threadId } });
        expect(back?.checkpoint).toHaveProperty('pending_sends', sends);
        // Today's format has no such field, and gets none.
        const current = crypto.randomUUID();
        await putCheckpoint(storage, current);
        const today = await storage.checkpointer.getTuple({ configurable: { thread_id: current } });
        expect(today).toBeDefined();
        expect(today!.checkpoint).not.toHaveProperty('pending_sends');
      });

      it('reads a LangGraph 0.2 checkpoint whose parent sent nothing back with only the channels it was written with', async () => {
        const threadId = crypto.randomUUID();
        const config = { configurable: { thread_id: threadId, checkpoint_ns: '' } };
        const written = (id: string, versions: Record<string, number>) => ({ ...emptyCheckpoint(), v: 1, id, channel_versions: versions, pending_sends: [] });
        const parent = await storage.checkpointer.put(config, written(uuid6(-1), { city: 1 }), { source: 'loop', step: 0, parents: {} }, { city: 1 });
        await storage.checkpointer.put(parent, written(uuid6(-1), { city: 2 }), { source: 'update', step: 1, parents: {} }, { city: 2 });
        const back = await storage.checkpointer.getTuple({ configurable: { thread_id: threadId } });
        // A channel 0.2 does not know (1.x's tasks channel) reads to it as news: it would stop
        // again at the interrupt_before it is resuming past.
        expect(back?.checkpoint.channel_versions).toEqual({ city: 2 });
      });
    });

    describe('time to live', () => {
      it('lists expired threads only, soonest first: own TTL from the last update, the default for the rest, none once pruned until updated', async () => {
        const at = (minutes: number) => iso(minutes * 60_000);
        const own = thread({ updated_at: at(0), ttl: { strategy: 'delete', minutes: 10 } });
        const idle = thread({ updated_at: at(0) });
        const recent = thread({ updated_at: at(25) });
        const longer = thread({ updated_at: at(0), ttl: { strategy: 'keep_latest', minutes: 60 } });
        const pruned = thread({ updated_at: at(0), pruned_at: at(0) });
        for (const record of [own, idle, recent, longer, pruned]) await storage.threads.create(record);
        const now = new Date(Date.parse(at(31)));
        expect(await storage.threads.expired({ now, limit: 10 })).toEqual([own.thread_id]);
        expect(await storage.threads.expired({ now, defaultMinutes: 20, limit: 10 })).toEqual([own.thread_id, idle.thread_id]);
        expect(await storage.threads.expired({ now, defaultMinutes: 20, limit: 1 })).toEqual([own.thread_id]);
        // An update moves the expiry; a pruned thread updated again is indexed again.
        await storage.threads.put({ ...own, updated_at: at(30) });
        await storage.threads.put({ ...pruned, updated_at: at(1) });
        expect(await storage.threads.expired({ now, defaultMinutes: 20, limit: 10 })).toEqual([idle.thread_id, pruned.thread_id]);
        await storage.threads.delete(idle.thread_id);
        expect(await storage.threads.expired({ now: new Date(Date.parse(at(100))), defaultMinutes: 20, limit: 10 })).toEqual([
          pruned.thread_id, // 1 + 20
          own.thread_id, // 30 + 10
          recent.thread_id, // 25 + 20
          longer.thread_id, // 0 + 60
        ]);
      });

      it("prunes a thread to each namespace's latest checkpoint, with its writes and the values it took from older ones", async () => {
        const threadId = crypto.randomUUID();
        const put = async (id: string, parent: string | undefined, versions: Record<string, number>, values: Record<string, unknown>, fresh: Record<string, number>, ns = '') =>
          storage.checkpointer.put(
            { configurable: { thread_id: threadId, checkpoint_ns: ns, ...(parent ? { checkpoint_id: parent } : {}) } },
            { ...emptyCheckpoint(), id, channel_values: values, channel_versions: versions },
            { source: 'loop', step: 0, parents: {} },
            fresh,
          );
        const first = uuid6(-1);
        await put(first, undefined, { kept: 1, changed: 1 }, { kept: 'from the first', changed: 'old' }, { kept: 1, changed: 1 });
        const second = uuid6(-1);
        // `kept` is not written again: its value stays in the first checkpoint's blobs.
        await put(second, first, { kept: 1, changed: 2 }, { kept: 'from the first', changed: 'new' }, { changed: 2 });
        await storage.checkpointer.putWrites({ configurable: { thread_id: threadId, checkpoint_ns: '', checkpoint_id: second } }, [['changed', 'pending']], 'task-a');
        const child = uuid6(-1);
        await put(child, undefined, { inner: 1 }, { inner: 'sub' }, { inner: 1 }, 'child:1');
        expect(await listCheckpoints(storage, threadId)).toHaveLength(3);

        await storage.checkpointer.pruneThread(threadId);
        const left = await listCheckpoints(storage, threadId);
        expect(left.map((tuple) => tuple.checkpoint.id).sort()).toEqual([second, child].sort());
        const latest = await storage.checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: '' } });
        expect(latest?.checkpoint.id).toBe(second);
        expect(latest?.checkpoint.channel_values).toEqual({ kept: 'from the first', changed: 'new' });
        expect(latest?.pendingWrites).toEqual([['task-a', 'changed', 'pending']]);
        expect(latest?.parentConfig).toBeUndefined();
        expect((await storage.checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: 'child:1' } }))?.checkpoint.channel_values).toEqual({ inner: 'sub' });
        // It goes on from there: a new checkpoint that writes only `changed` still finds `kept`.
        const third = uuid6(-1);
        await put(third, second, { kept: 1, changed: 3 }, { kept: 'from the first', changed: 'newer' }, { changed: 3 });
        expect((await storage.checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: '' } }))?.checkpoint.channel_values).toEqual({
          kept: 'from the first',
          changed: 'newer',
        });
      });
    });

    describe('store', () => {
      it('puts, gets, searches and deletes items by namespace', async () => {
        await storage.store.put(['users', 'ana'], 'prefs', { theme: 'dark' });
        await storage.store.put(['users', 'bo'], 'prefs', { theme: 'light' });
        expect((await storage.store.get(['users', 'ana'], 'prefs'))?.value).toEqual({ theme: 'dark' });
        const found = await storage.store.search(['users'], { filter: { theme: 'light' } });
        expect(found.map((item) => item.namespace)).toEqual([['users', 'bo']]);
        expect(await storage.store.listNamespaces({ prefix: ['users'] })).toHaveLength(2);
        await storage.store.delete(['users', 'ana'], 'prefs');
        expect(await storage.store.get(['users', 'ana'], 'prefs')).toBeNull();
      });
    });

    describe('chat records', () => {
      it('keeps collections apart, lists in the order first stored, overwrites in place, deletes', async () => {
        await storage.chat.collection('outbox').put('b', { n: 1 });
        await storage.chat.collection('outbox').put('a', { n: 2 });
        await storage.chat.collection('prompts').put('a', { other: true });
        await storage.chat.collection('outbox').put('b', { n: 3 });
        expect(await storage.chat.collection('outbox').list()).toEqual([
          { key: 'b', value: { n: 3 } },
          { key: 'a', value: { n: 2 } },
        ]);
        expect(await storage.chat.collection('prompts').get('a')).toEqual({ other: true });
        await storage.chat.collection('outbox').delete('b');
        expect(await storage.chat.collection('outbox').get('b')).toBeNull();
        expect((await storage.chat.collection('outbox').list()).map((entry) => entry.key)).toEqual(['a']);
      });

      it('a delivery key is accepted once, even by simultaneous accepts, until it expires; what it holds stays until finished', async () => {
        const claims = await Promise.all(Array.from({ length: 8 }, () => storage.chat.inbox().accept('event:E1', 60_000, { text: 'hi' })));
        expect(claims.filter(Boolean)).toHaveLength(1);
        expect(await storage.chat.inbox().unfinished()).toEqual([{ key: 'event:E1', held: { text: 'hi' } }]);
        await storage.chat.inbox().finish('event:E1');
        expect(await storage.chat.inbox().unfinished()).toEqual([]);
        expect(await storage.chat.inbox().accept('event:E1', 60_000)).toBe(false);
        expect(await storage.chat.inbox().accept('event:E2', 1)).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 5));
        expect(await storage.chat.inbox().accept('event:E2', 60_000)).toBe(true);
      });
    });

    describe('crons', () => {
      it('stores, lists, replaces and deletes schedules', async () => {
        const cron = {
          cron_id: crypto.randomUUID(),
          assistant_id: crypto.randomUUID(),
          thread_id: null,
          schedule: '*/5 * * * *',
          payload: { input: { n: 1 } },
          metadata: {},
          enabled: true,
          end_time: null,
          on_run_completed: 'keep' as const,
          user_id: null,
          next_run_date: iso(),
          created_at: iso(),
          updated_at: iso(),
        };
        await storage.crons.put(cron);
        await storage.crons.put({ ...cron, enabled: false });
        expect(await storage.crons.list()).toEqual([{ ...cron, enabled: false }]);
        // Advancing is a compare-and-set on the next run date: of two processes firing it, one wins.
        const next = { ...cron, next_run_date: iso(60_000) };
        const wins = await Promise.all([storage.crons.advance(cron.cron_id, cron.next_run_date, next), storage.crons.advance(cron.cron_id, cron.next_run_date, next)]);
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect((await storage.crons.get(cron.cron_id))?.next_run_date).toBe(iso(60_000));
        expect(await storage.crons.advance(cron.cron_id, cron.next_run_date, next)).toBe(false);
        expect(await storage.crons.delete(cron.cron_id)).toBe(true);
        expect(await storage.crons.get(cron.cron_id)).toBeNull();
      });
    });

    describe('installations', () => {
      const installation = (team: string, fields: Partial<Installation> = {}): Installation => ({
        installation_id: `slack:team:${team}`,
        platform: 'slack',
        team_id: team,
        team_name: `Team ${team}`,
        enterprise_id: null,
        is_enterprise_install: false,
        app_id: 'A1',
        bot_user_id: `UBOT-${team}`,
        bot_id: `BBOT-${team}`,
        scopes: ['chat:write', 'commands'],
        bot_token_sealed: `v1:sealed-${team}`,
        installer_user_id: 'U1',
        installed_at: iso(),
        updated_at: iso(),
        ...fields,
      });

      it('stores, replaces on reinstall, lists oldest first, deletes one workspace, and keeps the rest across a restart', async () => {
        const second = installation('T2', { installed_at: iso(2_000), updated_at: iso(2_000) });
        await storage.installations.put(second);
        const first = installation('T1', { installed_at: iso(1_000), updated_at: iso(1_000) });
        await storage.installations.put(first);
        const org = installation('E1', { installation_id: 'slack:enterprise:E1', team_id: null, enterprise_id: 'E1', is_enterprise_install: true, installed_at: iso(3_000) });
        await storage.installations.put(org);
        expect(await storage.installations.get('slack:team:T1')).toEqual(first);
        expect(await storage.installations.get('slack:team:T9')).toBeNull();
        // A reinstall replaces the record (new token, new scopes): still one per workspace.
        const reinstalled = { ...first, scopes: ['chat:write', 'commands', 'files:read'], bot_token_sealed: 'v1:resealed', updated_at: iso(5_000) };
        await storage.installations.put(reinstalled);
        expect((await storage.installations.list()).map((each) => each.installation_id)).toEqual(['slack:team:T1', 'slack:team:T2', 'slack:enterprise:E1']);
        expect(await storage.installations.get('slack:team:T1')).toEqual(reinstalled);
        expect(await storage.installations.delete('slack:team:T2')).toBe(true);
        expect(await storage.installations.delete('slack:team:T2')).toBe(false);

        storage = await setup.reopen(storage);
        expect(await storage.installations.list()).toEqual([reinstalled, org]);
      });
    });
    feedbackContract(
      () => storage,
      async () => (storage = await setup.reopen(storage)),
    );

    describe('restart', () => {
      it('keeps every acknowledged record across a restart', async () => {
        const assistantId = crypto.randomUUID();
        await storage.assistants.create(assistant(assistantId));
        const owner = thread({ metadata: { durable: true } });
        await storage.threads.create(owner);
        const pending = run(owner.thread_id);
        await storage.runs.put(pending);
        const checkpointId = await putCheckpoint(storage, owner.thread_id);
        await storage.store.put(['memories'], 'm1', { text: 'remember me' });

        storage = await setup.reopen(storage);
        expect(await storage.assistants.get(assistantId)).not.toBeNull();
        expect((await storage.threads.get(owner.thread_id))?.metadata).toEqual({ durable: true });
        expect((await storage.runs.active()).map((r) => r.run_id)).toContain(pending.run_id);
        expect((await storage.checkpointer.getTuple({ configurable: { thread_id: owner.thread_id } }))?.checkpoint.id).toBe(checkpointId);
        expect((await storage.store.get(['memories'], 'm1'))?.value).toEqual({ text: 'remember me' });
      });
    });
  });
}
