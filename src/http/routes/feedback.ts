import { Hono } from 'hono';
import type { Engine } from '../../engine/engine.ts';

/**
 * The votes people gave a run's answer in chat (👍/👎), as `[{key, score, user, at}]`,
 * oldest first; `user` is the chat identity (`slack:<team>:<user>`). 404 for a run that is
 * not in that thread. With custom auth, the thread's guard decides who may read it.
 */
export function feedbackRoutes(engine: Engine): Hono {
  const app = new Hono();
  app.get('/threads/:thread_id/runs/:run_id/feedback', async (c) => c.json(await engine.feedback.list(c.req.param('thread_id'), c.req.param('run_id'))));
  return app;
}
