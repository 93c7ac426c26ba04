import type { Run } from '../storage/types.ts';
import type { Engine } from './engine.ts';
import type { RunEvent } from './stream.ts';

/** The Platform's thread stream modes: the runs' own events (and run_done), only run start/end, or the state after each run. */
export const THREAD_STREAM_MODES = ['run_modes', 'lifecycle', 'state_update'] as const;
export type ThreadStreamMode = (typeof THREAD_STREAM_MODES)[number];

const FINAL = new Set(['success', 'error', 'timeout', 'interrupted']);
const byCreation = (a: Run, b: Run) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.run_id < b.run_id ? -1 : 1);
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((done) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        done();
      },
      { once: true },
    );
  });

/**
 * `GET /threads/{id}/stream`: what happens on a thread from now on, run after run, until
 * the client leaves. Runs in flight when it joins come first, then each new run in the order
 * they were made. Event ids are `<run id>:<position>`, so a client that reconnects with
 * Last-Event-ID continues inside the run it was reading and then with the runs after it.
 * New runs are found by asking storage, so runs made by other processes are followed too.
 */
export async function* threadStream(
  engine: Engine,
  threadId: string,
  options: { modes: readonly ThreadStreamMode[]; lastEventId?: string | undefined; signal: AbortSignal; pollMs?: number },
): AsyncGenerator<RunEvent> {
  const modes = new Set(options.modes.length > 0 ? options.modes : ['run_modes']);
  const seen = new Set<string>();
  const [resumeRun, resumeAt] = splitEventId(options.lastEventId);
  const existing = (await engine.runs.list(threadId, { limit: 10_000 })).sort(byCreation);
  const resumeFrom = resumeRun ? existing.find((run) => run.run_id === resumeRun) : undefined;
  for (const run of existing) {
    // Already over when the client joined (or before the run it was reading): not streamed again.
    const before = resumeFrom ? byCreation(run, resumeFrom) < 0 : FINAL.has(run.status);
    // The client saw the end of the run it names: that run is over for it too.
    const finishedForClient = run === resumeFrom && (resumeAt === 'done' || resumeAt === 'state');
    if (before || finishedForClient) seen.add(run.run_id);
  }
  while (!options.signal.aborted) {
    const next = (await engine.runs.list(threadId, { limit: 100 }).catch(() => [] as Run[])).filter((run) => !seen.has(run.run_id)).sort(byCreation)[0];
    if (!next) {
      await sleep(options.pollMs ?? 200, options.signal);
      continue;
    }
    seen.add(next.run_id);
    const at = (position: string) => `${next.run_id}:${position}`;
    const resuming = next.run_id === resumeRun && resumeAt !== undefined;
    if (modes.has('lifecycle') && !resuming) yield { id: at('start'), event: 'run_start', data: { run_id: next.run_id, thread_id: threadId } };
    for await (const event of engine.runs.stream(threadId, next.run_id, { signal: options.signal, lastEventId: resuming && /^\d+$/.test(resumeAt) ? resumeAt : undefined })) {
      if (modes.has('run_modes')) yield { ...event, id: at(event.id) };
    }
    if (options.signal.aborted) return;
    const ended = await engine.runs.get(threadId, next.run_id).catch(() => null);
    const done = { run_id: next.run_id, thread_id: threadId, status: ended?.status ?? 'deleted' };
    if (modes.has('run_modes') || modes.has('lifecycle')) yield { id: at('done'), event: 'run_done', data: done };
    if (modes.has('state_update')) {
      const state = await engine.threads.getState(threadId).catch(() => null);
      if (state) yield { id: at('state'), event: 'state_update', data: { run_id: next.run_id, values: state.values, next: state.next, checkpoint: state.checkpoint } };
    }
  }
}

function splitEventId(id: string | undefined): [string | undefined, string | undefined] {
  if (!id) return [undefined, undefined];
  const colon = id.lastIndexOf(':');
  return colon < 0 ? [undefined, undefined] : [id.slice(0, colon), id.slice(colon + 1)];
}
