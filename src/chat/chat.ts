import type { Logger } from 'pino';
import type { ChatSpec } from '../config/schema.ts';
import type { Engine } from '../engine/engine.ts';
import { tracing } from '../ops/tracing/index.ts';
import type { ChatStore } from '../storage/types.ts';
import { KeyedSerial } from '../util/keyed-serial.ts';
import { Collector } from './collector.ts';
import { handleCommand, runCommand } from './command-runner.ts';
import { commandInMessage } from './commands.ts';
import type { ChatContext } from './context.ts';
import { ConversationService, conversationKey } from './conversations.ts';
import { describeConversation } from './describe.ts';
import { messageKey, startRunFor } from './message-runs.ts';
import { Outbox, type OutboxItem } from './outbox.ts';
import { AccessGate } from './access.ts';
import { AssistantThreads } from './assistant-threads.ts';
import { recordFeedback } from './feedback.ts';
import { keepAsContext } from './channel-context.ts';
import { PromptFlow } from './prompt-flow.ts';
import { ReplyStreamer, type ReplyRecord } from './replies.ts';
import { chatState, LOCAL_OWNER, type ChatState, type HeldMessage } from './state.ts';
import type {
  AssistantSummary,
  AssistantThreadEvent,
  ChatAdapter,
  ChatHost,
  ConversationInfo,
  FormOpening,
  FormVerdict,
  IncomingAction,
  IncomingCommand,
  IncomingFeedback,
  IncomingFormSubmission,
  IncomingMessage,
  Place,
} from './types.ts';

export { messageKey } from './message-runs.ts';

/** How long a delivery key is remembered: longer than any platform retries an event. */
const DEDUPE_TTL_MS = 24 * 3600 * 1000;

export interface ChatOptions {
  engine: Engine;
  store: ChatStore;
  config: ChatSpec;
  log: Logger;
  /** Per platform: whether native streaming may be used. */
  nativeStreaming?: (platform: string) => boolean;
  /**
   * Whose background work this process does: its replies, deliveries, collected bursts and
   * messages not yet acted on carry this owner. With one process it is always the same
   * ('local'); processes sharing a database each have their own, and adopt a dead one's.
   */
  owner?: string;
}

/**
 * The chat layer: turns messages, commands and button clicks from any platform into
 * engine runs on the conversation's thread, and their results into replies and prompts.
 * It knows nothing of Slack or Discord; adapters translate, and reach it only as a
 * ChatHost. Here: intake (dedupe, who is answered, what a message is), and taking up the
 * work a previous process left. Commands, prompts and `collect` have files of their own.
 */
export class ChatService implements ChatHost {
  readonly #o: ChatOptions;
  readonly #state: ChatState;
  readonly #ctx: ChatContext;
  readonly conversations: ConversationService;
  readonly outbox: Outbox;
  readonly #adapters = new Map<string, ChatAdapter>();
  readonly #prompts: PromptFlow;
  readonly #collector: Collector;
  readonly #assistantThreads: AssistantThreads;
  readonly #streamers = new Set<Promise<unknown>>();
  /** Runs whose reply this process is streaming. */
  readonly #streamingRuns = new Set<string>();
  readonly #handling = new Set<Promise<void>>();
  readonly #serial = new KeyedSerial();
  #started = false;
  #stopped = false;
  #holding = false;

