import { writeFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chatState } from '../../src/chat/state.ts';
import { countRecords } from '../../src/ops/move/count.ts';
import { exportTo } from '../../src/ops/move/export.ts';
import { importFrom } from '../../src/ops/move/import.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { openPostgresStorage } from '../../src/storage/postgres/index.ts';
import type { MovableStorage } from '../../src/storage/types.ts';
import { runTs } from '../helpers/child.ts';
import { engineOn, SEEDED_INSTALLATION, type Seeded, seedEverything } from '../helpers/move.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions, TEST_DATABASE_URL } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const CLI = join(resolve(import.meta.dirname, '../..'), 'src/cli.ts');

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  return temp.dir;
}

/** Seeds a backend through an engine, stops it, and gives back its counts. */
async function seeded(open: () => Promise<MovableStorage>): Promise<{ seed: Seeded; counts: Awaited<ReturnType<typeof countRecords>> }> {
  const engine = await engineOn(await open());
  const seed = await seedEverything(engine);
  await engine.stop();
  const storage = await open();
  try {
    return { seed, counts: await countRecords(storage) };
  } finally {
    await storage.close();
  }
}

async function cli(args: string[], env: Record<string, string> = {}) {
  const child = runTs(CLI, args, env);
  let stderr = '';
  child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const code = await child.exited;
  return { code, stdout: child.lines.join('\n'), stderr };
}

/**
 * Checks, on the target of a move, what a team needs to carry on: the counts of the
 * source, the assistant's versions, the conversation's thread and assistant, the held
 * inbox message, and both interrupted threads continuing where they were.
 */
async function expectContinues(target: MovableStorage, seed: Seeded, sourceCounts: Awaited<ReturnType<typeof countRecords>>) {
  expect(await countRecords(target)).toEqual(sourceCounts);
  // A workspace's installation arrives as it was, its token still sealed.
  expect(await target.installations.list()).toEqual([SEEDED_INSTALLATION]);
  const engine = await engineOn(target);
  try {
    const versions = await engine.assistants.versions(seed.assistantId);
    expect(versions.map((version) => [version.version, version.name])).toEqual([
      [2, 'reviewer v2'],
      [1, 'reviewer'],
    ]);
    const chat = chatState(engine.storage.chat);
    const conversation = await chat.conversations.get(seed.conversationKey);
    expect(conversation).toMatchObject({ thread_id: seed.approvalThread, assistant: seed.assistantId });
    expect((await chat.inbox.unfinished()).map((entry) => entry.key)).toEqual(['event:Ev1']);
    expect(await chat.inbox.accept('event:Ev2', 60_000)).toBe(false);
    const prefs = await engine.storage.store.get(['users', 'u1'], 'prefs');
    expect(prefs).toMatchObject({ value: { color: 'blue' } });
    expect({ createdAt: new Date(prefs!.createdAt).toISOString(), updatedAt: new Date(prefs!.updatedAt).toISOString() }).toEqual(seed.storedAt);
    expect(await engine.storage.store.get(['users', 'u1', 'notes'], 'n1')).toMatchObject({ value: { text: 'nested namespace' } });
    // Votes on runs move with their run.
    expect(await engine.feedback.list(seed.vote.threadId, seed.vote.runId)).toEqual([seed.vote.feedback]);

    expect((await engine.threads.get(seed.approvalThread)).status).toBe('interrupted');
    const approved = await engine.runs.wait(seed.approvalThread, { assistant_id: seed.assistantId, command: { resume: 'approve' } });
    expect(approved.outcome.status).toBe('success');
    expect(approved.outcome.values).toMatchObject({ decision: 'approve' });
    const messages = approved.outcome.values!.messages as Array<{ content: string }>;
    expect(messages.at(-1)!.content).toMatch(/^Approved\./);

    // The first answer was a pending write when the thread moved: only the second is asked for.
    const answered = await engine.runs.wait(seed.questionsThread, { assistant_id: 'questions', command: { resume: { [seed.secondQuestion.id]: 'high' } } });
    expect(answered.outcome.status).toBe('success');
    expect([...(answered.outcome.values!.answers as string[])].sort()).toEqual(['cost=low', 'risk=high']);
  } finally {
    await engine.stop();
  }
}

