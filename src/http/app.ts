import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
import type { Logger } from 'pino';
import type { Engine } from '../engine/engine.ts';
import type { HttpSpec } from '../config/schema.ts';
import { configurableHeaders } from './configurable-headers.ts';
import { authenticateRequests } from './auth/access.ts';
import type { CustomAuth } from './auth/custom-auth.ts';
import { threadGuard } from './auth/guards.ts';
import { truncate } from '../engine/truncate.ts';
import { httpDuration, registry } from '../ops/metrics.ts';
import { streamThroughHono } from './direct-socket.ts';
import type { TypeSchemaIndex } from '../platform/type-schemas.ts';
import { errorAnswer, HttpError, respondToError } from './errors.ts';
import { requestGuard, type GuardOptions } from './guard.ts';
import { publicPath } from './mount-prefix.ts';
import { routeOf, traceRequests } from './trace-requests.ts';
import { isLoopbackRequest, type MountedApp, mountedAppRouting } from './user-app.ts';
import { assistantRoutes } from './routes/assistants.ts';
import { cronRoutes } from './routes/crons.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { runRoutes } from './routes/runs.ts';
import { storeRoutes } from './routes/store.ts';
import { threadRoutes } from './routes/threads.ts';
import { truncateSchema } from './schemas.ts';
import { refuseNewRunsWhileStopping } from './stopping.ts';
import { readBody } from './validate.ts';
import { LANGGRAPH_JS_VERSION } from './versions.ts';

export interface HttpAppOptions {
  engine: Engine;
  version: string;
  log: Logger;
  /** When set, every route but GET /ok needs it (header x-api-key, or Authorization: Bearer). */
  apiKey?: string | undefined;
  maxBodyBytes?: number;
  /** Extra health facts for GET /ok (e.g. the Discord gateway's state); `ok: false` in them answers 503. */
  health?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Which hosts and origins may call (see guard.ts); by default loopback only. */
  guard?: GuardOptions;
  /** Routes that authenticate themselves (Slack signs its requests), mounted before the guard and the API key check. */
  mounts?: Array<(app: Hono) => void>;
  /** Routes behind the API key like the API (the playground). */
  authenticatedMounts?: Array<(app: Hono) => void>;
  /** langgraph.json's `http`: route groups turned off, which headers reach runs. */
  http?: Omit<HttpSpec, 'app'>;
  /** Routes of the API itself, behind the API key and, like every API route, a project's custom auth (generative UI's `POST /ui/{name}`). */
  apiMounts?: Array<(app: Hono) => void>;
  /** Routes anyone who may reach the server may read, without the API key (generative UI bundles: a script tag sends no key). */
  publicMounts?: Array<(app: Hono) => void>;
  /** True once a graceful stop has begun: GET /ok answers 503 and new runs are refused. */
  stopping?: () => boolean;
  /** A user's own Hono app (`http.app`), served behind the guard and the API key, before the API: its routes may shadow the API's. */
  userApp?: Hono;
  /** More of the user's apps (`http.apps`), each under its prefix, served where `userApp` is. */
  userApps?: MountedApp[];
  /** The project's custom auth (langgraph.json `auth.path`): authenticates API requests, and authorizes each action. */
  customAuth?: CustomAuth;
  /** The project's graph types read as JSON schemas (GET /assistants/{id}/schemas and /subgraphs). */
  typeSchemas?: TypeSchemaIndex;
}

/** A browser cannot send a header when it opens a page: it signs in once with ?key=, kept in this cookie. */
const KEY_COOKIE = 'switchboard_key';

/**
 * The HTTP surface: the LangGraph Platform API (so the official SDK, LangGraph Studio and
 * agent-chat-ui work unchanged) and the health check. Every error leaves as JSON with the
 * right status; nothing a client sends can stop the server.
 */
