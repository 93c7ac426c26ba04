import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { type RunEvent, StreamBroker } from '../../src/engine/stream.ts';

const KIB = 1024;
/** An event whose JSON is about `bytes` long. */
const payload = (bytes: number) => ({ text: 'x'.repeat(bytes) });

async function drain(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe("finished runs' stream logs within a byte budget", () => {
  it('drops the oldest finished logs first once finished logs pass the budget, and never a running run', () => {
    const broker = new StreamBroker({ retentionMs: 60_000, memoryBytes: 25 * KIB });
    for (const runId of ['running', 'first', 'second', 'third']) broker.open(runId);
    // The running run's log alone is past the budget: it is not a finished log, so it stays.
    broker.publish('running', 'values', payload(40 * KIB));
    for (const runId of ['first', 'second', 'third']) {
      broker.publish(runId, 'values', payload(10 * KIB));
      broker.close(runId);
    }
    // 30 KiB finished against 25 KiB: the first to finish goes, the later two stay.
    expect(broker.has('first')).toBe(false);
    expect(broker.has('second')).toBe(true);
    expect(broker.has('third')).toBe(true);
    expect(broker.has('running')).toBe(true);
    expect(broker.finishedBytes).toBeLessThanOrEqual(25 * KIB);
    expect(broker.finishedBytes).toBeGreaterThan(20 * KIB);

    broker.publish('running', 'values', payload(10 * KIB));
    broker.close('running');
    // Its 50 KiB push out every older log, and itself: no finished log is held past the budget.
    expect(['second', 'third', 'running'].map((runId) => broker.has(runId))).toEqual([false, false, false]);
    expect(broker.finishedBytes).toBe(0);
  });

  it('a run started again is no longer counted as finished, so its new log is safe until it ends', () => {
    const broker = new StreamBroker({ retentionMs: 60_000, memoryBytes: 15 * KIB });
    broker.open('resumed');
    broker.publish('resumed', 'values', payload(10 * KIB));
    broker.close('resumed');
    expect(broker.finishedBytes).toBeGreaterThan(10 * KIB);
    broker.open('resumed');
    expect(broker.finishedBytes).toBe(0);
    broker.open('other');
    broker.publish('other', 'values', payload(10 * KIB));
    broker.close('other');
    broker.publish('resumed', 'values', payload(30 * KIB));
    expect(broker.has('resumed')).toBe(true);
    expect(broker.has('other')).toBe(true);
  });

  it('a reader in the middle of a log that is evicted reads it to its end', async () => {
    const broker = new StreamBroker({ retentionMs: 60_000, memoryBytes: 15 * KIB });
    broker.open('read');
    for (let i = 0; i < 3; i += 1) broker.publish('read', 'values', payload(4 * KIB));
    broker.close('read');
    const reader = broker.subscribe('read');
    const first = await reader.next();
    broker.open('newer');
    broker.publish('newer', 'values', payload(12 * KIB));
    broker.close('newer');
    expect(broker.has('read')).toBe(false);
    const rest = await drain(reader);
    expect([first.value as RunEvent, ...rest].map((event) => event.id)).toEqual(['0', '1', '2']);
    // A reader arriving after the eviction finds nothing in memory (the engine answers it from storage).
    expect(await drain(broker.subscribe('read'))).toEqual([]);
  });

  it("a finished run's log is held as its JSON text: the published objects are let go, and replays give the same events", async () => {
    const broker = new StreamBroker({ retentionMs: 60_000, memoryBytes: 1024 * KIB });
    broker.open('run');
    const conversation = { messages: Array.from({ length: 50 }, (_, i) => ({ type: 'human', content: `message ${i}`, additional_kwargs: {} })) };
    const published = new WeakRef(conversation.messages);
    broker.publish('run', 'metadata', { run_id: 'run' });
    broker.publish('run', 'values', conversation);
    const live = broker.subscribe('run');
    const firstLive = await live.next();
    broker.close('run');
    const expected = JSON.parse(
      JSON.stringify([
        { id: '0', event: 'metadata', data: { run_id: 'run' } },
        { id: '1', event: 'values', data: conversation },
      ]),
    );
    // A reader that was on the log as it ended reads the rest of it from the text.
    expect([firstLive.value, ...(await drain(live))]).toEqual(expected);
    expect(await drain(broker.subscribe('run'))).toEqual(expected);
    expect(await drain(broker.subscribe('run', { lastEventId: '0' }))).toEqual(expected.slice(1));
    // The budget counts what is held: the text of the events.
    expect(broker.finishedBytes).toBe(JSON.stringify(expected[0]).length + JSON.stringify(expected[1]).length);
    (conversation as { messages?: unknown }).messages = undefined;
    await collectGarbage();
    expect(published.deref()).toBeUndefined();
    expect(broker.has('run')).toBe(true);
  });
});

async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    gc();
  }
}
