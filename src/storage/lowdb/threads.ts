import { join } from 'node:path';
import { conflict } from '../../errors.ts';
import { jsonContains, sortAndPage } from '../query.ts';
import type { Thread, ThreadQuery, ThreadRepo } from '../types.ts';
import { assertSafeId, type JsonFiles } from './json-files.ts';

/**
 * One folder per thread (`threads/<id>/thread.json`, beside its runs and checkpoints), so
 * writing a thread costs the same with 10 or 50,000 threads stored, and start-up reads
 * none of them. Threads are read on first use and then served from memory; the first
 * search reads the rest.
 */
export class LowdbThreadRepo implements ThreadRepo {
  readonly #files: JsonFiles;
  readonly #root: string;
  readonly #cache = new Map<string, Thread>();
  /** Bumped on every put and delete, so a read that raced with one never caches stale data. */
  readonly #changes = new Map<string, number>();
  #allLoaded = false;

  constructor(files: JsonFiles, dataDir: string) {
    this.#files = files;
    this.#root = join(dataDir, 'threads');
  }

  get rootDir(): string {
    return this.#root;
  }

  threadDir(threadId: string): string {
    return join(this.#root, assertSafeId('thread_id', threadId));
  }

  async get(threadId: string): Promise<Thread | null> {
    const cached = this.#cache.get(threadId);
    if (cached) return structuredClone(cached);
    const before = this.#changes.get(threadId) ?? 0;
    const thread = await this.#files.read<Thread>(join(this.threadDir(threadId), 'thread.json'));
    if ((this.#changes.get(threadId) ?? 0) !== before) return this.get(threadId);
    if (thread) this.#cache.set(threadId, thread);
    return structuredClone(thread);
  }

  async create(thread: Thread): Promise<void> {
    if (await this.get(thread.thread_id)) throw conflict(`thread ${thread.thread_id} already exists`);
    await this.put(thread);
  }

  async put(thread: Thread): Promise<void> {
    const copy = structuredClone(thread);
    this.#bump(thread.thread_id);
    this.#cache.set(thread.thread_id, copy);
    await this.#files.write(join(this.threadDir(thread.thread_id), 'thread.json'), copy);
  }

  async delete(threadId: string): Promise<boolean> {
    const existed = (await this.get(threadId)) !== null;
    this.#bump(threadId);
    this.#cache.delete(threadId);
    await this.#files.removeDir(this.threadDir(threadId));
    return existed;
  }

  async search(query: ThreadQuery): Promise<{ items: Thread[]; total: number }> {
    const candidates = query.ids ? await this.#getMany(query.ids) : await this.#all();
    const matches = candidates.filter(
      (thread) =>
        (query.status === undefined || thread.status === query.status) &&
        (query.metadata === undefined || jsonContains(thread.metadata, query.metadata)) &&
        (query.values === undefined || jsonContains(thread.values ?? {}, query.values)),
    );
    const items = sortAndPage(matches, {
      sortBy: query.sort_by ?? 'created_at',
      order: query.sort_order ?? 'desc',
      offset: query.offset,
      limit: query.limit,
    });
    return { items: structuredClone(items), total: matches.length };
  }

  #bump(threadId: string) {
    this.#changes.set(threadId, (this.#changes.get(threadId) ?? 0) + 1);
  }

  async #getMany(ids: string[]): Promise<Thread[]> {
    const found = await Promise.all(ids.map((id) => this.get(id)));
    return found.filter((thread): thread is Thread => thread !== null);
  }

  async #all(): Promise<Thread[]> {
    if (!this.#allLoaded) {
      const ids = await this.#files.list(this.#root);
      const missing = ids.filter((id) => !this.#cache.has(id));
      // Read in slices so a large folder does not open thousands of files at once.
      for (let start = 0; start < missing.length; start += 256) {
        await Promise.all(missing.slice(start, start + 256).map((id) => this.get(id)));
      }
      this.#allLoaded = true;
    }
    return [...this.#cache.values()];
  }
}
