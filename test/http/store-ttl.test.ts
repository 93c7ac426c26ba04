import { Annotation, END, START, StateGraph, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoreTtl } from '../../src/storage/store-ttl.ts';
import { exampleGraphs } from '../helpers/engine.ts';
import { testGraphs } from '../helpers/graphs.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const MINUTE = 60_000;

/** A graph that remembers the last note it was given in the store, and answers the one it found there before. */
const memo = new StateGraph(Annotation.Root({ note: Annotation<string>, previous: Annotation<string | null> }))
  .addNode('remember', async (state, config: LangGraphRunnableConfig) => {
    const before = await config.store!.get(['memo'], 'last');
    await config.store!.put(['memo'], 'last', { note: state.note });
    return { previous: (before?.value.note as string | undefined) ?? null };
  })
  .addEdge(START, 'remember')
  .addEdge('remember', END)
  .compile();

/**
 * Store items' time to live (langgraph.json `store.ttl`, `ttl` on a put, `refresh_ttl` on a
 * read) through the SDK's `client.store`, on files (and on PostgreSQL in the
 * engine-on-postgres project). The engine's clock is moved; nothing sleeps.
 */
describe("store items' time to live (store.ttl)", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.dispose();
    server = undefined;
  });

  /** A server whose store clock the test moves; `sweep` runs the store's sweep at that time. */
  async function serverWithClock(storeTtl?: StoreTtl) {
    let clock = Date.now();
    server = await startTestServer({
      // The store's clock moves; runs keep the real time (the queue would hold a run stamped in the future).
      engine: { storageNow: () => new Date(clock), ...(storeTtl ? { storeTtl } : {}), graphs: { ...exampleGraphs, ...testGraphs, memo } },
    });
    const engine = server.engine;
    // The sweep's time is the store's clock too (the engine passes none of its own here).
    return { server, client: server.client, advance: (ms: number) => (clock += ms), sweep: () => engine.storeSweeper.once() };
  }

  it('hides an item once its own ttl has run out (get, search, namespaces) before any sweep, and the sweep deletes expired items for good', async () => {
    const { client, advance, sweep } = await serverWithClock({ refreshOnRead: false });
    await client.store.putItem(['notes', 'cy'], 'swept', { text: 'gone at the sweep' }, { ttl: 10 });
    await client.store.putItem(['notes', 'bo'], 'kept', { text: 'stays' });
    advance(11 * MINUTE);
    // Nothing has read it since it expired: the sweep finds it and deletes it.
    expect(await sweep()).toBe(1);
    expect(await sweep()).toBe(0);
    await client.store.putItem(['notes', 'ana'], 'short', { text: 'soon gone' }, { ttl: 10 });
    advance(9 * MINUTE);
    expect((await client.store.getItem(['notes', 'ana'], 'short'))?.value).toEqual({ text: 'soon gone' });
    advance(2 * MINUTE);
    // Expired, not swept yet: no read returns it.
    expect(await client.store.getItem(['notes', 'ana'], 'short')).toBeNull();
    expect((await client.store.searchItems(['notes'])).items.map((item) => item.key)).toEqual(['kept']);
    expect((await client.store.listNamespaces({ prefix: ['notes'] })).namespaces).toEqual([['notes', 'bo']]);
    await sweep();
    // Back before their expiry: the items are not merely hidden, they are gone.
    advance(-30 * MINUTE);
    expect(await client.store.getItem(['notes', 'ana'], 'short')).toBeNull();
    expect(await client.store.getItem(['notes', 'cy'], 'swept')).toBeNull();
    expect((await client.store.getItem(['notes', 'bo'], 'kept'))?.value).toEqual({ text: 'stays' });
  });

  it('gives items put without a ttl the default, keeps a ttl: null item for ever, and restarts the clock on reads unless refresh_ttl is false', async () => {
    const { client, advance } = await serverWithClock({ defaultMinutes: 10, refreshOnRead: true });
    await client.store.putItem(['prefs'], 'read', { v: 1 });
    await client.store.putItem(['prefs'], 'peeked', { v: 2 });
    await client.store.putItem(['prefs'], 'searched', { v: 3 });
    await client.store.putItem(['prefs'], 'forever', { v: 4 }, { ttl: null });
    advance(8 * MINUTE);
    expect((await client.store.getItem(['prefs'], 'read'))?.value).toEqual({ v: 1 });
    expect((await client.store.getItem(['prefs'], 'peeked', { refreshTtl: false }))?.value).toEqual({ v: 2 });
    // A search refreshes what it returns; one asked not to refresh does not.
    expect((await client.store.searchItems(['prefs'], { filter: { v: 3 } })).items).toHaveLength(1);
    expect((await client.store.searchItems(['prefs'], { filter: { v: 1 }, refreshTtl: false })).items).toHaveLength(1);
    advance(4 * MINUTE);
    expect(await client.store.getItem(['prefs'], 'peeked')).toBeNull();
    expect((await client.store.searchItems(['prefs'], { refreshTtl: false })).items.map((item) => item.key).sort()).toEqual(['forever', 'read', 'searched']);
    advance(10_000 * MINUTE);
    expect((await client.store.searchItems(['prefs'])).items.map((item) => item.key)).toEqual(['forever']);
    // Putting an item again gives it a fresh TTL.
    await client.store.putItem(['prefs'], 'read', { v: 5 });
    advance(9 * MINUTE);
    expect((await client.store.getItem(['prefs'], 'read', { refreshTtl: false }))?.value).toEqual({ v: 5 });
  });

  it('with refresh_on_read false, reads leave the clock alone unless a read asks with refresh_ttl', async () => {
    const { client, advance } = await serverWithClock({ defaultMinutes: 10, refreshOnRead: false });
    await client.store.putItem(['prefs'], 'plain', { v: 1 });
    await client.store.putItem(['prefs'], 'asked', { v: 2 });
    advance(8 * MINUTE);
    await client.store.getItem(['prefs'], 'plain');
    await client.store.getItem(['prefs'], 'asked', { refreshTtl: true });
    advance(4 * MINUTE);
    expect(await client.store.getItem(['prefs'], 'plain')).toBeNull();
    expect((await client.store.getItem(['prefs'], 'asked'))?.value).toEqual({ v: 2 });
  });

  it("applies the default ttl to what graphs put in the store at run time, and a graph's read of an expired item finds nothing", async () => {
    const { client, advance } = await serverWithClock({ defaultMinutes: 30, refreshOnRead: true });
    const first = await client.runs.wait(null, 'memo', { input: { note: 'milk' } });
    expect(first).toMatchObject({ previous: null });
    advance(20 * MINUTE);
    const second = await client.runs.wait(null, 'memo', { input: { note: 'eggs' } });
    expect(second).toMatchObject({ previous: 'milk' });
    expect((await client.store.getItem(['memo'], 'last', { refreshTtl: false }))?.value).toEqual({ note: 'eggs' });
    advance(31 * MINUTE);
    expect(await client.store.getItem(['memo'], 'last')).toBeNull();
    const third = await client.runs.wait(null, 'memo', { input: { note: 'tea' } });
    expect(third).toMatchObject({ previous: null });
  });

  it('refuses a ttl that is not a positive number of minutes and a refresh_ttl that is not a boolean, storing nothing', async () => {
    const { server, client } = await serverWithClock();
    await expect(client.store.putItem(['prefs'], 'bad', { v: 1 }, { ttl: -5 })).rejects.toThrow(/HTTP 422.*ttl/);
    expect(await client.store.getItem(['prefs'], 'bad')).toBeNull();
    const response = await fetch(`${server.url}/store/items?namespace=prefs&key=bad&refresh_ttl=maybe`, { headers: { accept: 'application/json' } });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ detail: expect.stringMatching(/refresh_ttl must be true or false/) });
  });
});
