import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createDemoModel,
  createMemoryBlobStore,
  createMemoryQueue,
  createMemoryStorage,
  createOfflineImageProvider,
  type LanguageModel,
  RoadmapEngine,
  type RoadmapEngineOptions,
  type RoadmapEvent,
  type Storage,
} from '@roadmap/core';
import { terminalEvent } from '@roadmap/core/testing';
import { createJwtAuthenticator, createRoadmapHandler, type RoadmapRouteOptions, signJwt } from '@roadmap/http';
import express from 'express';
import supertest from 'supertest';
import { createFetchServer } from './fetchServerSupport.js';
import { createHealthRouter } from './healthRouter.js';
import { createRoadmapRouter } from './roadmapRouter.js';

/**
 * Which host serves the route table: `express` (`createRoadmapRouter` in an Express app) or `fetch`
 * (`createRoadmapHandler` under Node's HTTP server through a small Request/Response bridge).
 */
export type Host = 'express' | 'fetch';
/** Both hosts, for `describe.each(hosts)`. */
export const hosts: readonly Host[] = ['express', 'fetch'];

export const testSecret = 'roadmap-express-test-secret-0123456789';
export const owner = 'user-owner';
export const otherUser = 'user-other';

/** `Authorization` header value for `userId`. */
export function bearer(userId: string, expiresInSeconds = 600): string {
  return `Bearer ${signJwt({ sub: userId, expiresInSeconds }, testSecret)}`;
}

export const learnRust = { preferences: { learning_goal: 'Learn Rust for systems programming' } };

/** A small valid PNG (1 × 1, RGBA), written out so the tests need no encoder. */
export function pngBytes(): Buffer {
  return Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  );
}

export interface TestApp {
  engine: RoadmapEngine;
  storage: Storage;
  server: Server;
  /** supertest bound to the listening server. */
  http: ReturnType<typeof supertest.agent>;
  /** The host serving the API. */
  host: Host;
  /** The Express router as mounted (for walking its routes); `null` on the fetch host. */
  router: ReturnType<typeof createRoadmapRouter> | null;
  /** Errors the router answered with 500. */
  serverErrors: unknown[];
  /** POSTs a roadmap request as `userId` and waits until its task ends; answers task and roadmap ids. */
  generateAndFinish(userId: string): Promise<{ taskId: string; roadmapId: string; terminal: RoadmapEvent }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /** Which host serves the API. Default: `'express'`. */
  host?: Host;
  /** Whether the engine runs a worker (false: tasks stay `pending`). Default: true. */
  worker?: boolean;
  model?: LanguageModel;
  /** Options of either host (authentication, rate limits, clock…). */
  router?: Partial<RoadmapRouteOptions>;
  storage?: Storage;
  /** More engine options (budgets, prices, …). */
  engine?: Partial<RoadmapEngineOptions>;
}

/** A real engine on memory adapters behind the router, served by a real HTTP server on a free port. */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const storage = options.storage ?? createMemoryStorage();
  const queue = createMemoryQueue();
  const engine = new RoadmapEngine({
    storage,
    queue,
    model: options.model ?? createDemoModel({ latencyMs: 0 }),
    imageProvider: createOfflineImageProvider(),
    blobStore: createMemoryBlobStore(),
    worker: options.worker ?? true,
    onError: () => {},
    ...options.engine,
  });
  await engine.start();
  const serverErrors: unknown[] = [];
  const host = options.host ?? 'express';
  const routeOptions = {
    authenticate: createJwtAuthenticator({ secret: testSecret }),
    onError: (error: unknown) => serverErrors.push(error),
    ...options.router,
  };
  let router: ReturnType<typeof createRoadmapRouter> | null = null;
  let server: Server;
  if (host === 'express') {
    router = createRoadmapRouter(engine, routeOptions);
    const app = express();
    app.use(createHealthRouter(engine));
    app.use('/api/v1', router);
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, () => resolve(listening));
    });
  } else {
    server = createFetchServer(createRoadmapHandler(engine, routeOptions));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  }
  const { port } = server.address() as AddressInfo;
  const http = supertest.agent(`http://127.0.0.1:${port}`);
  return {
    engine,
    storage,
    server,
    http,
    host,
    router,
    serverErrors,
    async generateAndFinish(userId) {
      const response = await http
        .post('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(userId))
        .send(learnRust)
        .expect(202);
      const taskId: string = response.body.task_id;
      const terminal = await terminalEvent(engine, taskId);
      return { taskId, roadmapId: response.body.roadmap_id, terminal };
    },
    async close() {
      await engine.stop();
      await queue.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls the cover until it has one of `statuses` (covers are generated in the background). */
export async function waitForCover(
  engine: RoadmapEngine,
  roadmapId: string,
  statuses: readonly string[] = ['success', 'failed'],
): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const cover = await engine.covers.get(roadmapId);
    if (statuses.includes(cover.status)) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`The cover of ${roadmapId} never reached ${statuses.join(' or ')}`);
}
