import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type * as TS from 'typescript';
import { langgraphLineOf } from './langgraph-line.ts';
import type { GraphSource, TypedSchemas } from './type-schemas.ts';
import { SchemaWriter } from './type-to-schema.ts';

export const keyOf = (source: GraphSource) => `${source.file}#${source.exportName}`;

/** Reads every graph's types in one TypeScript program (synchronous work: run it off the main thread). */
export async function extractAll(sources: GraphSource[]): Promise<Map<string, Record<string, TypedSchemas>>> {
  const out = new Map<string, Record<string, TypedSchemas>>();
  if (sources.length === 0) return out;
  // The compiler's CommonJS export, typed as the namespace it is.
  const ts = (await import('typescript')).default as unknown as typeof TS;
  const options: TS.CompilerOptions = {
    noEmit: true,
    strict: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    allowJs: true,
    jsx: ts.JsxEmit.ReactJSX,
    // Only what the graphs' own imports pull in: no DOM, no global @types packages (half the time saved).
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  // Each module gets a type alias for each graph value in it (found by reading, not type-checking).
  const aliased = new Map<string, string>();
  const infers = new Map<string, string>();
  const plan: Array<{ source: GraphSource; inferPath: string; graphs: FoundGraph[]; first: number }> = [];
  let counter = 0;
  for (const source of sources) {
    let text: string;
    try {
      text = aliased.get(source.file) ?? readFileSync(source.file, 'utf8');
    } catch {
      continue;
    }
    const graphs = findGraphs(ts, ts.createSourceFile(source.file, text, ts.ScriptTarget.ES2022, true), source.exportName);
    if (graphs.length === 0) continue;
    const first = counter;
    counter += graphs.length;
    aliased.set(source.file, `${text}\n\n${graphs.map((graph, index) => `export type __sb_graph_${first + index} = typeof ${graph.identifier};`).join('\n')}\n`);
    const inferPath = join(dirname(source.file), `__switchboard_schemas_${process.pid}_${first}.mts`);
    infers.set(inferPath, inferSource(`./${basename(source.file)}`, first, graphs.length, langgraphLineOf(source.file)));
    plan.push({ source, inferPath, graphs, first });
  }
  const serve = (path: string) => aliased.get(path) ?? infers.get(path);
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (path, language, onError, create) => {
    const text = serve(path);
    return text === undefined ? getSourceFile(path, language, onError, create) : ts.createSourceFile(path, text, language, true);
  };
  const readFile = host.readFile.bind(host);
  host.readFile = (path) => serve(path) ?? readFile(path);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (path) => serve(path) !== undefined || fileExists(path);

  const program = ts.createProgram([...infers.keys()], options, host);
  const checker = program.getTypeChecker();
  for (const { source, inferPath, graphs, first } of plan) {
    const inferFile = program.getSourceFile(inferPath);
    const moduleSymbol = inferFile && checker.getSymbolAtLocation(inferFile);
    if (!inferFile || !moduleSymbol) continue;
    const exported = new Map(checker.getExportsOfModule(moduleSymbol).map((symbol) => [symbol.name, symbol]));
    const typeOf = (name: string) => {
      const symbol = exported.get(name);
      return symbol ? checker.getDeclaredTypeOfSymbol(symbol) : undefined;
    };
    const baseMessage = typeOf('__sb_BaseMessage');
    const schemas: Record<string, TypedSchemas> = {};
    graphs.forEach((graph, offset) => {
      const schemaOf = (part: string) => {
        const type = typeOf(`__sb_graph_${first + offset}_${part}`);
        return type ? new SchemaWriter(ts, checker, inferFile, baseMessage).document(type) : null;
      };
      const found = { input: schemaOf('input'), output: schemaOf('output'), state: schemaOf('state'), config: schemaOf('config') };
      // A value that turned out not to be a graph has no parts at all.
      if (found.input || found.output || found.state || found.config) schemas[graph.path] = found;
    });
    out.set(keyOf(source), schemas);
  }
  return out;
}

/** How each LangGraph line's declarations give a compiled graph's state and config types. */
const STATE_AND_CONFIG = {
  current: [
    `import type { CompiledStateGraph, ExtractStateType } from "@langchain/langgraph";`,
    `type StateOf<T> = Part<T, "~RunOutput">;`,
    `type ConfigOf<T> = Compiled<T> extends CompiledStateGraph<any, any, any, any, any, infer C, any, any, any, any> ? ExtractStateType<C> : never;`,
  ],
  // 0.2: the state is CompiledStateGraph's first type parameter, the config annotation its sixth.
  '0.x': [
    `import type { CompiledStateGraph, StateDefinition, StateType } from "@langchain/langgraph";`,
    `type StateOf<T> = Compiled<T> extends CompiledStateGraph<infer S, any, any, any, any, any> ? S : never;`,
    `type ConfigOf<T> = Compiled<T> extends CompiledStateGraph<any, any, any, any, any, infer C> ? (C extends StateDefinition ? StateType<C> : never) : never;`,
  ],
};

/** Type aliases for each graph's input, output, state and config, as LangGraph's own types give them. */
function inferSource(module: string, first: number, count: number, line: keyof typeof STATE_AND_CONFIG): string {
  const lines = [
    `import type { BaseMessage } from "@langchain/core/messages";`,
    `export type __sb_BaseMessage = BaseMessage;`,
    // A factory (sync or async) stands for the graph it builds; a builder for what it compiles to.
    `type Built<T> = T extends (...args: any[]) => infer R ? Awaited<R> : Awaited<T>;`,
    `type Compiled<T> = Built<T> extends infer G ? (G extends { compile(...args: any[]): infer C } ? C : G) : never;`,
    `type Part<T, K extends string> = Compiled<T> extends { [P in K]: infer V } ? V : never;`,
    ...STATE_AND_CONFIG[line],
  ];
  for (let index = first; index < first + count; index++) {
    lines.push(`import type { __sb_graph_${index} } from ${JSON.stringify(module)};`);
    lines.push(`export type __sb_graph_${index}_input = Part<__sb_graph_${index}, "~InputType">;`);
    lines.push(`export type __sb_graph_${index}_output = Part<__sb_graph_${index}, "~OutputType">;`);
    lines.push(`export type __sb_graph_${index}_state = StateOf<__sb_graph_${index}>;`);
    lines.push(`export type __sb_graph_${index}_config = ConfigOf<__sb_graph_${index}>;`);
  }
  return `${lines.join('\n')}\n`;
}

interface FoundGraph {
  /** `""` for the exported graph, `a|b` for subgraph b added as a node of subgraph a. */
  path: string;
  identifier: string;
}

/**
 * The exported graph and, recursively, every subgraph a builder adds as a node
 * (`.addNode("name", sub)` or `.addNode("name", sub.compile())`), where `sub` is a variable
 * of this module. Found by reading the module (fast); a variable that is not a graph after
 * all gets no schemas from the type checker later. `graph = builder.compile()` is followed
 * to `builder`'s own declaration.
 */
const GRAPH_LIKE = /\b(StateGraph|Graph|MessageGraph|entrypoint|createReactAgent|createAgent)\b|\.compile\(/;

function findGraphs(ts: typeof TS, file: TS.SourceFile, exportName: string): FoundGraph[] {
  const variables = new Map<string, TS.VariableDeclaration>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) variables.set(declaration.name.text, declaration);
  }
  const root = variables.get(exportName);
  if (!root?.initializer) return [];
  const found: FoundGraph[] = [{ path: '', identifier: exportName }];
  const localIn = (node: TS.Node): TS.VariableDeclaration | undefined => {
    let result: TS.VariableDeclaration | undefined;
    const look = (child: TS.Node) => {
      if (result) return;
      if (ts.isIdentifier(child) && variables.has(child.text) && !(ts.isPropertyAccessExpression(child.parent) && child.parent.name === child)) {
        result = variables.get(child.text);
        return;
      }
      ts.forEachChild(child, look);
    };
    look(node);
    return result;
  };
  const visit = (initializer: TS.Node, namespace: string[], depth: number, seen: Set<TS.Node>) => {
    if (depth > 8 || seen.has(initializer)) return;
    seen.add(initializer);
    let added = 0;
    const walk = (node: TS.Node) => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'addNode') {
        const [name, value] = node.arguments;
        if (name && value && ts.isStringLiteralLike(name)) {
          added += 1;
          const sub = localIn(value);
          // Node functions are variables too: only one built from a graph is a subgraph (checking every one costs seconds).
          if (sub?.initializer && ts.isIdentifier(sub.name) && GRAPH_LIKE.test(sub.initializer.getText(file))) {
            const path = [...namespace, name.text];
            found.push({ path: path.join('|'), identifier: sub.name.text });
            visit(sub.initializer, path, depth + 1, seen);
          }
        }
      }
      ts.forEachChild(node, walk);
    };
    walk(initializer);
    if (added === 0) {
      const builder = localIn(initializer);
      if (builder?.initializer) visit(builder.initializer, namespace, depth + 1, seen);
    }
  };
  visit(root.initializer, [], 0, new Set());
  return found;
}
