import type { Context } from 'hono';
import type { z } from 'zod';
import { problemsOf } from '../engine/requests/parse.ts';
import { HttpError, invalidBody } from './errors.ts';
import { formatKeyPath } from '../config/key-path.ts';
import { jsonProblem, MAX_JSON_DEPTH } from './json-limits.ts';

/**
 * Reads and validates a JSON body. Unknown fields are refused (never silently ignored),
 * each problem is reported with its field and reason, and malformed JSON gets a 422 too.
 */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  return parseWith(schema, (await readJson(c)) ?? {});
}

/** The body as JSON (undefined when empty), refused with a 422 when malformed, nested deeper than MAX_JSON_DEPTH or holding a `__proto__` key. */
export async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw invalidBody([{ field: '', message: `the body is not valid JSON (${(error as Error).message})` }]);
  }
  return checkedJson(raw, 'the body');
}

function checkedJson<T>(value: T, what: string, field = ''): T {
  const problem = jsonProblem(value, MAX_JSON_DEPTH);
  if (problem?.kind === 'depth') throw invalidBody([{ field, message: `${what} nests deeper than ${MAX_JSON_DEPTH} levels, the most this server takes` }]);
  const at = problem ? [field, formatKeyPath(problem.path)].filter(Boolean).join('.') : '';
  if (problem?.kind === 'proto-key') throw invalidBody([{ field: at, message: 'a key named __proto__ is not accepted (it cannot be kept as an ordinary key)' }]);
  if (problem?.kind === 'number') throw invalidBody([{ field: at, message: 'a number beyond what a double holds (±1.8e308), which would be kept as null' }]);
  if (problem?.kind === 'text') throw invalidBody([{ field: at, message: 'text cannot hold NUL (\\u0000) or an unpaired surrogate (\\ud800-\\udfff)' }]);
  return value;
}

export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw invalidBody(problemsOf(parsed.error.issues, prefix));
}

/** Query-string values as the SDK encodes them: booleans as true/false/1/0, lists and objects as JSON. */
export const query = {
  bool(c: Context, name: string): boolean | undefined {
    const value = c.req.query(name);
    if (value === undefined || value === '') return undefined;
    if (['true', '1', 'yes'].includes(value.toLowerCase())) return true;
    if (['false', '0', 'no'].includes(value.toLowerCase())) return false;
    throw invalidBody([{ field: name, message: `expected true or false, got "${value}"` }]);
  },
  int(c: Context, name: string, options: { min?: number; max?: number } = {}): number | undefined {
    const value = c.req.query(name);
    if (value === undefined || value === '') return undefined;
    const number = Number(value);
    // Safe integers only: past 2^53 a number is not the one written, and PostgreSQL's bigint refuses it.
    if (!Number.isSafeInteger(number) || (options.min !== undefined && number < options.min) || (options.max !== undefined && number > options.max)) {
      throw invalidBody([{ field: name, message: `expected an integer${options.min !== undefined ? ` >= ${options.min}` : ''}, got "${value}"` }]);
    }
    return number;
  },
  json(c: Context, name: string): unknown {
    const value = c.req.query(name);
    if (value === undefined || value === '') return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return value;
    }
    return checkedJson(parsed, `query parameter ${name}`, name);
  },
};

/** Keeps only the requested fields of each result (`select`). */
export function selectFields<T extends object>(items: T[], select: readonly string[] | undefined | null): Array<Partial<T>> {
  if (!select || select.length === 0) return items;
  return items.map((item) => Object.fromEntries(select.filter((key) => key in item).map((key) => [key, (item as Record<string, unknown>)[key]])) as Partial<T>);
}

export function assertUuid(value: string, field: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)) {
    throw new HttpError(422, `invalid request: ${field}: must be a UUID`, { errors: [{ field, message: 'must be a UUID' }] });
  }
  return value;
}
