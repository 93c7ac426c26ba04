import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSwitchboardError } from '../../src/errors.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { runTs, type Child } from '../helpers/child.ts';
import { startTestEngine } from '../helpers/engine.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const WRITER = new URL('../fixtures/storage-writer.ts', import.meta.url).pathname;

describe('lowdb durability', () => {
  const children: Child[] = [];
  const temps: Array<{ cleanup: () => void }> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  it('a process killed with SIGKILL while writing leaves files that load, holding every acknowledged write', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const acked: Array<{ threadId: string; checkpointId: string; n: number }> = [];
    for (let round = 0; round < 3; round += 1) {
      const child = runTs(WRITER, ['write-loop', temp.dir]);
      children.push(child);
      await child.waitFor(/^ready$/);
      // Let it write for a while, then kill it mid-write at a moment of no choosing.
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.floor(Math.random() * 400)));
      child.process.kill('SIGKILL');
      await child.exited;
      for (const line of child.lines) {
        const match = /^ack (\S+) (\S+) (\d+)$/.exec(line);
        if (match) acked.push({ threadId: match[1]!, checkpointId: match[2]!, n: Number(match[3]) });
      }
    }
    expect(acked.length).toBeGreaterThan(20);

    // The stale lock of the killed process is taken over; every acknowledged write is there.
    const storage = await openFilesStorage(temp.dir);
    try {
      for (const { threadId, checkpointId, n } of acked) {
        const thread = await storage.threads.get(threadId);
        expect(thread?.metadata).toEqual({ n });
        const tuple = await storage.checkpointer.getTuple({ configurable: { thread_id: threadId } });
        expect(tuple?.checkpoint.id).toBe(checkpointId);
        expect(tuple?.checkpoint.channel_values).toEqual({ n });
      }
      const ackedRuns = new Set(acked.map((entry) => entry.threadId));
      const active = await storage.runs.active();
      for (const threadId of ackedRuns) expect(active.some((run) => run.thread_id === threadId)).toBe(true);
      // Every thread file on disk parses, acknowledged or not.
      const all = await storage.threads.search({ limit: 100_000, offset: 0 });
      expect(all.total).toBeGreaterThanOrEqual(acked.length);
    } finally {
      await storage.close();
    }
  }, 60_000);

  it('a second process cannot open a data folder another live process holds', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const holder = runTs(WRITER, ['hold', temp.dir]);
    children.push(holder);
    await holder.waitFor(/^ready$/);
    await expect(openFilesStorage(temp.dir)).rejects.toSatisfy((error) => isSwitchboardError(error, 'storage_locked'));
  });

  it('start-up reads no thread: corrupt thread files only fail when that thread is read', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const storage = await openFilesStorage(temp.dir);
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) {
      const now = new Date().toISOString();
      const threadId = crypto.randomUUID();
      ids.push(threadId);
      await storage.threads.create({ thread_id: threadId, created_at: now, updated_at: now, metadata: {}, status: 'idle', values: null, interrupts: {} });
    }
    await storage.close();
    const journals = readdirSync(join(temp.dir, 'threads'));
    expect(journals).toHaveLength(50);
    for (const name of journals) writeFileSync(join(temp.dir, 'threads', name), '{not json\n');

    // The whole engine starts on that folder: nothing at start-up touched a thread file.
    const engine = await startTestEngine({ dataDir: temp.dir });
    try {
      await expect(engine.threads.get(ids[0]!)).rejects.toSatisfy((error) => isSwitchboardError(error, 'storage_corrupt'));
    } finally {
      await engine.stop();
    }
  });
});
