import type { Logger } from 'pino';
import { noTracing, type Tracing } from './types.ts';

export type { ActiveSpan, SpanOptions, TraceCarrier, Tracing } from './types.ts';

/**
 * The process's tracing. One per process, like the metrics registry: the engine, the chat
 * layer and the HTTP app ask for it where they start work, and get the no-op unless
 * `startTracing` found OTEL_EXPORTER_OTLP_ENDPOINT.
 */
let current: Tracing = noTracing;

export const tracing = (): Tracing => current;

export interface TracingIdentity {
  serviceName: string;
  version: string;
  log: Logger;
}

/**
 * Starts OpenTelemetry tracing when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
 * variable) is set; otherwise loads nothing. Returns what stops it (flushing first).
 */
export async function startTracing(env: NodeJS.ProcessEnv, identity: TracingIdentity): Promise<() => Promise<void>> {
  const endpoint = tracesEndpoint(env);
  if (!endpoint) return async () => {};
  // Loaded only here, so a process without the variable never pays for OpenTelemetry.
  const { createOtelTracing } = await import('./otel.ts');
  const started = createOtelTracing({ ...identity, endpoint, env });
  current = started;
  identity.log.info({ endpoint }, 'OpenTelemetry tracing: spans are exported over OTLP/HTTP (JSON)');
  return async () => {
    if (current === started) current = noTracing;
    await started.shutdown().catch((error: unknown) => identity.log.warn({ err: error }, 'could not send the last spans'));
  };
}

/** Where spans go: the traces endpoint as given, or the base endpoint with the OTLP path. */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!base) return undefined;
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}
