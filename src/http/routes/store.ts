import { Hono } from 'hono';
import type { Item } from '@langchain/langgraph';
import type { Engine } from '../../engine/engine.ts';
import { HttpError } from '../errors.ts';
import { storeDeleteSchema, storeNamespacesSchema } from '../../engine/requests/store.ts';
import { storePutBody, storeSearchBody } from '../schemas.ts';
import { readBody } from '../validate.ts';

/** Items in the Platform's wire shape (snake_case timestamps; the SDK adds camelCase copies). */
function wireItem(item: Item & { score?: number }) {
  return {
    namespace: item.namespace,
    key: item.key,
    value: item.value,
    created_at: new Date(item.createdAt).toISOString(),
    updated_at: new Date(item.updatedAt).toISOString(),
    ...(item.score !== undefined ? { score: item.score } : {}),
  };
}

/** The long-term memory store (LangGraph's BaseStore), on the same storage as threads. */
export function storeRoutes(engine: Engine): Hono {
  const app = new Hono();
  const store = engine.storage.store;

  app.put('/store/items', async (c) => {
    const body = await readBody(c, storePutBody);
    await store.put(body.namespace, body.key, body.value);
    return c.body(null, 204);
  });
  app.get('/store/items', async (c) => {
    const namespace = c.req.query('namespace');
    const key = c.req.query('key');
    if (!key) throw new HttpError(422, 'invalid request: key is required', { errors: [{ field: 'key', message: 'required' }] });
    const labels = namespace ? namespace.split('.') : [];
    if (labels.length === 0) throw new HttpError(422, 'invalid request: namespace is required', { errors: [{ field: 'namespace', message: 'required' }] });
    const item = await store.get(labels, key);
    return c.json(item ? wireItem(item) : null);
  });
  app.delete('/store/items', async (c) => {
    const body = await readBody(c, storeDeleteSchema);
    await store.delete(body.namespace, body.key);
    return c.body(null, 204);
  });
  app.post('/store/items/search', async (c) => {
    const body = await readBody(c, storeSearchBody);
    const items = await store.search(body.namespace_prefix, {
      limit: body.limit,
      offset: body.offset,
      ...(body.filter ? { filter: body.filter } : {}),
    });
    return c.json({ items: items.map(wireItem) });
  });
  app.post('/store/namespaces', async (c) => {
    const body = await readBody(c, storeNamespacesSchema);
    const namespaces = await store.listNamespaces({
      limit: body.limit,
      offset: body.offset,
      ...(body.prefix ? { prefix: body.prefix } : {}),
      ...(body.suffix ? { suffix: body.suffix } : {}),
      ...(body.max_depth ? { maxDepth: body.max_depth } : {}),
    });
    return c.json({ namespaces });
  });
  return app;
}
