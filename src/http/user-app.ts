import type { Hono } from 'hono';
import { ConfigError, parseGraphSpec } from '../config/load.ts';
import { setLoopbackFetch } from '../platform/loopback.ts';
import { importModule } from '../util/import-module.ts';

/**
 * Imports the user's own Hono app named by langgraph.json's `http.app`
 * (`./src/app.ts:app`, the default export when no name is given). What cannot be imported,
 * or is not a Hono app, is a config problem: named, and nothing starts.
 */
export async function loadUserApp(spec: string, configFile: string): Promise<Hono> {
  const { path, exportName } = parseGraphSpec(spec);
  const problem = (message: string) => new ConfigError([{ file: configFile, key: 'http.app', message }]);
  const app = (
    await importModule(path).catch((error: unknown) => {
      throw problem((error as Error).message);
    })
  )[exportName];
  // Any Hono (the project's own copy of the package too): what app.route() reads of it.
  const looksLikeHono = (value: unknown): value is Hono =>
    value !== null && typeof value === 'object' && Array.isArray((value as Hono).routes) && typeof (value as Hono).fetch === 'function';
  if (!looksLikeHono(app)) throw problem(`${path} export "${exportName}" is not a Hono app (new Hono())`);
  return app;
}

/**
 * Binds the Platform's loopback fetch to this app: `globalThis[Symbol.for("langgraph_api:fetch")](url, init)`
 * answers as the API would. It is the process calling itself, so it is trusted: the API key
 * is not asked for (see `isLoopbackRequest`).
 */
export function bindLoopbackFetch(app: Hono): () => void {
  const fetchLoopback = async (url: string, init?: RequestInit) => {
    const request = new Request(new URL(url, 'http://127.0.0.1'), init);
    loopbackRequests.add(request);
    return app.fetch(request);
  };
  return setLoopbackFetch(fetchLoopback);
}

const loopbackRequests = new WeakSet<Request>();

/** Whether a request came through the loopback fetch (made in this process), not over the network. */
export const isLoopbackRequest = (request: Request) => loopbackRequests.has(request);
