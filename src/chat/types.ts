import type { Hono } from 'hono';

/**
 * The chat layer's view of a team chat, the same for Slack, Discord and the web
 * playground. Adapters turn platform events into these and render these back.
 */
export type PlatformName = 'slack' | 'discord' | 'web' | (string & {});

/** A durable map of records, for a platform that keeps its own (the playground's messages). */
export type { Collection } from '../storage/types.ts';

/** Where a conversation lives: a workspace (Slack team, Discord guild), a channel, a thread in it. */
export interface Place {
  platform: PlatformName;
  workspace: string;
  channel: string;
  /** The platform thread the conversation is (Slack thread_ts, or the root message's ts). */
  thread?: string | undefined;
}

export interface ChatUser {
  id: string;
  name?: string | undefined;
  isBot?: boolean | undefined;
  /** Platform roles (Discord), for prompts only some roles may answer. */
  roles?: string[] | undefined;
}

export interface IncomingMessage {
  place: Place;
  /** The platform's id of this message (Slack ts, Discord message id). */
  messageId: string;
  /** The platform's id of the delivery (Slack event_id), for dedupe across retries. */
  eventId?: string | undefined;
  user: ChatUser;
  /** The text, with the mention of the bot removed. */
  text: string;
  mentionsBot: boolean;
  /** A direct message with the bot. */
  isDirect: boolean;
  /** The workspace id of the author (Slack's recipient_team_id for native streaming). */
  userTeam?: string | undefined;
  /** What the platform says this message answers (a Discord reply chain), oldest first: context for a first run. */
  context?: HistoryMessage[] | undefined;
  /** Files attached to it, as the platform describes them: fetched when the message is acted on (see chat/files-in.ts). */
  files?: IncomingFile[] | undefined;
}

/**
 * A file attached to a message: what the platform says of it, not its bytes. The message is
 * held durably with these (small) descriptions; the bytes are fetched from the platform when
 * the message is acted on, so a restart mid-download fetches again and loses nothing.
 */
export interface IncomingFile {
  /** The platform's id of the file (Slack F…, a Discord attachment id, a playground upload id). */
  id: string;
  name: string;
  mimeType: string;
  /** Bytes, as the platform declares them (checked again while downloading). */
  size: number;
  /** Where the adapter fetches it from (Slack url_private_download, Discord attachment.url, a playground upload). */
  url: string;
}

/** A file the bot sends: its bytes, its name and kind. */
export interface OutgoingFile {
  name: string;
  mimeType: string;
  data: Uint8Array;
}

export interface IncomingCommand {
  place: Place;
  user: ChatUser;
  /** Slack: the team of the user, when it is not the workspace's (Slack Connect). */
  userTeam?: string | undefined;
  /** Everything after the command name (`use tweet --channel`). */
  text: string;
  /** Answers only the person who typed the command (Slack ephemeral, Discord deferred reply). */
  reply(text: string): Promise<void>;
}

export interface IncomingAction {
  place: Place;
  user: ChatUser;
  /** The prompt the button belongs to and the option clicked. */
  promptId: string;
  optionIndex: number;
  /** Answers only the person who clicked. */
  replyPrivately(text: string): Promise<void>;
}

/** The run a final answer comes from: where a 👍/👎 on that answer is recorded. */
export interface FeedbackTarget {
  threadId: string;
  runId: string;
}

/** A 👍/👎 click on an answer. */
export interface IncomingFeedback {
  place: Place;
  user: ChatUser;
  /** Slack: the team of the user, when it is not the workspace's (Slack Connect). */
  userTeam?: string | undefined;
  target: FeedbackTarget;
  positive: boolean;
  /** Answers only the person who clicked. */
  replyPrivately(text: string): Promise<void>;
}

/** A prompt offered when an assistant thread opens (Slack's suggested prompts): a click sends `message`. */
export interface SuggestedPrompt {
  title: string;
  message: string;
}

/**
 * A person opened an assistant thread (Slack's AI-app pane), or looked at another channel
 * while it was open: `viewing` is the channel they are looking at, when the platform says.
 */
export interface AssistantThreadEvent {
  kind: 'started' | 'context_changed';
  place: Place;
  user: ChatUser;
  userTeam?: string | undefined;
  /** The platform's id of the event, for dedupe across retries. */
  eventId?: string | undefined;
  viewing?: { channel_id?: string | undefined; team_id?: string | undefined; enterprise_id?: string | null | undefined } | undefined;
}

export interface PromptOption {
  label: string;
  value: unknown;
  style?: 'primary' | 'danger' | undefined;
  /** Set when the option opens a form (Slack modal, Discord modal, a form in the playground) instead of answering at once. */
  form?: FormSpec | undefined;
}

