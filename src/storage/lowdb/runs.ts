import { join } from 'node:path';
import { jsonContains } from '../query.ts';
import type { Run, RunQuery, RunRepo } from '../types.ts';
import { assertSafeId, type JsonFiles } from './json-files.ts';
import type { LowdbThreadRepo } from './threads.ts';

const ACTIVE = new Set(['pending', 'running']);

interface ActiveMarker {
  run_id: string;
  thread_id: string;
  /** Acceptance order; timestamps alone tie under rapid messages. */
  seq: number;
}

/**
 * Runs live in their thread's folder (`threads/<id>/runs/<run_id>.json`). A pending or
 * running run also has a small marker in `active-runs/`, written before the run is
 * acknowledged and removed after it ends: after a crash, start-up reads only the markers
 * to rebuild the queue, in acceptance order.
 */
export class LowdbRunRepo implements RunRepo {
  readonly #files: JsonFiles;
  readonly #threads: LowdbThreadRepo;
  readonly #activeDir: string;
  readonly #active = new Map<string, ActiveMarker>();
  #seq = Date.now() * 1000;

  private constructor(files: JsonFiles, threads: LowdbThreadRepo, dataDir: string) {
    this.#files = files;
    this.#threads = threads;
    this.#activeDir = join(dataDir, 'active-runs');
  }

  static async open(files: JsonFiles, threads: LowdbThreadRepo, dataDir: string): Promise<LowdbRunRepo> {
    const repo = new LowdbRunRepo(files, threads, dataDir);
    for (const name of await files.list(repo.#activeDir)) {
      const marker = await files.read<ActiveMarker>(join(repo.#activeDir, name));
      if (!marker) continue;
      repo.#active.set(marker.run_id, marker);
      repo.#seq = Math.max(repo.#seq, marker.seq);
    }
    return repo;
  }

  #runPath(threadId: string, runId: string) {
    return join(this.#threads.threadDir(threadId), 'runs', `${assertSafeId('run_id', runId)}.json`);
  }

  #markerPath(runId: string) {
    return join(this.#activeDir, `${assertSafeId('run_id', runId)}.json`);
  }

  async get(threadId: string, runId: string): Promise<Run | null> {
    return this.#files.read<Run>(this.#runPath(threadId, runId));
  }

  async put(run: Run): Promise<void> {
    await this.#files.write(this.#runPath(run.thread_id, run.run_id), run);
    const marked = this.#active.has(run.run_id);
    if (ACTIVE.has(run.status) && !marked) {
      const marker = { run_id: run.run_id, thread_id: run.thread_id, seq: ++this.#seq };
      this.#active.set(run.run_id, marker);
      await this.#files.write(this.#markerPath(run.run_id), marker);
    } else if (!ACTIVE.has(run.status) && marked) {
      this.#active.delete(run.run_id);
      await this.#files.remove(this.#markerPath(run.run_id));
    }
  }

  async delete(threadId: string, runId: string): Promise<boolean> {
    if (this.#active.delete(runId)) await this.#files.remove(this.#markerPath(runId));
    const path = this.#runPath(threadId, runId);
    const existed = (await this.#files.read(path)) !== null;
    await this.#files.remove(path);
    return existed;
  }

  async listByThread(threadId: string, query: RunQuery): Promise<Run[]> {
    const dir = join(this.#threads.threadDir(threadId), 'runs');
    const runs = (await Promise.all((await this.#files.list(dir)).map((name) => this.#files.read<Run>(join(dir, name))))).filter(
      (run): run is Run =>
        run !== null &&
        (query.status === undefined || run.status === query.status) &&
        (query.metadata === undefined || jsonContains(run.metadata, query.metadata)),
    );
    // Newest first, as the Platform lists them. Run ids are time-ordered (uuid6), so they
    // break the ties of runs accepted within one millisecond.
    runs.sort((a, b) => compareDesc(a.created_at, b.created_at) || compareDesc(a.run_id, b.run_id));
    return runs.slice(query.offset, query.offset + query.limit);
  }

  async active(): Promise<Run[]> {
    const markers = [...this.#active.values()].sort((a, b) => a.seq - b.seq);
    const runs = await Promise.all(markers.map((marker) => this.#files.read<Run>(this.#runPath(marker.thread_id, marker.run_id))));
    return runs.filter((run): run is Run => run !== null && ACTIVE.has(run.status));
  }

  async deleteByThread(threadId: string): Promise<void> {
    for (const [runId, marker] of this.#active) {
      if (marker.thread_id !== threadId) continue;
      this.#active.delete(runId);
      await this.#files.remove(this.#markerPath(runId));
    }
    await this.#files.removeDir(join(this.#threads.threadDir(threadId), 'runs'));
  }
}

function compareDesc(a: string, b: string): number {
  return a === b ? 0 : a < b ? 1 : -1;
}
