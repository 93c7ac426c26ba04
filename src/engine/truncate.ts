import type { Engine } from './engine.ts';

export interface TruncateFlags {
  runs?: boolean | undefined;
  threads?: boolean | undefined;
  assistants?: boolean | undefined;
  store?: boolean | undefined;
  /** The Platform's test servers spell it both ways. */
  checkpoint?: boolean | undefined;
  checkpointer?: boolean | undefined;
}

export interface Truncated {
  threads: number;
  runs: number;
  assistants: number;
  store_items: number;
}

const PAGE = 500;

/**
 * Empties what the flags name, as the Platform's `POST /internal/truncate` does for test
 * suites: threads (with their runs and checkpoints), runs (threads kept), assistants (the
 * ones made through the API; each graph's default assistant stays), store items. Through
 * the engine's own operations, so running work is stopped first and both backends behave
 * the same.
 */
export async function truncate(engine: Engine, flags: TruncateFlags): Promise<Truncated> {
  const done: Truncated = { threads: 0, runs: 0, assistants: 0, store_items: 0 };
  if (flags.threads || flags.runs || flags.checkpoint || flags.checkpointer) {
    for (;;) {
      const { items } = await engine.threads.search({ limit: PAGE, offset: flags.threads ? 0 : done.threads });
      if (items.length === 0) break;
      let removed = 0;
      for (const thread of items) {
        await engine.runs.cancelAll(thread.thread_id, { wait: true }).catch(() => undefined);
        if (flags.threads) {
          removed += await engine.threads.delete(thread.thread_id).then(
            () => 1,
            () => 0,
          );
        } else {
          for (const run of await engine.runs.list(thread.thread_id, { limit: 10_000 })) {
            await engine.runs.delete(thread.thread_id, run.run_id).catch(() => undefined);
            done.runs += 1;
          }
        }
        done.threads += 1;
      }
      // A page that could not be emptied would come back the same: stop rather than loop.
      if (flags.threads ? removed === 0 : items.length < PAGE) break;
    }
    if (!flags.threads) done.threads = 0;
  }
  if (flags.assistants) {
    const { items } = await engine.assistants.search({ limit: 10_000 });
    for (const assistant of items) {
      if (assistant.metadata?.created_by === 'system') continue;
      await engine.assistants.delete(assistant.assistant_id).catch(() => undefined);
      done.assistants += 1;
    }
  }
  if (flags.store) {
    const store = engine.storage.store;
    for (;;) {
      const items = await store.search([], { limit: PAGE, offset: 0 });
      if (items.length === 0) break;
      for (const item of items) await store.delete(item.namespace, item.key);
      done.store_items += items.length;
    }
  }
  return done;
}
