import { Hono } from 'hono';
import type { Engine } from '../../engine/engine.ts';
import { statePatchSchema, threadCountSchema } from '../../engine/requests/threads.ts';
import { historyBody, stateAtCheckpointBody, stateUpdateBody, threadCreateBody, threadPatchBody, threadSearchBody } from '../schemas.ts';
import { THREAD_STREAM_MODES, threadStream, type ThreadStreamMode } from '../../engine/thread-stream.ts';
import { isSwitchboardError } from '../../errors.ts';
import { copySourceMissing, resourceGuards } from '../auth/guards.ts';
import { setPaginationHeaders } from '../pagination.ts';
import { HttpError } from '../errors.ts';
import { sseResponse } from '../sse.ts';
import { query, readBody, selectFields } from '../validate.ts';

export function threadRoutes(engine: Engine): Hono {
  const app = new Hono();
  const { threads } = engine;
  const guard = resourceGuards(engine);

  app.post('/threads', async (c) => {
    const body = await readBody(c, threadCreateBody);
    return c.json(
      await guard.create(
        c,
        'threads',
        body,
        (thread) => threads.create(thread),
        (thread) => `Thread ${thread.thread_id} already exists`,
      ),
    );
  });
  app.post('/threads/search', async (c) => {
    const { select, ...request } = await readBody(c, threadSearchBody);
    const query = await guard.narrow(c, 'threads', request);
    if (!query) return c.json([]);
    const { items, total } = await threads.search(query);
    setPaginationHeaders(c, { offset: query.offset, count: items.length, total });
    return c.json(selectFields(items, select));
  });
  app.post('/threads/count', async (c) => {
    const query = await guard.narrow(c, 'threads', await readBody(c, threadCountSchema));
    return c.json(query ? await threads.count(query) : 0);
  });
  app.get('/threads/:thread_id', async (c) => c.json(await threads.get(c.req.param('thread_id'))));
  // The thread's stream across runs (the SDK's threads.joinStream), until the client leaves.
  app.get('/threads/:thread_id/stream', async (c) => {
    const threadId = c.req.param('thread_id');
    await threads.get(threadId);
    // Repeated, comma-separated, or a JSON list (what the SDK sends).
    const modes = (c.req.queries('stream_mode') ?? []).flatMap((value) => {
      if (!value.startsWith('[')) return value.split(',');
      const parsed = query.json(c, 'stream_mode');
      return Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
    });
    const unknown = modes.filter((mode) => !(THREAD_STREAM_MODES as readonly string[]).includes(mode));
    if (unknown.length > 0) throw new HttpError(422, `invalid request: stream_mode: use ${THREAD_STREAM_MODES.join(', ')} (got ${unknown.join(', ')})`);
    const lastEventId = c.req.header('last-event-id') || undefined;
    return sseResponse(c, { events: (signal) => threadStream(engine, threadId, { modes: modes as ThreadStreamMode[], lastEventId, signal }) });
  });
  app.patch('/threads/:thread_id', async (c) => {
    const patch = await readBody(c, threadPatchBody);
    return c.json(await threads.update(c.req.param('thread_id'), patch));
  });
  app.delete('/threads/:thread_id', async (c) => {
    await threads.delete(c.req.param('thread_id'));
    return c.body(null, 204);
  });
  app.post('/threads/:thread_id/copy', async (c) => {
    const threadId = c.req.param('thread_id');
    const copy = await threads.copy(threadId).catch((error: unknown) => {
      throw isSwitchboardError(error, 'not_found') ? copySourceMissing(threadId) : error;
    });
    return c.json(copy);
  });

  app.get('/threads/:thread_id/state', async (c) => c.json(await threads.getState(c.req.param('thread_id'), { subgraphs: query.bool(c, 'subgraphs') ?? false })));
  app.get('/threads/:thread_id/state/:checkpoint_id', async (c) =>
    c.json(
      await threads.getState(c.req.param('thread_id'), {
        checkpoint: { checkpoint_id: c.req.param('checkpoint_id') },
        subgraphs: query.bool(c, 'subgraphs') ?? false,
      }),
    ),
  );
  app.post('/threads/:thread_id/state/checkpoint', async (c) => {
    const body = await readBody(c, stateAtCheckpointBody);
    return c.json(await threads.getState(c.req.param('thread_id'), { checkpoint: body.checkpoint, subgraphs: body.subgraphs ?? false }));
  });
  app.post('/threads/:thread_id/state', async (c) => c.json(await threads.updateState(c.req.param('thread_id'), await readBody(c, stateUpdateBody))));
  app.patch('/threads/:thread_id/state', async (c) => {
    const body = await readBody(c, statePatchSchema);
    await threads.patchStateMetadata(c.req.param('thread_id'), body.metadata);
    return c.body(null, 204);
  });
  app.get('/threads/:thread_id/history', async (c) => {
    const before = c.req.query('before');
    return c.json(await threads.history(c.req.param('thread_id'), { limit: query.int(c, 'limit', { min: 1, max: 10_000 }) ?? 10, ...(before ? { before } : {}) }));
  });
  app.post('/threads/:thread_id/history', async (c) => c.json(await threads.history(c.req.param('thread_id'), await readBody(c, historyBody))));
  return app;
}
