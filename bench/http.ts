import { Client } from '@langchain/langgraph-sdk';
import { runTs } from '../test/helpers/child.ts';
import { benchFloorPerRun } from './engine.ts';
import { fmt, median, printTable, sampleSequential } from './stats.ts';

const ANCHOR = { perRunMs: 559, runsPerSecond: 21.6, firstTokenMs: 57 };

/**
 * Through the official SDK against the server in another process: sequential
 * `runs.wait` on one thread, 50 threads x 10 turns at concurrency 16, and the first
 * streamed token; against the in-process floor measured in the same run.
 */
export async function benchHttp(): Promise<void> {
  const child = runTs(new URL('./http-server.ts', import.meta.url).pathname, []);
  const url = (await child.waitFor(/^listening /, 30_000)).split(' ')[1]!;
  try {
    const client = new Client({ apiUrl: url, apiKey: null, callerOptions: { maxConcurrency: 16, maxRetries: 0 } });
    const floor = await benchFloorPerRun(200);

    const perRuns: number[] = [];
    const rates: number[] = [];
    for (let rep = 0; rep < 3; rep += 1) {
      const thread = await client.threads.create();
      for (let i = 0; i < 20; i += 1) await client.runs.wait(thread.thread_id, 'counter', { input: { count: 0 } });
      perRuns.push(median(await sampleSequential(200, () => client.runs.wait(thread.thread_id, 'counter', { input: { count: 0 } }))));

      // 50 threads x 10 turns; 16 workers each take a whole thread, so a thread never has two runs at once.
      const queue = (await Promise.all(Array.from({ length: 50 }, () => client.threads.create()))).map((item) => item.thread_id);
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let threadId = queue.shift(); threadId; threadId = queue.shift()) {
            for (let turn = 0; turn < 10; turn += 1) await client.runs.wait(threadId, 'counter', { input: { count: 0 } });
          }
        }),
      );
      rates.push(500 / ((performance.now() - started) / 1000));
    }
    const perRun = median(perRuns);
    const throughput = median(rates);

    const firstToken = async (threadId: string, text: string) => {
      const start = performance.now();
      let first = 0;
      for await (const event of client.runs.stream(threadId, 'chat', { input: { messages: [{ role: 'user', content: text }] }, streamMode: 'messages-tuple' })) {
        if (first === 0 && event.event === 'messages') first = performance.now() - start;
      }
      return first;
    };
    // The first message of new conversations, then the 51st to 70th of one long conversation.
    const fresh: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const value = await firstToken((await client.threads.create()).thread_id, `hello ${i}`);
      if (i >= 10) fresh.push(value);
    }
    const longThread = (await client.threads.create()).thread_id;
    const long: number[] = [];
    for (let i = 0; i < 70; i += 1) {
      const value = await firstToken(longThread, `turn ${i}`);
      if (i >= 50) long.push(value);
    }

    printTable('HTTP API through the official SDK (server in its own process, durable lowdb storage)', [
      ['in-process floor: engine runs.wait', `${fmt(floor)} ms`],
      ['SDK runs.wait, 200 turns on one thread', `${fmt(perRun)} ms median of 3 (${(perRun / floor).toFixed(2)}x the floor; JS reference ${ANCHOR.perRunMs} ms)`],
      [
        'SDK, 50 threads x 10 turns, concurrency 16',
        `${throughput.toFixed(0)} runs/s, median of 3 (${(throughput / ANCHOR.runsPerSecond).toFixed(1)}x the JS reference's ${ANCHOR.runsPerSecond})`,
      ],
      ['SDK, first streamed token, new conversation', `${fmt(median(fresh))} ms median (JS reference ${ANCHOR.firstTokenMs} ms)`],
      ['SDK, first streamed token, turns 51-70', `${fmt(median(long))} ms median (the checkpoint holds the whole conversation)`],
    ]);
  } finally {
    child.process.kill('SIGTERM');
    await child.exited;
  }
}
