import type { Engine } from '../engine/engine.ts';
import { type GraphSchema, graphSchema, subgraphSchemas } from '../engine/graph-info.ts';
import type { RunnableGraph } from '../engine/graphs.ts';
import type { TypedSchemas, TypeSchemaIndex } from '../platform/type-schemas.ts';

/**
 * A subgraph's schemas under both names clients read: the Platform's (`state_schema`...,
 * what the SDK's types declare) and the LangGraph JS server's (`state`, `input`, `output`,
 * `config`, what its own API suite reads).
 */
export type SubgraphSchema = GraphSchema & { state: unknown; input: unknown; output: unknown; config: unknown };

/**
 * A graph's schemas: from its TypeScript types where the project's sources give them
 * (property types, enums, messages: see platform/type-schemas.ts), otherwise what the
 * graph tells at run time (its keys).
 */
export async function schemasOf(engine: Engine, types: TypeSchemaIndex | undefined, graphId: string, graph: RunnableGraph): Promise<GraphSchema> {
  const typed = (await typedOf(engine, types, graphId))[''];
  return merged(graphSchema(graphId, graph), typed);
}

export async function subgraphsOf(
  engine: Engine,
  types: TypeSchemaIndex | undefined,
  graphId: string,
  graph: RunnableGraph,
  namespace: string | undefined,
  recurse: boolean,
): Promise<Record<string, SubgraphSchema>> {
  const typed = await typedOf(engine, types, graphId);
  const out: Record<string, SubgraphSchema> = {};
  for (const [ns, runtime] of Object.entries(await subgraphSchemas(graph, namespace, recurse))) {
    const schema = merged(runtime, typed[ns]);
    out[ns] = { ...schema, state: schema.state_schema, input: schema.input_schema, output: schema.output_schema, config: schema.config_schema };
  }
  return out;
}

async function typedOf(engine: Engine, types: TypeSchemaIndex | undefined, graphId: string): Promise<Record<string, TypedSchemas>> {
  if (!types || !engine.graphs.has(graphId)) return {};
  return types.of(engine.graphs.entry(graphId));
}

function merged(runtime: GraphSchema, typed: TypedSchemas | undefined): GraphSchema {
  if (!typed) return runtime;
  return {
    graph_id: runtime.graph_id,
    input_schema: typed.input ?? runtime.input_schema,
    output_schema: typed.output ?? runtime.output_schema,
    state_schema: typed.state ?? runtime.state_schema,
    config_schema: typed.config ?? runtime.config_schema,
    // The JS Platform reports the config schema as the context schema too (it cannot tell them apart).
    context_schema: typed.config ?? runtime.context_schema,
  };
}
