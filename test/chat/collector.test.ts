import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Collector } from '../../src/chat/collector.ts';
import type { ChatContext } from '../../src/chat/context.ts';
import type { ConversationRecord } from '../../src/chat/conversations.ts';
import { chatState, type ChatState } from '../../src/chat/state.ts';
import type { IncomingMessage } from '../../src/chat/types.ts';
import { silentLogger } from '../../src/log.ts';
import { openFilesChat } from '../../src/storage/files/chat.ts';
import { captureLogger } from '../helpers/log.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const place = { platform: 'memory', workspace: 'w', channel: 'c', thread: 't' };
const conversation: ConversationRecord = { key: 'memory:w:c:t', place, thread_id: 'th', created_at: '2026-01-01T00:00:00.000Z' };
const message = (id: string, text: string): IncomingMessage => ({ place, messageId: id, text, user: { id: 'U1' } }) as IncomingMessage;

/** The `collect` strategy on its own: files state, a fake clock, and the runs it would start recorded. */
describe('collect: a burst of messages becomes one run after a quiet moment', () => {
  let temp: { dir: string; cleanup: () => void };
  let store: ReturnType<typeof openFilesChat>;
  let state: ChatState;
  let started: Array<{ last: string; text: string; stored: unknown }>;
  const collectors: Collector[] = [];
  const collector = (owner = 'local', platforms = ['memory'], log = silentLogger(), fail = false) => {
    const ctx = {
      state,
      owner,
      log,
      config: { collect_quiet_ms: 1_000 },
      adapters: new Map(platforms.map((name) => [name, {}])),
    } as unknown as ChatContext;
    const made = new Collector(ctx, async (record, last, text) => {
      if (fail) throw new Error('engine down');
      started.push({ last: last.messageId, text, stored: (await state.conversations.get(record.key))?.collecting });
    });
    collectors.push(made);
    return made;
  };

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    temp = makeTempDir();
    store = openFilesChat(temp.dir);
    state = chatState(store);
    started = [];
    await state.conversations.put(conversation.key, conversation);
  });
  afterEach(() => {
    for (const each of collectors.splice(0)) each.stop();
    vi.useRealTimers();
    store.close();
    temp.cleanup();
  });

  it('waits for a quiet window after the last message, then starts one run with the texts joined, triggered by the last', async () => {
    const burst = collector();
    await burst.add(conversation, message('m1', 'one'));
    await vi.advanceTimersByTimeAsync(900);
    await burst.add(conversation, message('m2', 'two'));
    await vi.advanceTimersByTimeAsync(900);
    expect(started).toEqual([]);
    expect((await state.conversations.get(conversation.key))?.collecting).toEqual({ texts: ['one', 'two'], last: message('m2', 'two'), owner: 'local' });
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toEqual([{ last: 'm2', text: 'one\ntwo', stored: undefined }]);
    // The next burst starts afresh.
    await burst.add(conversation, message('m3', 'three'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started.at(-1)).toEqual({ last: 'm3', text: 'three', stored: undefined });
  });

  it('a message delivered twice in a row counts once', async () => {
    const burst = collector();
    await burst.add(conversation, message('m1', 'one'));
    await burst.add(conversation, message('m1', 'one'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toEqual([{ last: 'm1', text: 'one', stored: undefined }]);
  });

  it('a restart in the quiet window loses nothing: the stored burst is sent by the process that owns it, and only once', async () => {
    await collector().add(conversation, message('m1', 'one'));
    collectors[0]!.stop();
    const other = { ...conversation, key: 'memory:w:c:u', place: { ...place, thread: 'u' } };
    await state.conversations.put(other.key, { ...other, collecting: { texts: ['theirs'], last: message('x', 'theirs'), owner: 'other-process' } });
    const onDiscord = { ...conversation, key: 'discord:w:c:t', place: { ...place, platform: 'discord' } };
    await state.conversations.put(onDiscord.key, { ...onDiscord, collecting: { texts: ['no adapter'], last: message('y', 'no adapter') } });
    const legacy = { ...conversation, key: 'memory:w:c:v', place: { ...place, thread: 'v' } };
    await state.conversations.put(legacy.key, { ...legacy, collecting: { texts: ['from before owners'], last: message('z', 'from before owners') } });

    const restarted = collector();
    await restarted.resume();
    expect(started.map((each) => each.text).sort()).toEqual(['from before owners', 'one']);
    expect((await state.conversations.get(conversation.key))?.collecting).toBeUndefined();
    expect((await state.conversations.get(other.key))?.collecting?.texts).toEqual(['theirs']);
    await restarted.resume();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(started).toHaveLength(2);
  });

  it('resume leaves alone a burst this process is still collecting', async () => {
    const burst = collector();
    await burst.add(conversation, message('m1', 'one'));
    await burst.resume();
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toHaveLength(1);
  });

  it('a burst whose conversation is gone when the window ends starts nothing (and fails nothing); stop cancels the window', async () => {
    const captured = captureLogger();
    const burst = collector('local', ['memory'], captured.log);
    await burst.add(conversation, message('m1', 'one'));
    await state.conversations.delete(conversation.key);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toEqual([]);
    await state.conversations.put(conversation.key, conversation);
    await burst.add(conversation, message('m2', 'two'));
    burst.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(started).toEqual([]);
    expect(captured.lines).toEqual([]);
  });

  it('a burst whose run cannot start is logged, not thrown into the timer', async () => {
    const captured = captureLogger();
    const burst = collector('local', ['memory'], captured.log, true);
    await burst.add(conversation, message('m1', 'one'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(captured.lines.map((line) => [line.msg, (line as { err?: { message?: string } }).err?.message])).toEqual([['could not send collected messages', 'engine down']]);
  });
});
