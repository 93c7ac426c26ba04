import type { ServerResponse } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';

const THROUGH_HONO = 'switchboard.streamThroughHono';

/**
 * Streams and long waits are written straight to Node's socket when they can be: each
 * event leaves the moment it is published. Middleware that changes a response after
 * `next()` (a header set by a project's own `http.app`) cannot touch a response written
 * that way, so an app that mounts such middleware has them go through Hono's Response body.
 */
export const streamThroughHono: MiddlewareHandler = async (c, next) => {
  c.set(THROUGH_HONO as never, true as never);
  await next();
};

/** The Node response to write to directly, or undefined when the response must go through Hono. */
export function directSocket(c: Context): ServerResponse | undefined {
  if (c.get(THROUGH_HONO as never)) return undefined;
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return outgoing && typeof outgoing.writeHead === 'function' ? outgoing : undefined;
}
