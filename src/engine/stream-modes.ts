import type { StreamMode } from './requests/runs.ts';
import { checkpointRef } from './state.ts';
import { toWire } from './wire.ts';

type Publish = (event: string, data: unknown) => void;

/** The modes to ask LangGraph for, given the modes the client asked us for. */
export function libraryModes(requested: readonly StreamMode[]): string[] {
  const modes = new Set<string>();
  for (const mode of requested) {
    if (mode === 'events') continue;
    if (mode === 'messages-tuple') modes.add('messages');
    else if (mode === 'messages') {
      // The Platform's `messages` mode is built from token chunks (partial) and state values (complete).
      modes.add('messages');
      modes.add('values');
    } else modes.add(mode);
  }
  return [...modes];
}

interface MessageLike {
  id?: string;
  concat?: (other: unknown) => MessageLike;
}

/**
 * Turns LangGraph's stream chunks into the Platform's SSE events: `<mode>` or, for a
 * subgraph, `<mode>|<namespace>`; `messages-tuple` becomes `messages`; the `messages`
 * mode becomes `messages/metadata`, `messages/partial` and `messages/complete`.
 */
export class StreamTranslator {
  readonly #requested: ReadonlySet<StreamMode>;
  readonly #subgraphs: boolean;
  readonly #publish: Publish;
  readonly #partial = new Map<string, MessageLike>();
  readonly #complete = new Set<string>();
  #sawHistory = false;
  #sawInterruptValues = false;

  constructor(requested: readonly StreamMode[], subgraphs: boolean, publish: Publish) {
    this.#requested = new Set(requested);
    this.#subgraphs = subgraphs;
    this.#publish = publish;
  }

  #name(mode: string, namespace: readonly string[]): string {
    return this.#subgraphs && namespace.length > 0 ? `${mode}|${namespace.join('|')}` : mode;
  }

  chunk(namespace: readonly string[], mode: string, payload: unknown): void {
    switch (mode) {
      case 'messages':
        this.#messages(namespace, payload as [MessageLike, Record<string, unknown>]);
        return;
      case 'values':
        // A stop at interrupt_before/after comes as `{__interrupt__: []}`: streamed as the
        // Platform streams it (its API suite lists it; useStream merges it into the values).
        // The Platform's order: the step's values, then its new messages completed.
        if (namespace.length === 0 && hasInterruptKey(payload)) this.#sawInterruptValues = true;
        if (this.#requested.has('values')) this.#publish(this.#name('values', namespace), toWire(payload));
        if (this.#requested.has('messages') && namespace.length === 0) this.#completeFromValues(payload);
        return;
      case 'checkpoints':
        // streamEvents with subgraphs also yields bare checkpoint envelopes; only full payloads are events.
        if (this.#requested.has('checkpoints') && isCheckpointPayload(payload)) {
          this.#publish(this.#name('checkpoints', namespace), checkpointEvent(payload));
        }
        return;
      case 'debug':
        if (this.#requested.has('debug')) this.#publish(this.#name('debug', namespace), debugEvent(payload));
        return;
      default:
        if (this.#requested.has(mode as StreamMode)) this.#publish(this.#name(mode, namespace), toWire(payload));
    }
  }

  /**
   * The run stopped at a breakpoint (interrupt_before/after, its own or a subgraph's).
   * LangGraph 1.x streams that stop as the values event `{__interrupt__: []}`; LangGraph
   * 0.2 streams nothing, so a project on 0.2 gets the event from here, once, as on 1.x.
   */
  stoppedAtBreakpoint(): void {
    if (this.#sawInterruptValues || !this.#requested.has('values')) return;
    this.#sawInterruptValues = true;
    this.#publish('values', { __interrupt__: [] });
  }

  /** Other callback events, for the `events` mode. */
  event(event: Record<string, unknown>): void {
    if (!this.#requested.has('events')) return;
    const tags = event.tags as string[] | undefined;
    if (tags?.includes('langsmith:hidden')) return;
    this.#publish('events', toWire(event));
  }

  #messages(namespace: readonly string[], [message, metadata]: [MessageLike, Record<string, unknown>]) {
    if (this.#requested.has('messages-tuple')) {
      this.#publish(this.#name('messages', namespace), [toWire(message), toWire(metadata)]);
    }
    if (!this.#requested.has('messages') || !message?.id) return;
    const previous = this.#partial.get(message.id);
    if (!previous) {
      this.#publish('messages/metadata', { [message.id]: { metadata: toWire(metadata) } });
      this.#partial.set(message.id, message);
    } else if (typeof previous.concat === 'function') {
      this.#partial.set(message.id, previous.concat(message));
    }
    this.#publish('messages/partial', [toWire(this.#partial.get(message.id))]);
  }

  /** Messages that appear in the state during the run (not the history it started from). */
  #completeFromValues(values: unknown) {
    const messages = (values as { messages?: unknown } | null)?.messages;
    if (!Array.isArray(messages)) return;
    const fresh = messages.filter((message: MessageLike) => message?.id && !this.#complete.has(message.id));
    for (const message of fresh as MessageLike[]) this.#complete.add(message.id!);
    if (!this.#sawHistory) {
      this.#sawHistory = true;
      return;
    }
    if (fresh.length > 0) this.#publish('messages/complete', toWire(fresh));
  }
}

function hasInterruptKey(payload: unknown): boolean {
  return payload !== null && typeof payload === 'object' && '__interrupt__' in payload;
}

function isCheckpointPayload(payload: unknown): payload is Record<string, unknown> {
  return payload !== null && typeof payload === 'object' && Array.isArray((payload as { tasks?: unknown }).tasks);
}

/** The Platform's shape of a checkpoint in a stream: internal config keys and callbacks removed. */
function checkpointEvent(payload: Record<string, unknown>): unknown {
  const { config, parentConfig, tasks, ...rest } = payload as {
    config?: Record<string, unknown>;
    parentConfig?: Record<string, unknown>;
    tasks: Array<Record<string, unknown>>;
  };
  const out: Record<string, unknown> = {
    ...(toWire(rest) as Record<string, unknown>),
    config: publicConfig(config),
    tasks: tasks.map((task) => {
      const { state, ...fields } = task;
      const wired = toWire(fields) as Record<string, unknown>;
      if (state && typeof state === 'object' && 'configurable' in state) wired.checkpoint = checkpointRef(state as never, true);
      return wired;
    }),
    checkpoint: checkpointRef(config as never),
    parent_checkpoint: checkpointRef(parentConfig as never),
  };
  if (parentConfig) out.parent_config = publicConfig(parentConfig);
  return out;
}

function debugEvent(payload: unknown): unknown {
  const event = payload as { type?: string; payload?: unknown } | null;
  if (event?.type === 'checkpoint' && isCheckpointPayload(event.payload)) {
    return { ...(toWire({ ...event, payload: undefined }) as Record<string, unknown>), payload: checkpointEvent(event.payload) };
  }
  return toWire(payload);
}

function publicConfig(config: Record<string, unknown> | undefined): unknown {
  if (!config) return null;
  const { callbacks: _callbacks, signal: _signal, configurable, ...rest } = config;
  const visible = Object.fromEntries(Object.entries((configurable ?? {}) as Record<string, unknown>).filter(([key]) => !key.startsWith('__')));
  return toWire({ ...rest, configurable: visible });
}