  constructor(options: ChatOptions) {
    this.#o = options;
    this.#state = chatState(options.store);
    this.conversations = new ConversationService({ state: this.#state, engine: options.engine, config: options.config });
    this.outbox = new Outbox({ state: this.#state, adapters: this.#adapters, log: options.log, onDelivered: (item, id) => this.#onDelivered(item, id) });
    this.#ctx = {
      engine: options.engine,
      state: this.#state,
      config: options.config,
      log: options.log,
      conversations: this.conversations,
      outbox: this.outbox,
      access: new AccessGate({ config: options.config, state: this.#state, outbox: this.outbox }),
      adapters: this.#adapters,
      owner: this.owner,
      streamReply: (record) => this.#stream(record),
      dropPendingPrompts: (conversation, by, assistantName) => this.#prompts.dropPending(conversation, by, assistantName),
      assistantContext: (place) => this.#assistantThreads.viewing(place),
    };
    this.#prompts = new PromptFlow(this.#ctx);
    this.#assistantThreads = new AssistantThreads(this.#ctx);
    this.#collector = new Collector(this.#ctx, (conversation, last, text) => startRunFor(this.#ctx, conversation, last, text, 'enqueue'));
  }

  addAdapter(adapter: ChatAdapter): void {
    this.#adapters.set(adapter.platform, adapter);
  }

  adapter(platform: string): ChatAdapter | undefined {
    return this.#adapters.get(platform);
  }

  get owner(): string {
    return this.#o.owner ?? LOCAL_OWNER;
  }

  /** Delivers what a previous process left, and finishes replies whose runs it left. */
  async start(): Promise<void> {
    this.#started = true;
    await this.#takeUp();
  }

  /**
   * Several processes: takes over the work of processes that died (their replies,
   * deliveries, bursts and held messages), then does it (at start, if not started yet).
   * Returns how many records were taken.
   */
  async adopt(deadOwners: string[]): Promise<number> {
    const adopted = (await this.#state.adopt?.(deadOwners, this.owner)) ?? 0;
    if (adopted > 0 && this.#started && !this.#stopped) await this.#takeUp();
    return adopted;
  }

  /** Takes up the work recorded under this process's owner that it is not doing yet. */
  async #takeUp(): Promise<void> {
    await this.outbox.load(this.owner);
    for (const { value: record } of await this.#state.replies.list()) {
      if ((record.owner ?? LOCAL_OWNER) !== this.owner || this.#streamingRuns.has(record.run_id)) continue;
      if (record.status === 'done') {
        await this.#state.replies.delete(record.run_id);
        continue;
      }
      if (this.#adapters.has(record.place.platform)) this.#stream(record);
    }
    for (const { key, held } of await this.#state.inbox.unfinished()) {
      const { owner, message } = heldOf(held);
      if (owner !== this.owner || !this.#adapters.has(message.place?.platform)) continue;
      // Accepted before a crash but not acted on (or not known to be): act now; startRunFor
      // finds a run this message already started.
      await this.#act(message).catch((error: unknown) => this.#o.log.error({ err: error }, 'could not act on a message left by a crash'));
      await this.#state.inbox.finish(key);
    }
    await this.#collector.resume();
  }

  /** Takes no more work (a graceful stop): new messages are held durably for the next start; replies in flight go on. */
  hold(): void {
    this.#holding = true;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#handling]);
    this.#collector.stop();
    this.outbox.stop();
  }

  /** Waits for every reply in flight (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#streamers.size > 0) await Promise.allSettled([...this.#streamers]);
  }

  // ---------------------------------------------------------------- ChatHost

  /**
   * Handles one incoming message. Stop waits for the handlers in flight, so a message that
   * was acknowledged to the platform is acted on or left in the inbox for the next start.
   */
  handleMessage(message: IncomingMessage): Promise<void> {
    const handling = this.#serial.run(conversationKey(message.place), () =>
      // The trace of a chat message: the run it starts and the replies it gets hang under this span.
      tracing().inSpan(`chat.message ${message.place.platform}`, { kind: 'consumer', attributes: messageAttributes(message) }, () => this.#handle(message)),
    );
    this.#handling.add(handling);
    const forget = () => this.#handling.delete(handling);
    handling.then(forget, forget);
    return handling;
  }

  handleCommand(command: IncomingCommand): Promise<void> {
    return handleCommand(this.#ctx, command);
  }

  handleAction(action: IncomingAction): Promise<void> {
    return this.#prompts.answerClick(action);
  }

  openForm(action: Pick<IncomingAction, 'place' | 'user' | 'promptId' | 'optionIndex'>): Promise<FormOpening> {
    return this.#prompts.openForm(action);
  }

  submitForm(submission: IncomingFormSubmission): Promise<FormVerdict> {
    return this.#prompts.submitForm(submission);
  }

  handleFeedback(feedback: IncomingFeedback): Promise<void> {
    return recordFeedback(this.#ctx, feedback);
  }

  handleAssistantThread(event: AssistantThreadEvent): Promise<void> {
    return this.#assistantThreads.handle(event);
  }

  async assistants(): Promise<AssistantSummary[]> {
    const { items } = await this.#o.engine.assistants.search({ limit: 1000, offset: 0, sort_by: 'name', sort_order: 'asc' });
    return items.map(({ assistant_id, name, description, graph_id }) => ({ assistant_id, name, description, graph_id }));
  }

  describe(place: Place): Promise<ConversationInfo> {
    return describeConversation(this.#ctx, place);
  }

  // ---------------------------------------------------------------- intake

  async #handle(message: IncomingMessage): Promise<void> {
    const adapter = this.#adapters.get(message.place.platform);
    if (!adapter || this.#stopped) return;
    const { place, user } = message;
    if (user.id === adapter.botUserId()) return;
    const settings = await this.conversations.settings(place);
    if (user.isBot && !settings.answer_bots) return;
    if (settings.allowed_users && !settings.allowed_users.includes(user.id)) return;
    const existing = await this.conversations.find(place);
    // A thread the bot is part of continues without mentions; a conversation that is a whole
    // channel (Discord's text channels) does not make every message there addressed to the bot.
    // With `respond: mentions` set explicitly, threads too answer only mentions (the rest is context).
    const joinedThread = existing !== null && place.thread !== place.channel && settings.respond !== 'mentions';
    if (!message.isDirect && settings.respond !== 'all' && !message.mentionsBot && !joinedThread) {
      // Said in a conversation the bot is part of (a whole channel) without addressing it: context for its next run, not lost.
      if (existing !== null && message.text.trim() !== '') await keepAsContext(this.#ctx, existing, message);
      return;
    }
    if (!(await this.#firstDelivery(message))) return;
    // Stopping: the message stays held in the inbox, acted on at the next start.
    if (this.#holding) return;
    await this.#act(message);
    // Acted on: a restart no longer needs to look at it.
    await this.#state.inbox.finish(messageKey(message));
  }

  /** What a first delivery of a message leads to: a command, an answer to a prompt, or a run. */
  async #act(message: IncomingMessage): Promise<void> {
    const { place, user } = message;
    const existing = await this.conversations.find(place);
    const command = message.mentionsBot || message.isDirect ? commandInMessage(message.text) : null;
    // Who may talk here (chat.access): a refused message starts nothing, its author is told why, it is recorded.
    if (await this.#ctx.access.admit(message, { startsRun: !command })) return;
    if (command) {
      const reply = (text: string) => this.outbox.enqueue(place, { kind: 'send', message: { markdown: text } }).then(() => undefined);
      await runCommand(this.#ctx, command, place, user, reply, message.userTeam);
      return;
    }
    if (await this.#prompts.answerText(message)) return;
    await this.#assistantThreads.titleFrom(message);
    const conversation = existing ?? (await this.conversations.open(await this.#placeForNew(message), user.id));
    const strategy = await this.conversations.strategyFor(conversation, place);
    if (strategy === 'collect') return this.#collector.add(conversation, message);
    await startRunFor(this.#ctx, conversation, message, message.text, strategy);
  }

  /** Where a conversation this message starts lives: where it was said, or a thread the platform opens for it. */
  async #placeForNew(message: IncomingMessage): Promise<Place> {
    const adapter = this.#adapters.get(message.place.platform);
    if (!adapter?.startConversation) return message.place;
    try {
      return await adapter.startConversation(message);
    } catch (error) {
      this.#o.log.warn({ err: error, place: message.place }, 'could not open a thread for a new conversation; answering where it was said');
      return message.place;
    }
  }

  /**
   * A delivery key per message and per event: retries and app_mention+message pairs are
   * handled once. The message is held with its key until acted on, so a crash in between
   * is made good at the next start.
   */
  async #firstDelivery(message: IncomingMessage): Promise<boolean> {
    const { inbox } = this.#state;
    if (!(await inbox.accept(messageKey(message), DEDUPE_TTL_MS, { owner: this.owner, message }))) return false;
    if (message.eventId && !(await inbox.accept(`event:${message.place.platform}:${message.eventId}`, DEDUPE_TTL_MS))) {
      await inbox.finish(messageKey(message));
      return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- replies

  #stream(record: ReplyRecord): void {
    const adapter = this.#adapters.get(record.place.platform)!;
    const streamer = new ReplyStreamer(
      {
        engine: this.#o.engine,
        adapter,
        outbox: this.outbox,
        state: this.#state,
        log: this.#o.log,
        editIntervalMs: adapter.editIntervalMs ?? this.#o.config.edit_interval_ms,
        nativeStreaming: this.#o.nativeStreaming?.(record.place.platform) ?? false,
        onInterrupted: (reply, outcome) => this.#prompts.ask(reply, outcome),
      },
      record,
    );
    this.#streamingRuns.add(record.run_id);
    const running = streamer
      .run()
      .catch((error: unknown) => this.#o.log.error({ err: error, runId: record.run_id }, 'a reply could not be finished'))
      .finally(() => {
        this.#streamers.delete(running);
        this.#streamingRuns.delete(record.run_id);
      });
    this.#streamers.add(running);
  }

  async #onDelivered(item: OutboxItem, messageId: string | undefined): Promise<void> {
    if (!messageId || !item.link) return;
    if (item.link.reply) {
      const reply = await this.#state.replies.get(item.link.reply.runId);
      if (reply) {
        reply.parts[item.link.reply.part] = messageId;
        await this.#state.replies.put(reply.run_id, reply);
      }
    }
    if (item.link.prompt) await this.#prompts.shownAt(item.link.prompt, messageId);
  }
}

/** Where a message was said, as span attributes (not its text, nor who wrote it). */
function messageAttributes(message: IncomingMessage): Record<string, string> {
  const { place } = message;
  return {
    'switchboard.chat.platform': place.platform,
    'switchboard.chat.workspace': place.workspace,
    'switchboard.chat.channel': place.channel,
    'switchboard.chat.message_id': message.messageId,
    ...(place.thread ? { 'switchboard.chat.thread': place.thread } : {}),
  };
}

/** What the inbox holds: the message and who acts on it (held before processes had owners: the message alone, this process's). */
function heldOf(held: HeldMessage | IncomingMessage): HeldMessage {
  return 'message' in held ? { owner: held.owner ?? LOCAL_OWNER, message: held.message } : { owner: LOCAL_OWNER, message: held };
}
