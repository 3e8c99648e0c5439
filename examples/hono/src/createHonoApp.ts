import type { RoadmapEngine } from '@roadmap/core';
import { createRoadmapHandler, type RoadmapHandlerOptions } from '@roadmap/http';
import { Hono } from 'hono';

/**
 * A Hono app serving Roadmap Kit's whole API — REST and event streams — under `/api/v1`: the fetch handler of
 * `@roadmap/http` on one wildcard route, given the request as it came (`context.req.raw`).
 *
 * @example
 * serve({ fetch: createHonoApp(engine, { authenticate }).fetch, port: 3000 });
 */
export function createHonoApp(engine: RoadmapEngine, options: RoadmapHandlerOptions): Hono {
  const handler = createRoadmapHandler(engine, options);
  const app = new Hono();
  app.get('/healthz', (context) => context.json({ status: 'ok' }));
  app.all('/api/v1/*', (context) => handler(context.req.raw));
  return app;
}