describe('moving between backends (files)', () => {
  it('export then import into an empty data folder carries every record and the interrupted threads continue', async () => {
    const source = tempDir();
    const { seed, counts } = await seeded(() => openFilesStorage(source));
    // Each graph's default assistant, and the seeded one with its second version.
    expect(counts).toMatchObject({ threads: 3, crons: 1, installations: 1, store_items: 2, inbox_entries: 2, chat_records: 2 });
    expect(counts.assistant_versions).toBe(counts.assistants + 1);
    expect(counts.checkpoints).toBeGreaterThan(8);
    expect(counts.checkpoint_writes).toBeGreaterThan(0);
    const file = join(tempDir(), 'export.jsonl');
    const storage = await openFilesStorage(source);
    const header = await exportTo(storage, file).finally(() => storage.close());
    expect(header.counts).toEqual(counts);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ format: 'switchboard-export', version: 1, source: 'lowdb', counts });
    expect(lines).toHaveLength(
      1 +
        counts.assistants +
        counts.threads +
        counts.checkpoints +
        counts.runs +
        counts.store_items +
        counts.crons +
        counts.installations +
        counts.chat_records +
        counts.inbox_entries,
    );
    // The nested graph's subgraph wrote checkpoints under its own namespace.
    expect(lines.some((line) => line.kind === 'checkpoint' && line.checkpoint_ns.startsWith('child:'))).toBe(true);
    const target = await openFilesStorage(tempDir());
    const summary = await importFrom(target, file);
    expect(summary.stored).toEqual(counts);
    await expectContinues(target, seed, counts);
  }, 60_000);
});

describe('import refuses what would lose or mix records', () => {
  /** A seeded data folder's export, and the counts it holds. */
  async function exported() {
    const source = tempDir();
    const { seed, counts } = await seeded(() => openFilesStorage(source));
    const file = join(tempDir(), 'export.jsonl');
    const storage = await openFilesStorage(source);
    await exportTo(storage, file).finally(() => storage.close());
    return { seed, counts, file };
  }

  it('a target holding records is refused without --merge, and left as it was', async () => {
    const { file } = await exported();
    const target = await openFilesStorage(tempDir());
    cleanups.push(() => target.close());
    await target.crons.put({ ...sampleCron, cron_id: 'target-own' });
    await expect(importFrom(target, file)).rejects.toThrow(/the target is not empty \(.*1 crons.*\); .*--merge/);
    expect(await countRecords(target)).toMatchObject({ crons: 1, threads: 0, assistants: 0 });
  }, 60_000);

  it('--merge keeps the target records whose keys clash and adds the rest, and counts both', async () => {
    const { file, counts, seed } = await exported();
    const target = await openFilesStorage(tempDir());
    cleanups.push(() => target.close());
    const own = {
      thread_id: seed.approvalThread,
      created_at: '2020-01-01T00:00:00.000Z',
      updated_at: '2020-01-01T00:00:00.000Z',
      metadata: { mine: true },
      status: 'idle' as const,
      values: null,
      interrupts: {},
    };
    await target.threads.create(own);
    const summary = await importFrom(target, file, { merge: true });
    expect(summary.skipped.threads).toBe(1);
    expect(summary.skipped.checkpoints).toBeGreaterThan(0);
    expect(summary.stored.threads).toBe(counts.threads - 1);
    expect(await target.threads.get(seed.approvalThread)).toEqual(own);
    expect(await target.checkpointer.getTuple({ configurable: { thread_id: seed.approvalThread } })).toBeUndefined();
    expect(summary.target.threads).toBe(counts.threads);
  }, 60_000);

  it('an export cut short is named as such, and importing the whole file with --merge afterwards completes the move', async () => {
    const { file, counts } = await exported();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const cut = join(tempDir(), 'cut.jsonl');
    writeFileSync(cut, `${lines.slice(0, Math.floor(lines.length / 2)).join('\n')}\n`);
    const target = await openFilesStorage(tempDir());
    cleanups.push(() => target.close());
    await expect(importFrom(target, cut)).rejects.toThrow(/does not hold what its header says \(.*expected.*found.*\): it was cut short/);
    const summary = await importFrom(target, file, { merge: true });
    expect(summary.target).toEqual(counts);
  }, 60_000);

  it('a file that is not an export, or a line that is not a record, is refused with its line number', async () => {
    const target = await openFilesStorage(tempDir());
    cleanups.push(() => target.close());
    const notExport = join(tempDir(), 'other.jsonl');
    writeFileSync(notExport, '{"hello":1}\n');
    await expect(importFrom(target, notExport)).rejects.toThrow(/is not a Switchboard export/);
    const newer = join(tempDir(), 'newer.jsonl');
    writeFileSync(newer, '{"format":"switchboard-export","version":99}\n');
    await expect(importFrom(target, newer)).rejects.toThrow(/format version 99; this Switchboard reads version 1/);
    const bad = join(tempDir(), 'bad.jsonl');
    const header = { format: 'switchboard-export', version: 1, counts: { ...Object.fromEntries(Object.keys(sampleCounts).map((key) => [key, 0])), crons: 1 } };
    writeFileSync(bad, `${JSON.stringify(header)}\n{"kind":"cron","cron":${JSON.stringify(sampleCron)}}\n{not json\n`);
    await expect(importFrom(target, bad)).rejects.toThrow(/line 3 is not JSON/);
    // An export from before installations were moved (no such count in its header) still imports.
    const older = join(tempDir(), 'older.jsonl');
    const { installations: _none, ...olderCounts } = { ...sampleCounts, crons: 1 };
    writeFileSync(
      older,
      `${JSON.stringify({ format: 'switchboard-export', version: 1, counts: olderCounts })}\n{"kind":"cron","cron":${JSON.stringify({ ...sampleCron, cron_id: 'c-old' })}}\n`,
    );
    const fresh = await openFilesStorage(tempDir());
    cleanups.push(() => fresh.close());
    expect((await importFrom(fresh, older)).stored).toMatchObject({ crons: 1, installations: 0 });
  }, 60_000);
});

