import type { Sql } from './db.ts';
import type { SortOrder } from '../types.ts';

/** ORDER BY for a whitelisted column (never a caller's string in the SQL). */
export function orderBy(column: string, allowed: Record<string, string>, order: SortOrder | undefined, tieBreak: string): string {
  const sql = allowed[column];
  if (!sql) throw new Error(`cannot sort by ${column}`);
  const direction = order === 'asc' ? 'ASC' : 'DESC';
  return `ORDER BY ${sql} ${direction}, ${tieBreak} ${direction}`;
}

/** PostgreSQL's unique_violation. */
export const isUniqueViolation = (error: unknown) => (error as { code?: string })?.code === '23505';

/**
 * One page of a search and the number of all matches, in one query (a window count) —
 * or two when the page is empty (a count-only request, or past the end).
 */
export async function searchPage<R extends Record<string, unknown>>(
  db: Sql,
  select: { columns: string; from: string; where: string[]; values: unknown[]; order: string; limit: number; offset: number },
): Promise<{ rows: R[]; total: number }> {
  const filter = select.where.length > 0 ? `WHERE ${select.where.join(' AND ')}` : '';
  const values = [...select.values];
  const page = await db.query(
    `SELECT ${select.columns}, count(*) OVER () AS total__ FROM ${select.from} ${filter} ${select.order} LIMIT $${values.push(select.limit)} OFFSET $${values.push(select.offset)}`,
    values,
  );
  if (page.rows.length > 0) return { rows: page.rows as R[], total: Number(page.rows[0]!.total__) };
  const count = await db.query(`SELECT count(*)::int AS n FROM ${select.from} ${filter}`, select.values);
  return { rows: [], total: Number(count.rows[0]!.n) };
}
