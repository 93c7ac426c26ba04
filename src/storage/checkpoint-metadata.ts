import type { RunnableConfig } from '@langchain/core/runnables';
import type { CheckpointMetadata } from '@langchain/langgraph-checkpoint';

/** Keys LangGraph adds to config.metadata for tracing, meaningless in a checkpoint. */
const TRACING_KEYS = new Set(['ls_integration']);

/**
 * Stored checkpoint metadata carries the run's own metadata (run_id, assistant_id,
 * graph_id, which the engine puts in config.metadata), as on the LangGraph Platform:
 * history can be filtered by run, and a run re-executed after a crash (same run_id)
 * resumes from its checkpoint instead of applying its input twice. Configurable keys are
 * not copied: LangGraph's conformance suite requires metadata to round-trip unchanged.
 */
export function mergeRunMetadata(config: RunnableConfig, metadata: CheckpointMetadata): CheckpointMetadata {
  const fromConfig = Object.entries(config.metadata ?? {}).filter(([key, value]) => !TRACING_KEYS.has(key) && isPlainData(value));
  return { ...Object.fromEntries(fromConfig), ...metadata } as CheckpointMetadata;
}

function isPlainData(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isPlainData);
  return false;
}
