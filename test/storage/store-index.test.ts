import { afterEach, describe, expect, it } from 'vitest';
import type { IndexConfig } from '@langchain/langgraph-checkpoint';
import type { MovableStorage } from '../../src/storage/types.ts';
import { join } from 'node:path';
import { exportTo } from '../../src/ops/move/export.ts';
import { importFrom } from '../../src/ops/move/import.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { openPostgresStorage } from '../../src/storage/postgres/index.ts';
import { DIMS, embed } from '../fixtures/project/src/embed.ts';
import { HAS_POSTGRES, dropSchema, freshSchema, pgOptions } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const index: IndexConfig = {
  dims: DIMS,
  fields: ['text'],
  embeddings: { embedDocuments: embed, embedQuery: async (text: string) => (await embed([text]))[0]! } as unknown as IndexConfig['embeddings'],
};

interface Backend {
  name: string;
  /** Opens the backend's storage, on the same data each time within a test. */
  open(): Promise<MovableStorage>;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function files(): Backend {
  const temp = makeTempDir();
  cleanups.push(() => temp.cleanup());
  return { name: 'files', open: () => openFilesStorage(temp.dir, { storeIndex: index }) };
}

function postgres(): Backend {
  const schema = freshSchema();
  cleanups.push(() => dropSchema(schema));
  return { name: 'postgres', open: () => openPostgresStorage({ ...pgOptions(schema, 2), storeIndex: index }) };
}

const backends: Array<[string, () => Backend]> = [['files', files]];
if (HAS_POSTGRES) backends.push(['postgres', postgres]);

describe.each(backends)('the store\u2019s semantic index (store.index) on %s', (_name, backendOf) => {
  it('ranks a search by a query, scores each item, and leaves out of the ranking what was put with index: false', async () => {
    const backend = backendOf();
    const storage = await backend.open();
    cleanups.push(() => storage.close());
    const { store } = storage;
    await store.put(['docs'], 'food', { text: 'pasta with tomato and basil' });
    await store.put(['docs'], 'pets', { text: 'the cat sleeps on the sofa' });
    await store.put(['docs'], 'cars', { text: 'the engine of a red car' });
    await store.put(['docs'], 'hidden', { text: 'pasta pasta pasta' }, false);
    const found = await store.search(['docs'], { query: 'tomato pasta', limit: 3 });
    expect(found[0]!.key).toBe('food');
    expect(found[0]!.score).toBeGreaterThan(found[1]!.score ?? -1);
    expect(found.map((item) => item.key)).not.toContain('hidden');
    // Without a query, a search is the plain listing it always was.
    expect((await store.search(['docs'], { limit: 10 })).map((item) => item.key).sort()).toEqual(['cars', 'food', 'hidden', 'pets']);
  });

  it('keeps the vectors with the items: after a restart nothing is embedded again', async () => {
    const backend = backendOf();
    const first = await backend.open();
    await first.store.put(['notes'], 'a', { text: 'release the new version on friday' });
    await first.store.put(['notes'], 'b', { text: 'buy milk and bread' });
    await first.close();
    const second = await backend.open();
    cleanups.push(() => second.close());
    const before = embed.calls;
    const found = await second.store.search(['notes'], { query: 'friday release' });
    // Only the query was embedded.
    expect(embed.calls - before).toBe(1);
    expect(found.map((item) => item.key)).toEqual(['a', 'b']);
    expect(found[0]!.score).toBeGreaterThan(0);
  });

  it.each(backends)('an item moved to %s (export, import) is still found by meaning, without embedding it again', async (_target, targetOf) => {
    const source = await backendOf().open();
    cleanups.push(() => source.close());
    await source.store.put(['kb'], 'deploy', { text: 'how to deploy the service on friday' });
    await source.store.put(['kb'], 'lunch', { text: 'where to eat lunch near the office' });
    const temp = makeTempDir();
    cleanups.push(() => temp.cleanup());
    const file = join(temp.dir, 'export.jsonl');
    await exportTo(source, file);
    const target = await targetOf().open();
    cleanups.push(() => target.close());
    await importFrom(target, file);
    const before = embed.calls;
    const found = await target.store.search(['kb'], { query: 'deploy on friday' });
    expect(embed.calls - before).toBe(1);
    expect(found.map((item) => item.key)).toEqual(['deploy', 'lunch']);
    expect(found[0]!.score).toBeGreaterThan(found[1]!.score ?? 0);
  });
});
