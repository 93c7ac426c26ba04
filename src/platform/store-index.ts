import type { IndexConfig } from '@langchain/langgraph-checkpoint';
import { ConfigError, embedIsModule, parseGraphSpec } from '../config/load.ts';
import { importModule } from '../util/import-module.ts';

/** langgraph.json's `store.index`: what the store embeds, and with what. */
export interface StoreIndexSpec {
  /** `openai:<model>`, or the path of the project's own embeddings (`./src/embed.ts:embed`). */
  embed: string;
  dims: number;
  /** JSON paths of each value to embed (`$` the whole value, the default). */
  fields?: string[] | undefined;
}

type Embeddings = IndexConfig['embeddings'];
type EmbedFunction = (texts: string[]) => Promise<number[][]> | number[][];

/**
 * The store's semantic index as the Platform builds it from `store.index`: an OpenAI
 * embeddings model by name (`openai:text-embedding-3-small`, with OPENAI_API_KEY), or the
 * project's own embeddings: a function from texts to vectors, or a LangChain `Embeddings`.
 */
export async function loadStoreIndex(spec: StoreIndexSpec, configFile: string): Promise<IndexConfig> {
  const problem = (message: string) => new ConfigError([{ file: configFile, key: 'store.index.embed', message }]);
  const embeddings = await embeddingsOf(spec, problem);
  return { dims: spec.dims, embeddings, ...(spec.fields ? { fields: spec.fields } : {}) };
}

async function embeddingsOf(spec: StoreIndexSpec, problem: (message: string) => Error): Promise<Embeddings> {
  const named = /^openai:(.+)$/.exec(spec.embed);
  if (named) {
    const { OpenAIEmbeddings } = await import('@langchain/openai');
    return new OpenAIEmbeddings({ model: named[1]!, dimensions: spec.dims });
  }
  if (!embedIsModule(spec.embed)) {
    throw problem(`"${spec.embed}": the embeddings providers here are openai:<model>, or a path to your own ("./src/embed.ts:embed")`);
  }
  const { path, exportName } = parseGraphSpec(spec.embed);
  const module = await importModule(path).catch((error: unknown) => {
    throw problem((error as Error).message);
  });
  const found = module[exportName];
  if (typeof found === 'function') return fromFunction(found as EmbedFunction, spec.dims);
  if (found && typeof (found as Embeddings).embedDocuments === 'function' && typeof (found as Embeddings).embedQuery === 'function') return found as Embeddings;
  throw problem(`${path} export "${exportName}" is neither a function (texts) => vectors nor an Embeddings object`);
}

/** A plain function as LangChain embeddings; a vector of the wrong size is refused, naming the sizes. */
function fromFunction(embed: EmbedFunction, dims: number): Embeddings {
  const checked = async (texts: string[]) => {
    const vectors = await embed(texts);
    if (!Array.isArray(vectors) || vectors.length !== texts.length)
      throw new Error(`the embed function returned ${Array.isArray(vectors) ? vectors.length : 'no'} vectors for ${texts.length} texts`);
    for (const vector of vectors) if (vector.length !== dims) throw new Error(`the embed function returned a vector of ${vector.length} numbers; store.index.dims is ${dims}`);
    return vectors;
  };
  return {
    embedDocuments: checked,
    embedQuery: async (text: string) => (await checked([text]))[0]!,
  } as unknown as Embeddings;
}
