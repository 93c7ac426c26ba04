import { Hono } from 'hono';
import type { Engine } from '../../engine/engine.ts';
import type { CheckpointSelector } from '../../engine/threads.ts';
import {
  historySchema,
  stateAtCheckpointSchema,
  statePatchSchema,
  stateUpdateSchema,
  threadCountSchema,
  threadCreateSchema,
  threadPatchSchema,
  threadSearchSchema,
} from '../schemas.ts';
import { query, readBody, selectFields } from '../validate.ts';

/** Drops unset fields, for the engine's exact optional types. */
function defined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as never;
}

function selector(checkpoint: Record<string, unknown> | undefined): CheckpointSelector {
  if (!checkpoint) return {};
  const { thread_id: _thread, ...rest } = checkpoint;
  return defined(rest) as CheckpointSelector;
}

export function threadRoutes(engine: Engine): Hono {
  const app = new Hono();
  const { threads } = engine;

  app.post('/threads', async (c) => {
    const body = await readBody(c, threadCreateSchema);
    const { ttl: _ttl, ...rest } = body;
    return c.json(await threads.create(defined(rest) as never));
  });
  app.post('/threads/search', async (c) => {
    const { select, ...query } = await readBody(c, threadSearchSchema);
    const { items, total } = await threads.search(defined(query) as never);
    c.header('x-pagination-total', String(total));
    if (query.offset + items.length < total) c.header('x-pagination-next', String(query.offset + items.length));
    return c.json(selectFields(items, select));
  });
  app.post('/threads/count', async (c) => c.json(await threads.count(defined(await readBody(c, threadCountSchema)) as never)));
  app.get('/threads/:thread_id', async (c) => c.json(await threads.get(c.req.param('thread_id'))));
  app.patch('/threads/:thread_id', async (c) => {
    const body = await readBody(c, threadPatchSchema);
    return c.json(await threads.update(c.req.param('thread_id'), body.metadata ? { metadata: body.metadata } : {}));
  });
  app.delete('/threads/:thread_id', async (c) => {
    await threads.delete(c.req.param('thread_id'));
    return c.body(null, 204);
  });
  app.post('/threads/:thread_id/copy', async (c) => c.json(await threads.copy(c.req.param('thread_id'))));

  app.get('/threads/:thread_id/state', async (c) =>
    c.json(await threads.getState(c.req.param('thread_id'), { subgraphs: query.bool(c, 'subgraphs') ?? false })),
  );
  app.get('/threads/:thread_id/state/:checkpoint_id', async (c) =>
    c.json(
      await threads.getState(c.req.param('thread_id'), {
        checkpoint: { checkpoint_id: c.req.param('checkpoint_id') },
        subgraphs: query.bool(c, 'subgraphs') ?? false,
      }),
    ),
  );
  app.post('/threads/:thread_id/state/checkpoint', async (c) => {
    const body = await readBody(c, stateAtCheckpointSchema);
    return c.json(await threads.getState(c.req.param('thread_id'), { checkpoint: selector(body.checkpoint), subgraphs: body.subgraphs ?? false }));
  });
  app.post('/threads/:thread_id/state', async (c) => {
    const body = await readBody(c, stateUpdateSchema);
    return c.json(
      await threads.updateState(
        c.req.param('thread_id'),
        defined({ values: body.values, as_node: body.as_node, checkpoint_id: body.checkpoint_id, checkpoint: body.checkpoint ? selector(body.checkpoint) : undefined }),
      ),
    );
  });
  app.patch('/threads/:thread_id/state', async (c) => {
    const body = await readBody(c, statePatchSchema);
    await threads.patchStateMetadata(c.req.param('thread_id'), body.metadata);
    return c.body(null, 204);
  });
  app.get('/threads/:thread_id/history', async (c) => {
    const before = c.req.query('before');
    return c.json(
      await threads.history(c.req.param('thread_id'), { limit: query.int(c, 'limit', { min: 1, max: 10_000 }) ?? 10, ...(before ? { before } : {}) }),
    );
  });
  app.post('/threads/:thread_id/history', async (c) => {
    const body = await readBody(c, historySchema);
    return c.json(
      await threads.history(
        c.req.param('thread_id'),
        defined({ limit: body.limit, before: body.before as never, metadata: body.metadata, checkpoint: body.checkpoint ? selector(body.checkpoint) : undefined }),
      ),
    );
  });
  return app;
}
