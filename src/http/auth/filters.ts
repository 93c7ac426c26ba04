import { jsonContains } from '../../storage/query.ts';
import type { AuthFilters } from './custom-auth.ts';

type Json = Record<string, unknown>;

/**
 * An auth handler's filters as a metadata containment (PostgreSQL's `@>`, which both
 * backends' searches already apply): `{owner: 'ann'}` and `{owner: {$eq: 'ann'}}` mean the
 * key equals the value; `{tags: {$contains: 'x'}}` (or a list) means the key is a list holding it.
 */
export function filtersAsContainment(filters: AuthFilters): Json {
  const out: Json = {};
  for (const [key, wanted] of Object.entries(filters)) {
    if (wanted !== null && typeof wanted === 'object' && !Array.isArray(wanted)) {
      const operators = wanted as { $eq?: unknown; $contains?: unknown };
      if (operators.$eq !== undefined) out[key] = operators.$eq;
      else if (operators.$contains !== undefined) out[key] = Array.isArray(operators.$contains) ? operators.$contains : [operators.$contains];
      else out[key] = wanted;
    } else out[key] = wanted;
  }
  return out;
}

/** Whether a resource's metadata passes the filters (no filters: it does). */
export function passes(metadata: unknown, filters: AuthFilters | undefined): boolean {
  return filters === undefined || jsonContains(metadata ?? {}, filtersAsContainment(filters));
}

/**
 * One containment that holds exactly when both do, so a search keeps its own metadata filter
 * and the user's filters in one query (and its pagination stays right); null when no
 * metadata can pass both (the same key asked to equal two different values).
 */
export function bothContained(first: Json | undefined, second: Json): Json | null {
  if (!first) return second;
  const out: Json = { ...first };
  for (const [key, wanted] of Object.entries(second)) {
    if (!Object.hasOwn(out, key)) {
      out[key] = wanted;
      continue;
    }
    const merged = mergeValue(out[key], wanted);
    if (merged === IMPOSSIBLE) return null;
    out[key] = merged;
  }
  return out;
}

const IMPOSSIBLE = Symbol('impossible');

function mergeValue(left: unknown, right: unknown): unknown {
  // A list contains every element of both lists exactly when it contains their concatenation.
  if (Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
  const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (isObject(left) && isObject(right)) return bothContained(left, right) ?? IMPOSSIBLE;
  // Scalars contain only themselves; a scalar and a list or object never both hold.
  if (!isObject(left) && !Array.isArray(left) && !isObject(right) && !Array.isArray(right)) return jsonContains(left, right) ? left : IMPOSSIBLE;
  return IMPOSSIBLE;
}
