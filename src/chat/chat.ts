import type { Logger } from 'pino';
import { v5 as uuidv5 } from 'uuid';
import type { ChatSpec, ChatStrategy } from '../config/schema.ts';
import type { Engine } from '../engine/engine.ts';
import type { RunOutcome } from '../engine/executor.ts';
import { isSwitchboardError } from '../errors.ts';
import type { ChatRepo } from '../storage/types.ts';
import { COMMANDS, HELP, commandInMessage, parseCommand, type ParsedCommand } from './commands.ts';
import { ConversationService, conversationKey, type ConversationRecord } from './conversations.ts';
import { Outbox, type OutboxItem } from './outbox.ts';
import { describeAnswerers, describeInterrupt, mayAnswer, resumeForOption, resumeForText, type PromptRecord } from './prompts.ts';
import { ReplyStreamer, type ReplyRecord } from './replies.ts';
import type { ChatAdapter, ChatUser, IncomingAction, IncomingCommand, IncomingMessage, Place, PromptView } from './types.ts';
import { KeyedSerial } from '../util/keyed-serial.ts';

/** How long a delivery key is remembered: longer than any platform retries an event. */
const DEDUPE_TTL_MS = 24 * 3600 * 1000;

interface Collecting {
  texts: string[];
  last: IncomingMessage;
  timer: NodeJS.Timeout;
}

export interface ChatOptions {
  engine: Engine;
  repo: ChatRepo;
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

const LOCAL_OWNER = 'local';

/**
 * The chat layer: turns messages, commands and button clicks from any platform into
 * engine runs on the conversation's thread, and their results into replies and prompts.
 * It knows nothing of Slack or Discord; adapters translate.
 */
export class ChatService {
  readonly #o: ChatOptions;
  readonly conversations: ConversationService;
  readonly #adapters = new Map<string, ChatAdapter>();
  readonly outbox: Outbox;
  readonly #collecting = new Map<string, Collecting>();
  readonly #answering = new Set<string>();
  readonly #streamers = new Set<Promise<unknown>>();
  /** Runs whose reply this process is streaming. */
  readonly #streamingRuns = new Set<string>();
  readonly #handling = new Set<Promise<void>>();
  readonly #serial = new KeyedSerial();
  #stopped = false;

