import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { isLoopbackRequest } from '../user-app.ts';
import type { AuthContext, AuthFilters, CustomAuth } from './custom-auth.ts';

/** Who a request is from, and the auth that judges it: set once per request by `authenticateRequests`. */
interface RequestAuth {
  auth: CustomAuth;
  context: AuthContext;
}

const authOfRequest = new WeakMap<Request, RequestAuth>();

/** Paths the Platform answers without authentication: the server's description and its health. */
const OPEN_PATHS = new Set(['/info', '/ok']);

const LOCAL_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The test suites' reset, `POST /internal/truncate`, is answered before the project's auth, as
 * the Platform's dev server does (its API suites call it without a token), but only to a
 * caller on this machine; the API key, when set, still guards it.
 */
function isLocalReset(c: Context): boolean {
  if (c.req.path !== '/internal/truncate') return false;
  try {
    return LOCAL_ADDRESSES.has(getConnInfo(c).remote.address ?? '');
  } catch {
    return false; // not a Node socket (app.request in a test): no peer address to trust
  }
}

/**
 * Runs the project's `authenticate` on every request that reaches it (not `/info` or `/ok`,
 * nor the process calling itself through the loopback fetch, nor a local test-suite reset).
 * It sees the method, URL and headers; the body is left for the route. What it throws is the answer.
 */
export function authenticateRequests(auth: CustomAuth): MiddlewareHandler {
  return async (c, next) => {
    if (OPEN_PATHS.has(c.req.path) || c.req.method === 'OPTIONS' || isLoopbackRequest(c.req.raw) || isLocalReset(c)) return next();
    const request = new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers });
    authOfRequest.set(c.req.raw, { auth, context: await auth.authenticate(request) });
    return next();
  };
}

/** The authenticated user of this request (undefined without custom auth). */
export function authContextOf(c: Context): AuthContext | undefined {
  return authOfRequest.get(c.req.raw)?.context;
}

/**
 * Asks the project's handler whether this request may do `action` on `resource`; returns the
 * filters the resources it touches must pass (undefined: all pass). `value` may be changed in
 * place by the handler, and the caller uses it afterwards, as on the Platform.
 */
export async function authorize(c: Context, resource: string, action: string, value: Record<string, unknown>): Promise<AuthFilters | undefined> {
  const found = authOfRequest.get(c.req.raw);
  return found ? found.auth.authorize(found.context, resource, action, value) : undefined;
}

/** The user as a run sees it in `configurable`, as the Platform passes it to graphs. */
export function authConfigurable(c: Context): Record<string, unknown> {
  const context = authContextOf(c);
  if (!context) return {};
  return { langgraph_auth_user: context.user, langgraph_auth_user_id: context.user.identity, langgraph_auth_permissions: context.scopes };
}
