import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createDemoModel,
  createMemoryBlobStore,
  createMemoryQueue,
  createMemoryStorage,
  createOfflineImageProvider,
  RoadmapEngine,
  type Storage,
} from '@roadmap/core';
import { terminalEvent } from '@roadmap/core/testing';
import {
  attachRoadmapWebSocket,
  createJwtAuthenticator,
  createRoadmapRouter,
  type RoadmapWebSocket,
  signJwt,
} from '@roadmap/express';
import { createPostgresStorage } from '@roadmap/postgres';
import { createSqliteStorage } from '@roadmap/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  databaseUrl,
  describeWithDatabase,
  freshSchemaName,
} from '../../../packages/postgres/src/postgresTestSupport.js';
import { createExpressApp } from './expressApp.js';

/**
 * Path parameters that no id can be — a NUL, 10 KB, bytes that are not UTF-8 — on every route with a parameter and
 * on the WebSocket, against the three storages: always a 400 `{ detail, code, errors? }` before storage is asked,
 * never a 500 (Postgres refuses NUL in text, for one).
 */

const secret = 'path-parameter-test-secret-0123456789';
const owner = 'path-owner';
const bearer = `Bearer ${signJwt({ sub: owner, expiresInSeconds: 3600 }, secret)}`;

const badValues: ReadonlyArray<{ name: string; value: string }> = [
  { name: '%00', value: '%00' },
  { name: 'a NUL inside a plausible id', value: 'learn-rust-%001a2b3c4d' },
  { name: 'a 10 KB id', value: 'a'.repeat(10 * 1024) },
  { name: 'a non-UTF-8 escape', value: '%FF%FE' },
  { name: 'an overlong UTF-8 escape', value: '%C0%AE' },
  { name: 'a dot segment', value: '..%2F..%2Fetc%2Fpasswd' },
];

interface Ids {
  taskId: string;
  roadmapId: string;
  conceptId: string;
  contentType: string;
  file: string;
  version: string;
}

interface RouteRow {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The route as the router declares it (under `/api/v1`). */
  path: string;
}

