import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Outbox, type OutboxItem } from '../../src/chat/outbox.ts';
import { chatState, type ChatState } from '../../src/chat/state.ts';
import { DeliveryError, type ChatAdapter, type OutgoingMessage, type Place } from '../../src/chat/types.ts';
import { BudgetShortError } from '../../src/chat/rate-limiter.ts';
import { silentLogger } from '../../src/log.ts';
import { openFilesChat } from '../../src/storage/files/chat.ts';
import { captureLogger } from '../helpers/log.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const here: Place = { platform: 'memory', workspace: 'w', channel: 'c1', thread: 't1' };
const there: Place = { ...here, channel: 'c2' };
const say = (markdown: string) => ({ kind: 'send' as const, message: { markdown } });

/** A platform that records each call with the (fake) time it came at, and fails the calls it is told to. */
class RecordingAdapter implements Partial<ChatAdapter> {
  readonly platform = 'memory';
  readonly calls: Array<{ kind: string; text: string; at: number; stored: number }> = [];
  readonly failures: Error[] = [];
  #next = 1;
  constructor(readonly state: () => ChatState) {}
  async #call(kind: string, text: string) {
    this.calls.push({ kind, text, at: Date.now(), stored: (await this.state().outbox.list()).length });
    const failure = this.failures.shift();
    if (failure) throw failure;
  }
  async send(_place: Place, message: OutgoingMessage) {
    await this.#call('send', message.markdown);
    return { messageId: `m${this.#next++}` };
  }
  async update(_place: Place, messageId: string, message: OutgoingMessage) {
    await this.#call(`update ${messageId}`, message.markdown);
  }
  async ephemeral(_place: Place, userId: string, markdown: string) {
    await this.#call(`ephemeral ${userId}`, markdown);
  }
  sent(): string[] {
    return this.calls.map((call) => call.text);
  }
}

