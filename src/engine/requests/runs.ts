import { z } from 'zod';
import { checkpointSelector, commandSchema, configSchema, durability, multitaskStrategy, nodeList, nullish, record, webhookUrl } from './fields.ts';

export const STREAM_MODES = ['values', 'updates', 'messages', 'messages-tuple', 'custom', 'events', 'debug', 'tasks', 'checkpoints'] as const;
export type StreamMode = (typeof STREAM_MODES)[number];
const streamMode = z.enum(STREAM_MODES, { error: `use one of ${STREAM_MODES.join(', ')}` });

/**
 * The longest delay a run's timers can wait: Node's timers hold at most 2^31-1 ms (24.8
 * days) and fire at once past it, so a longer `timeout_seconds` ended the run at once and
 * a longer `after_seconds` woke the queue every millisecond (and 1e308 was not a date).
 */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const TIMER_LIMIT = `must be at most ${MAX_TIMER_SECONDS} seconds (24.8 days)`;

/** The fields of a run request (the Platform's RunCreate); the HTTP API adds its own to these. */
export const runCreateFields = z.strictObject({
  assistant_id: z.string({ error: 'an assistant id or a graph id is required' }).min(1, 'an assistant id or a graph id is required'),
  input: z.unknown().optional(),
  command: nullish(commandSchema),
  config: nullish(configSchema),
  context: nullish(record),
  metadata: nullish(record),
  /** One mode or several; values when unset. */
  stream_mode: z
    .union([streamMode, z.array(streamMode)])
    .nullish()
    .transform((mode): StreamMode[] => {
      const modes = mode === undefined || mode === null ? [] : Array.isArray(mode) ? mode : [mode];
      return modes.length === 0 ? ['values'] : [...new Set(modes)];
    }),
  stream_subgraphs: nullish(z.boolean()),
  interrupt_before: nullish(nodeList),
  interrupt_after: nullish(nodeList),
  checkpoint_id: nullish(z.string()),
  checkpoint: nullish(checkpointSelector),
  multitask_strategy: nullish(multitaskStrategy),
  if_not_exists: nullish(z.enum(['create', 'reject'])),
  on_completion: nullish(z.enum(['delete', 'keep'])),
  on_disconnect: nullish(z.enum(['cancel', 'continue'])),
  /** Start no earlier than this many seconds from now. */
  after_seconds: nullish(z.number().min(0, 'must be a number of seconds >= 0').max(MAX_TIMER_SECONDS, TIMER_LIMIT)),
  /** End the run with status `timeout` past this limit (overrides the configured default). */
  timeout_seconds: nullish(z.number().positive('must be a number of seconds > 0').max(MAX_TIMER_SECONDS, TIMER_LIMIT)),
  /** When LangGraph persists checkpoints: after each step in the background (default), before each step, or at exit. */
  durability: nullish(durability),
  /** A URL that receives the run and its final values when it ends. */
  webhook: nullish(webhookUrl),
});

/** Input that says nothing: what clients send beside a command (`useStream` sends `input: {}` with `command: {resume}`). */
const isEmptyInput = (input: unknown) =>
  input === undefined || input === null || (Array.isArray(input) ? input.length === 0 : typeof input === 'object' && Object.keys(input as object).length === 0);

/**
 * A run request as the engine takes it, from the API or in-process (chat, crons). With a
 * command, empty input is ignored, as on the Platform; input that says something beside a
 * command is ambiguous and refused.
 */
export const runCreateSchema = runCreateFields.superRefine((run, ctx) => {
  if (run.command !== undefined && !isEmptyInput(run.input)) {
    ctx.addIssue({ code: 'custom', path: ['command'], message: 'give either input or command, not both (empty input beside a command is fine)' });
  }
});

/** What a caller gives to start a run. */
export type RunCreate = z.input<typeof runCreateSchema>;
/** The same, checked: defaults applied, stream modes a list. */
export type RunRequest = z.output<typeof runCreateSchema>;
