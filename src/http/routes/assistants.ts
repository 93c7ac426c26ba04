import { Hono, type Context, type Next } from 'hono';
import type { Engine } from '../../engine/engine.ts';
import { graphDrawing } from '../../engine/graph-info.ts';
import { assistantCountSchema, assistantCreateSchema, assistantLatestSchema, assistantPatchSchema, assistantVersionsSchema } from '../../engine/requests/assistants.ts';
import type { TypeSchemaIndex } from '../../platform/type-schemas.ts';
import { schemasOf, subgraphsOf } from '../graph-schemas.ts';
import { assistantSearchBody } from '../schemas.ts';
import { query, readBody, selectFields } from '../validate.ts';
import { resourceGuards } from '../auth/guards.ts';
import { setPaginationHeaders } from '../pagination.ts';

export function assistantRoutes(engine: Engine, typeSchemas?: TypeSchemaIndex): Hono {
  const app = new Hono();
  const { assistants, threads, graphs } = engine;
  const guard = resourceGuards(engine);

  app.post('/assistants', async (c) => {
    const body = await readBody(c, assistantCreateSchema);
    return c.json(
      await guard.create(
        c,
        'assistants',
        body,
        (assistant) => assistants.create(assistant),
        (assistant) => `Assistant ${assistant.assistant_id} already exists`,
      ),
    );
  });
  app.post('/assistants/search', async (c) => {
    const { select, ...request } = await readBody(c, assistantSearchBody);
    const query = await guard.narrow(c, 'assistants', request);
    if (!query) return c.json([]);
    const { items, total } = await assistants.search(query);
    setPaginationHeaders(c, { offset: query.offset, count: items.length, total });
    return c.json(selectFields(items, select));
  });
  app.post('/assistants/count', async (c) => {
    const query = await guard.narrow(c, 'assistants', await readBody(c, assistantCountSchema));
    return c.json(query ? await assistants.count(query) : 0);
  });
  // Every route below names an assistant: the project's auth (if any) decides first whether this user may see or change it.
  const check = (action: string) => async (c: Context, next: Next) => {
    const assistantId = c.req.param('assistant_id');
    if (assistantId && assistantId !== 'search' && assistantId !== 'count') await guard.assistant(c, assistantId, action);
    return next();
  };
  // `/*` matches the assistant itself too: one pattern, so the handler is asked once.
  app.get('/assistants/:assistant_id/*', check('read'));
  app.post('/assistants/:assistant_id/versions', check('read'));
  app.patch('/assistants/:assistant_id', check('update'));
  app.post('/assistants/:assistant_id/latest', check('update'));
  app.delete('/assistants/:assistant_id', check('delete'));
  app.get('/assistants/:assistant_id', async (c) => c.json(await assistants.get(c.req.param('assistant_id'))));
  app.patch('/assistants/:assistant_id', async (c) => c.json(await assistants.update(c.req.param('assistant_id'), await readBody(c, assistantPatchSchema))));
  app.delete('/assistants/:assistant_id', async (c) => {
    const deleted = await assistants.delete(c.req.param('assistant_id'));
    if (query.bool(c, 'delete_threads')) {
      // A page at a time until none is left (each deleted thread leaves the search).
      for (;;) {
        const { items } = await threads.search({ metadata: { assistant_id: deleted }, limit: 1_000 });
        if (items.length === 0) break;
        for (const thread of items) await threads.delete(thread.thread_id);
      }
    }
    return c.body(null, 204);
  });
  app.post('/assistants/:assistant_id/versions', async (c) => c.json(await assistants.versions(c.req.param('assistant_id'), await readBody(c, assistantVersionsSchema))));
  app.post('/assistants/:assistant_id/latest', async (c) => {
    const body = await readBody(c, assistantLatestSchema);
    return c.json(await assistants.setLatest(c.req.param('assistant_id'), body.version));
  });

  const graphOf = async (assistantId: string) => {
    const assistant = await assistants.get(assistantId);
    return { assistant, graph: await graphs.get(assistant.graph_id, assistant.config) };
  };
  app.get('/assistants/:assistant_id/graph', async (c) => {
    const { graph } = await graphOf(c.req.param('assistant_id'));
    const raw = c.req.query('xray');
    const xray = raw === undefined || raw === 'false' ? false : raw === 'true' ? true : Number.isInteger(Number(raw)) ? Number(raw) : false;
    return c.json(await graphDrawing(graph, xray));
  });
  app.get('/assistants/:assistant_id/schemas', async (c) => {
    const { assistant, graph } = await graphOf(c.req.param('assistant_id'));
    return c.json(await schemasOf(engine, typeSchemas, assistant.graph_id, graph));
  });
  const subgraphs = async (assistantId: string, namespace: string | undefined, recurse: boolean) => {
    const { assistant, graph } = await graphOf(assistantId);
    return subgraphsOf(engine, typeSchemas, assistant.graph_id, graph, namespace, recurse);
  };
  app.get('/assistants/:assistant_id/subgraphs', async (c) => c.json(await subgraphs(c.req.param('assistant_id'), undefined, query.bool(c, 'recurse') ?? false)));
  app.get('/assistants/:assistant_id/subgraphs/:namespace', async (c) =>
    c.json(await subgraphs(c.req.param('assistant_id'), c.req.param('namespace'), query.bool(c, 'recurse') ?? false)),
  );
  return app;
}
