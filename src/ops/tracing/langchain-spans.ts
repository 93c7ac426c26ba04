import { type Context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { LLMResult } from '@langchain/core/outputs';

type Meta = Record<string, unknown> | undefined;

/**
 * Graph nodes and model calls as spans, from LangChain's callbacks. LangChain names every
 * runnable it starts; only two kinds become spans: a graph node (the chain LangGraph runs
 * under the node's name, with `langgraph_node` in its metadata) and a chat model or LLM
 * call. Every other chain passes its nearest span down, so a model called deep inside a
 * node's chains is still that node's child. Created per run, under the run's span.
 */
export class LangChainSpans extends BaseCallbackHandler {
  name = 'switchboard_otel_spans';
  // Awaited in line, not queued in the background: the run's span must not end before its nodes'.
  override awaitHandlers = true;
  readonly #tracer: Tracer;
  readonly #root: Context;
  /** The span that contains each LangChain run: its own, or its nearest ancestor's. */
  readonly #owner = new Map<string, { context: Context; span?: Span }>();

  constructor(tracer: Tracer, root: Context) {
    super();
    this.#tracer = tracer;
    this.#root = root;
  }

  // The callback manager calls handlers with (…, runId, parentRunId, tags, metadata, runType, runName),
  // whatever the declaration names the parameters (see CallbackManager's handleChainStart).
  override handleChainStart(
    _chain: Serialized,
    _inputs: unknown,
    runId: string,
    parentRunId?: string,
    _tags?: string[],
    metadata?: Meta,
    _runType?: string,
    runName?: string,
  ): void {
    const node = metadata?.langgraph_node;
    const parent = this.#contextOf(parentRunId);
    if (typeof node !== 'string' || node !== runName) {
      this.#owner.set(runId, { context: parent });
      return;
    }
    const attributes: Record<string, string | number> = { 'langgraph.node': node };
    if (typeof metadata?.langgraph_step === 'number') attributes['langgraph.step'] = metadata.langgraph_step;
    this.#open(runId, `graph.node ${node}`, SpanKind.INTERNAL, attributes, parent);
  }

  override handleChainEnd(_outputs: unknown, runId: string): void {
    this.#close(runId);
  }

  override handleChainError(error: Error, runId: string): void {
    this.#close(runId, error);
  }

  override handleChatModelStart(
    llm: Serialized,
    _messages: unknown,
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Meta,
  ): void {
    this.#startModel(llm, runId, parentRunId, extraParams, metadata);
  }

  override handleLLMStart(
    llm: Serialized,
    _prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Meta,
  ): void {
    this.#startModel(llm, runId, parentRunId, extraParams, metadata);
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const span = this.#owner.get(runId)?.span;
    const usage = (output.llmOutput?.tokenUsage ?? output.llmOutput?.estimatedTokenUsage) as { promptTokens?: number; completionTokens?: number } | undefined;
    if (span && typeof usage?.promptTokens === 'number') span.setAttribute('gen_ai.usage.input_tokens', usage.promptTokens);
    if (span && typeof usage?.completionTokens === 'number') span.setAttribute('gen_ai.usage.output_tokens', usage.completionTokens);
    this.#close(runId);
  }

  override handleLLMError(error: Error, runId: string): void {
    this.#close(runId, error);
  }

  #startModel(llm: Serialized, runId: string, parentRunId: string | undefined, extraParams: Record<string, unknown> | undefined, metadata: Meta): void {
    const invocation = extraParams?.invocation_params as { model?: unknown; model_name?: unknown } | undefined;
    const model = String(metadata?.ls_model_name ?? invocation?.model ?? invocation?.model_name ?? llm.id?.at(-1) ?? 'model');
    // The GenAI semantic conventions' names: a "chat {model}" client span.
    this.#open(
      runId,
      `chat ${model}`,
      SpanKind.CLIENT,
      { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, 'gen_ai.provider.name': String(metadata?.ls_provider ?? 'unknown') },
      this.#contextOf(parentRunId),
    );
  }

  #open(runId: string, name: string, kind: SpanKind, attributes: Record<string, string | number>, parent: Context): void {
    const span = this.#tracer.startSpan(name, { kind, attributes }, parent);
    this.#owner.set(runId, { context: trace.setSpan(parent, span), span });
  }

  #close(runId: string, error?: Error): void {
    const owner = this.#owner.get(runId);
    this.#owner.delete(runId);
    if (!owner?.span) return;
    if (error) {
      owner.span.recordException(error);
      owner.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    }
    owner.span.end();
  }

  #contextOf(parentRunId: string | undefined): Context {
    return (parentRunId ? this.#owner.get(parentRunId)?.context : undefined) ?? this.#root;
  }
}
