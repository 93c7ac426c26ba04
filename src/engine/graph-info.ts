import type { RunnableGraph } from './graphs.ts';

export interface GraphSchema {
  graph_id: string;
  input_schema: Record<string, unknown> | null;
  output_schema: Record<string, unknown> | null;
  state_schema: Record<string, unknown> | null;
  config_schema: Record<string, unknown> | null;
  context_schema: Record<string, unknown> | null;
}

interface Builder {
  _schemaDefinition?: Record<string, unknown>;
  _inputDefinition?: Record<string, unknown>;
  _outputDefinition?: Record<string, unknown>;
  _configSchema?: Record<string, unknown>;
}

/**
 * The schemas of a graph, as far as the graph itself can tell at run time: the keys of
 * its state, input, output and configuration. (The LangGraph JS server infers property
 * types from the TypeScript source; Switchboard does not parse sources, so the
 * properties carry no types.)
 */
export function graphSchema(graphId: string, graph: RunnableGraph): GraphSchema {
  const builder = (graph.builder ?? {}) as Builder;
  return {
    graph_id: graphId,
    input_schema: objectSchema(`${graphId} input`, builder._inputDefinition ?? builder._schemaDefinition),
    output_schema: objectSchema(`${graphId} output`, builder._outputDefinition ?? builder._schemaDefinition),
    state_schema: objectSchema(`${graphId} state`, builder._schemaDefinition),
    config_schema: objectSchema(`${graphId} config`, builder._configSchema),
    context_schema: objectSchema(`${graphId} context`, builder._configSchema),
  };
}

function objectSchema(title: string, definition: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!definition) return null;
  const properties = Object.fromEntries(
    Object.keys(definition)
      .filter((key) => !key.startsWith('__'))
      .map((key) => [key, key === 'messages' ? { type: 'array', items: { type: 'object' } } : {}]),
  );
  return { title, type: 'object', properties };
}

/** The graph's nodes and edges (LangGraph's drawable graph), with subgraphs expanded by `xray`. */
export async function graphDrawing(graph: RunnableGraph, xray: boolean | number): Promise<unknown> {
  if (!graph.getGraphAsync) return { nodes: [], edges: [] };
  return (await graph.getGraphAsync({ xray })).toJSON();
}

export async function subgraphSchemas(graph: RunnableGraph, namespace?: string, recurse = false): Promise<Record<string, GraphSchema>> {
  const out: Record<string, GraphSchema> = {};
  if (!graph.getSubgraphsAsync) return out;
  for await (const [ns, subgraph] of graph.getSubgraphsAsync(namespace, recurse)) out[ns] = graphSchema(ns, subgraph as RunnableGraph);
  return out;
}
