import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import { LangChainSpans } from './langchain-spans.ts';
import type { ActiveSpan, SpanOptions, TraceCarrier, Tracing } from './types.ts';

const KINDS: Record<NonNullable<SpanOptions['kind']>, SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/**
 * OpenTelemetry behind the `Tracing` interface: spans batched to an OTLP/HTTP endpoint
 * (JSON, what `@opentelemetry/exporter-trace-otlp-http` sends), W3C trace context in and
 * out. Registered globally so the async context follows awaits; `shutdown` undoes that.
 */
export function createOtelTracing(options: { serviceName: string; version: string; endpoint: string; env: NodeJS.ProcessEnv; log: Logger }): Tracing {
  const exporter = new OTLPTraceExporter({ url: options.endpoint });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.env.OTEL_SERVICE_NAME ?? options.serviceName, [ATTR_SERVICE_VERSION]: options.version }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  const tracer = provider.getTracer('switchboard', options.version);

  const parentContext = (parent: SpanOptions['parent']) => {
    if (parent === null) return ROOT_CONTEXT;
    if (parent === undefined) return context.active();
    return propagation.extract(ROOT_CONTEXT, parent);
  };

  return {
    enabled: true,
    inSpan(name, spanOptions, work) {
      const span = tracer.startSpan(
        name,
        { kind: KINDS[spanOptions.kind ?? 'internal'], ...(spanOptions.attributes ? { attributes: spanOptions.attributes } : {}) },
        parentContext(spanOptions.parent),
      );
      return context.with(trace.setSpan(context.active(), span), async () => {
        try {
          return await work(activeSpan(span));
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
          throw error;
        } finally {
          span.end();
        }
      });
    },
    carrier() {
      if (!trace.getSpan(context.active())) return undefined;
      const carrier: TraceCarrier = {};
      propagation.inject(context.active(), carrier);
      return carrier;
    },
    langchainCallbacks: () => [new LangChainSpans(tracer, context.active())],
    flush: () => provider.forceFlush(),
    async shutdown() {
      try {
        await provider.shutdown();
      } finally {
        trace.disable();
        context.disable();
        propagation.disable();
      }
    },
  };
}

function activeSpan(span: Span): ActiveSpan {
  return {
    setAttributes: (attributes) => void span.setAttributes(attributes),
    rename: (name) => void span.updateName(name),
    fail: (message) => void span.setStatus({ code: SpanStatusCode.ERROR, message }),
  };
}
