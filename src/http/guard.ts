import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { CorsSpec } from '../config/schema.ts';
import { HttpError } from './errors.ts';
import { hostAllowed, originAllowed, type OriginPolicy } from './origins.ts';

/** Headers the SDK and browser clients send: a preflight allows these (and whatever else an allowed page asks for). */
const DEFAULT_ALLOW_HEADERS = ['content-type', 'x-api-key', 'authorization', 'last-event-id', 'x-request-id'];
/** Headers a client must read: where a created run lives, and pagination. */
const DEFAULT_EXPOSE_HEADERS = ['content-location', 'location', 'x-pagination-total', 'x-pagination-next'];
const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface GuardOptions {
  bindHost: string;
  allowedHosts: readonly string[];
  cors?: CorsSpec | undefined;
}

/** The routes that take a multipart form: a playground message with its files. */
const FORM_ROUTES = /^\/playground\/api\/channels\/[^/]+\/messages$/;

/**
 * What keeps web pages on other sites from driving a local server: a request must name a
 * host this server is (DNS rebinding gets 403); a state-changing request from a page on a
 * foreign origin gets 403 unless `server.cors` allows that origin; a body that is not JSON
 * gets 415 (a page can post `text/plain` without a preflight, never `application/json`), but for
 * multipart forms from an allowed origin to the playground's message route (its file uploads).
 * Allowed origins get CORS headers, and their preflights a 204, before the API key is
 * asked for (a preflight carries none). A URL holding NUL (%00) gets 422.
 */
export function requestGuard(options: GuardOptions): MiddlewareHandler {
  const policy: OriginPolicy = {
    bindHost: options.bindHost,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.cors?.allow_origins ?? [],
    allowedOriginRegex: options.cors?.allow_origin_regex,
  };
  const cors = options.cors;
  return async (c, next) => {
    const host = c.req.header('host');
    if (!hostAllowed(host, policy)) {
      throw new HttpError(403, `this server does not answer to the host "${host}"; add it to server.allowed_hosts (or SWITCHBOARD_ALLOWED_HOSTS) if it is yours`);
    }
    const origin = c.req.header('origin');
    const allowedOrigin = origin !== undefined && originAllowed(origin, host, policy);
    const method = c.req.method.toUpperCase();
    if (origin !== undefined && !allowedOrigin && !SAFE_METHODS.has(method)) {
      throw new HttpError(403, `cross-site request from ${origin} refused; list the origin in server.cors.allow_origins to allow it`);
    }
    if (allowedOrigin) setCorsHeaders(c, origin, cors);
    if (method === 'OPTIONS' && origin !== undefined && c.req.header('access-control-request-method')) {
      if (!allowedOrigin) throw new HttpError(403, `cross-site requests from ${origin} are not allowed; list the origin in server.cors.allow_origins`);
      c.header('access-control-allow-methods', (cors?.allow_methods ?? DEFAULT_METHODS).join(', '));
      const asked = c.req.header('access-control-request-headers');
      c.header('access-control-allow-headers', (cors?.allow_headers ?? (asked ? [...new Set([...DEFAULT_ALLOW_HEADERS, ...splitList(asked)])] : DEFAULT_ALLOW_HEADERS)).join(', '));
      c.header('access-control-max-age', String(cors?.max_age ?? 600));
      return c.body(null, 204);
    }
    // A form with files is taken where one is expected (the playground's message uploads), and from pages of
    // allowed origins only (they say so in Origin); every other route keeps refusing what is not JSON.
    const formFromAllowedPage = allowedOrigin && FORM_ROUTES.test(c.req.path) && /^multipart\/form-data\b/i.test(c.req.header('content-type') ?? '');
    if (!SAFE_METHODS.has(method) && hasBody(c) && !isJson(c.req.header('content-type')) && !formFromAllowedPage) {
      throw new HttpError(415, 'send the body as JSON, with Content-Type: application/json');
    }
    // A GET or HEAD that carries a body: the body is read and dropped before answering, so Node never
    // closes the connection on an unread request while the answer is still being written (it was cut off).
    if (SAFE_METHODS.has(method) && hasBody(c)) await drainBody(c);
    // No id or parameter holds NUL, and PostgreSQL cannot even compare text holding one: refused for every route here.
    if (/%00/.test(c.req.url)) throw new HttpError(422, 'invalid request: the URL holds a NUL character (%00), which no id or parameter can contain');
    await next();
  };
}

/** The CORS headers given to each request, for responses written straight to the socket (SSE). */
const corsOfRequest = new WeakMap<Request, Record<string, string>>();

/** The CORS headers this request's response carries (none for a request without an allowed origin). */
export function corsHeadersOf(c: Context): Record<string, string> {
  return corsOfRequest.get(c.req.raw) ?? {};
}

function setCorsHeaders(c: Context, origin: string, cors: CorsSpec | undefined): void {
  const headers: Record<string, string> = {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-expose-headers': [...new Set([...DEFAULT_EXPOSE_HEADERS, ...(cors?.expose_headers ?? [])])].join(', '),
    ...(cors?.allow_credentials ? { 'access-control-allow-credentials': 'true' } : {}),
  };
  corsOfRequest.set(c.req.raw, headers);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
}

/** Reads a request body nobody will use to its end, without keeping it. */
async function drainBody(c: Context): Promise<void> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || incoming.complete || incoming.readableEnded) return;
  await new Promise<void>((done) => {
    incoming.once('end', () => done());
    incoming.once('close', () => done());
    incoming.once('error', () => done());
    incoming.resume();
  });
}

function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  return (length !== undefined && length !== '0') || c.req.header('transfer-encoding') !== undefined;
}

function isJson(contentType: string | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

const splitList = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
