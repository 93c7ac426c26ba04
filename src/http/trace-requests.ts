import type { Context, MiddlewareHandler } from 'hono';
import { type TraceCarrier, tracing } from '../ops/tracing/index.ts';

/** The route pattern that answered (never the raw path: ids would explode metric labels and span names). */
export function routeOf(c: Context): string {
  return c.req.matchedRoutes.filter((matched) => matched.method !== 'ALL').at(-1)?.path ?? 'unmatched';
}

/**
 * One server span per request, in the trace the caller names with `traceparent` (W3C
 * trace context), else a new one. Runs the request creates carry it on. Attribute names
 * are OpenTelemetry's HTTP semantic conventions, written out so that nothing of
 * OpenTelemetry is loaded while tracing is off.
 */
export const traceRequests: MiddlewareHandler = async (c, next) => {
  const tracer = tracing();
  if (!tracer.enabled) return next();
  const method = c.req.method;
  await tracer.inSpan(method, { kind: 'server', parent: incomingContext(c), attributes: { 'http.request.method': method, 'url.path': c.req.path } }, async (span) => {
    await next();
    const route = routeOf(c);
    const status = c.res.status;
    span.rename(`${method} ${route}`);
    span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
    if (status >= 500) span.fail(`answered ${status}`);
  });
};

function incomingContext(c: Context): TraceCarrier | null {
  const traceparent = c.req.header('traceparent');
  if (!traceparent) return null;
  const tracestate = c.req.header('tracestate');
  return { traceparent, ...(tracestate ? { tracestate } : {}) };
}