export function createHttpApp(options: HttpAppOptions): Hono {
  const { engine, log } = options;
  const app = new Hono(mountedAppRouting(options.userApps ?? []));
  app.onError((error, c) => respondToError(error, c, log));
  // Every request's duration, by the route pattern that answered (never the raw path: ids would explode the labels).
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    httpDuration.observe({ route: routeOf(c), method: c.req.method, status: String(c.res.status) }, (performance.now() - started) / 1000);
  });
  app.use('*', traceRequests);
  app.notFound((c) => errorAnswer(c, 404, { detail: `no route for ${c.req.method} ${c.req.path}`, code: 'not_found' }));

  if (options.userApp || options.userApps?.length) app.use('*', streamThroughHono);
  // Slack signs its requests and posts from its own servers: neither the guard nor the API key is for it.
  for (const mount of options.mounts ?? []) mount(app);
  app.use('*', requestGuard(options.guard ?? { bindHost: '127.0.0.1', allowedHosts: [] }));
  app.get('/ok', async (c) => {
    const report = { ok: true, ...((await options.health?.()) ?? {}), ...(options.stopping?.() ? { ok: false, stopping: true } : {}) };
    return c.json(report, report.ok === false ? 503 : 200);
  });

  for (const mount of options.publicMounts ?? []) mount(app);

  if (options.apiKey) {
    const expected = Buffer.from(options.apiKey);
    const matches = (value: string | undefined) => {
      const given = Buffer.from(value ?? '');
      return given.length === expected.length && timingSafeEqual(given, expected);
    };
    app.use('*', async (c, next) => {
      if (c.req.path === '/ok' || isLoopbackRequest(c.req.raw)) return next();
      if (c.req.method === 'GET' && matches(c.req.query('key'))) {
        // Signing in from a browser: keep the key in an HttpOnly cookie and drop it from the address.
        setCookie(c, KEY_COOKIE, options.apiKey!, { httpOnly: true, sameSite: 'Strict', path: '/' });
        return c.redirect(publicPath(c, c.req.path), 303);
      }
      const bearer = c.req.header('authorization')?.replace(/^Bearer\s+/i, '');
      if (!matches(c.req.header('x-api-key') ?? bearer ?? getCookie(c, KEY_COOKIE))) {
        throw new HttpError(401, 'missing or wrong API key (send it as the x-api-key header; in a browser, open /?key=<key> once)');
      }
      return next();
    });
  }
  app.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 10 * 1024 * 1024,
      onError: (c) => errorAnswer(c, 413, { detail: `the request body is larger than ${options.maxBodyBytes ?? 10 * 1024 * 1024} bytes`, code: 'too_large' }),
    }),
  );

  if (options.stopping) app.use('*', refuseNewRunsWhileStopping(options.stopping));
  for (const mount of options.authenticatedMounts ?? []) mount(app);
  const http = options.http;
  // Custom auth runs before the project's own routes only when they asked for it (enable_custom_route_auth).
  const authFirst = options.customAuth && (http?.enable_custom_route_auth || http?.middleware_order === 'auth_first');
  if (options.customAuth && authFirst) app.use('*', authenticateRequests(options.customAuth));
  if (options.userApp) app.route('/', options.userApp);
  for (const { prefix, app: mounted } of options.userApps ?? []) app.route(prefix, mounted);
  if (options.customAuth && !authFirst) app.use('*', authenticateRequests(options.customAuth));
  for (const mount of options.apiMounts ?? []) mount(app);
  if (options.customAuth) {
    // Every route naming a thread asks the project's auth whether this user may see or change it.
    // One pattern: `/threads/:thread_id/*` matches the thread itself too (two would ask the handler twice).
    app.use('/threads/:thread_id/*', threadGuard(engine));
  }

  if (!http?.disable_meta) {
    // Prometheus' text format (behind the key like the rest; `http.disable_meta` turns it off with /info).
    app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
    app.get('/info', (c) =>
      c.json({
        version: options.version,
        langgraph_js_version: LANGGRAPH_JS_VERSION,
        storage: engine.storage.kind,
        graphs: engine.graphs.ids(),
        flags: { assistants: true, crons: true, langsmith: false },
      }),
    );
  }
  // What the Platform's API test suites call between tests: behind the key; a local caller needs no custom-auth token (auth/access.ts).
  app.post('/internal/truncate', async (c) => c.json({ ok: true, ...(await truncate(engine, await readBody(c, truncateSchema))) }));
  if (!http?.disable_assistants) app.route('/', assistantRoutes(engine, options.typeSchemas));
  if (!http?.disable_threads) app.route('/', threadRoutes(engine));
  // Crons live under /runs, and a thread's runs are runs: both go with `disable_runs`, as on the Platform.
  if (!http?.disable_runs) {
    app.route('/', cronRoutes(engine));
    app.route('/', feedbackRoutes(engine));
    app.route('/', runRoutes(engine, { headersForRun: configurableHeaders(http?.configurable_headers) }));
  }
  if (!http?.disable_store) app.route('/', storeRoutes(engine));
  return app;
}
