import type { AssistantSpec, ChatSpec } from '../../src/config/schema.ts';
import { ChatService } from '../../src/chat/chat.ts';
import type { IncomingMessage, Place } from '../../src/chat/types.ts';
import { configureChatModel } from '../../src/graphs/models/chat-model.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryChatAdapter } from '../fakes/memory-chat.ts';
import { startTestEngine, type TestEngine } from './engine.ts';

export interface TestChat {
  engine: TestEngine;
  chat: ChatService;
  adapter: MemoryChatAdapter;
  /** A message from a user in a channel (a new top-level message unless `thread` is given). */
  say(
    text: string,
    options?: Partial<{ user: string; name: string; channel: string; thread: string; ts: string; mention: boolean; direct: boolean; eventId: string; bot: boolean }>,
  ): Promise<Place>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

let ts = 1_700_000_000;

/** The chat layer over an engine with the example and test graphs, talking to an in-memory platform. */
export async function startTestChat(config: Partial<ChatSpec> = {}, options: { assistants?: AssistantSpec[] } = {}): Promise<TestChat> {
  configureChatModel({ provider: 'offline' });
  const assistants = options.assistants ?? [
    { name: 'talker', graph: 'chat' },
    { name: 'slowtalker', graph: 'chat', config: { configurable: { token_delay_ms: 25 } } },
    { name: 'tweet', graph: 'writer', config: { configurable: { style: 'tweet', max_chars: 280 } } },
    { name: 'approver', graph: 'approval' },
    { name: 'reviewer', graph: 'humanReview' },
  ];
  let engine = await startTestEngine({ assistants });
  const chatConfig: ChatSpec = {
    collect_quiet_ms: 300,
    edit_interval_ms: 200,
    context_messages: 20,
    files: { max_bytes: 10 * 1024 * 1024, types: ['image/*', 'application/pdf', 'text/*'] },
    channels: [],
    assistant: 'talker',
    ...config,
  };
  const adapter = new MemoryChatAdapter();
  const make = async () => {
    const chat = new ChatService({ engine, store: engine.storage.chat, config: chatConfig, log: silentLogger() });
    chat.addAdapter(adapter);
    await chat.start();
    return chat;
  };
  const harness: TestChat = {
    engine,
    adapter,
    chat: await make(),
    async say(text, o = {}) {
      const messageTs = o.ts ?? `${++ts}.000100`;
      const place: Place = { platform: 'memory', workspace: 'T1', channel: o.channel ?? 'C1', thread: o.thread ?? messageTs };
      const message: IncomingMessage = {
        place,
        messageId: messageTs,
        eventId: o.eventId,
        user: { id: o.user ?? 'U1', name: o.name ?? o.user ?? 'ana', isBot: o.bot ?? false },
        text,
        mentionsBot: o.mention ?? true,
        isDirect: o.direct ?? false,
      };
      await harness.chat.handleMessage(message);
      return place;
    },
    async restart() {
      await harness.chat.idle();
      await harness.chat.stop();
      const dataDir = engine.dataDir;
      await engine.stop();
      engine = await startTestEngine({ dataDir, assistants });
      harness.engine = engine;
      harness.chat = await make();
    },
    async dispose() {
      await harness.chat.stop();
      await engine.dispose();
    },
  };
  return harness;
}

/** Polls until `check` passes (it throws until then), or fails after `timeoutMs`. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