const sampleCron = {
  cron_id: 'c1',
  assistant_id: 'approval',
  thread_id: null,
  schedule: '0 9 * * 1',
  payload: {},
  metadata: {},
  enabled: true,
  end_time: null,
  on_run_completed: 'keep' as const,
  user_id: null,
  next_run_date: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-01T00:00:00.000Z',
};
const sampleCounts = {
  assistants: 0,
  assistant_versions: 0,
  threads: 0,
  checkpoints: 0,
  checkpoint_writes: 0,
  runs: 0,
  store_items: 0,
  crons: 0,
  installations: 0,
  chat_records: 0,
  inbox_entries: 0,
};

describe.skipIf(!HAS_POSTGRES)('switchboard migrate between files and PostgreSQL', () => {
  function schema(): string {
    const name = freshSchema();
    cleanups.push(() => dropSchema(name));
    return name;
  }

  it('files to PostgreSQL: counts equal, versions and conversations kept, interrupted threads continue on PostgreSQL', async () => {
    const source = tempDir();
    const target = schema();
    const { seed, counts } = await seeded(() => openFilesStorage(source));
    const moved = await cli(['migrate', '--from', `files:${source}`, '--to', TEST_DATABASE_URL!], { DATABASE_SCHEMA: target });
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain(`imported ${counts.assistants} assistants`);
    expect(moved.stdout).toContain('counts verified');
    await expectContinues(await openPostgresStorage(pgOptions(target)), seed, counts);
  }, 120_000);

  it('PostgreSQL to files: counts equal, versions and conversations kept, interrupted threads continue on files', async () => {
    const source = schema();
    const target = tempDir();
    const { seed, counts } = await seeded(() => openPostgresStorage(pgOptions(source)));
    const moved = await cli(['migrate', '--from', TEST_DATABASE_URL!, '--to', `files:${target}`], { DATABASE_SCHEMA: source });
    expect(moved.stderr).toBe('');
    expect(moved.code).toBe(0);
    expect(moved.stdout).toContain('counts verified');
    await expectContinues(await openFilesStorage(target), seed, counts);
  }, 120_000);
});
