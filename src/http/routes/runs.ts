import { Hono, type Context } from 'hono';
import type { Engine } from '../../engine/engine.ts';
import type { RunOutcome } from '../../engine/executor.ts';
import type { RunEvent } from '../../engine/stream.ts';
import { notFound } from '../../errors.ts';
import type { Run, RunStatus } from '../../storage/types.ts';
import { authConfigurable, authorize } from '../auth/access.ts';
import { passes } from '../auth/filters.ts';
import { resourceGuards } from '../auth/guards.ts';
import { HttpError } from '../errors.ts';
import { longPollJson } from '../long-poll.ts';
import { cancelManyBody, runCreateBody, type RunCreateBody } from '../schemas.ts';
import { type SseEvent, sseResponse } from '../sse.ts';
import { parseWith, query, readBody, readJson, selectFields } from '../validate.ts';

const RUN_STATUSES: RunStatus[] = ['pending', 'running', 'success', 'error', 'interrupted', 'timeout'];

/** What `wait` and `join` answer: the final values, or `__error__` when the run failed. */
export function outcomeBody(outcome: RunOutcome): Record<string, unknown> {
  if (outcome.error) return { __error__: outcome.error };
  return outcome.values ?? {};
}

const runLocation = (run: Run, stateless: boolean) => (stateless ? `/runs/${run.run_id}` : `/threads/${run.thread_id}/runs/${run.run_id}`);

export interface RunRouteOptions {
  /** The request headers a run sees in `configurable` (see configurable-headers.ts). */
  headersForRun?: (headers: Headers) => Record<string, string>;
}

