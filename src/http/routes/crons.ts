import { Hono, type Context } from 'hono';
import type { Engine } from '../../engine/engine.ts';
import { cronCountSchema } from '../../engine/requests/crons.ts';
import { cronCreateBody, cronPatchBody, cronSearchBody } from '../schemas.ts';
import { readBody, selectFields } from '../validate.ts';

export function cronRoutes(engine: Engine): Hono {
  const app = new Hono();
  const { crons } = engine;
  const create = async (c: Context, threadId: string | null) => c.json(await crons.create(threadId, await readBody(c, cronCreateBody)));

  app.post('/runs/crons', async (c) => create(c, null));
  app.post('/threads/:thread_id/runs/crons', async (c) => create(c, c.req.param('thread_id')));
  app.post('/runs/crons/search', async (c) => {
    const { select, ...query } = await readBody(c, cronSearchBody);
    const { items } = await crons.search(query);
    return c.json(selectFields(items, select));
  });
  app.post('/runs/crons/count', async (c) => c.json(await crons.count(await readBody(c, cronCountSchema))));
  app.patch('/runs/crons/:cron_id', async (c) => c.json(await crons.update(c.req.param('cron_id'), await readBody(c, cronPatchBody))));
  app.delete('/runs/crons/:cron_id', async (c) => {
    await crons.delete(c.req.param('cron_id'));
    return c.body(null, 204);
  });
  return app;
}
