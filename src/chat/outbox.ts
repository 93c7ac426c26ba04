import type { Logger } from 'pino';
import { tracing } from '../ops/tracing/index.ts';
import { conversationKey } from './conversations.ts';
import { deliverFile, type FileOp } from './files-out.ts';
import { BudgetShortError } from './rate-limiter.ts';
import { LOCAL_OWNER, type ChatState } from './state.ts';
import { DeliveryError, type ChatAdapter, type OutgoingMessage, type Place } from './types.ts';

/** One thing to deliver to a platform. */
export type OutboxOp =
  | { kind: 'send'; message: OutgoingMessage }
  | FileOp
  | { kind: 'update'; messageId: string; message: OutgoingMessage }
  | { kind: 'ephemeral'; userId: string; markdown: string };

export interface OutboxItem {
  id: string;
  seq: number;
  place: Place;
  op: OutboxOp;
  /** What to record where once delivered: the new message's id, in a reply or a prompt. */
  link?: { reply?: { runId: string; part: number }; prompt?: string } | undefined;
  attempts: number;
  /** The process delivering it (see ChatOptions.owner). */
  owner?: string | undefined;
  /** The trace it was queued in (tracing on): its deliveries, retries after a restart too, are spans there. */
  trace?: Record<string, string> | undefined;
  created_at: string;
}

const MAX_BACKOFF_MS = 60_000;

/**
 * Everything the bot says goes through here: each item is stored before it is sent and
 * removed after, so a platform error (429 with Retry-After, 5xx, the network) is retried
 * and a restart delivers what was left. Items of one conversation go out in order; a
 * failing item holds back the ones after it, never overtaken.
 */