/** One input of a form: one line, several lines, or one of a list. */
export interface FormField {
  /** The key of the answer (`{ [name]: value }`). */
  name: string;
  label: string;
  type: 'text' | 'textarea' | 'select';
  /** The choices of a select. */
  options?: Array<{ label: string; value: string }> | undefined;
  /** What the input holds when the form opens (an Agent Inbox edit prefills the arguments). */
  initial?: string | undefined;
  /** A field may be left empty only when `required` is false. */
  required?: boolean | undefined;
  /** The text is JSON (a non-string argument being edited): it must parse. */
  json?: boolean | undefined;
}

/** A form an option opens. */
export interface FormSpec {
  title: string;
  submitLabel: string;
  fields: FormField[];
  /** What the form answers, shown above its fields where the platform's form has room (Markdown). */
  intro?: string | undefined;
}

/** A click on an option that opens a form: the form, or why this person cannot have it (already answered, not theirs to answer). */
export type FormOpening =
  | { form: FormSpec /** What was typed last time into the form shown as one JSON input (it came back with errors). */; typedJson?: string | undefined }
  | { refused: string };

/** A filled-in form, as the platform gave it: text per field name. */
export interface IncomingFormSubmission {
  place: Place;
  user: ChatUser;
  promptId: string;
  optionIndex: number;
  /** The text of each field, by its position in the form (platforms name inputs by position: field names are the graph's). */
  values: Array<string | undefined>;
  /** Instead of `values`: the whole form as one JSON object of field name -> value (a platform whose forms hold fewer inputs than this one has fields). */
  asJson?: string | undefined;
  /** Answers only the person who submitted. */
  replyPrivately(text: string): Promise<void>;
}

/** What is wrong with one field of a submitted form (`index` is its position; -1 for the form as a whole). */
export interface FieldError {
  index: number;
  label: string;
  message: string;
}

/**
 * What became of a submission, decided fast enough for Slack's 3 s: field errors to show in
 * the form, a refusal (answered by someone else, not theirs), or accepted, with the resume
 * still going on in `done`.
 */
export type FormVerdict = { status: 'invalid'; errors: FieldError[] } | { status: 'refused'; message: string } | { status: 'accepted'; done: Promise<void> };

/** An interrupt shown to people: a question, buttons, and whether a typed answer counts. */
export interface PromptView {
  promptId: string;
  question: string;
  options: PromptOption[];
  allowFreeText: boolean;
  /** Set once answered: the message then shows who chose what, without buttons. */
  answered?: { by: string; choice: string } | undefined;
}

export interface OutgoingMessage {
  /** Markdown as models write it; the adapter converts it to the platform's format. */
  markdown: string;
  prompt?: PromptView | undefined;
  /**
   * An intermediate render of a reply still streaming: the platform may skip it (rejecting
   * with BudgetShortError) when its rate budget is short, since a later render carries it.
   */
  partial?: boolean | undefined;
  /** A final answer: the platform shows 👍/👎 buttons on it, recorded on this run. */
  feedback?: FeedbackTarget | undefined;
}

