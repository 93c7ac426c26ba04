import type { Context } from 'hono';

/** The Platform's pagination headers for a page of a search: the total, and where the next page starts (when there is one). */
export function setPaginationHeaders(c: Context, page: { offset: number; count: number; total: number }): void {
  c.header('x-pagination-total', String(page.total));
  if (page.offset + page.count < page.total) c.header('x-pagination-next', String(page.offset + page.count));
}
