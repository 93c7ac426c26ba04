import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportTo } from '../../src/ops/move/export.ts';
import { importFrom } from '../../src/ops/move/import.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { openPostgresStorage } from '../../src/storage/postgres/index.ts';
import type { StoreTtl, TtlStore } from '../../src/storage/store-ttl.ts';
import type { MovableStorage } from '../../src/storage/types.ts';
import { HAS_POSTGRES, dropSchema, freshSchema, pgOptions } from '../helpers/postgres.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const MINUTE = 60_000;
// Reads do not restart the clock here, so the test sees exactly the life the item was given.
const storeTtl: StoreTtl = { refreshOnRead: false };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

type Open = (now: () => Date) => Promise<MovableStorage>;

function files(): Open {
  const temp = makeTempDir();
  cleanups.push(() => temp.cleanup());
  return (now) => openFilesStorage(temp.dir, { storeTtl, now });
}

function postgres(): Open {
  const schema = freshSchema();
  cleanups.push(() => dropSchema(schema));
  return (now) => openPostgresStorage({ ...pgOptions(schema, 2), storeTtl, now });
}

const backends: Array<[string, () => Open]> = [['files', files]];
if (HAS_POSTGRES) backends.push(['postgres', postgres]);

describe.each(backends)('store items that expire (store.ttl), moved from %s', (_source, sourceOf) => {
  it.each(backends)('to %s keep their clock: found until their time runs out, then never', async (_target, targetOf) => {
    let clock = Date.UTC(2026, 0, 1);
    const now = () => new Date(clock);
    const source = await sourceOf()(now);
    cleanups.push(() => source.close());
    await (source.store as TtlStore).put(['notes'], 'brief', { text: 'standup moved to 10' }, undefined, { ttl: 60 });
    await source.store.put(['notes'], 'keep', { text: 'the team charter' });
    const temp = makeTempDir();
    cleanups.push(() => temp.cleanup());
    const file = join(temp.dir, 'export.jsonl');
    clock += 20 * MINUTE;
    await exportTo(source, file);

    const target = await targetOf()(now);
    cleanups.push(() => target.close());
    await importFrom(target, file);
    clock += 30 * MINUTE; // 50 minutes after the put: still alive
    expect((await target.store.get(['notes'], 'brief'))?.value).toEqual({ text: 'standup moved to 10' });
    clock += 11 * MINUTE; // 61 minutes: its hour (counted from the put, not from the import) is over
    expect(await target.store.get(['notes'], 'brief')).toBeNull();
    expect((await target.store.search(['notes'])).map((item) => item.key)).toEqual(['keep']);
    // An item without a TTL of its own still never expires after the move.
    clock += 365 * 24 * 60 * MINUTE;
    expect((await target.store.get(['notes'], 'keep'))?.value).toEqual({ text: 'the team charter' });
  });
});
