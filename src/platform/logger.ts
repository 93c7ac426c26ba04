import { getConfig } from '@langchain/langgraph';
import type { Logger } from 'pino';

/** Where `getLogger()` of `@langchain/langgraph-sdk/logging` looks for the Platform's logger (a global symbol, so any copy of the SDK finds it). */
const GLOBAL_LOGGER = Symbol.for('langgraph.api.sdk-logger');

/** The Platform's logger levels (winston's names), each mapped to one of pino's. */
const LEVELS = {
  error: 'error',
  warn: 'warn',
  help: 'info',
  data: 'info',
  info: 'info',
  debug: 'debug',
  prompt: 'info',
  http: 'debug',
  verbose: 'debug',
  input: 'info',
  silly: 'trace',
} as const;

type LogMethod = (message: unknown, ...meta: unknown[]) => PlatformLogger;
export type PlatformLogger = { -readonly [K in keyof typeof LEVELS]: LogMethod };

/** The ids of the run being executed, when the call is made from inside a graph. */
function runFields(): Record<string, unknown> {
  let configurable: Record<string, unknown> | undefined;
  try {
    configurable = getConfig()?.configurable;
  } catch {
    return {};
  }
  if (!configurable) return {};
  const fields: Record<string, unknown> = {};
  for (const key of ['graph_id', 'assistant_id', 'thread_id', 'run_id']) if (configurable[key] !== undefined) fields[key] = configurable[key];
  return fields;
}

/**
 * The logger graphs get from `getLogger()`, as on the LangGraph Platform: leveled methods
 * taking a message and metadata objects (or one object), written through Switchboard's
 * pino logger, each line carrying the graph, assistant, thread and run it came from.
 */
export function platformLogger(log: Logger): PlatformLogger {
  const graphLog = log.child({ component: 'graph' });
  const logger = {} as PlatformLogger;
  for (const [name, level] of Object.entries(LEVELS) as Array<[keyof typeof LEVELS, (typeof LEVELS)[keyof typeof LEVELS]]>) {
    logger[name] = (message: unknown, ...meta: unknown[]) => {
      const fields: Record<string, unknown> = { ...runFields() };
      for (const extra of meta) if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) Object.assign(fields, extra);
      if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
        const { message: text, ...rest } = message as Record<string, unknown>;
        graphLog[level]({ ...fields, ...rest }, typeof text === 'string' ? text : '');
      } else if (message instanceof Error) graphLog[level]({ ...fields, err: message }, message.message);
      else graphLog[level](fields, String(message));
      return logger;
    };
  }
  return logger;
}

/** Registers the Platform's global logger (before graphs load: a graph may call getLogger() at import). */
export function registerPlatformLogger(log: Logger): void {
  (globalThis as Record<symbol, unknown>)[GLOBAL_LOGGER] = platformLogger(log);
}
