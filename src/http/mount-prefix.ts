import type { Context } from 'hono';
import { Hono } from 'hono';
import { errorAnswer } from './errors.ts';

/** Where the prefix rides to the served app: in its env, beside Node's request and response. */
const PREFIX_KEY = 'switchboardMountPrefix';

/**
 * langgraph.json's `http.mount_prefix`, as the Platform serves it: everything (the API,
 * `/ok`, the project's own routes, the playground, Slack's events) answers under the prefix
 * only, e.g. `/my-agent/threads`, so the SDK works unchanged with `apiUrl: <origin>/my-agent`.
 * The prefix is taken off before the app sees the request (as Starlette's Mount does for the
 * Platform), so every route, path check and in-process call stays written without it;
 * `publicPath` puts it back where a path is handed to a browser.
 */
export function servedUnder(prefix: string, app: Hono): Hono {
  const outer = new Hono();
  outer.all('*', (c) => {
    const url = new URL(c.req.url);
    const rest = url.pathname === prefix ? '/' : url.pathname.startsWith(`${prefix}/`) ? url.pathname.slice(prefix.length) : undefined;
    if (rest === undefined) {
      return errorAnswer(c, 404, { detail: `no route for ${c.req.method} ${url.pathname}: this server answers under ${prefix} (http.mount_prefix)`, code: 'not_found' });
    }
    // The bare prefix is a folder: the playground's page loads its files relative to `<prefix>/`.
    if (url.pathname === prefix && (c.req.method === 'GET' || c.req.method === 'HEAD')) return c.redirect(`${prefix}/${url.search}`, 308);
    url.pathname = rest;
    const original = c.req.raw;
    const hasBody = original.method !== 'GET' && original.method !== 'HEAD';
    // The client's disconnect signal goes along: a run streamed with on_disconnect=cancel depends on it.
    const request = new Request(url, {
      method: original.method,
      headers: original.headers,
      signal: original.signal,
      ...(hasBody ? { body: original.body, duplex: 'half' } : {}),
    } as RequestInit);
    return app.fetch(request, { ...(c.env as object), [PREFIX_KEY]: prefix }, executionContextOf(c));
  });
  return outer;
}

/** A path of this server as a browser must ask for it: with the mount prefix when there is one. */
export function publicPath(c: Context, path: string): string {
  const prefix = (c.env as Record<string, unknown> | undefined)?.[PREFIX_KEY];
  return typeof prefix === 'string' ? `${prefix}${path}` : path;
}

function executionContextOf(c: Context) {
  try {
    return c.executionCtx;
  } catch {
    // Node has none (Hono throws when asked); the served app does not need one.
    return undefined;
  }
}
