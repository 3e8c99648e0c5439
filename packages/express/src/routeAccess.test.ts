import type { AddressInfo } from 'node:net';
import { createJwtAuthenticator, roadmapRouteTable, signJwt } from '@roadmap/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { attachRoadmapWebSocket, type RoadmapWebSocket } from './attachRoadmapWebSocket.js';
import {
  bearer,
  createTestApp,
  hosts,
  learnRust,
  otherUser,
  owner,
  pngBytes,
  type TestApp,
  testSecret,
  waitForCover,
} from './routerTestSupport.js';

/** Broken object-level authorization matrix: every route × every kind of caller → the status it must answer. */

type Caller = 'owner' | 'other' | 'none' | 'badSignature' | 'expired';
const callers: readonly Caller[] = ['other', 'none', 'badSignature', 'expired', 'owner'];

interface Fixture {
  taskId: string;
  /** Another completed task of the owner, for the delete row (the other rows keep `taskId`). */
  spareTaskId: string;
  roadmapId: string;
  conceptId: string;
  imageFile: string;
}

interface RouteRow {
  method: 'get' | 'post' | 'put' | 'delete';
  /** The path template exactly as the router declares it. */
  path: string;
  concrete: (fixture: Fixture) => string;
  body?: (fixture: Fixture) => object | Buffer;
  /** An event stream (SPEC §8): only its status is read, then the connection is dropped. */
  stream?: boolean;
  expected: Record<Caller, number>;
  /** Takes the owner's data away (SPEC §9 deletes): its cells run after every other row's. */
  destructive?: boolean;
}

const denied = { none: 401, badSignature: 401, expired: 401 } as const;