describe('the outbox', () => {
  let temp: { dir: string; cleanup: () => void };
  let store: ReturnType<typeof openFilesChat>;
  let state: ChatState;
  let adapter: RecordingAdapter;
  let delivered: Array<{ id: string; messageId: string | undefined }>;
  const boxes: Outbox[] = [];
  const outbox = (log = silentLogger()) => {
    const box = new Outbox({
      state,
      adapters: new Map([['memory', adapter as unknown as ChatAdapter]]),
      log,
      onDelivered: async (item: OutboxItem, messageId: string | undefined) => {
        delivered.push({ id: item.id, messageId });
      },
    });
    boxes.push(box);
    return box;
  };
  const gaps = () => adapter.calls.slice(1).map((call, index) => call.at - adapter.calls[index]!.at);

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00.000Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    temp = makeTempDir();
    store = openFilesChat(temp.dir);
    state = chatState(store);
    adapter = new RecordingAdapter(() => state);
    delivered = [];
  });
  afterEach(() => {
    for (const box of boxes.splice(0)) box.stop();
    vi.useRealTimers();
    store.close();
    temp.cleanup();
  });

  it('stores an item before sending it and removes it after; resolves with the new message id, told to onDelivered first', async () => {
    const box = outbox();
    const id = await box.enqueue(here, say('hello'));
    expect(id).toBe('m1');
    expect(adapter.calls).toMatchObject([{ kind: 'send', text: 'hello', stored: 1 }]);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.messageId).toBe('m1');
    expect(await state.outbox.list()).toEqual([]);
    expect(box.pendingCount()).toBe(0);
  });

  it('sends updates and private messages through their own calls', async () => {
    const box = outbox();
    await box.enqueue(here, { kind: 'update', messageId: 'm7', message: { markdown: 'edited' } });
    expect(await box.enqueue(here, { kind: 'ephemeral', userId: 'U1', markdown: 'psst' })).toBeUndefined();
    expect(adapter.calls.map((call) => `${call.kind}: ${call.text}`)).toEqual(['update m7: edited', 'ephemeral U1: psst']);
  });

  it('waits exactly Retry-After after a 429', async () => {
    const box = outbox();
    adapter.failures.push(new DeliveryError('ratelimited', { retryAfterMs: 300 }));
    const sent = box.enqueue(here, say('x'));
    await vi.advanceTimersByTimeAsync(299);
    expect(adapter.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await sent).toBe('m1');
    expect(gaps()).toEqual([300]);
  });

  it('backs off exponentially after 5xx answers and network errors (1 s, 2 s, 4 s...), keeping the attempts stored, up to a minute', async () => {
    const box = outbox();
    adapter.failures.push(new DeliveryError('server error 503'), new TypeError('fetch failed'), new Error('ECONNRESET'));
    const sent = box.enqueue(here, say('x'));
    await vi.advanceTimersByTimeAsync(10);
    const [stored] = await state.outbox.list();
    expect(stored!.value.attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await sent).toBe('m1');
    expect(gaps()).toEqual([1_000, 2_000, 4_000]);

    adapter.calls.length = 0;
    for (let i = 0; i < 8; i += 1) adapter.failures.push(new DeliveryError('down'));
    const late = box.enqueue(here, say('y'));
    await vi.advanceTimersByTimeAsync(500_000);
    expect(await late).toBe('m2');
    expect(gaps()).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('gives up at once on a permanent refusal: the caller is told, the item is dropped, the next one goes out', async () => {
    const box = outbox();
    adapter.failures.push(new DeliveryError('channel_not_found', { permanent: true }));
    const refused = box.enqueue(here, say('lost cause'));
    const next = box.enqueue(here, say('next'));
    await expect(refused).rejects.toThrow('channel_not_found');
    expect(await next).toBe('m1');
    expect(adapter.sent()).toEqual(['lost cause', 'next']);
    expect(await state.outbox.list()).toEqual([]);
  });

  it('a platform it has no adapter for drops the item with a permanent error', async () => {
    const box = outbox();
    const refused = box.enqueue({ ...here, platform: 'discord' }, say('nowhere'));
    await expect(refused).rejects.toMatchObject({ permanent: true, message: 'no discord adapter' });
    expect(await state.outbox.list()).toEqual([]);
  });

  it('keeps the order of one conversation while an item fails, without holding back other conversations', async () => {
    const box = outbox();
    adapter.failures.push(new DeliveryError('down'));
    const first = box.enqueue(here, say('one'));
    const second = box.enqueue(here, say('two'));
    const elsewhere = box.enqueue(there, say('other'));
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.sent()).toEqual(['one', 'other']);
    expect(box.pendingCount()).toBe(2);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([first, second, elsewhere]);
    expect(adapter.sent()).toEqual(['one', 'other', 'one', 'two']);
  });

  it('after stop, what is enqueued is stored and the caller told at once; whoever waited is told too; nothing more is sent', async () => {
    const box = outbox();
    adapter.failures.push(new DeliveryError('down'));
    const waiting = box.enqueue(here, say('one'));
    await vi.advanceTimersByTimeAsync(10);
    box.stop();
    await expect(waiting).rejects.toThrow('the outbox is stopped; delivered at the next start');
    await expect(box.enqueue(here, say('two'))).rejects.toThrow('delivered at the next start');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(adapter.sent()).toEqual(['one']);
    expect((await state.outbox.list()).map(({ value }) => (value.op as { message: OutgoingMessage }).message.markdown)).toEqual(['one', 'two']);
  });

  it('a new start delivers what its owner left, in order, and leaves other owners and items it already has alone', async () => {
    const left = (seq: number, text: string, owner?: string): OutboxItem => ({
      id: `i${seq}`,
      seq,
      place: here,
      op: say(text),
      attempts: 2,
      ...(owner ? { owner } : {}),
      created_at: '2026-01-01T00:00:00.000Z',
    });
    await state.outbox.put('i3', left(3, 'third'));
    await state.outbox.put('i1', left(1, 'first', 'local'));
    await state.outbox.put('i2', left(2, 'not mine', 'other-process'));
    const box = outbox();
    expect(await box.load('local')).toBe(2);
    await vi.advanceTimersByTimeAsync(10);
    expect(adapter.sent()).toEqual(['first', 'third']);
    expect((await state.outbox.list()).map(({ key }) => key)).toEqual(['i2']);
    // New items come after the loaded ones, and a second load takes nothing twice.
    await box.enqueue(here, say('new'));
    const [item] = (await state.outbox.list()).map(({ value }) => value);
    expect(item!.id).toBe('i2');
    expect(await box.load('local')).toBe(0);
    expect(adapter.sent()).toEqual(['first', 'third', 'new']);
  });

  it('an item enqueued after a load takes a later place than every loaded one', async () => {
    await state.outbox.put('big', { id: 'big', seq: Number.MAX_SAFE_INTEGER - 10, place: here, op: say('old'), attempts: 0, created_at: '2026-01-01T00:00:00.000Z' });
    adapter.failures.push(new DeliveryError('down'));
    const box = outbox();
    await box.load('local');
    const sent = box.enqueue(here, say('new'));
    const stored = (await state.outbox.list()).map(({ value }) => value);
    expect(stored.find((value) => value.id !== 'big')!.seq).toBeGreaterThan(Number.MAX_SAFE_INTEGER - 10);
    await vi.advanceTimersByTimeAsync(2_000);
    await sent;
    expect(adapter.sent()).toEqual(['old', 'old', 'new']);
  });

  it('gives a reply part still waiting its newest content instead of queueing it twice, but not the one being sent', async () => {
    const box = outbox();
    adapter.failures.push(new DeliveryError('down'));
    const link = { reply: { runId: 'r1', part: 0 } };
    const first = box.enqueue(here, say('draft'), link);
    await vi.advanceTimersByTimeAsync(10);
    expect(await box.replacePending('r1', 0, { markdown: 'final' })).toBe(true);
    expect(((await state.outbox.list())[0]!.value.op as { message: OutgoingMessage }).message.markdown).toBe('final');
    expect(await box.replacePending('r1', 1, { markdown: 'x' })).toBe(false);
    expect(await box.replacePending('r2', 0, { markdown: 'x' })).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await first;
    expect(adapter.sent()).toEqual(['draft', 'final']);

    // In flight right now: too late to change.
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const send = adapter.send.bind(adapter);
    adapter.send = async (place, message) => {
      await slow;
      return send(place, message);
    };
    const inFlight = box.enqueue(here, say('sending'), { reply: { runId: 'r3', part: 0 } });
    await vi.advanceTimersByTimeAsync(1);
    expect(await box.replacePending('r3', 0, { markdown: 'changed' })).toBe(false);
    release();
    await inFlight;
    expect(adapter.sent().at(-1)).toBe('sending');
  });

  it('a waiting part behind another item of its conversation can be replaced, ephemeral items are never matched', async () => {
    const box = outbox();
    adapter.failures.push(new DeliveryError('down'));
    const head = box.enqueue(here, { kind: 'ephemeral', userId: 'U1', markdown: 'wait' });
    const part = box.enqueue(here, say('draft'), { reply: { runId: 'r1', part: 2 } });
    await vi.advanceTimersByTimeAsync(10);
    expect(await box.replacePending('r1', 2, { markdown: 'final' })).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([head, part]);
    expect(adapter.sent()).toEqual(['wait', 'wait', 'final']);
  });

  it('lists every undelivered item, whichever process holds it (for /metrics)', async () => {
    const box = outbox();
    await state.outbox.put('theirs', { id: 'theirs', seq: 1, place: here, op: say('theirs'), attempts: 0, owner: 'other-process', created_at: '2026-01-01T00:00:00.000Z' });
    adapter.failures.push(new DeliveryError('down'));
    void box.enqueue(here, say('mine')).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10);
    expect((await box.pending()).map(({ value }) => value.owner).sort()).toEqual(['local', 'other-process']);
  });

  it('a second load while an item is still failing does not queue it twice', async () => {
    adapter.failures.push(new DeliveryError('down'));
    await state.outbox.put('i1', { id: 'i1', seq: 1, place: here, op: say('once'), attempts: 0, created_at: '2026-01-01T00:00:00.000Z' });
    const box = outbox();
    expect(await box.load('local')).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(await box.load('local')).toBe(0);
    expect(box.pendingCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(adapter.sent()).toEqual(['once', 'once']);
    expect(box.pendingCount()).toBe(0);
  });

  it('replaces a reply part queued behind an item being sent, skipping items linked to a prompt', async () => {
    const box = outbox();
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const send = adapter.send.bind(adapter);
    adapter.send = async (place, message) => {
      if (message.markdown === 'head') await slow;
      return send(place, message);
    };
    const head = box.enqueue(here, say('head'));
    const prompt = box.enqueue(here, say('question'), { prompt: 'p1' });
    const part = box.enqueue(here, say('draft'), { reply: { runId: 'r1', part: 0 } });
    await vi.advanceTimersByTimeAsync(1);
    expect(await box.replacePending('r1', 0, { markdown: 'final' })).toBe(true);
    release();
    await Promise.all([head, prompt, part]);
    expect(adapter.sent()).toEqual(['head', 'question', 'final']);
  });

  it('logs a failed delivery once per attempt with when it is tried again, and a refusal or a missing adapter as an error; a part skipped for want of budget below warn', async () => {
    const { log, lines } = captureLogger();
    const box = outbox(log);
    adapter.failures.push(new DeliveryError('server error 503'));
    const retried = box.enqueue(here, say('x'));
    await vi.advanceTimersByTimeAsync(1_000);
    await retried;
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'delivery failed; will retry', kind: 'send', attempts: 1, retryInMs: 1_000, reason: 'server error 503', place: here }),
    ]);
    lines.length = 0;
    adapter.failures.push(new DeliveryError('channel_not_found', { permanent: true }));
    await expect(box.enqueue(here, say('refused'))).rejects.toThrow('channel_not_found');
    await expect(box.enqueue({ ...here, platform: 'discord' }, say('nowhere'))).rejects.toThrow('no discord adapter');
    adapter.failures.push(new BudgetShortError('chat.update'));
    await expect(box.enqueue(here, say('skipped'))).rejects.toBeInstanceOf(BudgetShortError);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'the platform refused a message; not retried',
        kind: 'send',
        place: here,
        err: expect.objectContaining({ message: 'channel_not_found' }),
      }),
      expect.objectContaining({ level: 50, msg: 'no adapter for a queued message; dropped', platform: 'discord' }),
    ]);
  });

  it('an item left by a previous start that is refused for good, or has no adapter, is dropped (nobody waits for it) and the rest goes on', async () => {
    const left = (id: string, seq: number, place: Place, text: string): OutboxItem => ({ id, seq, place, op: say(text), attempts: 1, created_at: '2026-01-01T00:00:00.000Z' });
    await state.outbox.put('gone', left('gone', 1, { ...here, platform: 'discord' }, 'to nowhere'));
    await state.outbox.put('refused', left('refused', 2, here, 'refused'));
    await state.outbox.put('fine', left('fine', 3, here, 'fine'));
    adapter.failures.push(new DeliveryError('channel_not_found', { permanent: true }));
    // An error nobody catches would end a real process (Node exits on an unhandled rejection).
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', record);
    const box = outbox();
    try {
      expect(await box.load('local')).toBe(3);
      await vi.advanceTimersByTimeAsync(10);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('unhandledRejection', record);
    }
    expect(unhandled).toEqual([]);
    expect(adapter.sent()).toEqual(['refused', 'fine']);
    expect(await state.outbox.list()).toEqual([]);
    expect(await box.enqueue(here, say('after'))).toBe('m2');
  });

  it('never gives a private (ephemeral) message the content of a reply part, even one linked to it', async () => {
    const box = outbox();
    adapter.failures.push(new DeliveryError('down'));
    const head = box.enqueue(here, say('head'));
    const ephemeral = box.enqueue(here, { kind: 'ephemeral', userId: 'U1', markdown: 'private' }, { reply: { runId: 'r1', part: 0 } });
    await vi.advanceTimersByTimeAsync(10);
    expect(await box.replacePending('r1', 0, { markdown: 'reply text' })).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([head, ephemeral]);
    expect(adapter.sent()).toEqual(['head', 'head', 'private']);
  });

  it("a new outbox's items sort after every item stored before it started, whichever process stored them", async () => {
    // Stored a minute ago by another process, which numbered it by its own clock.
    const before = (Date.now() - 60_000) * 1000 + 5;
    await state.outbox.put('theirs', { id: 'theirs', seq: before, place: there, op: say('theirs'), attempts: 0, owner: 'other-process', created_at: '2026-01-01T00:00:00.000Z' });
    const box = outbox();
    adapter.failures.push(new DeliveryError('down'));
    void box.enqueue(here, say('mine')).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(10);
    const mine = (await state.outbox.list()).map(({ value }) => value).find((value) => value.id !== 'theirs')!;
    expect(mine.seq).toBeGreaterThan(before);
  });
});
