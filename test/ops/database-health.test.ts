import { Client } from '@langchain/langgraph-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/chat.ts';
import { type CutProxy, startCutProxy } from '../helpers/cut-proxy.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, TEST_DATABASE_URL } from '../helpers/postgres.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';

interface Health {
  ok?: boolean;
  database?: string;
}

/**
 * README, "PostgreSQL and several processes" and "Health": `GET /ok` says whether the
 * database answers, and is a 503 when it does not. The database sits behind a TCP proxy
 * that the test takes down (connections dropped, as a stopped server's are) and brings back.
 */
describe.skipIf(!HAS_POSTGRES)('GET /ok and the database', () => {
  let t: TestSwitchboard | undefined;
  let proxy: CutProxy | undefined;
  let schema: string | undefined;
  afterEach(async () => {
    proxy?.setMode('pass');
    await t?.dispose();
    await proxy?.close();
    if (schema) await dropSchema(schema);
    t = proxy = schema = undefined;
  }, 60_000);

  /** Switchboard on PostgreSQL, reaching it only through the proxy. */
  const start = async () => {
    const target = new URL(TEST_DATABASE_URL!);
    proxy = await startCutProxy(Number(target.port || 5432));
    target.hostname = '127.0.0.1';
    target.port = String(proxy.port);
    schema = freshSchema();
    t = await startTestSwitchboard({ config: { storage: { kind: 'postgres', url: target.toString(), schema, lease_seconds: 2 } } });
    return t;
  };
  /** GET /ok, given a few seconds: a health check that hangs is as bad as a wrong one. */
  const ok = async () => {
    const response = await fetch(`${t!.url}/ok`, { signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: (await response.json()) as Health };
  };

  it('answers 200 with the database reachable, 503 naming it unreachable while it is down, and 200 again once it is back', async () => {
    await start();
    expect(await ok()).toMatchObject({ status: 200, body: { database: 'reachable' } });

    proxy!.setMode('refuse');
    await eventually(async () => expect(await ok()).toEqual({ status: 503, body: expect.objectContaining({ ok: false, database: 'unreachable' }) }), 15_000);

    proxy!.setMode('pass');
    await eventually(async () => expect(await ok()).toMatchObject({ status: 200, body: { database: 'reachable' } }), 15_000);
    // Back for real: the API stores and reads again.
    const client = new Client({ apiUrl: t!.url, apiKey: null, callerOptions: { maxRetries: 0 } });
    const thread = await client.threads.create({ metadata: { after: 'the outage' } });
    expect((await client.threads.get(thread.thread_id)).metadata).toMatchObject({ after: 'the outage' });
  }, 60_000);

  it('answers 503 within seconds when the database stops answering (connections hang), not never', async () => {
    await start();
    expect((await ok()).status).toBe(200);
    proxy!.setMode('stall');
    const answer = await ok();
    expect(answer).toEqual({ status: 503, body: expect.objectContaining({ ok: false, database: 'unreachable' }) });
    proxy!.setMode('pass');
    await eventually(async () => expect((await ok()).status).toBe(200), 15_000);
  }, 60_000);
});
