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

/** Stable codes for the refusals the HTTP layer makes itself (the engine's come from its errors). */
const HTTP_CODES: Partial<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  422: 'invalid_input',
  429: 'rate_limited',
  503: 'unavailable',
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
    this.body = { detail, code: HTTP_CODES[status] ?? 'refused', ...extra };
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
 * Every error gets the right status and a stable `code`. A failure the engine did not
 * expect is logged with its stack and answered with a plain 500: no stack trace ever leaves
 * the process, and the server goes on serving.
 */
export function respondToError(error: unknown, c: Context, log: Logger): Response {
  if (error instanceof HttpError) {
    error.headers?.forEach((value, name) => {
      c.header(name, value);
    });
    return errorAnswer(c, error.status, error.body as ErrorBody);
  }
  // Hono's HTTPException, thrown by a project's own routes (http.app): the answer it carries, as Hono gives it.
  if (error instanceof HTTPException || isHttpException(error)) return (error as HTTPException).getResponse();
  // LangGraph's stores refuse some namespaces themselves, before ours see them.
  if (error instanceof InvalidNamespaceError || (error as Error | undefined)?.name === 'InvalidNamespaceError')
    return errorAnswer(c, 422, { detail: (error as Error).message, code: 'invalid_input' });
  if (isSwitchboardError(error)) {
    const status = STATUS[error.code];
    if (status >= 500) log.error({ err: error, path: c.req.path }, 'request failed');
    const field = typeof error.details?.field === 'string' ? { errors: [{ field: error.details.field, message: error.message }] } : {};
    return errorAnswer(c, status, { detail: error.message, code: error.code, ...field, ...(error.code === 'conflict' ? { details: error.details } : {}) });
  }
  log.error({ err: error, method: c.req.method, path: c.req.path }, 'unexpected error while serving a request');
  return errorAnswer(c, 500, { detail: 'internal server error', code: 'internal' });
}

export interface ErrorBody {
  detail: string;
  code?: string;
  [extra: string]: unknown;
}

/**
 * The body of an error, negotiated. The official SDK (1.x and 2.x alike) throws
 * `HTTP <status>: <the body's text>` and clients match on that (`HTTP 404: Assistant not
 * found`), so by default the body is the detail as plain text, as the JS LangGraph server
 * answers (a Hono HTTPException); the stable code rides in the `x-error-code` header. A
 * client that asks for JSON (`Accept: application/json`) gets `{ detail, code, errors? }`.
 */
export function errorAnswer(c: Context, status: ContentfulStatusCode, body: ErrorBody, headers: Record<string, string> = {}): Response {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  if (body.code) c.header('x-error-code', body.code);
  if (wantsJson(c.req.header('accept'))) return c.json(body, status);
  return c.text(body.detail, status);
}

/** Does the Accept header name JSON (with a non-zero quality)? A bare wildcard keeps the text default. */
export function wantsJson(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...params] = range.trim().toLowerCase().split(';');
    const q = params.map((param) => param.trim()).find((param) => param.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    return type === 'application/json' || (type?.startsWith('application/') === true && type.endsWith('+json'));
  });
}

/** An HTTPException from another copy of Hono (a project's own node_modules): the same shape. */
function isHttpException(error: unknown): boolean {
  return error instanceof Error && typeof (error as { getResponse?: unknown }).getResponse === 'function' && typeof (error as { status?: unknown }).status === 'number';
}
