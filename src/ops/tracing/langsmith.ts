/**
 * LangSmith tracing is LangChain's own: with LANGSMITH_TRACING=true (and the key, endpoint
 * and project variables) every graph run is sent by its LangChainTracer, with the run's
 * config metadata (run_id, thread_id, assistant_id, graph_id). What Switchboard adds is
 * waiting for it: the tracer sends in the background, in batches, and a run reported
 * finished (or a process stopped) before the batch left would lose the trace's end.
 */

/** The variables LangChain reads, in process.env as it reads them. */
const TRACING_VARIABLES = ['LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING_V2', 'LANGSMITH_TRACING', 'LANGCHAIN_TRACING'];

/** A LangSmith endpoint that does not answer holds a run's end this long at most. */
const FLUSH_LIMIT_MS = 5_000;

export const langsmithTracingOn = (env: NodeJS.ProcessEnv = process.env): boolean => TRACING_VARIABLES.some((name) => env[name] === 'true');

/** Waits until LangChain's callbacks have run and the LangSmith client has sent its batches (bounded). */
export async function flushLangSmith(): Promise<void> {
  if (!langsmithTracingOn()) return;
  const { awaitAllCallbacks } = await import('@langchain/core/callbacks/promises');
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, FLUSH_LIMIT_MS);
    timer.unref();
  });
  try {
    await Promise.race([awaitAllCallbacks(), limit]);
  } finally {
    clearTimeout(timer);
  }
}
