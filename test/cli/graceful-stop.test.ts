import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { eventually } from '../helpers/chat.ts';
import { runTs, type Child } from '../helpers/child.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src/cli.ts');

interface Started {
  child: Child;
  url: string;
}

/**
 * `switchboard start` as a child process on a data folder, serving the test graph `slow`
 * (its first step is stored at once, its second waits `delay_ms`), with the grace given.
 */
describe('SIGTERM stops gracefully', () => {
  const children: Child[] = [];
  const temps: Array<{ cleanup(): void }> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  const project = () => {
    const temp = makeTempDir();
    temps.push(temp);
    const config = join(temp.dir, 'switchboard.yaml');
    writeFileSync(config, stringify({ graphs: { slow: join(ROOT, 'test/helpers/graphs.ts:slowGraph') }, model: { provider: 'offline' }, platforms: { web: { enabled: false } } }));
    return { config, dataDir: join(temp.dir, 'data') };
  };

  const start = async (where: { config: string; dataDir: string }, graceSeconds: number): Promise<Started> => {
    const child = runTs(CLI, ['start'], {
      SWITCHBOARD_CONFIG: where.config,
      SWITCHBOARD_DATA_DIR: where.dataDir,
      SWITCHBOARD_SHUTDOWN_GRACE_SECONDS: String(graceSeconds),
      PORT: '0',
    });
    children.push(child);
    const line = await child.waitFor(/Switchboard is running at (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    return { child, url: /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]! };
  };

  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const runBody = (text: string, delayMs: number) => ({
    assistant_id: 'slow',
    input: { messages: [{ role: 'user', content: text }] },
    config: { configurable: { delay_ms: delayMs } },
  });

  /** A thread with one run started on it, once the run is running (its first step stored). */
  const startRun = async (url: string, text: string, delayMs: number) => {
    const thread = (await (await post(`${url}/threads`, {})).json()) as { thread_id: string };
    const run = (await (await post(`${url}/threads/${thread.thread_id}/runs`, runBody(text, delayMs))).json()) as { run_id: string };
    await eventually(async () => {
      const state = (await (await fetch(`${url}/threads/${thread.thread_id}/state`)).json()) as { values: { steps?: string[] } };
      expect(state.values.steps).toEqual([`first:${text}`]);
    }, 15_000);
    return { threadId: thread.thread_id, runId: run.run_id };
  };

  it('a run that ends inside the grace finishes and answers in full; meanwhile /ok and new runs get 503; exit 0', async () => {
    const where = project();
    const { child, url } = await start(where, 10);
    const thread = (await (await post(`${url}/threads`, {})).json()) as { thread_id: string };
    const waiting = post(`${url}/threads/${thread.thread_id}/runs/wait`, runBody('short', 2_000));
    await eventually(async () => {
      const state = (await (await fetch(`${url}/threads/${thread.thread_id}/state`)).json()) as { values: { steps?: string[] } };
      expect(state.values.steps).toEqual(['first:short']);
    }, 15_000);
    const signalled = Date.now();
    child.process.kill('SIGTERM');
    await child.waitFor(/^SIGTERM: stopping; runs in flight get up to 10 s/);
    const ok = await fetch(`${url}/ok`);
    expect(ok.status).toBe(503);
    expect(await ok.json()).toMatchObject({ ok: false, stopping: true });
    const refused = await post(`${url}/threads/${thread.thread_id}/runs`, runBody('too late', 0));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    // The run in flight still answers the client waiting for it, complete.
    const answer = (await (await waiting).json()) as { steps: string[]; messages: Array<{ content: string }> };
    expect(answer.steps).toEqual(['first:short', 'second:short']);
    expect(answer.messages.at(-1)?.content).toBe('done: short');
    expect(await child.exited).toBe(0);
    // It stopped once the run was done, not at the end of the grace.
    expect(Date.now() - signalled).toBeLessThan(8_000);
    // The refused run was never stored: the restart has only the one that ran.
    const again = await start(where, 10);
    const runs = (await (await fetch(`${again.url}/threads/${thread.thread_id}/runs`)).json()) as Array<{ status: string }>;
    expect(runs.map((run) => run.status)).toEqual(['success']);
  }, 90_000);

  it('a run longer than the grace is stopped when the grace ends (exit 0 within it) and resumes from its checkpoint at the next start', async () => {
    const where = project();
    const { child, url } = await start(where, 1);
    const { threadId, runId } = await startRun(url, 'long', 6_000);
    const signalled = Date.now();
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    const took = Date.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(1_000);
    expect(took).toBeLessThan(1_000 + 2_500);

    const again = await start(where, 1);
    const joined = (await (await fetch(`${again.url}/threads/${threadId}/runs/${runId}/join`)).json()) as { steps: string[] };
    // The first step ran once: the run went on from its checkpoint rather than starting over.
    expect(joined.steps).toEqual(['first:long', 'second:long']);
    const run = (await (await fetch(`${again.url}/threads/${threadId}/runs/${runId}`)).json()) as { status: string };
    expect(run.status).toBe('success');
  }, 90_000);

  it('a second SIGTERM stops at once with a non-zero exit, and the run is still there for the next start', async () => {
    const where = project();
    const { child, url } = await start(where, 60);
    const { threadId, runId } = await startRun(url, 'impatient', 3_000);
    child.process.kill('SIGTERM');
    await child.waitFor(/^SIGTERM: stopping/);
    const second = Date.now();
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(143);
    expect(Date.now() - second).toBeLessThan(1_500);
    expect(child.lines).toContain('SIGTERM again: stopping at once');

    const again = await start(where, 1);
    const joined = (await (await fetch(`${again.url}/threads/${threadId}/runs/${runId}/join`)).json()) as { steps: string[] };
    expect(joined.steps).toEqual(['first:impatient', 'second:impatient']);
  }, 90_000);
});
