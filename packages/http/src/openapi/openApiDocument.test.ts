import {
  createDemoModel,
  createMemoryBlobStore,
  createMemoryQueue,
  createMemoryStorage,
  RoadmapEngine,
} from '@roadmap/core';
import { terminalEvent } from '@roadmap/core/testing';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ZodType } from 'zod';
import { createJwtAuthenticator } from '../auth/authenticate.js';
import { signJwt } from '../auth/signJwt.js';
import { createRoadmapHandler, type RoadmapHandler } from '../handler/createRoadmapHandler.js';
import { roadmapRouteTable } from '../routes/roadmapRouteTable.js';
import { serverMessageSchema } from './messageSchemas.js';
import { createOpenApiDocument } from './openApiDocument.js';
import { documentationKey, isDownload, routeDocumentation } from './routeDocumentation.js';
import { apiErrorSchema } from './wireSchemas.js';

const secret = 'openapi-drift-test-secret-0123456789';
const owner = 'owner';
const pngBytes = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
  (character) => character.charCodeAt(0),
);

/** The `data` of the first `count` frames of an event stream (fewer if it ends), then the stream is cancelled. */
async function firstFrames(response: Response, count: number): Promise<string[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: string[] = [];
  let buffer = '';
  while (frames.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trimStart())
        .join('\n');
      if (data) frames.push(data);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel();
  expect(frames.length).toBeGreaterThan(0);
  return frames;
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const document = createOpenApiDocument(roadmapRouteTable);
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('documents exactly the routes of the table: each once, none that the table lacks', () => {
    const tableKeys = roadmapRouteTable.map(documentationKey).sort();
    expect(Object.keys(routeDocumentation).sort()).toEqual(tableKeys);
    const document = createOpenApiDocument(roadmapRouteTable) as { paths: Record<string, Record<string, unknown>> };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(operations.sort()).toEqual(tableKeys);
  });
});

/**
 * Every route called through the fetch handler on a real engine, and every answer checked against the document:
 * its status must be one the document lists for that route, and its JSON must parse with the schema the document was
 * generated from (strict objects: a field the document does not know is drift too).
 */
