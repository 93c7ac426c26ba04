import type { Context, MiddlewareHandler } from 'hono';
import type { Engine } from '../../engine/engine.ts';
import { isSwitchboardError, notFound } from '../../errors.ts';
import { type SseEvent, sseResponse } from '../sse.ts';
import { authorize } from './access.ts';
import { bothContained, filtersAsContainment, passes } from './filters.ts';

type Value = Record<string, unknown>;
type Metadata = Record<string, unknown>;

/**
 * The checks the routes make with a project's custom auth: each asks the handler for an
 * action, then holds the resource it touches to the filters returned. Another owner's
 * thread, assistant or cron is answered as missing (404), never as forbidden, so its
 * existence does not leak. Without custom auth each check is one map lookup.
 */
export function resourceGuards(engine: Engine) {
  return {
    /** A thread this request may `action` (read, update, delete); 404 when it may not see it. */
    async thread(c: Context, threadId: string, action: string, value: Value = {}): Promise<void> {
      const filters = await authorize(c, 'threads', action, { thread_id: threadId, ...value });
      if (!filters) return;
      const thread = await engine.threads.get(threadId);
      if (!passes(thread.metadata, filters)) throw notFound('thread', threadId);
    },
    async assistant(c: Context, assistantId: string, action: string, value: Value = {}): Promise<void> {
      const filters = await authorize(c, 'assistants', action, { assistant_id: assistantId, ...value });
      if (!filters) return;
      const assistant = await engine.assistants.get(assistantId);
      if (!passes(assistant.metadata, filters)) throw notFound('assistant', assistantId);
    },
    async cron(c: Context, cronId: string, action: string, value: Value = {}): Promise<void> {
      const filters = await authorize(c, 'crons', action, { cron_id: cronId, ...value });
      if (!filters) return;
      const cron = await engine.crons.get(cronId);
      if (!passes(cron.metadata, filters)) throw notFound('cron', cronId);
    },
    /**
     * A search's metadata filter narrowed to what the user may see (the handler's filters
     * joined to the request's own); null when nothing can match both.
     */
    async search(c: Context, resource: string, value: Value, metadata: Metadata | null | undefined): Promise<{ metadata: Metadata | undefined } | null> {
      const filters = await authorize(c, resource, 'search', value);
      if (!filters) return { metadata: metadata ?? undefined };
      const joined = bothContained(metadata ?? undefined, filtersAsContainment(filters));
      return joined ? { metadata: joined } : null;
    },
  };
}

export type ResourceGuards = ReturnType<typeof resourceGuards>;

/** `/threads/search` and `/threads/count` are not thread ids. */
const NOT_A_THREAD = new Set(['search', 'count']);

/**
 * Every route that names a thread (its own, its state, history, stream and runs) asks the
 * project's auth first: reading it (a copy and a history search read it too), changing it
 * (state updates, cancels), or deleting it (the thread, or one of its runs). Creating a run
 * or a cron on it is left to those routes, which pass the run's own value to `create_run`.
 */
export function threadGuard(engine: Engine): MiddlewareHandler {
  const guard = resourceGuards(engine);
  return async (c, next) => {
    const threadId = c.req.param('thread_id');
    const action = threadActionOf(c.req.method, c.req.path);
    if (!threadId || !action || NOT_A_THREAD.has(threadId)) return next();
    try {
      await guard.thread(c, threadId, action);
    } catch (error) {
      // Joining a run's stream answers in the stream, as the Platform does: one error event.
      if (c.req.method === 'GET' && /\/runs\/[^/]+\/stream$/.test(c.req.path) && isSwitchboardError(error, 'not_found')) {
        return sseResponse(c, { events: () => oneEvent({ event: 'error', data: 'Thread not found' }) });
      }
      throw error;
    }
    return next();
  };
}

function threadActionOf(method: string, path: string): string | null {
  if (method === 'POST' && /\/runs(\/(stream|wait|crons))?$/.test(path)) return null;
  if (method === 'GET' || method === 'HEAD' || /\/(copy|history|state\/checkpoint)$/.test(path)) return 'read';
  if (method === 'DELETE') return 'delete';
  return 'update';
}

async function* oneEvent(event: SseEvent) {
  yield event;
}
