import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { startTestCluster, type TestCluster } from '../helpers/cluster.ts';
import { HAS_POSTGRES } from '../helpers/postgres.ts';

const say = (content: string) => ({ messages: [{ role: 'user', content }] });

/**
 * README, "Leases": "A process that finds it missed its own lease drops its runs." A process
 * frozen (SIGSTOP, as a long GC pause or a suspended VM freezes it) past `lease_seconds` (2 s
 * in the fixture) loses its run to another process; when it wakes and finds its lease gone,
 * it must not go on with the run beside the process that took it over.
 */
describe.skipIf(!HAS_POSTGRES)('a process that missed its own lease', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster(2);
  }, 90_000);
  afterAll(async () => {
    for (const member of cluster?.processes ?? []) member.child.process.kill('SIGCONT');
    await cluster?.dispose();
  }, 60_000);

  const rowOf = async (runId: string) =>
    (await cluster.sql<{ owner: string | null; status: string; doc: { attempt?: number } }>('SELECT owner, status, doc FROM sb_runs WHERE run_id = $1', [runId]))[0];

  it('drops the run it was executing (writes nothing more of it) and joins again; the run finishes once, in the process that took it over', async () => {
    const client = cluster.processes[0]!.client;
    const thread = await client.threads.create();
    // The second step waits 10 s: the frozen process is still inside it when it wakes.
    const run = await client.runs.create(thread.thread_id, 'slow', { input: say('frozen'), config: { configurable: { delay_ms: 10_000 } } });
    await eventually(async () => expect(((await client.threads.getState(thread.thread_id)).values as { steps?: string[] }).steps).toEqual(['first:frozen']), 15_000);
    const owner = (await rowOf(run.run_id))!.owner;
    const frozen = cluster.processes.find((member) => member.processId === owner)!;
    const other = cluster.processes.find((member) => member !== frozen)!;
    expect(frozen).toBeDefined();

    frozen.child.process.kill('SIGSTOP');
    try {
      // Past its lease, the other process declares it dead and takes the run (attempt 2).
      await eventually(async () => expect(await rowOf(run.run_id)).toMatchObject({ owner: other.processId, status: 'running', doc: { attempt: 2 } }), 20_000);
    } finally {
      frozen.child.process.kill('SIGCONT');
    }
    // Awake, it finds its lease gone and joins again under the same id.
    await eventually(async () => expect(await cluster.sql('SELECT id FROM sb_processes WHERE id = $1', [frozen.processId])).toHaveLength(1), 10_000);

    await other.client.runs.join(thread.thread_id, run.run_id);
    // Longer than the frozen process's own 10 s step would have needed to end, had it gone on.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const finished = await rowOf(run.run_id);
    expect(finished).toMatchObject({ owner: other.processId, status: 'success', doc: { attempt: 2 } });
    // One execution wrote the second step: had the frozen process gone on, its own "second"
    // checkpoint would stand beside the one of the process that took over.
    const history = await other.client.threads.getHistory(thread.thread_id, { limit: 100 });
    const withSecond = history.filter((state) => ((state.values as { steps?: string[] }).steps ?? []).some((step) => step.startsWith('second:')));
    expect(withSecond).toHaveLength(1);
    expect(((await other.client.threads.getState(thread.thread_id)).values as { steps: string[] }).steps).toEqual(['first:frozen', 'second:frozen']);
    // Both processes still serve: the one that was frozen takes new work.
    expect(frozen.child.process.exitCode).toBeNull();
    const after = await frozen.client.runs.wait(thread.thread_id, 'slow', { input: say('awake again') });
    expect((after as { steps: string[] }).steps.at(-1)).toBe('second:awake again');
  }, 90_000);
});
