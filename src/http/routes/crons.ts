import { Hono, type Context } from 'hono';
import type { CronCreate } from '../../engine/crons.ts';
import type { Engine } from '../../engine/engine.ts';
import { cronCountSchema, cronCreateSchema, cronPatchSchema, cronSearchSchema, type CronCreateBody } from '../schemas.ts';
import { readBody, selectFields } from '../validate.ts';
import { toRunCreate } from './runs.ts';

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

/** The run part of a cron body, kept as the payload of every run the cron creates. */
function toCronCreate(body: CronCreateBody): CronCreate {
  const { schedule, assistant_id, metadata, enabled, end_time, on_run_completed, ...run } = body;
  const { assistant_id: _assistant, ...payload } = toRunCreate({ ...defined(run), assistant_id } as never);
  return {
    schedule,
    assistant_id,
    payload,
    ...(metadata ? { metadata } : {}),
    ...(enabled !== undefined ? { enabled } : {}),
    ...(end_time ? { end_time } : {}),
    ...(on_run_completed ? { on_run_completed } : {}),
  };
}

export function cronRoutes(engine: Engine): Hono {
  const app = new Hono();
  const { crons } = engine;
  const create = async (c: Context, threadId: string | null) => c.json(await crons.create(threadId, toCronCreate(await readBody(c, cronCreateSchema))));

  app.post('/runs/crons', async (c) => create(c, null));
  app.post('/threads/:thread_id/runs/crons', async (c) => create(c, c.req.param('thread_id')));
  app.post('/runs/crons/search', async (c) => {
    const { select, ...query } = await readBody(c, cronSearchSchema);
    const { items } = await crons.search(defined(query) as never);
    return c.json(selectFields(items, select));
  });
  app.post('/runs/crons/count', async (c) => c.json(await crons.count(defined(await readBody(c, cronCountSchema)) as never)));
  app.patch('/runs/crons/:cron_id', async (c) => {
    const { schedule, end_time, enabled, metadata, on_run_completed, ...run } = await readBody(c, cronPatchSchema);
    const payload = defined(run);
    return c.json(
      await crons.update(c.req.param('cron_id'), {
        ...defined({ schedule, end_time, enabled, metadata, on_run_completed }),
        ...(Object.keys(payload).length > 0 ? { payload: payload as never } : {}),
      } as never),
    );
  });
  app.delete('/runs/crons/:cron_id', async (c) => {
    await crons.delete(c.req.param('cron_id'));
    return c.body(null, 204);
  });
  return app;
}
