import { FakeOtlpReceiver } from '../test/fakes/otlp.ts';
import { startTestSwitchboard } from '../test/helpers/switchboard.ts';
import { fmt, median, printTable, sampleSequential } from './stats.ts';

const TURNS = 150;
const REPS = 3;

/**
 * What tracing costs a run: sequential HTTP `runs/wait` of the chat graph (request, run,
 * node and model spans) with OTEL_EXPORTER_OTLP_ENDPOINT unset (the baseline) and set to
 * a local OTLP receiver, alternated in the same process so drift hits both alike.
 */
export async function benchTracing(): Promise<void> {
  const receiver = new FakeOtlpReceiver();
  await receiver.start();
  const off: number[] = [];
  const on: number[] = [];
  try {
    for (let rep = 0; rep < REPS; rep += 1) {
      off.push(await perRunMs({}));
      on.push(await perRunMs({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }));
    }
  } finally {
    await receiver.stop();
  }
  const baseline = median(off);
  const traced = median(on);
  printTable('Tracing (HTTP runs/wait of the chat graph, one thread, sequential)', [
    ['tracing off (baseline)', `${fmt(baseline)} ms per run, median of ${REPS} x ${TURNS}`],
    ['OTLP tracing on', `${fmt(traced)} ms per run (${(traced / baseline).toFixed(2)}x the baseline; ${receiver.spans.length} spans received)`],
  ]);
}

async function perRunMs(env: Record<string, string>): Promise<number> {
  const t = await startTestSwitchboard({ env });
  try {
    const thread = (await (await fetch(`${t.url}/threads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { thread_id: string };
    const turn = async () => {
      const answer = await fetch(`${t.url}/threads/${thread.thread_id}/runs/wait`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ assistant_id: 'chat', input: { messages: [{ role: 'user', content: 'hi' }] } }),
      });
      await answer.json();
    };
    await sampleSequential(20, turn);
    return median(await sampleSequential(TURNS, turn));
  } finally {
    await t.dispose();
  }
}