/** A failure to deliver: retried unless `permanent`, after `retryAfterMs` when the platform says so. */
export class DeliveryError extends Error {
  readonly permanent: boolean;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { permanent?: boolean; retryAfterMs?: number | undefined; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeliveryError';
    this.permanent = options.permanent ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A reply streamed with the platform's own streaming (Slack chat.startStream…). */
export interface NativeStream {
  readonly messageId: string | undefined;
  /** Appends text; may be skipped (BudgetShortError) when the platform's budget is short: a later append or the stop carries it. */
  append(markdown: string): Promise<void>;
  /** Ends the stream, appending `rest` first (the final text not streamed yet), so no edit is spent on it; `feedback` adds the 👍/👎 buttons. */
  stop(rest?: string, feedback?: FeedbackTarget): Promise<string>;
}

/**
 * What the chat layer needs from a platform: a narrow surface, so an adapter is a
 * translation, not a re-implementation of chat behaviour.
 */
export interface ChatAdapter {
  readonly platform: PlatformName;
  /** Longest text one message may carry. */
  readonly maxMessageChars: number;
  /** How often a streamed reply may be edited here, when not the configured interval (a platform without rate limits streams faster). */
  readonly editIntervalMs?: number | undefined;
  /** The bot's own user id on the platform (its messages are never answered). */
  botUserId(): string | undefined;
  send(place: Place, message: OutgoingMessage): Promise<{ messageId: string }>;
  update(place: Place, messageId: string, message: OutgoingMessage): Promise<void>;
  ephemeral(place: Place, userId: string, markdown: string): Promise<void>;
  /** A "working on it" indicator while a run is in flight, and its removal. */
  status(place: Place, busy: boolean, context: { triggerMessageId?: string | undefined }): Promise<void>;
  /**
   * Where a conversation started by this message lives, when not where it was said (a
   * Discord thread opened on the message, say). Called once, when the conversation opens.
   */
  startConversation?(message: IncomingMessage): Promise<Place>;
  /**
   * The messages said in a conversation's platform thread before `beforeMessageId`, oldest
   * first, at most `limit` (the newest of them): what the bot sees when it is mentioned in a
   * thread it was not part of.
   */
  threadHistory?(place: Place, beforeMessageId: string, limit: number): Promise<HistoryMessage[]>;
  /**
   * The bytes of a file attached to a message, at most `maxBytes` (more is an error, whatever
   * the platform declared). Absent: the platform has no files, and attachments are refused.
   */
  fetchFile?(file: IncomingFile, maxBytes: number, place: Place): Promise<Uint8Array>;
  /** Posts a file into the conversation (its thread). Absent: files are posted as a note naming them. */
  sendFile?(place: Place, file: OutgoingFile): Promise<{ messageId: string }>;
  /** The largest file one message may carry here (Discord's upload limit); larger ones get a note instead. */
  readonly maxUploadBytes?: number | undefined;
  /** Native streaming for this reply, if the platform offers it here; null to stream by edits. */
  openStream?(place: Place, recipient: { userId: string; teamId?: string | undefined }): Promise<NativeStream | null>;
  /** Offers prompts in an assistant thread (Slack: assistant.threads.setSuggestedPrompts; at most 4). */
  suggestPrompts?(place: Place, prompts: SuggestedPrompt[]): Promise<void>;
  /** Names an assistant thread (Slack: assistant.threads.setTitle), from its first message. */
  setTitle?(place: Place, title: string): Promise<void>;
}

/** A message of a platform thread, as context for a run. */
export interface HistoryMessage {
  userId: string;
  name?: string | undefined;
  text: string;
  /** Said by this bot (an assistant message to the graph). */
  fromThisBot: boolean;
}

/** An assistant as people pick it (autocomplete, menus). */
export interface AssistantSummary {
  assistant_id: string;
  name: string;
  description: string | null;
  graph_id: string;
}

/** What a conversation runs on: who answers, on which thread, doing what. */
export interface ConversationInfo {
  assistant: { assistant_id: string; name: string; version: number; graph_id: string } | null;
  strategy: string;
  thread_id: string | null;
  thread_status: string | null;
  run: { run_id: string; status: string } | null;
  /** The thread's state and history as JSON, from the LangGraph API on this server. */
  links: { state: string; history: string } | null;
}

/**
 * The chat layer as a platform sees it: the only door an adapter has. Events go in here;
 * nothing of the engine or storage is reachable through it.
 */
export interface ChatHost {
  handleMessage(message: IncomingMessage): Promise<void>;
  handleCommand(command: IncomingCommand): Promise<void>;
  handleAction(action: IncomingAction): Promise<void>;
  /** A click on an option that opens a form: the form to show (open it at once: Slack's trigger_id lasts 3 s). */
  openForm(action: Pick<IncomingAction, 'place' | 'user' | 'promptId' | 'optionIndex'>): Promise<FormOpening>;
  /** A submitted form: checked, then (when accepted) the run resumes with its values. */
  submitForm(submission: IncomingFormSubmission): Promise<FormVerdict>;
  /** A 👍/👎 on an answer: recorded on its run, one vote per person (a second click changes it). */
  handleFeedback(feedback: IncomingFeedback): Promise<void>;
  /** An assistant thread opened (a greeting and suggested prompts), or its viewer moved to another channel. */
  handleAssistantThread(event: AssistantThreadEvent): Promise<void>;
  /** Every assistant people can switch to, by name. */
  assistants(): Promise<AssistantSummary[]>;
  describe(place: Place): Promise<ConversationInfo>;
}

/** A platform's health for GET /ok: facts to show, and `healthy: false` to fail the check. */
export type PlatformHealth = Record<string, unknown> & { healthy?: boolean };

/** HTTP routes a platform serves on Switchboard's server. */
export interface PlatformRoutes {
  /** `api-key`: behind the API key like the API (the playground); `own`: the platform checks its requests itself (Slack signs them). */
  auth: 'api-key' | 'own';
  app: Hono;
}

/**
 * One chat platform, whatever it is: Slack, Discord, the web playground. The composition
 * root starts the enabled ones in a loop and knows nothing else of them.
 */
export interface Platform {
  /** What the chat layer sends through. Sending works once `start` has resolved. */
  readonly adapter: ChatAdapter;
  /** Starts taking events, which go to `host`. */
  start(host: ChatHost): Promise<void>;
  /** Stops taking events and ends its connections (what is queued is delivered at the next start). */
  stop(): Promise<void>;
  health(): PlatformHealth;
  routes?(): PlatformRoutes;
  /** How it runs, for the start-up line ("slack (http)"). */
  describe?(): string;
  /**
   * Part of receiving needs exactly one process among those sharing a database (Discord's
   * gateway): `lead()` starts it in the process that leads, `standDown()` stops it there.
   * With one process, it leads from the start.
   */
  readonly needsLeader?: boolean;
  lead?(): Promise<void>;
  standDown?(): Promise<void>;
}