/** Every route of the router with a path parameter. */
const routes: RouteRow[] = [
  { method: 'GET', path: '/cover-images/:file' },
  { method: 'GET', path: '/roadmaps/tasks/:taskId' },
  { method: 'DELETE', path: '/roadmaps/tasks/:taskId' },
  { method: 'POST', path: '/roadmaps/tasks/:taskId/cancel' },
  { method: 'POST', path: '/roadmaps/tasks/:taskId/pause' },
  { method: 'POST', path: '/roadmaps/tasks/:taskId/resume' },
  { method: 'GET', path: '/roadmaps/tasks/:taskId/review' },
  { method: 'POST', path: '/roadmaps/tasks/:taskId/review' },
  { method: 'POST', path: '/roadmaps/tasks/:taskId/retry' },
  { method: 'GET', path: '/roadmaps/tasks/:taskId/events' },
  { method: 'GET', path: '/roadmaps/:taskId/status' },
  { method: 'GET', path: '/roadmaps/:roadmapId' },
  { method: 'GET', path: '/roadmaps/:roadmapId/export' },
  { method: 'GET', path: '/roadmaps/:roadmapId/concepts/:conceptId' },
  { method: 'POST', path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/retry' },
  { method: 'POST', path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/regenerate' },
  { method: 'GET', path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions' },
  { method: 'POST', path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions/:version/restore' },
  { method: 'GET', path: '/roadmap/:roadmapId/cover-image' },
  { method: 'POST', path: '/roadmap/:roadmapId/cover-image/generate' },
  { method: 'PUT', path: '/roadmap/:roadmapId/cover-image' },
];

/** The route's path with real ids, except `bad` in place of parameter `name`. */
function concrete(template: string, ids: Ids, name: string, bad: string): string {
  return template.replace(/:(\w+)/g, (_match, parameter: keyof Ids) => (parameter === name ? bad : ids[parameter]));
}

function parametersOf(template: string): string[] {
  return [...template.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
}

/** Asks for a WebSocket upgrade and answers the status of the refusal (101 when it was accepted). */
function upgradeStatus(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, {
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': Buffer.from('0123456789abcdef').toString('base64'),
      },
    });
    outgoing.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve({ status: 101, body: '' });
    });
    outgoing.on('response', (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

interface OpenedStorage {
  storage: Storage;
  close(): Promise<void>;
}

function runEveryRoute(open: () => Promise<OpenedStorage>): void {
  let opened: OpenedStorage;
  let engine: RoadmapEngine;
  let server: Server;
  let sockets: RoadmapWebSocket;
  let baseUrl: string;
  let ids: Ids;
  /** Errors the router or the WebSocket answered with a 5xx. */
  const serverErrors: unknown[] = [];

  beforeAll(async () => {
    opened = await open();
    engine = new RoadmapEngine({
      storage: opened.storage,
      queue: createMemoryQueue(),
      model: createDemoModel({ latencyMs: 0 }),
      imageProvider: createOfflineImageProvider(),
      blobStore: createMemoryBlobStore(),
      onError: () => {},
    });
    await engine.start();
    const { task } = await engine.generate({
      userId: owner,
      request: { preferences: { learning_goal: 'Learn SQL for analytics' } },
    });
    await terminalEvent(engine, task.task_id);
    const roadmap = await engine.getRoadmap(task.roadmap_id);
    ids = {
      taskId: task.task_id,
      roadmapId: task.roadmap_id,
      conceptId: roadmap?.stages[0]?.modules[0]?.concepts[0]?.concept_id ?? 's1-m1-c1',
      contentType: 'quiz',
      file: `${task.roadmap_id}-0123456789abcdef.png`,
      version: '1',
    };
    const authenticate = createJwtAuthenticator({ secret });
    const app = createExpressApp();
    const router = createRoadmapRouter(engine, { authenticate, onError: (error) => serverErrors.push(error) });
    app.use('/api/v1', router);
    server = createServer(app);
    sockets = attachRoadmapWebSocket(server, engine, { authenticate, onError: (error) => serverErrors.push(error) });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // The table covers every route with a parameter that the router declares.
    const stack = (
      router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }
    ).stack;
    const declared = stack.flatMap((layer) =>
      layer.route?.path.includes(':')
        ? Object.keys(layer.route.methods)
            .filter((method) => method !== '_all')
            .map((method) => `${method.toUpperCase()} ${layer.route?.path}`)
        : [],
    );
    expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(declared.sort());
  }, 60_000);

  afterAll(async () => {
    await sockets?.close();
    await engine?.stop();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await opened?.close();
  });

  it.each(badValues)('answers $name in any path parameter of any route with a 400, never a 500', async ({ value }) => {
    const answers: string[] = [];
    for (const route of routes) {
      for (const parameter of parametersOf(route.path)) {
        const target = concrete(route.path, ids, parameter, value);
        const response = await fetch(`${baseUrl}/api/v1${target}`, {
          method: route.method,
          headers: {
            authorization: bearer,
            ...(route.method === 'PUT' ? { 'content-type': 'image/png' } : {}),
          },
          ...(route.method === 'PUT' ? { body: new Uint8Array([0x89, 0x50, 0x4e, 0x47]) } : {}),
        });
        const body = (await response.json()) as Record<string, unknown>;
        answers.push(`${route.method} ${route.path} [${parameter}] → ${response.status} ${String(body.code)}`);
        expect(response.status, `${route.method} ${route.path} with ${parameter}=${value.slice(0, 40)}`).toBe(400);
        expect(typeof body.detail).toBe('string');
        expect(typeof body.code).toBe('string');
        expect(Object.keys(body).every((key) => ['detail', 'code', 'errors'].includes(key))).toBe(true);
      }
    }
    // Every parameter of every route was tried (31 path parameters in all).
    expect(answers).toHaveLength(31);
    expect(serverErrors).toEqual([]);
  });

  it.each(badValues)('refuses $name as the WebSocket task id with a 400 before the upgrade', async ({ value }) => {
    const token = signJwt({ sub: owner, expiresInSeconds: 3600 }, secret);
    const refused = await upgradeStatus(`${baseUrl}/api/v1/ws/${value}?token=${token}`);
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body)).toMatchObject({ code: 'invalid_input' });
    expect((await upgradeStatus(`${baseUrl}/api/v1/ws/${ids.taskId}?token=${token}`)).status).toBe(101);
    expect(serverErrors).toEqual([]);
  });

  it('answers ids that cannot exist in a batch body as not_found, without a 500', async () => {
    const roadmapIds = ['\u0000', `${ids.roadmapId}\u0000`, ids.roadmapId, 'x'.repeat(200), '\uD800'];
    for (const route of ['batch-get', 'batch-generate']) {
      const response = await fetch(`${baseUrl}/api/v1/cover-images/${route}`, {
        method: 'POST',
        headers: { authorization: bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ roadmap_ids: roadmapIds }),
      });
      expect(response.status, route).toBe(200);
      const body = (await response.json()) as
        | Array<{ roadmap_id: string; status: string }>
        | { not_found: string[]; triggered: number; skipped: number };
      if (Array.isArray(body)) {
        expect(body.map((cover) => cover.status === 'not_found')).toEqual([true, true, false, true, true]);
        expect(body.map((cover) => cover.roadmap_id)).toEqual(roadmapIds);
      } else {
        expect(body.not_found).toEqual(roadmapIds.filter((id) => id !== ids.roadmapId));
        expect(body.triggered + body.skipped).toBe(1);
      }
    }
    expect(serverErrors).toEqual([]);
  });
}

describe('path parameters on memory storage', () => {
  runEveryRoute(async () => ({ storage: createMemoryStorage(), close: async () => {} }));
});

describe('path parameters on a SQLite file', () => {
  runEveryRoute(async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'roadmap-path-parameters-'));
    const storage = createSqliteStorage({ filename: path.join(directory, 'roadmap.db') });
    return {
      storage,
      close: async () => {
        storage.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  });
});

describeWithDatabase('path parameters on Postgres (random schema)', () => {
  runEveryRoute(async () => {
    const schema = freshSchemaName();
    const storage = await createPostgresStorage({ connectionString: databaseUrl, schema });
    return {
      storage,
      close: async () => {
        await storage.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await storage.close();
      },
    };
  });
});
