/**
 * What the rest of Switchboard sees of tracing. Nothing here imports OpenTelemetry: with
 * OTEL_EXPORTER_OTLP_ENDPOINT unset the no-op below is all that is loaded, and every call
 * is a plain function call.
 */

/** A trace context as W3C headers (`traceparent`, `tracestate`), stored with work that runs later. */
export type TraceCarrier = Record<string, string>;

export type SpanAttributes = Record<string, string | number | boolean>;

export interface SpanOptions {
  kind?: 'server' | 'client' | 'internal' | 'producer' | 'consumer';
  attributes?: SpanAttributes;
  /**
   * The parent, as stored or received headers. `null`: a new trace (work taken from a queue
   * that carries no context must not hang under whatever request happened to wake the queue).
   * Absent: the active span.
   */
  parent?: TraceCarrier | null;
}

/** The span a piece of work runs in, as that work may change it. */
export interface ActiveSpan {
  setAttributes(attributes: SpanAttributes): void;
  rename(name: string): void;
  /** Marks the span failed (it still ends when the work does). */
  fail(message: string): void;
}

export interface Tracing {
  readonly enabled: boolean;
  /** Runs `work` in a new span (the active one inside it); the span ends, failed if `work` throws, when it settles. */
  inSpan<T>(name: string, options: SpanOptions, work: (span: ActiveSpan) => Promise<T>): Promise<T>;
  /** The active trace context as headers, or undefined when there is none. */
  carrier(): TraceCarrier | undefined;
  /** LangChain callback handlers that make graph nodes and model calls child spans of the active span. */
  langchainCallbacks(): unknown[];
  /** Sends what is buffered (tests, before reading the receiver). */
  flush(): Promise<void>;
  /** Flushes and stops exporting. */
  shutdown(): Promise<void>;
}

const quietSpan: ActiveSpan = { setAttributes() {}, rename() {}, fail() {} };

export const noTracing: Tracing = {
  enabled: false,
  inSpan: (_name, _options, work) => work(quietSpan),
  carrier: () => undefined,
  langchainCallbacks: () => [],
  flush: async () => {},
  shutdown: async () => {},
};
