import { Hono } from 'hono';
import type { Engine } from '../engine/engine.ts';

export interface HttpAppOptions {
  engine: Engine;
  version: string;
}

/**
 * The HTTP surface. `GET /ok` answers as soon as the process serves; the LangGraph
 * Platform API routes are mounted here as they are built.
 */
export function createHttpApp(options: HttpAppOptions): Hono {
  const app = new Hono();
  app.get('/ok', (c) => c.json({ ok: true }));
  app.get('/info', (c) =>
    c.json({
      version: options.version,
      storage: options.engine.storage.kind,
      graphs: options.engine.graphs.ids(),
      flags: { assistants: true, crons: false },
    }),
  );
  return app;
}