  constructor(options: ChatOptions) {
    this.#o = options;
    this.conversations = new ConversationService({ repo: options.repo, engine: options.engine, config: options.config });
    this.outbox = new Outbox({ repo: options.repo, adapters: this.#adapters, log: options.log, onDelivered: (item, id) => this.#onDelivered(item, id) });
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
    await this.#takeUp();
  }

  /**
   * Takes up the work recorded under this process's owner that it is not doing yet: after
   * a start, or after adopting the work of a process that died (several processes).
   */
  async adopt(): Promise<void> {
    if (!this.#stopped) await this.#takeUp();
  }

  async #takeUp(): Promise<void> {
    await this.outbox.load(this.owner);
    for (const { value } of await this.#o.repo.replies.list()) {
      const record = value as unknown as ReplyRecord;
      if ((record.owner ?? LOCAL_OWNER) !== this.owner || this.#streamingRuns.has(record.run_id)) continue;
      if (record.status === 'done') {
        await this.#o.repo.replies.delete(record.run_id);
        continue;
      }
      if (!this.#adapters.has(record.place.platform)) continue;
      this.#stream(record);
    }
    for (const { key, note } of await this.#o.repo.notes()) {
      const { owner, message } = noteOf(note);
      if (owner !== this.owner || !this.#adapters.has(message.place?.platform)) continue;
      // Accepted before a crash but not acted on (or not known to be): act now; #startRun
      // finds a run this message already started.
      await this.#act(message).catch((error: unknown) => this.#o.log.error({ err: error }, 'could not act on a message left by a crash'));
      await this.#o.repo.clearNote(key);
    }
    for (const { value } of await this.#o.repo.conversations.list()) {
      const record = value as unknown as ConversationRecord & { collecting?: { texts: string[]; last: IncomingMessage; owner?: string } };
      if (!record.collecting || (record.collecting.owner ?? LOCAL_OWNER) !== this.owner || this.#collecting.has(record.key)) continue;
      if (this.#adapters.has(record.place.platform)) {
        // Messages collected before a restart are sent now rather than lost.
        await this.#flushCollected(record.key, record.collecting.texts, record.collecting.last);
      }
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.allSettled([...this.#handling]);
    for (const collecting of this.#collecting.values()) clearTimeout(collecting.timer);
    this.outbox.stop();
  }

  /** Waits for every reply in flight (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#streamers.size > 0) await Promise.allSettled([...this.#streamers]);
  }

  // ---------------------------------------------------------------- messages

  /**
   * Handles one incoming message. Stop waits for the handlers in flight, so a message that
   * was acknowledged to the platform is acted on or left as a note for the next start.
   */
  handleMessage(message: IncomingMessage): Promise<void> {
    const handling = this.#serial.run(conversationKey(message.place), () => this.#handle(message));
    this.#handling.add(handling);
    const forget = () => this.#handling.delete(handling);
    handling.then(forget, forget);
    return handling;
  }

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
    const joinedThread = existing !== null && place.thread !== place.channel;
    if (!message.isDirect && settings.respond !== 'all' && !message.mentionsBot && !joinedThread) return;
    if (!(await this.#firstDelivery(message))) return;
    await this.#act(message);
    // Acted on: a restart no longer needs to look at it.
    await this.#o.repo.clearNote(messageKey(message));
  }

  /** What a first delivery of a message leads to: a command, an answer to a prompt, or a run. */
  async #act(message: IncomingMessage): Promise<void> {
    const { place, user } = message;
    const existing = await this.conversations.find(place);
    const command = message.mentionsBot || message.isDirect ? commandInMessage(message.text) : null;
    if (command) {
      const reply = (text: string) => this.outbox.enqueue(place, { kind: 'send', message: { markdown: text } }).then(() => undefined);
      await this.#runCommand(command, place, user, reply);
      return;
    }
    if (await this.#answerByText(message)) return;
    const conversation = existing ?? (await this.conversations.open(await this.#placeForNew(message), user.id));
    const strategy = await this.conversations.strategyFor(conversation, place);
    if (strategy === 'collect') return this.#collect(conversation, message);
    await this.#startRun(conversation, message, message.text, strategy);
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
   * handled once. The message is stored with its key until acted on, so a crash in between
   * is made good at the next start.
   */
  async #firstDelivery(message: IncomingMessage): Promise<boolean> {
    const byMessage = await this.#o.repo.claim(messageKey(message), DEDUPE_TTL_MS, { owner: this.owner, message });
    if (!byMessage) return false;
    if (message.eventId && !(await this.#o.repo.claim(`event:${message.place.platform}:${message.eventId}`, DEDUPE_TTL_MS))) {
      await this.#o.repo.clearNote(messageKey(message));
      return false;
    }
    return true;
  }

  async #startRun(conversation: ConversationRecord, trigger: IncomingMessage, text: string, strategy: Exclude<ChatStrategy, 'collect'> | 'enqueue'): Promise<void> {
    const { engine, repo, log } = this.#o;
    const place = conversation.place;
    const assistantId = await this.conversations.assistantFor(conversation, place);
    const already = (await engine.runs.list(conversation.thread_id, { limit: 20 })).find((candidate) => candidate.metadata.message === trigger.messageId);
    if (already) {
      // The message started this run before a crash; make sure its reply is being delivered.
      if (!(await repo.replies.get(already.run_id))) await this.#track(already, conversation, trigger);
      return;
    }
    const said = { role: 'user', content: text, name: sanitizeName(trigger.user.name ?? trigger.user.id), id: chatMessageId(trigger) };
    const messages = strategy === 'interrupt' ? [...(await this.#stoppedBeforeWriting(conversation.thread_id)), said] : [said];
    let run;
    try {
      run = await engine.runs.create(conversation.thread_id, {
        assistant_id: assistantId,
        input: { messages },
        stream_mode: ['messages-tuple'],
        multitask_strategy: strategy,
        metadata: { platform: place.platform, channel: place.channel, user: trigger.user.id, message: trigger.messageId },
      });
    } catch (error) {
      if (isSwitchboardError(error, 'conflict')) {
        await this.outbox.enqueue(place, {
          kind: 'ephemeral',
          userId: trigger.user.id,
          markdown: "I'm still working on the previous message here, so I didn't take this one (this conversation's strategy is `reject`; try `strategy enqueue`).",
        });
        return;
      }
      log.error({ err: error, place }, 'could not start a run for a message');
      await this.outbox.enqueue(place, { kind: 'send', message: { markdown: 'Sorry, I could not start on that message. (The details are in the server log.)' } });
      return;
    }
    await this.#track(run, conversation, trigger);
  }

  /**
   * The messages of the runs an `interrupt` is about to stop. A run stopped before it starts
   * never writes its message, which would then vanish from the conversation; the new run
   * carries them along. Their ids make LangGraph's add_messages keep one copy of any that
   * the stopped run did write.
   */
  async #stoppedBeforeWriting(threadId: string): Promise<unknown[]> {
    const inFlight = (await this.#o.engine.runs.list(threadId, { limit: 100 })).filter((run) => run.status === 'pending' || run.status === 'running').reverse();
    return inFlight.flatMap((run) => {
      const input = run.kwargs.input as { messages?: Array<{ id?: unknown }> } | null | undefined;
      return (input?.messages ?? []).filter((message) => typeof message?.id === 'string');
    });
  }

  async #track(run: { run_id: string; thread_id: string }, conversation: ConversationRecord, trigger: IncomingMessage): Promise<void> {
    const record: ReplyRecord = {
      run_id: run.run_id,
      thread_id: run.thread_id,
      place: conversation.place,
      conversation: conversation.key,
      status: 'streaming',
      parts: [],
      trigger: { messageId: trigger.messageId, userId: trigger.user.id, userTeam: trigger.userTeam },
      owner: this.owner,
      created_at: new Date().toISOString(),
    };
    await this.#o.repo.replies.put(run.run_id, record as never);
    this.#stream(record);
  }

  #stream(record: ReplyRecord): void {
    const adapter = this.#adapters.get(record.place.platform)!;
    const streamer = new ReplyStreamer(
      {
        engine: this.#o.engine,
        adapter,
        outbox: this.outbox,
        repo: this.#o.repo,
        log: this.#o.log,
        editIntervalMs: adapter.editIntervalMs ?? this.#o.config.edit_interval_ms,
        nativeStreaming: this.#o.nativeStreaming?.(record.place.platform) ?? false,
        onInterrupted: (reply, outcome) => this.#askFor(reply, outcome),
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

  // ---------------------------------------------------------------- collect

  /** `collect`: waits for a quiet moment, then sends the burst of messages as one run. */
  async #collect(conversation: ConversationRecord, message: IncomingMessage): Promise<void> {
    const key = conversation.key;
    const current = this.#collecting.get(key);
    if (current) clearTimeout(current.timer);
    const texts = [...(current?.texts ?? []), message.text];
    if (current?.last.messageId === message.messageId) texts.pop();
    const timer = setTimeout(() => {
      this.#collecting.delete(key);
      void this.#flushCollected(key, texts, message).catch((error: unknown) => this.#o.log.error({ err: error }, 'could not send collected messages'));
    }, this.#o.config.collect_quiet_ms);
    this.#collecting.set(key, { texts, last: message, timer });
    // Stored until sent, so a restart in the quiet window loses none of them.
    await this.#o.repo.conversations.put(key, { ...conversation, collecting: { texts, last: message, owner: this.owner } } as never);
  }

  async #flushCollected(key: string, texts: string[], last: IncomingMessage) {
    const conversation = (await this.#o.repo.conversations.get(key)) as (ConversationRecord & { collecting?: unknown }) | null;
    if (!conversation) return;
    const { collecting: _collecting, ...rest } = conversation;
    await this.#o.repo.conversations.put(key, rest as never);
    await this.#startRun(rest, last, texts.join('\n'), 'enqueue');
  }

  // ---------------------------------------------------------------- commands

  async handleCommand(command: IncomingCommand): Promise<void> {
    const parsed = parseCommand(command.text) ?? { name: 'invalid' as const, message: `commands take no extra words here; commands: ${COMMANDS.join(', ')}` };
    await this.#runCommand(parsed, command.place, command.user, (text) => command.reply(text));
  }

  async #runCommand(command: ParsedCommand, place: Place, user: ChatUser, reply: (markdown: string) => Promise<void>): Promise<void> {
    const { engine } = this.#o;
    switch (command.name) {
      case 'help':
        return reply(HELP);
      case 'invalid':
        return reply(`${command.message}\n\n${HELP}`);
      case 'list':
        return reply(await this.#assistantList(place));
      case 'use': {
        const assistant = await engine.assistants.findByIdOrName(command.assistant);
        if (!assistant) return reply(`There is no assistant \`${command.assistant}\`.\n\n${await this.#assistantList(place)}`);
        // A command outside any thread (a Slack slash command) speaks for the channel's next conversations.
        if (command.channel || place.thread === undefined) {
          await this.conversations.setChannel(place, { assistant: assistant.assistant_id });
          return reply(`**${assistant.name}** is now the default assistant of this channel.`);
        }
        const conversation = await this.conversations.open(place, user.id);
        await this.conversations.update(conversation, { assistant: assistant.assistant_id });
        return reply(`Now using **${assistant.name}** in this conversation; it continues the same thread.`);
      }
      case 'strategy': {
        if (place.thread === undefined) {
          await this.conversations.setChannel(place, { strategy: command.strategy });
          return reply(`Messages sent while I'm busy in this channel's conversations now follow \`${command.strategy}\`.`);
        }
        const conversation = await this.conversations.open(place, user.id);
        await this.conversations.update(conversation, { strategy: command.strategy });
        return reply(`Messages sent while I'm busy here now follow \`${command.strategy}\`.`);
      }
      case 'new': {
        const conversation = await this.conversations.reset(place);
        return reply(`Started a fresh thread for this conversation (\`${conversation.thread_id}\`).`);
      }
      case 'cancel': {
        const conversation = await this.conversations.find(place);
        const cancelled = conversation ? await engine.runs.cancelAll(conversation.thread_id, { action: 'interrupt' }) : [];
        return reply(cancelled.length > 0 ? `Stopped ${cancelled.length} run(s).` : 'Nothing is running here.');
      }
      case 'info': {
        const conversation = await this.conversations.find(place);
        const assistant = await engine.assistants.get(await this.conversations.assistantFor(conversation, place));
        const strategy = await this.conversations.strategyFor(conversation, place);
        const thread = conversation ? await engine.threads.find(conversation.thread_id) : null;
        return reply(
          [
            `**Assistant**: ${assistant.name} (version ${assistant.version}, graph \`${assistant.graph_id}\`)`,
            `**Thread**: ${conversation ? `\`${conversation.thread_id}\`` : 'none yet (starts with the first message)'}`,
            `**Status**: ${thread?.status ?? 'idle'}`,
            `**Strategy**: \`${strategy}\``,
          ].join('\n'),
        );
      }
    }
  }

  async #assistantList(place: Place): Promise<string> {
    const { items } = await this.#o.engine.assistants.search({ limit: 1000, offset: 0, sort_by: 'name', sort_order: 'asc' });
    const current = await this.conversations.assistantFor(await this.conversations.find(place), place);
    const lines = items.map(
      (assistant) => `• **${assistant.name}**${assistant.assistant_id === current ? ' (current)' : ''}${assistant.description ? `: ${assistant.description}` : ` (graph \`${assistant.graph_id}\`)`}`,
    );
    return `**Assistants**\n${lines.join('\n')}\n\nSwitch with \`use <assistant>\`.`;
  }

  // ---------------------------------------------------------------- prompts

  /** Turns each pending interrupt of a run into a prompt message. */
  async #askFor(reply: ReplyRecord, outcome: RunOutcome): Promise<void> {
    const { repo, engine } = this.#o;
    const conversation = await this.conversations.find(reply.place);
    const settings = await this.conversations.settings(reply.place);
    const run = await engine.runs.get(reply.thread_id, reply.run_id).catch(() => null);
    for (const pending of outcome.interrupts) {
      const described = describeInterrupt(pending.value);
      const id = crypto.randomUUID();
      const record: PromptRecord = {
        id,
        conversation: reply.conversation,
        place: reply.place,
        thread_id: reply.thread_id,
        assistant_id: run?.assistant_id ?? (await this.conversations.assistantFor(conversation, reply.place)),
        run_id: reply.run_id,
        interrupt_id: pending.id,
        kind: described.kind,
        as_list: described.as_list,
        action: described.action,
        human: described.human,
        view: { promptId: id, question: described.question, options: described.options, allowFreeText: described.allowFreeText },
        answerers: described.answerers ?? settings.prompt_answerers ?? 'anyone',
        starter: reply.trigger?.userId ?? conversation?.started_by,
        status: 'pending',
        created_at: new Date().toISOString(),
      };
      await repo.prompts.put(id, record as never);
      await this.outbox.enqueue(reply.place, { kind: 'send', message: { markdown: '', prompt: record.view } }, { prompt: id });
    }
  }

  async handleAction(action: IncomingAction): Promise<void> {
    const prompt = (await this.#o.repo.prompts.get(action.promptId)) as PromptRecord | null;
    if (!prompt) return action.replyPrivately('This question is no longer available.');
    const chosen = resumeForOption(prompt, action.optionIndex);
    if (!chosen) return action.replyPrivately('That choice is not part of this question.');
    await this.#answer(prompt, action.user, chosen, action.replyPrivately);
  }

  /** A typed message answers the conversation's pending prompt when that prompt takes text. */
  async #answerByText(message: IncomingMessage): Promise<boolean> {
    const key = conversationKey(message.place);
    const pending = (await this.#o.repo.prompts.list())
      .map(({ value }) => value as unknown as PromptRecord)
      .filter((prompt) => prompt.conversation === key && prompt.status === 'pending' && prompt.view.allowFreeText)
      .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))[0];
    if (!pending || !mayAnswer(pending, message.user)) return false;
    const answer = resumeForText(pending, message.text);
    const privately = (text: string) => this.outbox.enqueue(message.place, { kind: 'ephemeral', userId: message.user.id, markdown: text }).then(() => undefined);
    if ('error' in answer) {
      await privately(`That doesn't answer the question: ${answer.error}.`);
      return true;
    }
    await this.#answer(pending, message.user, answer, privately);
    return true;
  }

  /**
   * One answer per prompt, ever: a second click (or a click after a restart, or on a
   * question the graph no longer asks) is told who answered, and nothing is resumed twice.
   */
  async #answer(prompt: PromptRecord, user: ChatUser, answer: { value: unknown; label: string }, privately: (text: string) => Promise<void>): Promise<void> {
    const { repo, engine } = this.#o;
    if (this.#answering.has(prompt.id)) return privately('Someone is answering this right now.');
    this.#answering.add(prompt.id);
    try {
      const current = ((await repo.prompts.get(prompt.id)) as PromptRecord | null) ?? prompt;
      if (current.status === 'answered') return privately(`Already answered by ${current.answered_by?.name ?? 'someone'} (${current.answer_label}).`);
      if (current.status === 'stale') return privately('This question is no longer pending.');
      if (!mayAnswer(current, user)) return privately(`Only ${describeAnswerers(current)} can answer this.`);
      const state = await engine.threads.getState(current.thread_id);
      const stillAsked = state.interrupts.some((pending) => pending.id === current.interrupt_id);
      if (!stillAsked) {
        await repo.prompts.put(current.id, { ...current, status: 'stale' } as never);
        if (current.message_id) {
          await this.outbox.enqueue(current.place, {
            kind: 'update',
            messageId: current.message_id,
            message: { markdown: '', prompt: { ...current.view, answered: { by: '—', choice: 'no longer pending' } } },
          });
        }
        return privately('This question is no longer pending.');
      }
      const by = user.name ?? user.id;
      const answered: PromptRecord = { ...current, status: 'answered', answered_by: { id: user.id, name: by }, answer_label: answer.label };
      await repo.prompts.put(current.id, answered as never);
      const resume = state.interrupts.length > 1 ? { [current.interrupt_id]: answer.value } : answer.value;
      let run;
      try {
        run = await engine.runs.create(current.thread_id, { assistant_id: current.assistant_id, command: { resume }, stream_mode: ['messages-tuple'], multitask_strategy: 'enqueue' });
      } catch (error) {
        // Not resumed: the question stays open rather than claiming an answer that went nowhere.
        await repo.prompts.put(current.id, current as never);
        this.#o.log.error({ err: error, promptId: current.id }, 'could not resume a run with an answer');
        return privately('Sorry, your answer could not be passed on; please try again.');
      }
      const view: PromptView = { ...current.view, answered: { by, choice: answer.label } };
      if (current.message_id) await this.outbox.enqueue(current.place, { kind: 'update', messageId: current.message_id, message: { markdown: '', prompt: view } });
      const record: ReplyRecord = {
        run_id: run.run_id,
        thread_id: run.thread_id,
        place: current.place,
        conversation: current.conversation,
        status: 'streaming',
        parts: [],
        trigger: { userId: user.id },
        owner: this.owner,
        created_at: new Date().toISOString(),
      };
      await repo.replies.put(run.run_id, record as never);
      this.#stream(record);
    } finally {
      this.#answering.delete(prompt.id);
    }
  }

  async #onDelivered(item: OutboxItem, messageId: string | undefined): Promise<void> {
    if (!messageId || !item.link) return;
    const { repo } = this.#o;
    if (item.link.reply) {
      const reply = (await repo.replies.get(item.link.reply.runId)) as ReplyRecord | null;
      if (reply) {
        reply.parts[item.link.reply.part] = messageId;
        await repo.replies.put(reply.run_id, reply as never);
      }
    }
    if (item.link.prompt) {
      const prompt = (await repo.prompts.get(item.link.prompt)) as PromptRecord | null;
      if (prompt) await repo.prompts.put(prompt.id, { ...prompt, message_id: messageId } as never);
    }
  }
}

/** A stored note: the message and who is acting on it (notes from before owners are this process's). */
function noteOf(note: unknown): { owner: string; message: IncomingMessage } {
  const stored = note as { owner?: string; message?: IncomingMessage };
  return stored.message ? { owner: stored.owner ?? LOCAL_OWNER, message: stored.message } : { owner: LOCAL_OWNER, message: note as IncomingMessage };
}

/** The key that records a message as delivered (and, until acted on, holds it). */
export const messageKey = (message: IncomingMessage) =>
  `msg:${message.place.platform}:${message.place.workspace}:${message.place.channel}:${message.messageId}`;

/** A stable id for the LangGraph message of a chat message (the same message, the same id, on every run that carries it). */
const chatMessageId = (message: IncomingMessage) => uuidv5(messageKey(message), CHAT_MESSAGE_NAMESPACE);
const CHAT_MESSAGE_NAMESPACE = 'a4f3c1d2-5b6e-4f70-8a91-b2c3d4e5f607';

/** OpenAI message names allow letters, digits, _ and - only. */
function sanitizeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'user';
}