describe('drift: real answers match the document', () => {
  // Made once: every answer is checked against this same document.
  const document = createOpenApiDocument(roadmapRouteTable) as {
    paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
  };
  let engine: RoadmapEngine;
  let handler: RoadmapHandler;
  const checked = new Map<string, Set<number>>();
  const token = signJwt({ sub: owner, expiresInSeconds: 600 }, secret);

  beforeAll(async () => {
    engine = new RoadmapEngine({
      storage: createMemoryStorage(),
      queue: createMemoryQueue(),
      model: createDemoModel({ latencyMs: 0 }),
      blobStore: createMemoryBlobStore(),
      onError: () => {},
    });
    await engine.start();
    handler = createRoadmapHandler(engine, { authenticate: createJwtAuthenticator({ secret }), onError: () => {} });
  });

  afterAll(async () => {
    await engine.stop();
  });

  /** Calls `route` (a key of the table) with `path` filled in, and checks the answer against the document. */
  async function call(
    route: string,
    path: string,
    init: { body?: unknown; bytes?: Uint8Array; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: unknown }> {
    const [method] = route.split(' ');
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...init.headers };
    let body: BodyInit | undefined;
    if (init.bytes) {
      body = new Blob([init.bytes as Uint8Array<ArrayBuffer>]);
      headers['content-type'] = 'image/png';
    } else if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] = 'application/json';
    }
    const response = await handler(
      new Request(`http://roadmap.test/api/v1${path}`, { method, headers, ...(body ? { body } : {}) }),
    );
    const documentation = routeDocumentation[route];
    if (!documentation) throw new Error(`${route} is not documented`);
    const operation =
      document.paths[route.split(' ')[1]?.replace(/:(\w+)/g, '{$1}') ?? '']?.[(method ?? '').toLowerCase()];
    expect(Object.keys(operation?.responses ?? {}), `${route} answered ${response.status}`).toContain(
      String(response.status),
    );
    const success = documentation.responses[response.status];
    const type = response.headers.get('content-type') ?? '';
    let parsed: unknown = null;
    if (type.startsWith('application/json')) {
      parsed = await response.json();
      const content = success?.content;
      const schema: ZodType =
        content === undefined || typeof content !== 'object'
          ? apiErrorSchema
          : isDownload(content)
            ? content.download.json
            : content;
      const result = schema.safeParse(parsed);
      expect(result.error?.issues ?? [], `${route} ${response.status}: ${JSON.stringify(parsed)}`).toEqual([]);
    } else if (success && isDownload(success.content)) {
      expect(type).toMatch(/^text\/markdown/);
      expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename=/);
      expect(await response.text()).toContain('# ');
    } else if (success?.content === 'image') {
      expect(type).toMatch(/^image\//);
      await response.arrayBuffer();
    } else if (success?.content === 'event-stream') {
      expect(type).toMatch(/^text\/event-stream/);
      // The replayed frames: each one's data is a ServerMessage of the document.
      for (const data of await firstFrames(response, 12)) {
        const result = serverMessageSchema.safeParse(JSON.parse(data));
        expect(result.error?.issues ?? [], `${route} frame ${data}`).toEqual([]);
      }
    } else {
      await response.body?.cancel();
    }
    const statuses = checked.get(route) ?? new Set<number>();
    statuses.add(response.status);
    checked.set(route, statuses);
    return { status: response.status, body: parsed };
  }

  it('holds for every route of the table, on success and on a refusal', async () => {
    const generate = { preferences: { learning_goal: 'Learn Rust for systems programming' } };
    expect((await call('POST /roadmaps/estimate', '/roadmaps/estimate', { body: generate })).status).toBe(200);
    const created = await call('POST /roadmaps/generate', '/roadmaps/generate', {
      body: generate,
      headers: { 'idempotency-key': 'drift-1' },
    });
    const { task_id: taskId, roadmap_id: roadmapId } = created.body as { task_id: string; roadmap_id: string };
    await terminalEvent(engine, taskId);

    await call('GET /roadmaps/tasks', '/roadmaps/tasks?limit=10&status=completed');
    await call('GET /roadmaps/tasks/:taskId', `/roadmaps/tasks/${taskId}`);
    await call('GET /roadmaps/:taskId/status', `/roadmaps/${taskId}/status`);
    await call('GET /usage', '/usage');
    await call('GET /roadmaps', '/roadmaps?limit=5');
    await call('GET /roadmaps/:roadmapId', `/roadmaps/${roadmapId}`);
    const concept = `/roadmaps/${roadmapId}/concepts/s1-m1-c1`;
    await call('GET /roadmaps/:roadmapId/concepts/:conceptId', concept);
    await call('GET /roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions', `${concept}/tutorial/versions`);
    const regenerated = await call(
      'POST /roadmaps/:roadmapId/concepts/:conceptId/:contentType/regenerate',
      `${concept}/quiz/regenerate`,
      { body: { feedback: 'Harder questions' } },
    );
    expect(regenerated.status).toBe(202);
    await terminalEvent(engine, taskId, 1);
    await call(
      'POST /roadmaps/:roadmapId/concepts/:conceptId/:contentType/versions/:version/restore',
      `${concept}/quiz/versions/1/restore`,
    );
    await call('POST /roadmaps/:roadmapId/concepts/:conceptId/:contentType/retry', `${concept}/resources/retry`);
    await terminalEvent(engine, taskId, 2);
    // Refusals: a completed task cannot be cancelled, paused, resumed, reviewed or retried.
    await call('POST /roadmaps/tasks/:taskId/cancel', `/roadmaps/tasks/${taskId}/cancel`, { body: {} });
    await call('POST /roadmaps/tasks/:taskId/pause', `/roadmaps/tasks/${taskId}/pause`, { body: {} });
    await call('POST /roadmaps/tasks/:taskId/resume', `/roadmaps/tasks/${taskId}/resume`, { body: {} });
    await call('GET /roadmaps/tasks/:taskId/review', `/roadmaps/tasks/${taskId}/review`);
    await call('POST /roadmaps/tasks/:taskId/review', `/roadmaps/tasks/${taskId}/review`, {
      body: { approved: true },
    });
    await call('POST /roadmaps/tasks/:taskId/retry', `/roadmaps/tasks/${taskId}/retry`);

    // A task to pause, resume and cancel, and one in review.
    const second = (await call('POST /roadmaps/generate', '/roadmaps/generate', { body: generate })).body as {
      task_id: string;
    };
    const paused = await call('POST /roadmaps/tasks/:taskId/pause', `/roadmaps/tasks/${second.task_id}/pause`, {
      body: { abort_in_flight: true },
    });
    expect(paused.status).toBe(200);
    expect(
      (await call('POST /roadmaps/tasks/:taskId/resume', `/roadmaps/tasks/${second.task_id}/resume`, { body: {} }))
        .status,
    ).toBe(202);
    await call('POST /roadmaps/tasks/:taskId/cancel', `/roadmaps/tasks/${second.task_id}/cancel`, {
      body: { reason: 'drift test' },
    });
    await call('POST /roadmaps/tasks/:taskId/retry', `/roadmaps/tasks/${second.task_id}/retry`);
    await call('POST /roadmaps/tasks/cancel', '/roadmaps/tasks/cancel', { body: { status: 'active' } });
    const review = (
      await call('POST /roadmaps/generate', '/roadmaps/generate', {
        body: { ...generate, review_before_content: true },
      })
    ).body as { task_id: string };
    await new Promise<void>((resolve) => {
      const stop = engine.on('review_requested', (event) => {
        if (event.task_id !== review.task_id) return;
        stop();
        resolve();
      });
    });
    await call('GET /roadmaps/tasks/:taskId/review', `/roadmaps/tasks/${review.task_id}/review`);
    await call('POST /roadmaps/tasks/:taskId/review', `/roadmaps/tasks/${review.task_id}/review`, {
      body: { approved: true },
    });

    // Covers.
    await call('GET /roadmap/:roadmapId/cover-image', `/roadmap/${roadmapId}/cover-image`);
    await call('POST /roadmap/:roadmapId/cover-image/generate', `/roadmap/${roadmapId}/cover-image/generate`);
    const uploaded = await call('PUT /roadmap/:roadmapId/cover-image', `/roadmap/${roadmapId}/cover-image`, {
      bytes: pngBytes,
    });
    const file = ((uploaded.body as { cover_image_url: string }).cover_image_url ?? '').split('/').at(-1) ?? '';
    await call('GET /cover-images/:file', `/cover-images/${file}`);
    await call('POST /cover-images/batch-get', '/cover-images/batch-get', {
      body: { roadmap_ids: [roadmapId, 'learn-nothing-00000000'] },
    });
    await call('POST /cover-images/batch-generate', '/cover-images/batch-generate', {
      body: { roadmap_ids: [roadmapId] },
    });
    await call('GET /openapi.json', '/openapi.json');
    for (const route of roadmapRouteTable) {
      if (route.path.endsWith('/events') || route.path === '/events') {
        const path = route.path.replace(':taskId', taskId);
        await call(documentationKey(route), `${path}?since=0`);
      }
    }

    // Data lifecycle (SPEC §9): exports, then deletes (last: they take the data away).
    await call('GET /roadmaps/:roadmapId/export', `/roadmaps/${roadmapId}/export?format=md`);
    await call('GET /roadmaps/:roadmapId/export', `/roadmaps/${roadmapId}/export?format=json`);
    await call('GET /roadmaps/:roadmapId/export', `/roadmaps/${roadmapId}/export?format=pdf`);
    await call('GET /me/export', '/me/export');
    expect((await call('DELETE /roadmaps/tasks/:taskId', `/roadmaps/tasks/${second.task_id}`)).status).toBe(204);
    await call('DELETE /roadmaps/tasks/:taskId', `/roadmaps/tasks/${second.task_id}`);
    expect((await call('DELETE /me', '/me')).status).toBe(202);

    // Errors of any route: unknown ids, another user's, bad input.
    await call('GET /roadmaps/tasks/:taskId', '/roadmaps/tasks/0b7c2f1e-4a4f-4a8e-9d3c-3a3f0c1d2e4f');
    await call('GET /roadmaps/:roadmapId', '/roadmaps/not-an-id');
    await call('POST /roadmaps/generate', '/roadmaps/generate', { body: { preferences: { learning_goal: 'x' } } });

    const missing = roadmapRouteTable.map(documentationKey).filter((key) => !checked.has(key));
    expect(missing).toEqual([]);
  }, 60_000);
});
