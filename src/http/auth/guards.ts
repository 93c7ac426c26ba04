import type { Context, MiddlewareHandler } from 'hono';
import type { Engine } from '../../engine/engine.ts';
import { conflict, isSwitchboardError, notFound } from '../../errors.ts';
import { HttpError } from '../errors.ts';
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
  /** A resource this request may `action` (read, update, delete), loaded only when the handler returned filters; 404 when it may not see it. */
  const held =
    (resource: string, idKey: string, what: string, load: (id: string) => Promise<{ metadata: Metadata }>) =>
    async (c: Context, id: string, action: string, value: Value = {}): Promise<void> => {
      const filters = await authorize(c, resource, action, { [idKey]: id, ...value });
      if (!filters) return;
      if (!passes((await load(id)).metadata, filters)) throw notFound(what, id);
    };
  return {
    thread: held('threads', 'thread_id', 'thread', (id) => engine.threads.get(id)),
    assistant: held('assistants', 'assistant_id', 'assistant', (id) => engine.assistants.get(id)),
    cron: held('crons', 'cron_id', 'cron', (id) => engine.crons.get(id)),
    /**
     * Creates with the metadata the handler leaves (it may stamp an owner). `if_exists:
     * do_nothing` answering with someone else's record: it exists, and is not this user's to get.
     */
    async create<B extends { metadata?: Metadata | undefined }, R extends { metadata: Metadata }>(
      c: Context,
      resource: string,
      body: B,
      create: (body: B) => Promise<R>,
      exists: (record: R) => string,
    ): Promise<R> {
      const value = { ...body, metadata: { ...body.metadata } };
      const filters = await authorize(c, resource, 'create', value);
      const created = await create({ ...body, metadata: value.metadata });
      if (!passes(created.metadata, filters)) throw conflict(exists(created));
      return created;
    },
    /**
     * A search narrowed to what the user may see: the handler's filters joined to the
     * request's own metadata filter, in one query (pagination stays right); null when nothing
     * can match both. The handler sees the request and may change its metadata in place.
     */
    async narrow<Q extends { metadata?: Metadata | undefined }>(c: Context, resource: string, request: Q): Promise<Q | null> {
      const filters = await authorize(c, resource, 'search', { ...request });
      if (!filters) return request;
      const joined = bothContained(request.metadata, filtersAsContainment(filters));
      return joined ? { ...request, metadata: joined } : null;
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
      if (!isSwitchboardError(error, 'not_found')) throw error;
      // Joining a run's stream answers in the stream, as the Platform does: one error event, its message naming the 404.
      if (c.req.method === 'GET' && /\/runs\/[^/]+\/stream$/.test(c.req.path)) {
        return sseResponse(c, { events: () => oneEvent({ event: 'error', data: { error: 'Error', message: '404: Thread not found' } }) });
      }
      if (c.req.method === 'POST' && c.req.path.endsWith('/copy')) throw copySourceMissing(threadId);
      throw error;
    }
    return next();
  };
}

/**
 * A copy of a thread that is missing, or that the user may not see, is a 409 on the Platform
 * (its OpenAPI lists only 409 and 422 for the copy), worded as a missing thread; the code says which.
 */
export const copySourceMissing = (threadId: string) => new HttpError(409, `Thread not found: ${threadId}`, { code: 'not_found' });

function threadActionOf(method: string, path: string): string | null {
  if (method === 'POST' && /\/runs(\/(stream|wait|crons))?$/.test(path)) return null;
  if (method === 'GET' || method === 'HEAD' || /\/(copy|history|state\/checkpoint)$/.test(path)) return 'read';
  if (method === 'DELETE') return 'delete';
  return 'update';
}

async function* oneEvent(event: SseEvent) {
  yield event;
}
