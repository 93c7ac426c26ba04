import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { emptyCheckpoint, uuid6 } from '@langchain/langgraph-checkpoint';
import { afterEach, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../src/errors.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import type { Storage, Thread } from '../../src/storage/types.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

describe('lowdb thread journals', () => {
  const temps: Array<{ dir: string; cleanup: () => void }> = [];
  const opened: Storage[] = [];
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close().catch(() => undefined);
    for (const temp of temps.splice(0)) temp.cleanup();
  });
  async function open(dir?: string) {
    const temp = dir ? undefined : makeTempDir();
    if (temp) temps.push(temp);
    const storage = await openFilesStorage(dir ?? temp!.dir);
    opened.push(storage);
    return { storage, dir: dir ?? temp!.dir };
  }
  const thread = (id: string, n: number): Thread => ({
    thread_id: id,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: new Date().toISOString(),
    metadata: { padding: 'x'.repeat(1000) },
    status: 'idle',
    values: { n },
    interrupts: {},
  });

  it('compacts a journal whose lines are mostly superseded, and everything survives reopening', async () => {
    const { storage, dir } = await open();
    const id = crypto.randomUUID();
    let parent: string | undefined;
    for (let n = 0; n < 400; n += 1) {
      await storage.threads.put(thread(id, n));
      const checkpoint = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { n }, channel_versions: { n: n + 1 } };
      await storage.checkpointer.put(
        { configurable: { thread_id: id, checkpoint_ns: '', ...(parent ? { checkpoint_id: parent } : {}) } },
        checkpoint,
        { source: 'loop', step: n, parents: {} },
        { n: n + 1 },
      );
      parent = checkpoint.id;
    }
    // 400 thread records of ~1 KB were written; without compaction the file would hold all of them.
    const size = statSync(join(dir, 'threads', `${id}.jsonl`)).size;
    expect(size).toBeLessThan(400 * 1100);
    await storage.close();
    const { storage: reopened } = await open(dir);
    expect((await reopened.threads.get(id))?.values).toEqual({ n: 399 });
    const history = [];
    for await (const tuple of reopened.checkpointer.list({ configurable: { thread_id: id } })) history.push(tuple.checkpoint.channel_values);
    expect(history).toHaveLength(400);
    expect(history[0]).toEqual({ n: 399 });
    expect(history.at(-1)).toEqual({ n: 0 });
  });

  it('drops a last line cut short by a machine crash, and keeps appending after it', async () => {
    const { storage, dir } = await open();
    const id = crypto.randomUUID();
    await storage.threads.put(thread(id, 1));
    await storage.close();
    appendFileSync(join(dir, 'threads', `${id}.jsonl`), '{"t":"thread","s":1,"v":{"thread_id":');
    const { storage: reopened } = await open(dir);
    expect((await reopened.threads.get(id))?.values).toEqual({ n: 1 });
    await reopened.threads.put(thread(id, 2));
    await reopened.close();
    const { storage: third } = await open(dir);
    expect((await third.threads.get(id))?.values).toEqual({ n: 2 });
  });

  it('a rollback is kept across a restart', async () => {
    const { storage, dir } = await open();
    const id = crypto.randomUUID();
    const first = { ...emptyCheckpoint(), id: uuid6(-1) };
    await storage.checkpointer.put({ configurable: { thread_id: id, checkpoint_ns: '' } }, first, { source: 'input', step: -1, parents: {} }, {});
    const mark = await storage.checkpointer.mark(id);
    await storage.checkpointer.put(
      { configurable: { thread_id: id, checkpoint_ns: '', checkpoint_id: first.id } },
      { ...emptyCheckpoint(), id: uuid6(-1) },
      { source: 'loop', step: 0, parents: {} },
      {},
    );
    await storage.checkpointer.rollback(mark);
    await storage.close();
    const { storage: reopened } = await open(dir);
    const tuple = await reopened.checkpointer.getTuple({ configurable: { thread_id: id } });
    expect(tuple?.checkpoint.id).toBe(first.id);
  });

  it('thread search reads only the latest record of each journal', async () => {
    const { storage, dir } = await open();
    const ids = Array.from({ length: 30 }, () => crypto.randomUUID());
    for (const [index, id] of ids.entries()) {
      await storage.threads.put({ ...thread(id, 0), status: index % 3 === 0 ? 'error' : 'idle' });
      await storage.threads.put({ ...thread(id, index), status: index % 3 === 0 ? 'error' : 'idle' });
    }
    await storage.close();
    const { storage: reopened } = await open(dir);
    const errors = await reopened.threads.search({ status: 'error', limit: 100, offset: 0 });
    expect(errors.total).toBe(10);
    expect(errors.items.every((item) => (item.values as { n: number }).n % 3 === 0)).toBe(true);
  });

  it('a journal of long checkpoints reopens with its history, state and latest values whole, and a corrupt checkpoint body fails only its own read', async () => {
    const { storage, dir } = await open();
    const id = crypto.randomUUID();
    // Each checkpoint carries the whole conversation, as a chat's do: lines of several KiB, opened by their heads.
    const conversation = (n: number) => Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'ai' : 'human', content: `message ${i} ${'ü'.repeat(40)}` }));
    const ids: string[] = [];
    for (let n = 1; n <= 30; n += 1) {
      await storage.threads.put({ ...thread(id, n), values: { messages: conversation(n) } });
      const checkpoint = { ...emptyCheckpoint(), id: uuid6(-1), channel_values: { messages: conversation(n) }, channel_versions: { messages: n } };
      await storage.checkpointer.put(
        { configurable: { thread_id: id, checkpoint_ns: '', ...(ids.length > 0 ? { checkpoint_id: ids.at(-1) } : {}) } },
        checkpoint,
        { source: 'loop', step: n, parents: {} },
        { messages: n },
      );
      ids.push(checkpoint.id);
    }
    await storage.close();

    const { storage: reopened } = await open(dir);
    expect((await reopened.threads.get(id))?.values).toEqual({ messages: conversation(30) });
    const history = [];
    for await (const tuple of reopened.checkpointer.list({ configurable: { thread_id: id, checkpoint_ns: '' } })) history.push(tuple);
    expect(history.map((tuple) => tuple.checkpoint.id)).toEqual([...ids].reverse());
    expect(history.map((tuple) => (tuple.checkpoint.channel_values.messages as unknown[]).length)).toEqual(ids.map((_, i) => 30 - i));
    expect(history.at(-1)?.checkpoint.channel_values.messages).toEqual(conversation(1));
    await reopened.close();

    // Damage the body of the 25th checkpoint's line (its head stays intact).
    const path = join(dir, 'threads', `${id}.jsonl`);
    const lines = readFileSync(path, 'utf8').split('\n');
    const damagedAt = lines.findIndex((line) => line.startsWith('{"t":"cp"') && line.includes(`"id":"${ids[24]}"`));
    // Longer than the lines parsed whole at open (2 KiB).
    expect(lines[damagedAt]!.length).toBeGreaterThan(2048);
    lines[damagedAt] = lines[damagedAt]!.replace('message 3', 'message 3"oops');
    writeFileSync(path, lines.join('\n'));
    const { storage: damaged } = await open(dir);
    // The thread opens; its latest state reads; the damaged checkpoint says so when it is read.
    expect((await damaged.checkpointer.getTuple({ configurable: { thread_id: id, checkpoint_ns: '' } }))?.checkpoint.id).toBe(ids[29]);
    await expect(damaged.checkpointer.getTuple({ configurable: { thread_id: id, checkpoint_ns: '', checkpoint_id: ids[24] } })).rejects.toSatisfy((error) =>
      isSwitchboardError(error, 'storage_corrupt'),
    );
  });

  it("thread search keeps no thread's values in memory, and still answers and filters on the current ones", async () => {
    const { storage } = await open();
    const ids = Array.from({ length: 3 }, () => crypto.randomUUID());
    const written = new WeakRef(await putWithValues(storage, ids));
    // The first search builds the index; later writes keep it up to date.
    expect((await storage.threads.search({ limit: 10, offset: 0 })).total).toBe(3);
    await storage.threads.put({ ...thread(ids[1]!, 1), values: { messages: ['changed'] } });
    storage.releaseMemory?.();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    for (let i = 0; i < 3; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      gc();
    }
    expect(written.deref()).toBeUndefined();
    const found = await storage.threads.search({ values: { messages: ['changed'] }, limit: 10, offset: 0 });
    expect(found.items.map((item) => [item.thread_id, item.values])).toEqual([[ids[1], { messages: ['changed'] }]]);
    const all = await storage.threads.search({ limit: 10, offset: 0, sort_by: 'thread_id', sort_order: 'asc' });
    expect(all.items.map((item) => (item.values as { messages: string[] }).messages[0])).toEqual(
      [...ids].sort().map((id) => (id === ids[1] ? 'changed' : `conversation of ${id}`)),
    );
  });

  /** Writes each thread with its own values; returns the first one's values object. */
  async function putWithValues(storage: Storage, ids: string[]): Promise<object> {
    const values = ids.map((id) => ({ messages: [`conversation of ${id}`] }));
    for (const [index, id] of ids.entries()) await storage.threads.put({ ...thread(id, index), values: values[index]! });
    return values[0]!.messages;
  }
});
