import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { JsonSchema } from './type-to-schema.ts';

/** The JSON schemas of one graph (or subgraph) as its TypeScript types declare them. */
export interface TypedSchemas {
  input: JsonSchema | null;
  output: JsonSchema | null;
  state: JsonSchema | null;
  config: JsonSchema | null;
}

/** Where a graph is exported: a TypeScript (or JavaScript) module and the export's name. */
export interface GraphSource {
  file: string;
  exportName: string;
}

/**
 * The types a project's graphs declare, as JSON schemas, the way the LangGraph JS server
 * reports them: property types (`Annotation<string>` is a string, a union of string
 * literals an enum), messages as BaseMessage definitions, the config schema from the
 * graph's config annotation. Per graph, keyed by graph path: `""` for the graph itself,
 * `gp_two` and `gp_two|p_two` for subgraphs added as `addNode("gp_two", parent.compile())`.
 *
 * The TypeScript compiler reads the graphs' modules with the project's own packages (the
 * modules are not run again); all graphs are read in one program, once, since reading
 * LangGraph's types takes seconds. A module TypeScript cannot read (or no `typescript`
 * package) gives no typed schemas, and callers keep the run-time ones.
 */
export class TypeSchemaIndex {
  readonly #sources: () => GraphSource[];
  #all: Promise<Map<string, Record<string, TypedSchemas>>> | undefined;

  constructor(sources: () => GraphSource[]) {
    this.#sources = sources;
  }

  /** Starts reading the types now (in the background), so the first request finds them ready. */
  warm(): void {
    void this.#index();
  }

  async of(source: GraphSource): Promise<Record<string, TypedSchemas>> {
    return (await this.#index()).get(keyOf(source)) ?? {};
  }

  #index(): Promise<Map<string, Record<string, TypedSchemas>>> {
    this.#all ??= cached(this.#sources().filter((source) => /\.(m|c)?(t|j)sx?$/.test(source.file))).catch(() => new Map());
    return this.#all;
  }
}

const keyOf = (source: GraphSource) => `${source.file}#${source.exportName}`;

/** Raised when the reader learns to find more (2: LangGraph 0.2's declaration types). */
const READER_REVISION = 2;

/**
 * What was read for these sources before, while the graph modules themselves are unchanged
 * (kept in the OS temp folder: a restart answers at once); otherwise read anew and kept. A
 * type changed only in a module a graph imports is seen once a graph module changes.
 */
async function cached(sources: GraphSource[]): Promise<Map<string, Record<string, TypedSchemas>>> {
  const stamp: unknown[] = sources.map((source) => [source.file, source.exportName, statSync(source.file, { throwIfNoEntry: false })?.mtimeMs ?? 0]);
  // What an older reader found is not reused by a newer one (it may have found less).
  stamp.push(READER_REVISION);
  const file = join(tmpdir(), `switchboard-type-schemas-${createHash('sha256').update(JSON.stringify(stamp)).digest('hex').slice(0, 24)}.json`);
  try {
    return new Map(JSON.parse(await readFile(file, 'utf8')) as Array<[string, Record<string, TypedSchemas>]>);
  } catch {
    const found = await inWorker(sources);
    await writeFile(file, JSON.stringify([...found.entries()])).catch(() => undefined);
    return found;
  }
}

/**
 * Type-checking is synchronous and takes seconds: it runs in a worker thread (through tsx,
 * like the graphs themselves), so the server keeps answering meanwhile.
 */
function inWorker(sources: GraphSource[]): Promise<Map<string, Record<string, TypedSchemas>>> {
  if (sources.length === 0) return Promise.resolve(new Map());
  return new Promise((resolve, reject) => {
    // `npm start` runs the compiled build, where this module and its worker are JavaScript; a
    // URL is not an import, so the build cannot rewrite it: the extension follows this file's.
    const compiled = !/\.(m|c)?ts$/.test(new URL(import.meta.url).pathname);
    const entry = new URL(`./type-schemas.worker.${compiled ? 'js' : 'ts'}`, import.meta.url).href;
    // A worker does not inherit the main thread's module hooks: under tsx it registers tsx itself, then loads the reader.
    const tsx = compiled ? null : (import.meta.resolve?.('tsx/esm/api') ?? pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href);
    const boot = tsx === null ? `import(${JSON.stringify(entry)})` : `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
    const worker = new Worker(boot, { eval: true, workerData: sources });
    worker.unref();
    worker.once('message', (entries: Array<[string, Record<string, TypedSchemas>]>) => {
      resolve(new Map(entries));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the schema reader stopped (${code})`)));
  });
}
