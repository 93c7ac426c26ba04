import { Hono } from 'hono';
import type { Item } from '@langchain/langgraph';
import type { TtlStore } from '../../storage/store-ttl.ts';
import type { Engine } from '../../engine/engine.ts';
import { HttpError } from '../errors.ts';
import { storeDeleteSchema, storeNamespacesSchema } from '../../engine/requests/store.ts';
import { storePutBody, storeSearchBody } from '../schemas.ts';
import { readBody } from '../validate.ts';
import { authorize } from '../auth/access.ts';
import { passes } from '../auth/filters.ts';

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

/** `?refresh_ttl=true|false` as the SDK sends it; absent: the configured default. */
function refreshTtlParam(raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new HttpError(422, 'invalid request: refresh_ttl must be true or false', { errors: [{ field: 'refresh_ttl', message: 'must be true or false' }] });
}

/** Semantic search and indexing need langgraph.json's store.index: without one, they are refused, saying so. */
function needsIndex(store: unknown, what: string): void {
  if ((store as { indexConfig?: unknown }).indexConfig) return;
  throw new HttpError(422, `invalid request: ${what} needs a semantic index: configure store.index (embed, dims) in langgraph.json`, {
    errors: [{ field: what.split(' ')[0]!, message: 'no store.index configured' }],
  });
}

/** The long-term memory store (LangGraph's BaseStore), on the same storage as threads. */
export function storeRoutes(engine: Engine): Hono {
  const app = new Hono();
  const store = engine.storage.store;

  // The project's auth (if any) decides on each store action; its handler may rewrite the
  // namespace (keeping each user under their own), and the filters it returns hold items' values.
  app.put('/store/items', async (c) => {
    const body = await readBody(c, storePutBody);
    const value = { namespace: [...body.namespace], key: body.key, value: body.value };
    await authorize(c, 'store', 'put', value);
    if (Array.isArray(body.index)) needsIndex(store, 'index (fields to embed)');
    // `ttl` absent takes store.ttl's default; null keeps the item for ever.
    await (store as TtlStore).put(value.namespace, value.key, value.value, body.index ?? undefined, body.ttl === undefined ? {} : { ttl: body.ttl });
    return c.body(null, 204);
  });
  app.get('/store/items', async (c) => {
    const namespace = c.req.query('namespace');
    const key = c.req.query('key');
    if (!key) throw new HttpError(422, 'invalid request: key is required', { errors: [{ field: 'key', message: 'required' }] });
    const labels = namespace ? namespace.split('.') : [];
    if (labels.length === 0) throw new HttpError(422, 'invalid request: namespace is required', { errors: [{ field: 'namespace', message: 'required' }] });
    const value = { namespace: labels, key };
    const refresh = refreshTtlParam(c.req.query('refresh_ttl'));
    const filters = await authorize(c, 'store', 'get', value);
    const item = await (store as TtlStore).get(value.namespace, value.key, { refreshTtl: refresh });
    return c.json(item && passes(item.value, filters) ? wireItem(item) : null);
  });
  app.delete('/store/items', async (c) => {
    const body = await readBody(c, storeDeleteSchema);
    const value = { namespace: [...body.namespace], key: body.key };
    const filters = await authorize(c, 'store', 'delete', value);
    // Another user's item is left alone, answered like a missing one (deleting nothing).
    // Looked at without refreshing it: a delete is not a read that keeps the item alive.
    const item = filters ? await (store as TtlStore).get(value.namespace, value.key, { refreshTtl: false }) : null;
    if (!filters || (item && passes(item.value, filters))) await store.delete(value.namespace, value.key);
    return c.body(null, 204);
  });
  app.post('/store/items/search', async (c) => {
    const body = await readBody(c, storeSearchBody);
    if (body.query) needsIndex(store, 'query (semantic search)');
    const value = { namespace: [...body.namespace_prefix], filter: body.filter, limit: body.limit, offset: body.offset, query: body.query };
    const filters = await authorize(c, 'store', 'search', value);
    const items = await (store as TtlStore).search(value.namespace, {
      limit: body.limit,
      offset: body.offset,
      refreshTtl: body.refresh_ttl,
      ...(body.filter ? { filter: body.filter } : {}),
      ...(body.query ? { query: body.query } : {}),
    });
    return c.json({ items: items.filter((item) => passes(item.value, filters)).map(wireItem) });
  });
  app.post('/store/namespaces', async (c) => {
    const body = await readBody(c, storeNamespacesSchema);
    const value = { namespace: body.prefix ? [...body.prefix] : undefined, suffix: body.suffix, max_depth: body.max_depth, limit: body.limit, offset: body.offset };
    await authorize(c, 'store', 'list_namespaces', value);
    const prefix = value.namespace ?? body.prefix;
    const namespaces = await store.listNamespaces({
      limit: body.limit,
      offset: body.offset,
      ...(prefix ? { prefix } : {}),
      ...(body.suffix ? { suffix: body.suffix } : {}),
      ...(body.max_depth ? { maxDepth: body.max_depth } : {}),
    });
    return c.json({ namespaces });
  });
  return app;
}
