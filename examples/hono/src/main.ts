import { serve } from '@hono/node-server';
import {
  createDemoModel,
  createMemoryBlobStore,
  createMemoryQueue,
  createMemoryStorage,
  createOfflineImageProvider,
  RoadmapEngine,
} from '@roadmap/core';
import { createJwtAuthenticator } from '@roadmap/http';
import { createHonoApp } from './createHonoApp.js';

// `pnpm --filter @roadmap/example-hono start`: the API on Hono under Node, in memory, with the offline demo model.
const secret = process.env.ROADMAP_JWT_SECRET;
if (!secret) {
  console.error('ROADMAP_JWT_SECRET is required: the HS256 secret bearer tokens are signed with.');
  process.exit(2);
}
const engine = new RoadmapEngine({
  storage: createMemoryStorage(),
  queue: createMemoryQueue(),
  model: createDemoModel({ latencyMs: 250 }),
  imageProvider: createOfflineImageProvider(),
  blobStore: createMemoryBlobStore(),
});
await engine.start();
const app = createHonoApp(engine, { authenticate: createJwtAuthenticator({ secret }) });
const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, (info) =>
  console.log(`Roadmap Kit on Hono listening on http://127.0.0.1:${info.port}`),
);
process.once('SIGTERM', () => server.close(() => void engine.stop()));
