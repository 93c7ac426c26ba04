import { ConfigError, parseGraphSpec } from '../../config/load.ts';
import { importModule } from '../../util/import-module.ts';
import { HttpError } from '../errors.ts';

/** Who made a request, as the project's `authenticate` handler said: the Platform's user shape. */
export interface AuthUser {
  identity: string;
  display_name: string;
  is_authenticated: boolean;
  permissions: string[];
  [key: string]: unknown;
}

export interface AuthContext {
  user: AuthUser;
  /** The user's permissions, which handlers receive as `permissions`. */
  scopes: string[];
}

/** What an `on()` handler may return: per metadata key, a value it must equal, or hold. */
export type AuthFilters = Record<string, unknown>;

type Handler = (request: Record<string, unknown>) => unknown;

/** The part of `@langchain/langgraph-sdk/auth`'s Auth that a server reads: its handler cache. */
interface AuthInstance {
  '~handlerCache': { authenticate?: (request: Request) => unknown; callbacks?: Record<string, Handler> };
}

/**
 * A project's custom auth (langgraph.json `auth.path`, an `Auth` instance from
 * `@langchain/langgraph-sdk/auth`): `authenticate` says who a request is from, and the
 * `on()` handlers allow or refuse each action on a resource, returning the metadata filters
 * that the resources the user may see match. Errors they throw with the SDK's
 * `HTTPException` become that answer (401, 403…); returning `false` is a 403.
 */
export class CustomAuth {
  readonly #auth: AuthInstance;

  constructor(auth: AuthInstance) {
    this.#auth = auth;
  }

  get authenticates(): boolean {
    return typeof this.#auth['~handlerCache'].authenticate === 'function';
  }

  /** The request's user, or the answer its `authenticate` handler threw. */
  async authenticate(request: Request): Promise<AuthContext> {
    const handler = this.#auth['~handlerCache'].authenticate;
    if (!handler) throw new Error('custom auth has no authenticate handler');
    // Called inside an async function so that a handler throwing at once is caught like one that rejects.
    const result = await (async () => handler(request))().catch(asHttpError);
    return normalizeUser(result);
  }

  /**
   * Runs the most specific handler for `resource:action` (`threads:create`, then `threads`,
   * then `*:create`, then `*`). The handler may change `value` in place (stamping an owner into
   * its metadata): the caller uses the value after this. Undefined filters: everything allowed.
   */
  async authorize(context: AuthContext | undefined, resource: string, action: string, value: Record<string, unknown>): Promise<AuthFilters | undefined> {
    const callbacks = this.#auth['~handlerCache'].callbacks ?? {};
    const key = [`${resource}:${action}`, resource, `*:${action}`, '*'].find((candidate) => Object.hasOwn(callbacks, candidate));
    // A request nobody authenticated (the process calling itself, a chat platform) is not filtered.
    if (!key || !context) return undefined;
    const handler = callbacks[key]!;
    // Called inside an async function so that a handler throwing at once is caught like one that rejects.
    const result = await (async () => handler({ event: `${resource}:${action}`, resource, action, value, user: context.user, permissions: context.scopes }))().catch(asHttpError);
    if (result === undefined || result === null || result === true) return undefined;
    if (result === false) throw new HttpError(403, `not allowed: ${resource}:${action}`);
    if (typeof result !== 'object' || Array.isArray(result)) {
      throw new Error(`the auth handler for ${key} returned ${typeof result}; return filters (an object), true, false or nothing`);
    }
    return Object.keys(result).length > 0 ? (result as AuthFilters) : undefined;
  }
}

/** Imports the project's Auth instance (`./src/auth.ts:auth`); what is not one stops the start, named. */
export async function loadCustomAuth(spec: string, configFile: string): Promise<CustomAuth> {
  const { path, exportName } = parseGraphSpec(spec);
  const problem = (message: string) => new ConfigError([{ file: configFile, key: 'auth.path', message }]);
  const module = await importModule(path).catch((error: unknown) => {
    throw problem((error as Error).message);
  });
  const auth = module[exportName];
  const isAuth = (value: unknown): value is AuthInstance => value !== null && typeof value === 'object' && typeof (value as AuthInstance)['~handlerCache'] === 'object';
  if (!isAuth(auth)) throw problem(`${path} export "${exportName}" is not an Auth instance (new Auth() from @langchain/langgraph-sdk/auth)`);
  if (typeof auth['~handlerCache'].authenticate !== 'function') throw problem(`${path} export "${exportName}" has no authenticate() handler`);
  return new CustomAuth(auth);
}

/** A string is an identity; an object needs `identity`; permissions become the scopes. */
function normalizeUser(result: unknown): AuthContext {
  if (typeof result === 'string' && result.length > 0) {
    return { scopes: [], user: { identity: result, display_name: result, is_authenticated: true, permissions: [] } };
  }
  if (result !== null && typeof result === 'object' && typeof (result as { identity?: unknown }).identity === 'string') {
    const given = result as Record<string, unknown> & { identity: string };
    const scopes = Array.isArray(given.permissions) ? given.permissions.map(String) : [];
    const user: AuthUser = {
      ...given,
      identity: given.identity,
      permissions: scopes,
      is_authenticated: typeof given.is_authenticated === 'boolean' ? given.is_authenticated : true,
      display_name: typeof given.display_name === 'string' ? given.display_name : given.identity,
    };
    return { scopes, user };
  }
  throw new Error('the authenticate handler must return a string (the identity) or an object with an `identity` string');
}

/** The SDK's HTTPException (`{status, message, headers}`) becomes our answer with that status and headers. */
function asHttpError(error: unknown): never {
  if (error !== null && typeof error === 'object' && 'status' in error && typeof (error as { status: unknown }).status === 'number' && 'headers' in error) {
    const exception = error as { status: number; message?: string; headers?: HeadersInit };
    const status = exception.status >= 400 && exception.status <= 599 ? exception.status : 500;
    const detail = exception.message || (status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'auth refused the request');
    throw new HttpError(status as 401, detail, {}, new Headers(exception.headers ?? {}));
  }
  throw error;
}