export function runRoutes(engine: Engine, options: RunRouteOptions = {}): Hono {
  const app = new Hono();
  const { runs } = engine;
  const headersForRun = options.headersForRun ?? (() => ({}));
  const guard = resourceGuards(engine);

  /**
   * The run as requested, with the request's headers and its authenticated user in its
   * configurable (`langgraph_auth_user`, `_user_id`, `_permissions`), as the Platform passes them.
   */
  const withHeaders = <T extends { config?: { configurable?: Record<string, unknown> | undefined } | undefined }>(body: T, c: Context): T => {
    const fromRequest = { ...headersForRun(c.req.raw.headers), ...authConfigurable(c) };
    if (Object.keys(fromRequest).length === 0) return body;
    return { ...body, config: { ...body.config, configurable: { ...body.config?.configurable, ...fromRequest } } };
  };

  /**
   * The project's auth decides on `threads:create_run` with the run's value; its handler may
   * stamp the run's metadata (a thread the run creates gets it too). A run on a thread the
   * user may not touch is answered as a missing thread (404), as the Platform does: its
   * existence does not leak.
   */
  const authorizedRun = async (c: Context, threadId: string | null, requested: RunCreateBody): Promise<RunCreateBody> => {
    const body = withHeaders(requested, c);
    const value = {
      thread_id: threadId ?? undefined,
      assistant_id: body.assistant_id,
      status: 'pending',
      metadata: { ...body.metadata },
      prevent_insert_if_inflight: body.multitask_strategy === 'reject',
      multitask_strategy: body.multitask_strategy,
      if_not_exists: body.if_not_exists,
      after_seconds: body.after_seconds,
      kwargs: body,
    };
    const filters = await authorize(c, 'threads', 'create_run', value);
    if (filters && threadId !== null) {
      const thread = await engine.threads.find(threadId);
      if (thread && !passes(thread.metadata, filters)) throw notFound('thread', threadId);
    }
    return value.metadata === body.metadata ? body : { ...body, metadata: value.metadata };
  };

  const create = async (c: Context, threadId: string | null) => {
    const raw = (await readJson(c)) ?? {};
    const body = await authorizedRun(c, threadId, parseWith(runCreateBody, raw));
    const run = await runs.create(threadId, body);
    return { run, body, resumable: (raw as { stream_resumable?: unknown }).stream_resumable === true };
  };

  /**
   * A run's SSE stream. Every run's events are kept for replay; `id:` lines go out where the
   * Platform sends them: on every stream of a thread's run and on a join (the JS server
   * writes each event's id there, and its API suite compares events with their ids), and on
   * a stateless stream only when asked to be resumable (`stream_resumable`, as useStream does).
   */
  const streamOf = (run: Run, stateless: boolean, c: Context, options: { cancelOnDisconnect: boolean; lastEventId?: string | undefined; ids: boolean }) =>
    sseResponse(c, {
      headers: { 'content-location': runLocation(run, stateless), location: `${runLocation(run, stateless)}/stream` },
      events: (signal) => {
        const events = runs.stream(run.thread_id, run.run_id, { signal, cancelOnDisconnect: options.cancelOnDisconnect, lastEventId: options.lastEventId });
        return options.ids ? events : withoutIds(events);
      },
      onError: (error): RunEvent => ({ id: 'error', event: 'error', data: { error: 'Error', message: (error as Error).message } }),
    });

  // ---- stateless runs ----
  app.post('/runs', async (c) => {
    const { run } = await create(c, null);
    c.header('content-location', runLocation(run, true));
    return c.json(run);
  });
  app.post('/runs/stream', async (c) => {
    const { run, body, resumable } = await create(c, null);
    return streamOf(run, true, c, { cancelOnDisconnect: body.on_disconnect === 'cancel', ids: resumable });
  });
  app.post('/runs/wait', async (c) => {
    const { run, body } = await create(c, null);
    return waitFor(c, run, runLocation(run, true), body.on_disconnect === 'cancel');
  });
  app.post('/runs/batch', async (c) => {
    const raw = await readJson(c);
    if (!Array.isArray(raw)) throw new HttpError(422, 'invalid request: the body must be a JSON array of runs');
    // The SDK's createBatch sends its camelCase option names unconverted: accept both spellings.
    const payloads = raw.map((item, index) => parseWith(runCreateBody, snakeCaseKeys(item), `[${index}]`));
    const created: Run[] = [];
    for (const payload of payloads) created.push(await runs.create(null, await authorizedRun(c, null, payload)));
    return c.json(created);
  });
  app.post('/runs/cancel', async (c) => {
    const body = await readBody(c, cancelManyBody);
    const action = body.action ?? 'interrupt';
    const wanted = body.status ?? 'all';
    if (body.thread_id) {
      await guard.thread(c, body.thread_id, 'update');
      const active = (await runs.inflight(body.thread_id)).filter((run) => wanted === 'all' || run.status === wanted);
      const ids = body.run_ids ?? active.map((run) => run.run_id);
      await Promise.all(ids.map((runId) => runs.cancel(body.thread_id!, runId, { action })));
    } else if (body.run_ids) {
      for (const runId of body.run_ids) {
        const threadId = await runs.threadOf(runId);
        if (!threadId) throw notFound('run', runId);
        await guard.thread(c, threadId, 'update');
        await runs.cancel(threadId, runId, { action });
      }
    } else {
      throw new HttpError(422, 'invalid request: give thread_id, run_ids, or both', { errors: [{ field: 'thread_id', message: 'required without run_ids' }] });
    }
    return c.body(null, 204);
  });
  app.get('/runs/:run_id/stream', async (c) => {
    const runId = c.req.param('run_id');
    const threadId = await runs.threadOf(runId);
    if (!threadId) throw notFound('run', runId);
    await guard.thread(c, threadId, 'read');
    const run = await runs.get(threadId, runId).catch(() => ({ run_id: runId, thread_id: threadId }) as Run);
    return streamOf(run, true, c, { cancelOnDisconnect: query.bool(c, 'cancel_on_disconnect') ?? false, lastEventId: c.req.header('last-event-id'), ids: true });
  });

  // ---- runs on a thread ----
  app.post('/threads/:thread_id/runs', async (c) => {
    const { run } = await create(c, c.req.param('thread_id'));
    c.header('content-location', runLocation(run, false));
    return c.json(run);
  });
  app.post('/threads/:thread_id/runs/stream', async (c) => {
    const { run, body } = await create(c, c.req.param('thread_id'));
    return streamOf(run, false, c, { cancelOnDisconnect: body.on_disconnect === 'cancel', ids: true });
  });
  app.post('/threads/:thread_id/runs/wait', async (c) => {
    const { run, body } = await create(c, c.req.param('thread_id'));
    return waitFor(c, run, runLocation(run, false), body.on_disconnect === 'cancel');
  });
  app.get('/threads/:thread_id/runs', async (c) => {
    const status = c.req.query('status');
    if (status && !RUN_STATUSES.includes(status as RunStatus)) {
      throw new HttpError(422, `invalid request: status must be one of ${RUN_STATUSES.join(', ')}`, { errors: [{ field: 'status', message: 'unknown status' }] });
    }
    const list = await runs.list(c.req.param('thread_id'), {
      limit: query.int(c, 'limit', { min: 0, max: 10_000 }) ?? 10,
      offset: query.int(c, 'offset', { min: 0 }) ?? 0,
      ...(status ? { status: status as RunStatus } : {}),
    });
    const select = query.json(c, 'select');
    return c.json(selectFields(list, Array.isArray(select) ? (select as string[]) : undefined));
  });
  app.get('/threads/:thread_id/runs/:run_id', async (c) => c.json(await runs.get(c.req.param('thread_id'), c.req.param('run_id'))));
  app.delete('/threads/:thread_id/runs/:run_id', async (c) => {
    await runs.delete(c.req.param('thread_id'), c.req.param('run_id'));
    return c.body(null, 204);
  });
  app.post('/threads/:thread_id/runs/:run_id/cancel', async (c) => {
    const action = c.req.query('action') ?? 'interrupt';
    if (action !== 'interrupt' && action !== 'rollback') {
      throw new HttpError(422, 'invalid request: action must be interrupt or rollback', { errors: [{ field: 'action', message: 'interrupt or rollback' }] });
    }
    const wait = query.bool(c, 'wait') ?? false;
    await runs.cancel(c.req.param('thread_id'), c.req.param('run_id'), { action, wait });
    return c.body(null, wait ? 204 : 202);
  });
  app.get('/threads/:thread_id/runs/:run_id/join', async (c) => {
    const threadId = c.req.param('thread_id');
    const runId = c.req.param('run_id');
    await runs.get(threadId, runId).catch(async (error: unknown) => {
      if (!(await runs.threadOf(runId))) throw error;
    });
    return longPollJson(c, async () => outcomeBody(await runs.join(threadId, runId)));
  });
  app.get('/threads/:thread_id/runs/:run_id/stream', async (c) => {
    const threadId = c.req.param('thread_id');
    const runId = c.req.param('run_id');
    const run = (await runs.threadOf(runId)) === threadId ? ({ run_id: runId, thread_id: threadId } as Run) : await runs.get(threadId, runId);
    return streamOf(run, false, c, { cancelOnDisconnect: query.bool(c, 'cancel_on_disconnect') ?? false, lastEventId: c.req.header('last-event-id'), ids: true });
  });

  async function waitFor(c: Context, run: Run, location: string, cancelOnDisconnect: boolean) {
    if (cancelOnDisconnect) {
      c.req.raw.signal.addEventListener('abort', () => void runs.cancel(run.thread_id, run.run_id, { action: 'interrupt' }).catch(() => undefined), { once: true });
    }
    return longPollJson(c, async () => outcomeBody(await runs.join(run.thread_id, run.run_id)), { headers: { 'content-location': location } });
  }

  return app;
}

function snakeCaseKeys(item: unknown): unknown {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    const snake = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    if (!(snake in out) || key === snake) out[snake] = value;
  }
  if (out.assistant_id === undefined && typeof (item as Record<string, unknown>).assistantId === 'string') out.assistant_id = (item as Record<string, unknown>).assistantId;
  return out;
}

/** The same events without their ids (see streamOf). */
async function* withoutIds(events: AsyncIterable<RunEvent>): AsyncIterable<SseEvent> {
  for await (const { id: _id, ...event } of events) yield event;
}