/** Owner's statuses are for a completed task: cancel and retries of it are refused with 400 (after authorization). */
const table: RouteRow[] = [
  {
    method: 'get',
    path: '/cover-images/:file',
    concrete: (f) => `/cover-images/${f.imageFile}`,
    expected: { owner: 200, other: 200, none: 200, badSignature: 200, expired: 200 },
  },
  {
    method: 'get',
    path: '/openapi.json',
    concrete: () => '/openapi.json',
    expected: { owner: 200, other: 200, none: 200, badSignature: 200, expired: 200 },
  },
  {
    method: 'post',
    path: '/roadmaps/generate',
    concrete: () => '/roadmaps/generate',
    body: () => learnRust,
    expected: { owner: 202, other: 202, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/tasks',
    concrete: () => '/roadmaps/tasks',
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'post',
    path: '/roadmaps/estimate',
    concrete: () => '/roadmaps/estimate',
    body: () => learnRust,
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'get',
    path: '/usage',
    concrete: () => '/usage',
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/tasks/:taskId',
    concrete: (f) => `/roadmaps/tasks/${f.taskId}`,
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    // A batch names ids in its body: another user's id is reported not_found (200), never cancelled or revealed.
    method: 'post',
    path: '/roadmaps/tasks/cancel',
    concrete: () => '/roadmaps/tasks/cancel',
    body: (f) => ({ task_ids: [f.taskId] }),
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'post',
    path: '/roadmaps/tasks/:taskId/cancel',
    concrete: (f) => `/roadmaps/tasks/${f.taskId}/cancel`,
    body: () => ({ reason: 'test' }),
    expected: { owner: 400, other: 403, ...denied },
  },
  {
    method: 'post',
    path: '/roadmaps/tasks/:taskId/pause',
    concrete: (f) => `/roadmaps/tasks/${f.taskId}/pause`,
    body: () => ({ abort_in_flight: false }),
    expected: { owner: 400, other: 403, ...denied },
  },
  {
    method: 'post',
    path: '/roadmaps/tasks/:taskId/resume',
    concrete: (f) => `/roadmaps/tasks/${f.taskId}/resume`,
    expected: { owner: 400, other: 403, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/tasks/:taskId/review',
    concrete: (f) => `/roadmaps/tasks/${f.taskId}/review`,
    expected: { owner: 400, other: 403, ...denied },
  },
  {
    method: 'post',
    path: '/roadmaps/tasks/:taskId/review',
    concrete: (f) => `/roadmaps/tasks/${f.taskId}/review`,
    body: () => ({ approved: true }),
    expected: { owner: 400, other: 403, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/tasks/:taskId/events',
    concrete: (f) => `/roadmaps/tasks/${f.taskId}/events`,
    stream: true,
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    method: 'get',
    path: '/events',
    concrete: () => '/events',
    stream: true,
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'post',
    path: '/roadmaps/tasks/:taskId/retry',
    concrete: (f) => `/roadmaps/tasks/${f.taskId}/retry`,
    expected: { owner: 400, other: 403, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps',
    concrete: () => '/roadmaps',
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/:taskId/status',
    concrete: (f) => `/roadmaps/${f.taskId}/status`,
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/:roadmapId',
    concrete: (f) => `/roadmaps/${f.roadmapId}`,
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/:roadmapId/concepts/:conceptId',
    concrete: (f) => `/roadmaps/${f.roadmapId}/concepts/${f.conceptId}`,
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    method: 'post',
    path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/retry',
    concrete: (f) => `/roadmaps/${f.roadmapId}/concepts/${f.conceptId}/tutorial/retry`,
    expected: { owner: 400, other: 403, ...denied },
  },
  {
    // The owner's empty feedback is refused after ownership is checked (the task stays completed).
    method: 'post',
    path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/regenerate',
    concrete: (f) => `/roadmaps/${f.roadmapId}/concepts/${f.conceptId}/tutorial/regenerate`,
    body: () => ({ feedback: '' }),
    expected: { owner: 400, other: 403, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions',
    concrete: (f) => `/roadmaps/${f.roadmapId}/concepts/${f.conceptId}/tutorial/versions`,
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    method: 'post',
    path: '/roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions/:version/restore',
    concrete: (f) => `/roadmaps/${f.roadmapId}/concepts/${f.conceptId}/tutorial/versions/1/restore`,
    expected: { owner: 404, other: 403, ...denied },
  },
  {
    method: 'get',
    path: '/roadmap/:roadmapId/cover-image',
    concrete: (f) => `/roadmap/${f.roadmapId}/cover-image`,
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    method: 'post',
    path: '/roadmap/:roadmapId/cover-image/generate',
    concrete: (f) => `/roadmap/${f.roadmapId}/cover-image/generate`,
    expected: { owner: 202, other: 403, ...denied },
  },
  {
    method: 'put',
    path: '/roadmap/:roadmapId/cover-image',
    concrete: (f) => `/roadmap/${f.roadmapId}/cover-image`,
    body: () => pngBytes(),
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    method: 'post',
    path: '/cover-images/batch-get',
    concrete: () => '/cover-images/batch-get',
    body: (f) => ({ roadmap_ids: [f.roadmapId] }),
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'post',
    path: '/cover-images/batch-generate',
    concrete: () => '/cover-images/batch-generate',
    body: (f) => ({ roadmap_ids: [f.roadmapId] }),
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'get',
    path: '/roadmaps/:roadmapId/export',
    concrete: (f) => `/roadmaps/${f.roadmapId}/export?format=md`,
    expected: { owner: 200, other: 403, ...denied },
  },
  {
    // Only the caller's own data: another user gets theirs.
    method: 'get',
    path: '/me/export',
    concrete: () => '/me/export',
    expected: { owner: 200, other: 200, ...denied },
  },
  {
    method: 'delete',
    path: '/roadmaps/tasks/:taskId',
    concrete: (f) => `/roadmaps/tasks/${f.spareTaskId}`,
    expected: { owner: 204, other: 403, ...denied },
    destructive: true,
  },
  {
    // Erases the caller's own data only: another user erases theirs (202), the owner's stays until the owner's call.
    method: 'delete',
    path: '/me',
    concrete: () => '/me',
    expected: { owner: 202, other: 202, ...denied },
    destructive: true,
  },
];

/** The two WebSocket endpoints of SPEC §4 (token in the query, as browsers must send it). */
interface SocketRow {
  path: string;
  concrete: (fixture: Fixture) => string;
  /** 101: the upgrade is accepted; otherwise the HTTP status that refuses it. */
  expected: Record<Caller, number>;
}

const socketTable: SocketRow[] = [
  {
    path: '/ws/:taskId',
    concrete: (f) => `/ws/${f.taskId}`,
    expected: { owner: 101, other: 403, ...denied },
  },
  {
    path: '/ws',
    concrete: () => '/ws',
    expected: { owner: 101, other: 101, ...denied },
  },
];

interface SocketOutcome {
  status: number;
  /** Events (not control messages) received, once the replay from `since=0` is complete. */
  events: Array<{ seq: number; task_id: string; user_id: string }>;
}

/** Connects with `since=0` and, when accepted, reads until `expectedEvents` events came (or the server closed). */
function connectSocket(url: string, expectedEvents: () => Promise<number>): Promise<SocketOutcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const events: SocketOutcome['events'] = [];
    let wanted: number | undefined;
    const finish = () => {
      socket.terminate();
      resolve({ status: 101, events });
    };
    socket.on('unexpected-response', (_request, response) => {
      response.resume();
      socket.terminate();
      resolve({ status: response.statusCode ?? 0, events });
    });
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; seq: number; task_id: string; user_id: string };
      if (message.type === 'connected') {
        void expectedEvents().then((count) => {
          wanted = count;
          if (events.length >= count) finish();
        }, reject);
      } else if (!['current_status', 'closing', 'pong', 'resync'].includes(message.type)) {
        events.push(message);
        if (wanted !== undefined && events.length >= wanted) finish();
      }
    });
    socket.on('close', () => resolve({ status: 101, events }));
    socket.on('error', () => {});
  });
}

