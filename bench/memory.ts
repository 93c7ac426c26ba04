import { Client } from '@langchain/langgraph-sdk';
import { rssMiB, startServerProcess } from './server-process.ts';
import { printTable } from './stats.ts';

/**
 * Figures measured by this section on commit b340e65, before the memory bounds (this machine,
 * `--minutes 1`; a first run gave 306 MiB after 1,000 threads), and the issue's.
 */
const AT_START = { afterThousandThreadsMiB: 204, peakMiB: 231, idleMiB: 195 };
const ISSUE = { afterThousandThreadsMiB: 290, referenceServerMiB: 180 };
const TARGET = { afterThousandThreadsMiB: 150, peakMiB: 300, idleWithin: 0.2 };
const SAMPLE_EVERY_MS = 30_000;

const message = (text: string) => ({ messages: [{ role: 'user', content: text }] });

/**
 * Memory of the server process (VmRSS, read from /proc) under the issue's two loads: 1,000
 * threads with one run each; then 16 clients at full speed on 200 threads for `--minutes`
 * (1 by default; the issue's figure is `npm run bench -- memory --minutes 10`), sampled
 * every 30 s, and as long again idle (at most 2 minutes) to see it come back down.
 */
export async function benchMemory(options: { minutes: number }): Promise<void> {
  const server = await startServerProcess();
  try {
    const client = new Client({ apiUrl: server.url, apiKey: null, callerOptions: { maxConcurrency: 16, maxRetries: 0 } });
    const fresh = rssMiB(server.pid);
    await inParallel(16, 1000, async () => {
      const thread = await client.threads.create();
      await client.runs.wait(thread.thread_id, 'chat', { input: message('hello there') });
    });
    await settle();
    const afterThousand = rssMiB(server.pid);
    printTable('Memory: server RSS after 1,000 threads with one run each (chat graph, offline model, 16 SDK clients)', [
      ['fresh server', mib(fresh)],
      [
        'after 1,000 threads',
        `${mib(afterThousand)} (target at most ${TARGET.afterThousandThreadsMiB} MiB; at start ${mib(AT_START.afterThousandThreadsMiB)}; the issue ${ISSUE.afterThousandThreadsMiB} MiB, the reference server ${ISSUE.referenceServerMiB} MiB)`,
      ],
    ]);

    const threads = await Promise.all(Array.from({ length: 200 }, () => client.threads.create()));
    const start = rssMiB(server.pid);
    const curve: Array<[string, string]> = [['0 s (load starts)', mib(start)]];
    let runs = 0;
    let peak = start;
    const began = Date.now();
    const loadEnds = began + options.minutes * 60_000;
    const sampler = setInterval(() => {
      const rss = rssMiB(server.pid);
      peak = Math.max(peak, rss);
      const phase = Date.now() < loadEnds ? `${runs} runs so far` : 'idle';
      curve.push([`${Math.round((Date.now() - began) / 1000)} s`, `${mib(rss)} (${phase})`]);
    }, SAMPLE_EVERY_MS);
    // Peaks between samples count too.
    const peakWatch = setInterval(() => (peak = Math.max(peak, rssMiB(server.pid))), 1000);
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (Date.now() < loadEnds) {
          const thread = threads[next++ % threads.length]!;
          await client.runs.wait(thread.thread_id, 'chat', { input: message(`message ${runs}`), multitaskStrategy: 'enqueue' });
          runs += 1;
        }
      }),
    );
    clearInterval(peakWatch);
    const idleMs = Math.min(options.minutes * 60_000, 120_000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(idleMs, SAMPLE_EVERY_MS * 2) + 1000));
    clearInterval(sampler);
    const idle = rssMiB(server.pid);
    printTable(`Memory: server RSS every 30 s, 16 SDK clients at full speed on 200 threads for ${options.minutes} min (${runs} runs), then idle`, curve);
    printTable('Memory: full-speed load, summary', [
      ['peak', `${mib(peak)} (target under ${TARGET.peakMiB} MiB; at start ${mib(AT_START.peakMiB)})`],
      [
        'idle after the load',
        `${mib(idle)}, ${((idle / start - 1) * 100).toFixed(0)}% from ${mib(start)} at its start (target within ${TARGET.idleWithin * 100}%; at start ${mib(AT_START.idleMiB)})`,
      ],
    ]);
  } finally {
    await server.stop();
  }
}

/** Runs `task` `total` times, `concurrency` at once. */
async function inParallel(concurrency: number, total: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

/** A moment for the server to finish what follows the last answer (journals, timers). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 2000));

const mib = (value: number) => (Number.isNaN(value) ? 'not measured' : `${value.toFixed(0)} MiB`);
