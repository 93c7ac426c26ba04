import type { Run } from '@langchain/langgraph-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { HAS_POSTGRES } from '../helpers/postgres.ts';

const say = (content: string) => ({ messages: [{ role: 'user', content }] });
const slow = (delayMs: number) => ({ configurable: { delay_ms: delayMs } });

/** Three processes on one PostgreSQL schema, each answering the LangGraph API (the official SDK as client). */
describe.skipIf(!HAS_POSTGRES)('several processes sharing one PostgreSQL database', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster(3);
  }, 90_000);
  afterAll(async () => cluster?.dispose(), 60_000);

  const p = (index: number) => cluster.processes[index]!.client;
  const humans = (values: Record<string, unknown>) =>
    ((values.messages ?? []) as Array<{ type: string; content: string }>).filter((message) => message.type === 'human').map((message) => message.content);
  const waitRunning = (threadId: string, runId: string) => eventually(async () => expect((await p(0).runs.get(threadId, runId)).status).toBe('running'), 15_000);
  /** An SDK client of a process other than the one executing the run. */
  const notExecuting = async (runId: string) => {
    const [row] = await cluster.sql<{ owner: string }>('SELECT owner FROM sb_runs WHERE run_id = $1', [runId]);
    return cluster.processes.find((member) => member.processId !== row!.owner && member.child.process.exitCode === null)!.client;
  };

  it('runs of a thread, sent to all three processes, execute one at a time and in order; many threads spread over the processes', async () => {
    const threads = await Promise.all(Array.from({ length: 12 }, (_v, i) => p(i % 3).threads.create()));
    const runs = new Map<string, Run[]>(threads.map((thread) => [thread.thread_id, []]));
    for (let turn = 0; turn < 4; turn += 1) {
      for (const [i, thread] of threads.entries()) {
        runs
          .get(thread.thread_id)!
          .push(await p((i + turn) % 3).runs.create(thread.thread_id, 'slow', { input: say(`m${turn}`), config: slow(100), multitaskStrategy: 'enqueue' }));
      }
    }
    for (const [threadId, list] of runs) for (const run of list) await p(2).runs.join(threadId, run.run_id);
    for (const thread of threads) {
      const state = await p(1).threads.getState(thread.thread_id);
      // Every run saw the one before it: none ran beside another on a stale state.
      expect(humans(state.values as Record<string, unknown>)).toEqual(['m0', 'm1', 'm2', 'm3']);
      expect((state.values as { steps: string[] }).steps).toEqual(['m0', 'm1', 'm2', 'm3'].flatMap((text) => [`first:${text}`, `second:${text}`]));
    }
    const stored = await cluster.sql<{ status: string; owner: string }>('SELECT status, owner FROM sb_runs WHERE thread_id = ANY($1::text[])', [
      threads.map((thread) => thread.thread_id),
    ]);
    expect(stored).toHaveLength(48);
    expect(stored.every((row) => row.status === 'success')).toBe(true);
    // Twelve threads at once are more than one process's four workers: the others took their share.
    expect(new Set(stored.map((row) => row.owner)).size).toBe(3);
  }, 60_000);

  it('GET /ok reports that the database answers', async () => {
    const health = (await (await fetch(`${cluster.processes[0]!.url}/ok`)).json()) as { ok: boolean; database: string };
    expect(health).toMatchObject({ ok: true, database: 'reachable' });
  });

  it('reject: a second message at another process is refused, naming the run in flight', async () => {
    const thread = await p(0).threads.create();
    const first = await p(0).runs.create(thread.thread_id, 'slow', { input: say('first'), config: slow(1500) });
    await waitRunning(thread.thread_id, first.run_id);
    const refused = await (await notExecuting(first.run_id)).runs.create(thread.thread_id, 'slow', { input: say('second'), multitaskStrategy: 'reject' }).then(
      () => null,
      (error: { status?: number; message?: string }) => error,
    );
    expect(refused?.status).toBe(409);
    expect(refused?.message).toContain(first.run_id);
    await p(2).runs.join(thread.thread_id, first.run_id);
    expect((await p(2).runs.get(thread.thread_id, first.run_id)).status).toBe('success');
  }, 30_000);

  it('interrupt: the stop reaches the process running the first run; the new run starts from what it wrote', async () => {
    const thread = await p(0).threads.create();
    const first = await p(0).runs.create(thread.thread_id, 'slow', { input: say('first'), config: slow(20_000) });
    // Its first step is stored: it is waiting inside its second one.
    await eventually(async () => expect(((await p(0).threads.getState(thread.thread_id)).values as { steps?: string[] }).steps).toEqual(['first:first']), 15_000);
    const started = Date.now();
    // Its own delay: a thread carries its runs' configurable into the next run, as on the Platform.
    const second = await (await notExecuting(first.run_id)).runs.create(thread.thread_id, 'slow', { input: say('second'), config: slow(0), multitaskStrategy: 'interrupt' });
    await p(2).runs.join(thread.thread_id, second.run_id);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await p(2).runs.get(thread.thread_id, first.run_id)).status).toBe('interrupted');
    expect((await p(2).runs.get(thread.thread_id, second.run_id)).status).toBe('success');
    const state = await p(2).threads.getState(thread.thread_id);
    expect((state.values as { steps: string[] }).steps).toEqual(['first:first', 'first:second', 'second:second']);
  }, 30_000);

  it('rollback: the first run and everything it wrote are erased, whichever process ran it', async () => {
    const thread = await p(1).threads.create();
    await p(1).runs.wait(thread.thread_id, 'slow', { input: say('base') });
    const first = await p(1).runs.create(thread.thread_id, 'slow', { input: say('first'), config: slow(20_000) });
    await waitRunning(thread.thread_id, first.run_id);
    const second = await (await notExecuting(first.run_id)).runs.create(thread.thread_id, 'slow', { input: say('second'), config: slow(0), multitaskStrategy: 'rollback' });
    await p(0).runs.join(thread.thread_id, second.run_id);
    await expect(p(0).runs.get(thread.thread_id, first.run_id)).rejects.toMatchObject({ status: 404 });
    const state = await p(0).threads.getState(thread.thread_id);
    expect(humans(state.values as Record<string, unknown>)).toEqual(['base', 'second']);
    expect((await p(0).threads.get(thread.thread_id)).status).toBe('idle');
  }, 30_000);

  it('a client streams and joins a run that another process executes', async () => {
    const thread = await p(0).threads.create();
    const run = await p(0).runs.create(thread.thread_id, 'slow', { input: say('watch me'), config: slow(600), streamMode: ['values', 'updates'] });
    await waitRunning(thread.thread_id, run.run_id);
    const events: string[] = [];
    for await (const event of (await notExecuting(run.run_id)).runs.joinStream(thread.thread_id, run.run_id)) events.push(event.event);
    expect(events).toContain('values');
    expect(events).toContain('updates');
    const joined = (await p(2).runs.join(thread.thread_id, run.run_id)) as { steps?: string[] };
    expect(joined.steps).toEqual(['first:watch me', 'second:watch me']);
  }, 30_000);

  it('a process killed mid-run (SIGKILL) loses its run to another after the lease; it resumes from its checkpoint', async () => {
    const extra = await cluster.add();
    const thread = await extra.client.threads.create();
    // Only the new process's own run is in flight, so wait until it is the one executing it.
    let run: Run | undefined;
    for (let attempt = 0; attempt < 10 && !run; attempt += 1) {
      const candidate = await extra.client.runs.create(thread.thread_id, 'slow', { input: say(`take over ${attempt}`), config: slow(4000) });
      await waitRunning(thread.thread_id, candidate.run_id);
      const [row] = await cluster.sql<{ owner: string }>('SELECT owner FROM sb_runs WHERE run_id = $1', [candidate.run_id]);
      if (row?.owner === extra.processId) run = candidate;
      else await p(0).runs.cancel(thread.thread_id, candidate.run_id, true, 'rollback');
    }
    expect(run).toBeDefined();
    // Its first step is stored; it is inside the second when the process dies.
    await eventually(
      async () => expect(((await p(0).threads.getState(thread.thread_id)).values as { steps?: string[] }).steps?.some((step) => step.startsWith('first:'))).toBe(true),
      15_000,
    );
    await extra.kill();
    const killedAt = Date.now();
    await p(0).runs.join(thread.thread_id, run!.run_id);
    const [row] = await cluster.sql<{ status: string; owner: string; doc: { attempt: number } }>('SELECT status, owner, doc FROM sb_runs WHERE run_id = $1', [run!.run_id]);
    expect(row!.status).toBe('success');
    expect(row!.owner).not.toBe(extra.processId);
    expect(row!.doc.attempt).toBe(2);
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    // It resumed from its checkpoint: its first step ran once, not twice.
    const state = await p(0).threads.getState(thread.thread_id);
    expect(((state.values as { steps: string[] }).steps ?? []).filter((step) => step.startsWith('first:'))).toHaveLength(1);
  }, 60_000);
});
