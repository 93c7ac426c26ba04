/**
 * Errors carry a stable `code` that callers branch on, and an optional `cause`.
 * The engine never picks HTTP statuses or chat wording: the edges (http/, chat/)
 * map codes to those.
 */
export type ErrorCode = 'not_found' | 'conflict' | 'invalid_input' | 'config_invalid' | 'storage_locked' | 'storage_corrupt' | 'graph_error' | 'unsupported' | 'unavailable';

export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  /** Extra structured facts for the edge (e.g. the run in flight on a conflict). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    this.details = options.details;
  }
}

/** "Assistant not found: <id>": the Platform's wording first (clients match on it), then which one. */
export const notFound = (what: string, id: string) =>
  new SwitchboardError('not_found', `${what.charAt(0).toUpperCase()}${what.slice(1)} not found: ${id}`, { details: { what, id } });

export const invalidInput = (message: string, details?: Record<string, unknown>) => new SwitchboardError('invalid_input', message, details ? { details } : {});

export const conflict = (message: string, details?: Record<string, unknown>) => new SwitchboardError('conflict', message, details ? { details } : {});

export function isSwitchboardError(error: unknown, code?: ErrorCode): error is SwitchboardError {
  return error instanceof SwitchboardError && (code === undefined || error.code === code);
}
