import type { MiddlewareHandler } from 'hono';
import { errorAnswer } from './errors.ts';

/** POSTs that create runs: /runs, /runs/wait, /runs/stream, /runs/batch, and the same under a thread. */
const NEW_RUN = /^\/(threads\/[^/]+\/)?runs(\/(wait|stream|batch))?\/?$/;

/**
 * While the process stops gracefully, new runs are refused with a 503 and Retry-After (a
 * client or load balancer tries another process, or this one after its restart); reading,
 * joining and streaming the runs already in flight go on.
 */
export function refuseNewRunsWhileStopping(stopping: () => boolean): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === 'POST' && stopping() && NEW_RUN.test(c.req.path)) {
      return errorAnswer(c, 503, { detail: 'Switchboard is stopping and takes no new runs; try again in a moment', code: 'unavailable' }, { 'retry-after': '5' });
    }
    return next();
  };
}