export class Outbox {
  readonly #state: ChatState;
  readonly #adapters: Map<string, ChatAdapter>;
  readonly #log: Logger;
  readonly #onDelivered: (item: OutboxItem, messageId: string | undefined) => Promise<void>;
  readonly #lanes = new Map<string, OutboxItem[]>();
  readonly #busy = new Set<string>();
  readonly #waiters = new Map<string, { resolve: (id: string | undefined) => void; reject: (error: Error) => void }>();
  #seq = Date.now() * 1000;
  #owner = LOCAL_OWNER;
  #stopped = false;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(options: {
    state: ChatState;
    adapters: Map<string, ChatAdapter>;
    log: Logger;
    onDelivered: (item: OutboxItem, messageId: string | undefined) => Promise<void>;
  }) {
    this.#state = options.state;
    this.#adapters = options.adapters;
    this.#log = options.log;
    this.#onDelivered = options.onDelivered;
  }

  /** Every item not yet delivered, whichever process holds it (for /metrics). */
  async pending(): Promise<Array<{ value: OutboxItem }>> {
    return this.#state.outbox.list();
  }

  /**
   * Loads what is left undelivered under `owner` (by a previous process, or one whose work
   * this one adopted) and starts delivering it; items it already has are left alone.
   */
  async load(owner: string): Promise<number> {
    this.#owner = owner;
    const known = new Set([...this.#lanes.values()].flat().map((item) => item.id));
    const pending = (await this.#state.outbox.list())
      .map(({ value }) => value)
      .filter((item) => (item.owner ?? LOCAL_OWNER) === owner && !known.has(item.id))
      .sort((a, b) => a.seq - b.seq);
    for (const item of pending) {
      this.#seq = Math.max(this.#seq, item.seq);
      this.#lane(item).push(item);
    }
    for (const lane of this.#lanes.keys()) this.#drain(lane);
    return pending.length;
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    // Whoever waits for a delivery stops waiting; the items stay stored for the next start.
    for (const waiter of this.#waiters.values()) waiter.reject(new DeliveryError('the outbox is stopped; delivered at the next start'));
    this.#waiters.clear();
  }

  /**
   * Stores the item, then delivers it; resolves with the new message's id once delivered.
   * After `stop()` the item is still stored (the next start delivers it) and the promise
   * rejects at once.
   */
  async enqueue(place: Place, op: OutboxOp, link?: OutboxItem['link']): Promise<string | undefined> {
    return (await this.queue(place, op, link)).delivered;
  }

  /**
   * As `enqueue`, but resolves as soon as the item is stored, with the promise of its
   * delivery: for work that must record "queued" before waiting (a reply's files).
   */
  async queue(place: Place, op: OutboxOp, link?: OutboxItem['link']): Promise<{ delivered: Promise<string | undefined> }> {
    const item: OutboxItem = {
      id: crypto.randomUUID(),
      seq: ++this.#seq,
      place,
      op,
      link,
      attempts: 0,
      owner: this.#owner,
      trace: tracing().carrier(),
      created_at: new Date().toISOString(),
    };
    await this.#state.outbox.put(item.id, item);
    if (this.#stopped) {
      const refused = Promise.reject(new DeliveryError('the outbox is stopped; delivered at the next start'));
      refused.catch(() => undefined);
      return { delivered: refused };
    }
    const delivered = new Promise<string | undefined>((resolve, reject) => this.#waiters.set(item.id, { resolve, reject }));
    // Nobody may be waiting (a note queued and forgotten): a rejection is then not an unhandled one.
    delivered.catch(() => undefined);
    this.#lane(item).push(item);
    this.#drain(conversationKey(place));
    return { delivered };
  }

  /**
   * If an item for this reply part is still waiting (the platform was unreachable, or a
   * restart came first), gives it new content instead of queueing another: the part is
   * delivered once, up to date. False when there is none (or it is being sent right now).
   */
  async replacePending(runId: string, part: number, message: OutgoingMessage): Promise<boolean> {
    for (const lane of this.#lanes.values()) {
      for (const [index, item] of lane.entries()) {
        if ((item.op.kind !== 'send' && item.op.kind !== 'update') || item.link?.reply?.runId !== runId || item.link.reply.part !== part) continue;
        // The head of a lane may be in flight right now: too late to change it.
        if (index === 0 && this.#busy.has(conversationKey(item.place))) return false;
        item.op = { ...item.op, message };
        await this.#state.outbox.put(item.id, item);
        return true;
      }
    }
    return false;
  }

  pendingCount(): number {
    let count = 0;
    for (const lane of this.#lanes.values()) count += lane.length;
    return count;
  }

  #lane(item: OutboxItem): OutboxItem[] {
    const key = conversationKey(item.place);
    let lane = this.#lanes.get(key);
    if (!lane) this.#lanes.set(key, (lane = []));
    return lane;
  }

  #drain(key: string): void {
    if (this.#busy.has(key) || this.#stopped) return;
    const lane = this.#lanes.get(key);
    const item = lane?.[0];
    if (!item) {
      this.#lanes.delete(key);
      return;
    }
    this.#busy.add(key);
    void this.#deliver(item).then((retryInMs) => {
      this.#busy.delete(key);
      if (retryInMs === null) {
        lane.shift();
        this.#drain(key);
      } else {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          this.#drain(key);
        }, retryInMs);
        this.#timers.add(timer);
      }
    });
  }

  /** Delivers one item; null when done with it (delivered or given up), else when to try again. */
  async #deliver(item: OutboxItem): Promise<number | null> {
    const adapter = this.#adapters.get(item.place.platform);
    const waiter = this.#waiters.get(item.id);
    if (!adapter) {
      this.#log.error({ platform: item.place.platform }, 'no adapter for a queued message; dropped');
      await this.#finish(item);
      waiter?.reject(new DeliveryError(`no ${item.place.platform} adapter`, { permanent: true }));
      return null;
    }
    try {
      const messageId = await tracing().inSpan(
        `chat.deliver ${item.op.kind}`,
        {
          kind: 'client',
          parent: item.trace ?? null,
          attributes: { 'switchboard.chat.platform': item.place.platform, 'switchboard.chat.channel': item.place.channel, 'switchboard.delivery.attempt': item.attempts + 1 },
        },
        () => send(adapter, this.#state, item),
      );
      await this.#onDelivered(item, messageId);
      await this.#finish(item);
      waiter?.resolve(messageId);
      return null;
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : new DeliveryError((error as Error).message, { cause: error });
      item.attempts += 1;
      if (failure.permanent) {
        // An intermediate render skipped for want of budget is expected under load; the final text follows.
        const level = failure instanceof BudgetShortError ? 'debug' : 'error';
        this.#log[level]({ err: failure, place: item.place, kind: item.op.kind }, 'the platform refused a message; not retried');
        await this.#finish(item);
        waiter?.reject(failure);
        return null;
      }
      await this.#state.outbox.put(item.id, item);
      const delay = failure.retryAfterMs ?? Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(item.attempts, 10));
      this.#log.warn({ place: item.place, kind: item.op.kind, attempts: item.attempts, retryInMs: delay, reason: failure.message }, 'delivery failed; will retry');
      return delay;
    }
  }

  async #finish(item: OutboxItem) {
    this.#waiters.delete(item.id);
    await this.#state.outbox.delete(item.id);
    // A file's bytes are kept apart from its item; delivered or given up on, they go too.
    if (item.op.kind === 'file' && item.op.blob) await this.#state.blobs.delete(item.op.blob);
  }
}

/** One platform call for an item; the id of the message a send created. */
async function send(adapter: ChatAdapter, state: ChatState, item: OutboxItem): Promise<string | undefined> {
  if (item.op.kind === 'send') return (await adapter.send(item.place, item.op.message)).messageId;
  if (item.op.kind === 'file') return deliverFile(adapter, state, item.place, item.op);
  if (item.op.kind === 'update') await adapter.update(item.place, item.op.messageId, item.op.message);
  else await adapter.ephemeral(item.place, item.op.userId, item.op.markdown);
  return undefined;
}
