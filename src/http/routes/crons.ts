import { Hono, type Context } from 'hono';
import type { Engine } from '../../engine/engine.ts';
import { cronCountSchema } from '../../engine/requests/crons.ts';
import { authorize } from '../auth/access.ts';
import { resourceGuards } from '../auth/guards.ts';
import { cronCreateBody, cronPatchBody, cronSearchBody } from '../schemas.ts';
import { readBody, selectFields } from '../validate.ts';

export function cronRoutes(engine: Engine): Hono {
  const app = new Hono();
  const { crons } = engine;
  const guard = resourceGuards(engine);
  const create = async (c: Context, threadId: string | null) => {
    const body = await readBody(c, cronCreateBody);
    // A cron runs on the thread later: scheduling on a thread the user may not read is refused as if it did not exist.
    if (threadId !== null) await guard.thread(c, threadId, 'read');
    // The handler may stamp an owner into the metadata: the cron is created with what it leaves.
    const value = { ...body, thread_id: threadId, metadata: { ...body.metadata } };
    await authorize(c, 'crons', 'create', value);
    return c.json(await crons.create(threadId, { ...body, metadata: value.metadata }));
  };
  /** The metadata a cron search keeps to (what the user may see), or null when nothing can match. */
  const visibleMetadata = async (c: Context, request: Record<string, unknown>) => {
    const narrowed = await guard.narrow(c, 'crons', request);
    return narrowed === null ? null : (narrowed.metadata as Record<string, unknown> | undefined);
  };

  app.post('/runs/crons', async (c) => create(c, null));
  app.post('/threads/:thread_id/runs/crons', async (c) => create(c, c.req.param('thread_id')));
  app.post('/runs/crons/search', async (c) => {
    const { select, ...query } = await readBody(c, cronSearchBody);
    const metadata = await visibleMetadata(c, { ...query });
    if (metadata === null) return c.json([]);
    const { items } = await crons.search(query, metadata);
    return c.json(selectFields(items, select));
  });
  app.post('/runs/crons/count', async (c) => {
    const request = await readBody(c, cronCountSchema);
    const metadata = await visibleMetadata(c, { ...request });
    return c.json(metadata === null ? 0 : await crons.count(request, metadata));
  });
  app.patch('/runs/crons/:cron_id', async (c) => {
    const cronId = c.req.param('cron_id');
    const body = await readBody(c, cronPatchBody);
    await guard.cron(c, cronId, 'update', { ...body });
    return c.json(await crons.update(cronId, body));
  });
  app.delete('/runs/crons/:cron_id', async (c) => {
    const cronId = c.req.param('cron_id');
    await guard.cron(c, cronId, 'delete');
    await crons.delete(cronId);
    return c.body(null, 204);
  });
  return app;
}
