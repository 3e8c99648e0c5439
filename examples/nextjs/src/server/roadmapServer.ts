/**
 * The Roadmap Kit side of the Next.js server: one engine (SQLite storage, in-process queue and worker, offline demo
 * model, file-backed covers) and the fetch handler of `@roadmap/http` in front of it.
 *
 * Started once per server process. Next evaluates a module once per bundle that imports it (the instrumentation
 * hook, each route handler) and again after every edit under `next dev`, so module state alone would open several
 * databases and start several workers. The running server is therefore kept on `globalThis` under a registered
 * symbol: every bundle and every re-evaluation gets the same one. `instrumentation.ts` starts it when the server
 * boots, so tasks left running by a previous process are resumed before the first request.
 */
import { mkdirSync } from 'node:fs';
import {
  createDemoModel,
  createMemoryQueue,
  createOfflineImageProvider,
  createWebhookImageProvider,
  RoadmapEngine,
} from '@roadmap/core';
import { createFileBlobStore } from '@roadmap/core/node';
import { createJwtAuthenticator, createRoadmapHandler, type RoadmapHandler } from '@roadmap/http';
import { createSqliteStorage } from '@roadmap/sqlite';
import { type NextExampleConfig, readConfig } from './config.js';

/** The engine and the handler serving `/api/v1`, as started for this process. */
export interface RoadmapServer {
  config: NextExampleConfig;
  engine: RoadmapEngine;
  /** The REST API and its event streams (SPEC §3, §7, §8) under `/api/v1`. */
  handler: RoadmapHandler;
}

const serverKey = Symbol.for('roadmap-kit.example-nextjs.server');
type ServerHolder = { [serverKey]?: Promise<RoadmapServer> };

/**
 * The process's Roadmap Kit server, started on first use from `process.env` (see `readConfig`). A start that fails
 * is forgotten, so the next call tries again and reports the same problem.
 */
export function getRoadmapServer(): Promise<RoadmapServer> {
  const holder = globalThis as ServerHolder;
  let server = holder[serverKey];
  if (server === undefined) {
    server = startRoadmapServer(readConfig(process.env));
    holder[serverKey] = server;
    server.catch(() => {
      if (holder[serverKey] === server) delete holder[serverKey];
    });
  }
  return server;
}

/** Opens the storage, starts the engine with its worker and builds the handler. */
export async function startRoadmapServer(config: NextExampleConfig): Promise<RoadmapServer> {
  for (const warning of config.warnings) console.warn(`[roadmap] ${warning}`);
  mkdirSync(config.dataDir, { recursive: true });
  const storage = createSqliteStorage({ filename: config.sqliteFile });
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue(),
    model: createDemoModel({ latencyMs: config.demoLatencyMs }),
    imageProvider:
      config.imageProvider.kind === 'webhook'
        ? createWebhookImageProvider({ url: config.imageProvider.url })
        : createOfflineImageProvider(),
    blobStore: createFileBlobStore({ directory: config.coverImageDir }),
    concurrency: config.concurrency,
    onError: (error) => console.error('[roadmap] engine error', error),
  });
  await engine.start();
  const handler = createRoadmapHandler(engine, {
    authenticate: createJwtAuthenticator({ secret: config.jwtSecret }),
    onError: (error) => console.error('[roadmap] request failed', error),
  });
  console.log(
    `[roadmap] engine started: sqlite (${config.sqliteFile}), offline demo model (${config.demoLatencyMs} ms a call)`,
  );
  return { config, engine, handler };
}
