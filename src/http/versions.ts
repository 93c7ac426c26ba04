import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The installed version of a package, read from its package.json (for GET /info). */
export function installedVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

/** The LangGraph library this server runs graphs with, as GET /info reports it. */
export const LANGGRAPH_JS_VERSION = installedVersion('@langchain/langgraph');