function authorizationOf(caller: Caller): string | undefined {
  switch (caller) {
    case 'owner':
      return bearer(owner);
    case 'other':
      return bearer(otherUser);
    case 'none':
      return undefined;
    case 'badSignature':
      return `Bearer ${signJwt({ sub: owner }, 'another-secret')}`;
    case 'expired':
      return `Bearer ${signJwt({ sub: owner, expiresInSeconds: -60 }, testSecret)}`;
  }
}

/** `METHOD path` of every route the router declares, read from its layer stack. */
function declaredRoutes(router: TestApp['router']): string[] {
  const stack = (router as unknown as { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> })
    .stack;
  return stack.flatMap((layer) =>
    layer.route === undefined
      ? []
      : Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${layer.route?.path}`),
  );
}

describe.each(hosts)('on the %s host', (host) => {
  describe('authorization matrix (BOLA)', () => {
    let app: TestApp;
    let sockets: RoadmapWebSocket | null;
    let fixture: Fixture;
    /** Sends a row's request with supertest: status, JSON body and headers. */
    const send = async (row: RouteRow, authorization: string | undefined) => {
      let request = app.http[row.method](`/api/v1${row.concrete(fixture)}`);
      if (authorization !== undefined) request = request.set('Authorization', authorization);
      const body = row.body?.(fixture);
      if (Buffer.isBuffer(body)) request = request.set('Content-Type', 'image/png').send(body);
      else if (body !== undefined) request = request.send(body);
      return await request;
    };
    /** Opens an event stream, reads its status (and error body), and drops the connection. */
    const streamStatus = async (path: string, authorization: string | undefined) => {
      const { port } = app.server.address() as AddressInfo;
      const controller = new AbortController();
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        headers: authorization === undefined ? {} : { authorization },
        signal: controller.signal,
      });
      const body = response.status === 200 ? undefined : await response.json();
      controller.abort();
      return {
        status: response.status,
        body,
        headers: Object.fromEntries(response.headers) as Record<string, string | undefined>,
      };
    };
    beforeAll(async () => {
      app = await createTestApp({ host, router: { rateLimits: { generate: { limit: 1000, windowMs: 60_000 } } } });
      // WebSocket cells run on the Express host (the WebSocket server is a Node server's upgrade handler).
      sockets =
        host === 'express'
          ? attachRoadmapWebSocket(app.server, app.engine, {
              authenticate: createJwtAuthenticator({ secret: testSecret }),
              onError: (error) => app.serverErrors.push(error),
            })
          : null;
      const { taskId, roadmapId } = await app.generateAndFinish(owner);
      const spare = await app.generateAndFinish(owner);
      await waitForCover(app.engine, roadmapId);
      const roadmap = await app.engine.getRoadmap(roadmapId);
      const cover = await app.engine.covers.get(roadmapId);
      fixture = {
        taskId,
        spareTaskId: spare.taskId,
        roadmapId,
        conceptId: roadmap?.stages[0]?.modules[0]?.concepts[0]?.concept_id ?? '',
        imageFile: cover.cover_image_url?.split('/').at(-1) ?? '',
      };
    });
    afterAll(async () => {
      await sockets?.close();
      await app.close();
    });

    it('lists every route of the route table, and the host serves exactly the table', async () => {
      const inTable = table.map((row) => `${row.method.toUpperCase()} ${row.path}`).sort();
      expect(roadmapRouteTable.map((route) => `${route.method} ${route.path}`).sort()).toEqual(inTable);
      expect(inTable).toHaveLength(33);
      if (app.router !== null) expect(declaredRoutes(app.router).sort()).toEqual(inTable);
      // From outside: each row's path allows its method, and a path of no row is not served.
      for (const row of table) {
        const response = await app.http.options(`/api/v1${row.concrete(fixture)}`);
        expect(response.headers.allow?.split(/, ?/), `${row.method} ${row.path}`).toContain(row.method.toUpperCase());
      }
      await app.http.get('/api/v1/no-such-route').set('Authorization', bearer(owner)).expect(404);
      // A known path with a method none of its routes takes: 405 with Allow on both hosts (same matcher).
      const wrongMethod = await app.http
        .delete('/api/v1/roadmaps/generate')
        .set('Authorization', bearer(owner))
        .expect(405);
      // `/roadmaps/generate` also fits `GET /roadmaps/{roadmap_id}`.
      expect(wrongMethod.headers.allow).toBe('POST, GET, HEAD');
      expect(wrongMethod.body).toEqual({ detail: 'This route does not take this method.', code: 'method_not_allowed' });
    });

    /** Sends each cell of `rows` (every caller of each row) and compares the statuses with the table's. */
    const answerCells = async (rows: readonly RouteRow[]) => {
      const answered: string[] = [];
      const expected: string[] = [];
      for (const row of rows) {
        for (const caller of callers) {
          const authorization = authorizationOf(caller);
          const response = row.stream
            ? await streamStatus(`/api/v1${row.concrete(fixture)}`, authorization)
            : await send(row, authorization);
          const label = `${row.method.toUpperCase()} ${row.path} as ${caller}`;
          answered.push(`${label} → ${response.status}`);
          expected.push(`${label} → ${row.expected[caller]}`);
          if (response.status === 401) {
            expect(response.body).toEqual({ detail: expect.any(String), code: 'unauthorized' });
            expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
          }
          if (response.status === 403) expect(response.body.code).toBe('forbidden');
        }
      }
      expect(answered).toEqual(expected);
    };
    const keeping = table.filter((row) => !row.destructive);
    const destructive = table.filter((row) => row.destructive);

    it(`answers the expected status in each of its ${keeping.length * callers.length} cells that keep the data`, async () => {
      await answerCells(keeping);
      // Nothing another user did changed the owner's task.
      expect((await app.engine.getTask(fixture.taskId))?.status).toBe('completed');
    });

    it('shows another user none of the owner data in list and batch routes', async () => {
      const tasks = await app.http.get('/api/v1/roadmaps/tasks').set('Authorization', bearer(otherUser)).expect(200);
      expect(tasks.body.tasks.every((task: { task_id: string }) => task.task_id !== fixture.taskId)).toBe(true);
      const covers = await app.http
        .post('/api/v1/cover-images/batch-get')
        .set('Authorization', bearer(otherUser))
        .send({ roadmap_ids: [fixture.roadmapId] })
        .expect(200);
      expect(covers.body).toEqual([{ roadmap_id: fixture.roadmapId, status: 'not_found', cover_image_url: null }]);
      const generated = await app.http
        .post('/api/v1/cover-images/batch-generate')
        .set('Authorization', bearer(otherUser))
        .send({ roadmap_ids: [fixture.roadmapId] })
        .expect(200);
      expect(generated.body).toMatchObject({ triggered: 0, not_found: [fixture.roadmapId] });
    });

    it.runIf(host === 'express')(
      `answers the expected upgrade in each of the ${socketTable.length * callers.length} WebSocket cells, and streams no foreign event`,
      async () => {
        // Another user with a task of their own, so that the user-wide stream has something to show them.
        await app.generateAndFinish(otherUser);
        if (sockets === null) throw new Error('WebSocket cells run on the Express host.');
        const { port } = app.server.address() as AddressInfo;
        const answered: string[] = [];
        const expected: string[] = [];
        for (const row of socketTable) {
          for (const caller of callers) {
            const token = authorizationOf(caller)?.slice('Bearer '.length);
            const query = `${token === undefined ? '' : `token=${encodeURIComponent(token)}&`}since=0`;
            const url = `ws://127.0.0.1:${port}/api/v1${row.concrete(fixture)}?${query}`;
            const userId = caller === 'other' ? otherUser : owner;
            const outcome = await connectSocket(url, async () =>
              row.path === '/ws'
                ? (await app.engine.listEvents({ userId, limit: 10_000 })).length
                : (await app.engine.listEvents({ taskId: fixture.taskId, limit: 10_000 })).length,
            );
            const label = `WS ${row.path} as ${caller}`;
            answered.push(`${label} → ${outcome.status}`);
            expected.push(`${label} → ${row.expected[caller]}`);
            if (outcome.status !== 101) expect(outcome.events).toEqual([]);
            else {
              expect(outcome.events.length).toBeGreaterThan(0);
              expect(outcome.events.every((event) => event.user_id === userId)).toBe(true);
              if (row.path === '/ws/:taskId')
                expect(outcome.events.every((event) => event.task_id === fixture.taskId)).toBe(true);
            }
          }
        }
        expect(answered).toEqual(expected);
        expect(app.serverErrors).toEqual([]);
      },
    );

    // Last: these take the owner's data away (another user's calls first, each refused or acting on their own data).
    it(`answers the expected status in each of its ${destructive.length * callers.length} cells that delete`, async () => {
      await answerCells(destructive);
      expect(await app.engine.getTask(fixture.spareTaskId)).toBeNull();
      // The owner's erase took every task of the owner; the other user's took only theirs.
      expect((await app.engine.listTasks({ userId: owner })).total).toBe(0);
    });
  });
});
