import type { Hono } from 'hono';
import { getPath } from 'hono/utils/url';
import { ConfigError, parseGraphSpec } from '../config/load.ts';
import { setLoopbackFetch } from '../platform/loopback.ts';
import { importModule } from '../util/import-module.ts';

/**
 * Imports the user's own Hono app named by langgraph.json's `http.app`
 * (`./src/app.ts:app`, the default export when no name is given). What cannot be imported,
 * or is not a Hono app, is a config problem: named, and nothing starts.
 */
export async function loadUserApp(spec: string, configFile: string, key = 'http.app'): Promise<Hono> {
  const { path, exportName } = parseGraphSpec(spec);
  const problem = (message: string) => new ConfigError([{ file: configFile, key, message }]);
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

/** One of the project's apps served under a path prefix (langgraph.json `http.apps`). */
export interface MountedApp {
  prefix: string;
  app: Hono;
}

/** Imports each of `http.apps` (prefixes already normalized by the config), in the order given. */
export async function loadUserApps(apps: Record<string, string>, configFile: string): Promise<MountedApp[]> {
  const mounted: MountedApp[] = [];
  for (const [prefix, spec] of Object.entries(apps)) mounted.push({ prefix, app: await loadUserApp(spec, configFile, `http.apps.${prefix}`) });
  return mounted;
}

/**
 * Routing for mounted apps: a request for a prefix with a trailing slash (`/dashboard/`)
 * reaches the app's root route, like `/dashboard` (Hono's strict routing would answer 404
 * for one of the two; clients and the Platform's own tests use both). Other paths are untouched.
 */
export function mountedAppRouting(apps: MountedApp[]): { getPath?: (request: Request) => string } {
  if (apps.length === 0) return {};
  const roots = new Set(apps.map(({ prefix }) => `${prefix}/`));
  return {
    getPath: (request) => {
      const path = getPath(request);
      return roots.has(path) ? path.slice(0, -1) : path;
    },
  };
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
