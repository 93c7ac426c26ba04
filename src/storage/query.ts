import type { SortOrder } from './types.ts';

/**
 * JSON containment as PostgreSQL's `@>` defines it, so a metadata or values filter means
 * the same on every backend: objects match when every key of the filter matches, arrays
 * when every element of the filter is contained in some element, scalars when equal.
 */
export function jsonContains(haystack: unknown, needle: unknown): boolean {
  if (needle === null || typeof needle !== 'object') return haystack === needle;
  if (Array.isArray(needle)) {
    if (!Array.isArray(haystack)) return false;
    return needle.every((wanted) => haystack.some((item) => jsonContains(item, wanted)));
  }
  if (haystack === null || typeof haystack !== 'object' || Array.isArray(haystack)) return false;
  const record = haystack as Record<string, unknown>;
  return Object.entries(needle).every(([key, wanted]) => Object.hasOwn(record, key) && jsonContains(record[key], wanted));
}

/** Sorts by one field (ties keep their order) and cuts one page. */
export function sortAndPage<T>(items: T[], options: { sortBy: keyof T; order: SortOrder; offset: number; limit: number }): T[] {
  const direction = options.order === 'asc' ? 1 : -1;
  const sorted = [...items].sort((a, b) => {
    const left = a[options.sortBy];
    const right = b[options.sortBy];
    if (left === right) return 0;
    return (String(left) < String(right) ? -1 : 1) * direction;
  });
  return sorted.slice(options.offset, options.offset + options.limit);
}
