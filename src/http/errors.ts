import { InvalidNamespaceError } from '@langchain/langgraph-checkpoint';
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { isSwitchboardError, type ErrorCode } from '../errors.ts';

/** HTTP statuses for the engine's error codes: chosen here, at the edge, and nowhere else. */
const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  not_found: 404,
  conflict: 409,
  invalid_input: 422,
  config_invalid: 500,
  storage_locked: 503,
  storage_corrupt: 500,
  graph_error: 500,
  unsupported: 422,
  unavailable: 503,
};

/** A request the HTTP layer refuses before it reaches the engine (bad body, bad auth, too large). */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly body: Record<string, unknown>;
  /** Headers the answer carries (a custom auth's `WWW-Authenticate`). */
  readonly headers: Headers | undefined;
  constructor(status: ContentfulStatusCode, detail: string, extra: Record<string, unknown> = {}, headers?: Headers) {
    super(detail);
    this.status = status;
    this.body = { detail, ...extra };
    this.headers = headers;
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

export function invalidBody(problems: FieldProblem[]): HttpError {
  const summary = problems.map((problem) => (problem.field ? `${problem.field}: ${problem.message}` : problem.message)).join('; ');
  return new HttpError(422, `invalid request: ${summary}`, { errors: problems });
}

/**
 * Every error becomes a JSON body `{ detail, code? }` with the right status. A failure the
 * engine did not expect is logged with its stack and answered with a plain 500: no stack
 * trace ever leaves the process, and the server goes on serving.
 */
export function respondToError(error: unknown, c: Context, log: Logger): Response {
  if (error instanceof HttpError) {
    error.headers?.forEach((value, name) => {
      c.header(name, value);
    });
    return c.json(error.body, error.status);
  }
  // Hono's HTTPException, thrown by a project's own routes (http.app): the answer it carries, as Hono gives it.
  if (error instanceof HTTPException || isHttpException(error)) return (error as HTTPException).getResponse();
  // LangGraph's stores refuse some namespaces themselves, before ours see them.
  if (error instanceof InvalidNamespaceError || (error as Error | undefined)?.name === 'InvalidNamespaceError')
    return c.json({ detail: (error as Error).message, code: 'invalid_input' }, 422);
  if (isSwitchboardError(error)) {
    const status = STATUS[error.code];
    if (status >= 500) log.error({ err: error, path: c.req.path }, 'request failed');
    const field = typeof error.details?.field === 'string' ? { errors: [{ field: error.details.field, message: error.message }] } : {};
    return c.json({ detail: error.message, code: error.code, ...field, ...(error.code === 'conflict' ? { details: error.details } : {}) }, status);
  }
  log.error({ err: error, method: c.req.method, path: c.req.path }, 'unexpected error while serving a request');
  return c.json({ detail: 'internal server error' }, 500);
}

/** An HTTPException from another copy of Hono (a project's own node_modules): the same shape. */
function isHttpException(error: unknown): boolean {
  return error instanceof Error && typeof (error as { getResponse?: unknown }).getResponse === 'function' && typeof (error as { status?: unknown }).status === 'number';
}
